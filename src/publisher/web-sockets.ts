/**
 * WebSocket connections of one publisher (the `ws` package, imported at the first
 * upgrade). A connection is not a request: it holds no pin and never holds a reload back;
 * each message pins the generation current when its turn comes (socket-connection.ts), so
 * after a save the next message runs the new code on the same open connection. Topics are
 * per app and per process.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { type HttpError, requestError } from '../errors/index.js';
import type { Context } from './context.js';
import { requestIdOf } from './request-id.js';
import {
  Connection,
  type ConnectionHub,
  decode,
  encode,
  type SocketHost,
  type SocketTarget,
} from './socket-connection.js';
import { takeSocket } from './upgrade-request.js';

export type { SocketHandler, SocketHost, SocketTarget } from './socket-connection.js';

/** How long a closing connection may take to answer the close frame at shutdown. */
const CLOSE_GRACE_MS = 1000;

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

/** The WebSocket connections of a publisher. */
export class WebSockets implements ConnectionHub {
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
