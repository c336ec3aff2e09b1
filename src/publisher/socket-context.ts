/**
 * The `ctx` of a WebSocket function: one per connection, given to `fn.open`, to every
 * message call and to `fn.close`. It carries what the upgrade request had (params, id,
 * cookies, the `state` its hooks and guards set) and `ctx.socket`; there is no HTTP
 * response to write to any more, so `ctx.res` throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Session } from '../session/index.js';
import type { Context, ContextState } from './context.js';
import type { Cookies } from './cookies.js';
import type { HotSocket } from './hot-socket.js';

/** {@link Context} of a WebSocket connection. */
export class SocketContext implements Context {
  readonly req: IncomingMessage;
  readonly params: Readonly<Record<string, string>>;
  readonly app: string;
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly file: string;
  readonly name: string;
  readonly state: ContextState;
  readonly cookies: Cookies;
  readonly log: Logger;
  readonly lastEventId: undefined;
  /** The message being answered (the last one, between messages). */
  body: unknown;
  private readonly controller = new AbortController();

  constructor(
    readonly socket: HotSocket,
    private readonly upgrade: Context,
  ) {
    this.req = upgrade.req;
    this.params = upgrade.params;
    this.app = upgrade.app;
    this.id = upgrade.id;
    this.method = upgrade.method;
    this.path = upgrade.path;
    this.file = upgrade.file;
    this.name = upgrade.name;
    this.state = upgrade.state;
    this.cookies = upgrade.cookies;
    this.log = upgrade.log;
    this.lastEventId = undefined;
    this.body = undefined;
  }

  /**
   * The session of the upgrade request. Changes stay with this connection and are not
   * saved: there is no response left to carry its cookie.
   */
  get session(): Session {
    return this.upgrade.session;
  }

  get res(): ServerResponse {
    throw new TypeError('ctx.res does not exist in a WebSocket function: use ctx.socket.send');
  }

  /** Fires when the connection closes. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Called by the hub when the connection has closed. */
  closed(): void {
    this.controller.abort(new Error('the WebSocket connection closed'));
  }
}
