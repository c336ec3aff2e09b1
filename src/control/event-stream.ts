/**
 * The dashboard's live feed: server-sent events over one long response per client, each
 * `event: state` carrying the whole dashboard state as JSON. A state is pushed soon after
 * a registry event (several in a burst make one push) and on a one-second tick when it
 * changed (in-flight counts move without events). Reading the state takes no lock and
 * pins nothing, so an open dashboard never holds back a reload.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const COALESCE_MS = 25;
const TICK_MS = 1000;
const HEARTBEAT_MS = 15_000;
// A client that stopped reading is cut rather than buffered without bound.
const MAX_BUFFERED = 4 * 1024 * 1024;

/** Server-sent events of one JSON state to any number of clients. */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private pending: NodeJS.Timeout | undefined;
  private tick: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private last = '';
  private closed = false;

  /** @param read the state to send, read when it is sent */
  constructor(private readonly read: () => unknown) {}

  /** Number of open streams. */
  get size(): number {
    return this.clients.size;
  }

  /** Answers `req` with the stream: the current state at once, then every change. */
  open(req: IncomingMessage, res: ServerResponse): void {
    if (this.closed) {
      res.statusCode = 503;
      res.end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    req.socket.setNoDelay(true);
    this.clients.add(res);
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stopTimers();
    });
    this.last = this.text();
    this.write(res, this.last);
    this.startTimers();
  }

  /** Something changed: push the state to every client shortly. */
  changed(): void {
    if (this.clients.size === 0 || this.pending !== undefined) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.push();
    }, COALESCE_MS);
    this.pending.unref();
  }

  /** Ends every stream (server shutdown): a stream must not keep the server open. */
  close(): void {
    this.closed = true;
    this.stopTimers();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private text(): string {
    return `event: state\ndata: ${JSON.stringify(this.read())}\n\n`;
  }

  private push(): void {
    if (this.clients.size === 0) return;
    const text = this.text();
    if (text === this.last) return;
    this.last = text;
    for (const res of this.clients) this.write(res, text);
  }

  private write(res: ServerResponse, text: string): void {
    if (res.writableLength > MAX_BUFFERED) {
      res.destroy();
      return;
    }
    res.write(text);
  }

  private startTimers(): void {
    if (this.tick === undefined) {
      this.tick = setInterval(() => this.push(), TICK_MS);
      this.tick.unref();
    }
    if (this.heartbeat === undefined) {
      this.heartbeat = setInterval(() => {
        for (const res of this.clients) this.write(res, ': keep-alive\n\n');
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  private stopTimers(): void {
    clearTimeout(this.pending);
    clearInterval(this.tick);
    clearInterval(this.heartbeat);
    this.pending = undefined;
    this.tick = undefined;
    this.heartbeat = undefined;
  }
}
