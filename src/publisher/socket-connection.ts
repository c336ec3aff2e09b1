/**
 * One WebSocket connection: `ctx.socket` to the app, and the queue that runs its messages
 * one at a time, in order, each on the generation current when its turn comes (pinned for
 * the length of the call only). `fn.open` and `fn.close` take their turn in the queue too.
 */
import type { RawData, WebSocket } from 'ws';
import type { ModuleRegistry, Pin } from '../registry/types.js';
import type { Context } from './context.js';
import type { HotSocket } from './hot-socket.js';
import { SocketContext } from './socket-context.js';

/** The function a connection calls: its current generation's, or undefined when gone. */
export interface SocketTarget {
  readonly app: string;
  /** The WebSocket function of the pinned generation, if it still is one. */
  handlerOf(pin: Pin): SocketHandler | undefined;
}

/** A WebSocket function with its optional `open` and `close`. */
export type SocketHandler = ((message: unknown, ctx: Context) => unknown) & {
  open?: unknown;
  close?: unknown;
};

/** What the connections need of the publisher. */
export interface SocketHost {
  readonly registry: ModuleRegistry;
  /** The `error` object sent for a message whose call threw (the HTTP error body's). */
  errorBody(err: unknown, requestId: string): unknown;
}

type Job = { kind: 'open' } | { kind: 'message'; data: unknown } | { kind: 'close'; code: number };

/** Past this many queued messages a connection stops reading until it catches up. */
const QUEUE_HIGH = 1024;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null)?.then === 'function';
}

/** Text whose first non-blank character can start a JSON value. */
const JSON_START = /^\s*[[{"\-0-9tfn]/;

/** A text message is JSON-parsed when it parses; binary messages stay bytes. */
export function decode(data: RawData, isBinary: boolean): unknown {
  const buf = Buffer.isBuffer(data)
    ? data
    : Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.from(data);
  if (isBinary) return buf;
  const text = buf.toString('utf8');
  // Only text that can start a JSON value is tried: no exception per plain-text message.
  if (JSON_START.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** What `send` puts on the wire for a value, or undefined for nothing. */
export function encode(value: unknown): string | Buffer | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return JSON.stringify(value);
}

/** What a connection needs of the set of connections it belongs to. */
export interface ConnectionHub {
  readonly host: SocketHost;
  subscribe(conn: Connection, topic: string): void;
  unsubscribe(conn: Connection, topic: string): void;
  publish(from: Connection, topic: string, value: unknown): number;
}

/** One open connection. */
export class Connection implements HotSocket {
  readonly data: Record<string, unknown> = {};
  readonly topics = new Set<string>();
  readonly ctx: SocketContext;
  private readonly queue: Job[] = [];
  private busy = false;
  private paused = false;

  constructor(
    private readonly hub: ConnectionHub,
    readonly ws: WebSocket,
    readonly target: SocketTarget,
    upgrade: Context,
  ) {
    this.ctx = new SocketContext(this, upgrade);
  }

  get id(): string {
    return this.ctx.id;
  }

  get open(): boolean {
    return this.ws.readyState === 1;
  }

  send(value: unknown): void {
    if (this.ws.readyState !== 1) return;
    const wire = encode(value);
    if (wire !== undefined) this.ws.send(wire);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code ?? 1000, reason);
  }

  subscribe(topic: string): void {
    this.topics.add(topic);
    this.hub.subscribe(this, topic);
  }

  unsubscribe(topic: string): void {
    this.topics.delete(topic);
    this.hub.unsubscribe(this, topic);
  }

  publish(topic: string, value: unknown): number {
    return this.hub.publish(this, topic, value);
  }

  /** Queues a job; runs it now when nothing else of this connection runs. */
  push(job: Job): void {
    this.queue.push(job);
    if (this.busy) {
      if (!this.paused && this.queue.length > QUEUE_HIGH) {
        this.paused = true;
        this.ws.pause();
      }
      return;
    }
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const pending = this.process(this.queue.shift() as Job);
      if (pending !== undefined) {
        this.busy = true;
        pending.then(() => {
          this.busy = false;
          this.pump();
        });
        return;
      }
    }
    if (this.paused) {
      this.paused = false;
      this.ws.resume();
    }
  }

  /** Runs one job on the generation current now; a Promise only when it must wait. */
  private process(job: Job): Promise<void> | undefined {
    const registry = this.hub.host.registry;
    const pin = registry.tryAcquire(this.target.app);
    if (pin !== undefined) return this.call(job, pin);
    // A reload is pending: this message runs on the generation it swaps in.
    return registry.acquire(this.target.app).then(
      (p) => this.call(job, p),
      (err) => this.failed(err),
    );
  }

  private call(job: Job, pin: Pin): Promise<void> | undefined {
    let result: unknown;
    try {
      const fn = this.target.handlerOf(pin);
      if (fn === undefined) {
        pin.release();
        // The function is gone or no longer a WebSocket function after a reload.
        if (job.kind !== 'close') this.ws.close(1011, 'this URL no longer answers WebSockets');
        return undefined;
      }
      if (job.kind === 'message') {
        this.ctx.body = job.data;
        result = fn(job.data, this.ctx);
      } else if (job.kind === 'open') {
        result = typeof fn.open === 'function' ? fn.open(this.ctx) : undefined;
      } else if (typeof fn.close === 'function') {
        result = fn.close(this.ctx, job.code);
      }
    } catch (err) {
      pin.release();
      this.failed(err);
      return undefined;
    }
    if (!isThenable(result)) {
      pin.release();
      if (job.kind !== 'close') this.reply(result);
      return undefined;
    }
    return Promise.resolve(result).then(
      (value) => {
        pin.release();
        if (job.kind !== 'close') this.reply(value);
      },
      (err) => {
        pin.release();
        this.failed(err);
      },
    );
  }

  private reply(value: unknown): void {
    try {
      this.send(value);
    } catch (err) {
      this.failed(err);
    }
  }

  /** A call threw: log it and tell the client with the error body; the connection stays. */
  private failed(err: unknown): void {
    this.ctx.log.error(
      { err },
      `WebSocket ${this.ctx.path}: ${(err as Error)?.message ?? String(err)}`,
    );
    if (this.ws.readyState === 1) {
      this.ws.send(JSON.stringify({ error: this.hub.host.errorBody(err, this.id) }));
    }
  }
}
