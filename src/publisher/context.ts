/**
 * `ctx`, the second argument of every published function. Cheap to create: the
 * AbortSignal is only made when a function asks for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  noSecret,
  type Session,
  type SessionHandle,
  type Sessions,
  type StoredSession,
} from '../session/index.js';
import { type Cookies, RequestCookies } from './cookies.js';
import type { HotSocket } from './hot-socket.js';
import { assignRequestId } from './request-id.js';

/**
 * What an app keeps on `ctx.state` for one request (a guard sets the user, the function
 * reads it). Empty here: an app types it by declaration merging,
 * `declare module 'hotpub' { interface ContextState { user: User } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps add fields by declaration merging
export interface ContextState {}

/** What a published function receives as its second argument. */
export interface Context {
  /** The request (node:http; an Express `Request` when mounted in Express). */
  readonly req: IncomingMessage;
  /** The response: write to it yourself and return undefined, or return a value. */
  readonly res: ServerResponse;
  /** Mount params (`/api/:tenant` -> `{ tenant }`), percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The app's name (its directory). */
  readonly app: string;
  /** The app's logger (pino). */
  readonly log: Logger;
  /** Fires when the client goes away before the response is complete. */
  readonly signal: AbortSignal;
  /**
   * The request id: the incoming `x-request-id` when well-formed, else a fresh UUID. Sent
   * back as `x-request-id`, on every line `log` writes (`reqId`) and in error bodies.
   */
  readonly id: string;
  /** The request's cookies; `set` and `delete` add `Set-Cookie` headers to the response. */
  readonly cookies: Cookies;
  /**
   * The `Last-Event-ID` header: an EventSource that reconnects sends the id of the last
   * event it received, so an event-stream function can resume after it.
   */
  readonly lastEventId: string | undefined;
  /**
   * The connection, in a WebSocket function (`fn.websocket = true`) and its `open` and
   * `close`; undefined in HTTP calls. Type such a function's context as `SocketContext`.
   */
  readonly socket: HotSocket | undefined;
  /** Request method, upper case. */
  readonly method: string;
  /** Path of the request as received by the publisher, without the query string. */
  readonly path: string;
  /** The parsed body (JSON value, form fields) or undefined for none / unread types. */
  readonly body: unknown;
  /** The module file that answers (real path) and the export name. */
  readonly file: string;
  readonly name: string;
  /** Per-request state, typed by the app's {@link ContextState}; `{}` until something sets it. */
  readonly state: ContextState;
  /**
   * This visitor's session for this app: a plain object, saved before the response is
   * sent if it changed (`ctx.session.user = u`), `ctx.session.destroy()` to end it.
   * Made on first read; a function that never reads it costs nothing. Needs
   * `HOTPUB_SECRET` outside `--dev` (else it answers 500, the `noSecret` error).
   */
  readonly session: Session;
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

/** The {@link Context} implementation. */
export class RequestContext implements Context {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly app: string;
  readonly id: string;
  readonly method: string;
  readonly path: string;
  /** Set once the body is read (guards run before it is). */
  body: unknown;
  readonly file: string;
  readonly name: string;
  private controller: AbortController | undefined;
  private stateObject: ContextState | undefined;
  private readonly appLog: Logger;
  private logger: Logger | undefined;
  private cookieJar: RequestCookies | undefined;
  /** The server's sessions (set by the caller when the app may use them). */
  sessions: Sessions | undefined;
  /** The session the request's cookie named, read before the call. */
  storedSession: StoredSession | undefined;
  /** Made by the first read of `session`. */
  sessionHandle: SessionHandle | undefined;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    params: Readonly<Record<string, string>> | undefined,
    app: string,
    log: Logger,
    path: string,
    file: string,
    name: string,
  ) {
    this.req = req;
    this.res = res;
    this.params = params ?? EMPTY;
    this.app = app;
    this.appLog = log;
    this.logger = undefined;
    this.cookieJar = undefined;
    this.id = assignRequestId(req);
    this.method = req.method ?? 'GET';
    this.path = path;
    this.body = undefined;
    this.file = file;
    this.name = name;
    this.controller = undefined;
    this.sessions = undefined;
    this.storedSession = undefined;
    this.sessionHandle = undefined;
    this.stateObject = undefined;
  }

  get session(): Session {
    if (this.sessionHandle === undefined) {
      if (this.sessions === undefined) throw noSecret();
      this.sessionHandle = this.sessions.open(this.req, this.app, this.storedSession);
    }
    return this.sessionHandle.data;
  }

  get state(): ContextState {
    // Made on first use: most requests never touch it.
    this.stateObject ??= {} as ContextState;
    return this.stateObject;
  }

  /** The app's logger with this request's id, made on first use. */
  get log(): Logger {
    this.logger ??= this.appLog.child({ reqId: this.id });
    return this.logger;
  }

  get cookies(): Cookies {
    this.cookieJar ??= new RequestCookies(this.req, this.res);
    return this.cookieJar;
  }

  get lastEventId(): string | undefined {
    const v = this.req.headers['last-event-id'];
    return typeof v === 'string' ? v : undefined;
  }

  get socket(): HotSocket | undefined {
    return undefined;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      const ac = new AbortController();
      this.controller = ac;
      const res = this.res;
      if (res.writableFinished) {
        // answered already: nothing left to abort
      } else if (res.destroyed || this.req.socket?.destroyed) {
        ac.abort(new Error('client closed the connection'));
      } else {
        res.once('close', () => {
          if (!res.writableFinished) ac.abort(new Error('client closed the connection'));
        });
      }
    }
    return this.controller.signal;
  }
}

/** The context of a WebSocket function, its `open` and its `close`: `socket` is set. */
export type SocketContext = Context & { readonly socket: HotSocket };
