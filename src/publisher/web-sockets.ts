/**
 * WebSocket connections of one publisher (the `ws` package, imported at the first
 * upgrade). A connection is not a request: it holds no pin and never holds a reload back.
 * Each message pins the app's generation current when its turn comes, calls that
 * generation's function and releases the pin when the call has settled, so after a save
 * the next message runs the new code on the same open connection. Messages of one
 * connection run one at a time, in order. Topics are per app and per process.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { type HttpError, requestError } from '../errors/index.js';
import type { ModuleRegistry, Pin } from '../registry/types.js';
import type { Context } from './context.js';
import type { HotSocket } from './hot-socket.js';
import { requestIdOf } from './request-id.js';
import { SocketContext } from './socket-context.js';
import { takeSocket } from './upgrade-request.js';

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
/** How long a closing connection may take to answer the close frame at shutdown. */
const CLOSE_GRACE_MS = 1000;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null)?.then === 'function';
}

/** Text whose first non-blank character can start a JSON value. */
const JSON_START = /^\s*[[{"\-0-9tfn]/;

/** A text message is JSON-parsed when it parses; binary messages stay bytes. */
function decode(data: RawData, isBinary: boolean): unknown {
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

/** `host[:port]` of an origin (`https://a.example:8443` -> `a.example:8443`), lower case. */
function hostOf(origin: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)$/.exec(origin);
  return m ? (m[1] as string).toLowerCase() : undefined;
}

/**
 * The 403 for a browser's upgrade from a page of another origin that the app's
 * `cors.origin` does not list (cross-site WebSocket hijacking: the browser sends the
 * visitor's cookies with it), or undefined when it may pass. No `Origin` (not a browser)
 * passes.
 */
export function upgradeRefusal(
  req: IncomingMessage,
  trusted: string | readonly string[] | undefined,
): HttpError | undefined {
  const origin = req.headers.origin;
  if (origin === undefined || origin === '') return undefined;
  const host = req.headers.host;
  if (host !== undefined && hostOf(origin) === host.toLowerCase()) return undefined;
  const list = typeof trusted === 'string' ? [trusted] : (trusted ?? []);
  if (list.includes('*') || list.includes(origin)) return undefined;
  return requestError(
    'crossOrigin',
    'Cross-origin WebSocket connection refused (Origin does not match Host)',
  );
}

/** What `send` puts on the wire for a value, or undefined for nothing. */
function encode(value: unknown): string | Buffer | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return JSON.stringify(value);
}

/** One open connection. */
class Connection implements HotSocket {
  readonly data: Record<string, unknown> = {};
  readonly topics = new Set<string>();
  readonly ctx: SocketContext;
  private readonly queue: Job[] = [];
  private busy = false;
  private paused = false;

  constructor(
    private readonly hub: WebSockets,
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

/** The WebSocket connections of a publisher. */
export class WebSockets {
  private readonly servers = new Map<number, WebSocketServer>();
  private readonly connections = new Set<Connection>();
  private readonly topics = new Map<string, Set<Connection>>();
  private wsModule: Promise<typeof import('ws')> | undefined;

  constructor(
    readonly host: SocketHost,
    private readonly log: Logger,
  ) {}

  /** Open connections. */
  get size(): number {
    return this.connections.size;
  }

  /**
   * Completes the handshake of an upgrade a WebSocket function accepted (`upgrade` is the
   * context its hooks and guards saw) and runs the connection. `maxPayload` bounds one
   * message in bytes (the app's body limit).
   */
  async accept(
    req: IncomingMessage,
    target: SocketTarget,
    upgrade: Context,
    maxPayload: number,
  ): Promise<void> {
    const wss = await this.server(maxPayload);
    const { socket, head } = takeSocket(req);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(this, ws, target, upgrade);
      this.connections.add(conn);
      ws.on('message', (data, isBinary) =>
        conn.push({ kind: 'message', data: decode(data, isBinary) }),
      );
      ws.on('error', (err) =>
        conn.ctx.log.warn({ err }, `WebSocket ${conn.ctx.path}: ${err.message}`),
      );
      ws.once('close', (code) => {
        this.connections.delete(conn);
        for (const topic of conn.topics) this.unsubscribe(conn, topic);
        conn.ctx.closed();
        conn.push({ kind: 'close', code });
      });
      conn.push({ kind: 'open' });
    });
  }

  private async server(maxPayload: number): Promise<WebSocketServer> {
    let wss = this.servers.get(maxPayload);
    if (wss === undefined) {
      this.wsModule ??= import('ws');
      const { WebSocketServer } = await this.wsModule;
      wss = this.servers.get(maxPayload);
      if (wss !== undefined) return wss;
      wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload });
      wss.on('headers', (headers, req) => {
        const id = requestIdOf(req);
        if (id !== undefined) headers.push(`x-request-id: ${id}`);
      });
      this.servers.set(maxPayload, wss);
    }
    return wss;
  }

  subscribe(conn: Connection, topic: string): void {
    const key = `${conn.target.app}\0${topic}`;
    let set = this.topics.get(key);
    if (set === undefined) {
      set = new Set();
      this.topics.set(key, set);
    }
    set.add(conn);
  }

  unsubscribe(conn: Connection, topic: string): void {
    const key = `${conn.target.app}\0${topic}`;
    const set = this.topics.get(key);
    if (set?.delete(conn) && set.size === 0) this.topics.delete(key);
  }

  publish(from: Connection, topic: string, value: unknown): number {
    const set = this.topics.get(`${from.target.app}\0${topic}`);
    if (set === undefined) return 0;
    const wire = encode(value);
    if (wire === undefined) return 0;
    let sent = 0;
    for (const conn of set) {
      if (conn === from || conn.ws.readyState !== 1) continue;
      conn.ws.send(wire);
      sent++;
    }
    return sent;
  }

  /** Closes every connection with 1001 (going away); cuts those that do not answer. */
  closeAll(): void {
    for (const conn of this.connections) {
      conn.ws.close(1001, 'server shutting down');
      setTimeout(() => conn.ws.terminate(), CLOSE_GRACE_MS).unref();
    }
    if (this.connections.size > 0)
      this.log.info(`closing ${this.connections.size} WebSocket connection(s)`);
  }
}
