/**
 * The stable outer wrapper of one published function (one per file and export name,
 * created once, never replaced). It pins the app's current generation under the shared
 * code lock, runs the hooks above it, calls that generation's inner function, and releases
 * the pin once the response is complete or the client went away. A long-lived response
 * (an event stream, a streamed body) detaches its pin from the lock's drain: a reload does
 * not wait for it, and it keeps its generation until it ends. A WebSocket function accepts
 * upgrades instead, and its connection calls the current generation per message. The
 * common case (no hooks, no guards, no body, a synchronous return) runs without a Promise
 * or a closure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Next } from '../config/index.js';
import { type HttpError, requestError } from '../errors/index.js';
import type { ModuleRegistry, Pin } from '../registry/types.js';
import type { Sessions } from '../session/index.js';
import { buildArgs, sanitizeBody } from './args.js';
import { fieldsOf, hasBody, readBody } from './body.js';
import { RequestContext } from './context.js';
import { crossOriginRefusal } from './cross-origin.js';
import {
  acceptsEventStream,
  type EventStreams,
  isAsyncGenerator,
  type StreamFailure,
} from './event-stream.js';
import { publishedExport } from './export-rules.js';
import { type RequestScope, runInScope } from './request-scope.js';
import { type StreamErrorHandler, sendValue } from './respond.js';
import type { FnRoute, Wrapper } from './route.js';
import { validateArgs } from './schema.js';
import { upgradeOf } from './upgrade-request.js';
import {
  type SocketHandler,
  type SocketTarget,
  upgradeRefusal,
  type WebSockets,
} from './web-sockets.js';

/** What the wrapper needs of the publisher. */
export interface PublisherHost {
  readonly registry: ModuleRegistry;
  /** The server's sessions: `ctx.session`. */
  readonly sessions: Sessions | undefined;
  sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void;
  /** Logs a returned stream that failed mid-response. */
  readonly streamError: StreamErrorHandler;
  /** Run each call in a {@link RequestScope} (for attributing uncaught errors). */
  readonly requestScope: boolean;
  /** The open event streams and WebSocket connections. */
  readonly streams: EventStreams;
  readonly sockets: WebSockets;
  /** What an event stream does when its generator throws. */
  streamFailure(req: IncomingMessage): StreamFailure;
  /** Under `--dev`: `FILE:LINE` of an app's stale module (`x-hotpub-stale`), if any. */
  readonly staleOf: ((app: string) => string | undefined) | undefined;
  /** Resolves `path` again (its cached route is of another generation) and serves it. */
  resolve(
    req: IncomingMessage,
    res: ServerResponse,
    next: Next | undefined,
    path: string,
    url: string,
    q: number,
  ): void;
}

const kPin = Symbol('hotpub.pin');
type HeldResponse = ServerResponse & { [kPin]?: Pin };

function releaseHeld(this: HeldResponse): void {
  const pin = this[kPin];
  if (pin !== undefined) {
    this[kPin] = undefined;
    pin.release();
  }
}

/** Keeps `pin` until `res` closes (complete, or the client went away). */
function holdUntilClose(res: HeldResponse, pin: Pin): void {
  if (res.destroyed) {
    pin.release();
    return;
  }
  if (res[kPin] === pin) return;
  res[kPin] = pin;
  res.once('close', releaseHeld);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function'
  );
}

/** The stable outer wrapper of `file#name` in `app` (and the scope of its calls). */
export class OuterWrapper implements Wrapper, SocketTarget, RequestScope {
  /** Generation and function of the last {@link handlerOf} (one slot: sockets are on the latest). */
  private socketGeneration = -1;
  private socketHandler: SocketHandler | undefined;

  constructor(
    readonly app: string,
    readonly file: string,
    readonly name: string,
    private readonly host: PublisherHost,
  ) {}

  /** The WebSocket function of the pinned generation, or undefined if it is not one any more. */
  handlerOf(pin: Pin): SocketHandler | undefined {
    if (pin.generation !== this.socketGeneration) {
      const fn = publishedExport(pin, this.file, this.name) as SocketHandler | undefined;
      this.socketHandler =
        (fn as { websocket?: unknown } | undefined)?.websocket === true ? fn : undefined;
      this.socketGeneration = pin.generation;
    }
    return this.socketHandler;
  }

  /** Drops the cached function of a retired generation (so it can be collected). */
  forget(): void {
    this.socketGeneration = -1;
    this.socketHandler = undefined;
  }

  /** Serves a request for a cached route: pins the app's code, then {@link run}. */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    route: FnRoute,
    url: string,
    q: number,
    next: Next | undefined,
  ): void {
    const pin = this.host.registry.tryAcquire(this.app);
    if (pin === undefined) {
      // A reload is pending: this request queues behind it.
      this.host.registry.acquire(this.app).then(
        (p) => this.run(req, res, route, p, url, q, next),
        (err) => this.host.sendError(req, res, err),
      );
      return;
    }
    this.run(req, res, route, pin, url, q, next);
  }

  /** Calls the inner function of the pinned generation; owns `pin` from here on. */
  run(
    req: IncomingMessage,
    res: ServerResponse,
    route: FnRoute,
    pin: Pin,
    url: string,
    q: number,
    next: Next | undefined,
  ): void {
    if (pin.generation !== route.generation) {
      // The route was read from another generation: look it up again in the current one.
      pin.release();
      this.host.resolve(req, res, next, route.path, url, q);
      return;
    }
    const meta = route.meta;
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
      const refused = crossOriginRefusal(req, route.app.trusted);
      if (refused !== undefined) {
        pin.release();
        this.host.sendError(req, res, refused);
        return;
      }
    }
    if (meta.invalid !== undefined) {
      pin.release();
      this.host.sendError(req, res, meta.invalid);
      return;
    }
    const upgrade = upgradeOf(req) !== undefined;
    const refused =
      upgrade || meta.websocket || meta.stream ? this.refusal(req, route, upgrade) : undefined;
    if (refused !== undefined) {
      pin.release();
      this.host.sendError(req, res, refused);
      return;
    }
    if (!meta.methods.has(method)) {
      pin.release();
      this.host.sendError(
        req,
        res,
        requestError('methodNotAllowed', `Method ${method} is not allowed here`, {
          headers: { allow: meta.allow },
        }),
      );
      return;
    }
    if (this.host.staleOf !== undefined) {
      const stale = this.host.staleOf(this.app);
      if (stale !== undefined) res.setHeader('x-hotpub-stale', stale);
    }
    const withBody = method !== 'GET' && method !== 'HEAD' && hasBody(req);
    if (
      withBody ||
      meta.guards !== undefined ||
      route.befores !== undefined ||
      upgrade ||
      this.host.sessions?.hasCookie(req, this.app)
    ) {
      // An upgrade's response ends when it is refused or handed over: no wait for 'close'.
      if (!upgrade) holdUntilClose(res, pin);
      if (this.host.requestScope) {
        runInScope(this, () => this.runAsync(req, res, route, pin, url, q, withBody, upgrade));
      } else this.runAsync(req, res, route, pin, url, q, withBody, upgrade);
      return;
    }
    let result: unknown;
    let ctx: RequestContext;
    try {
      const args = buildArgs(url, q, route.params, undefined);
      if (meta.schema !== undefined) validateArgs(meta.schema, args, false);
      ctx = this.context(req, res, route);
      result = this.host.requestScope
        ? runInScope(this, route.inner, args, ctx)
        : route.inner(args, ctx);
    } catch (err) {
      pin.release();
      this.host.sendError(req, res, err);
      return;
    }
    if (isThenable(result)) {
      holdUntilClose(res, pin);
      result.then(
        (value) => this.settle(req, res, pin, value, route, ctx),
        (err) => this.fail(req, res, pin, err),
      );
      return;
    }
    this.settle(req, res, pin, result, route, ctx);
  }

  /** {@link finish}, after saving the session if the function read it. */
  private settle(
    req: IncomingMessage,
    res: ServerResponse,
    pin: Pin,
    value: unknown,
    route: FnRoute,
    ctx: RequestContext,
  ): void {
    const session = ctx.sessionHandle;
    if (session === undefined) {
      this.finish(req, res, pin, value, route);
      return;
    }
    holdUntilClose(res, pin);
    this.host.sessions!.commit(req, res, this.app, session, ctx.log).then(
      () => this.finish(req, res, pin, value, route),
      (err) => this.fail(req, res, pin, err),
    );
  }

  /** Why an upgrade, a WebSocket or an event-stream function cannot be answered, if so. */
  private refusal(req: IncomingMessage, route: FnRoute, upgrade: boolean): HttpError | undefined {
    if (route.meta.websocket && !upgrade) {
      return requestError('upgradeRequired', 'This URL answers WebSocket connections only', {
        headers: { upgrade: 'websocket', connection: 'Upgrade' },
      });
    }
    if (upgrade && !route.meta.websocket) {
      return requestError('notWebSocket', 'This URL does not answer WebSocket connections');
    }
    if (upgrade) return upgradeRefusal(req, route.app.def.config.cors?.origin);
    if (route.meta.stream && !acceptsEventStream(req)) {
      return requestError(
        'notAcceptable',
        'This URL answers with an event stream: accept text/event-stream',
      );
    }
    return undefined;
  }

  private async runAsync(
    req: IncomingMessage,
    res: ServerResponse,
    route: FnRoute,
    pin: Pin,
    url: string,
    q: number,
    withBody: boolean,
    upgrade: boolean,
  ): Promise<void> {
    try {
      const ctx = this.context(req, res, route);
      const sessions = this.host.sessions;
      // Read before hooks and guards: they may decide by the session.
      if (sessions?.hasCookie(req, this.app)) {
        ctx.storedSession = await sessions.read(req, this.app);
      }
      for (const before of route.befores ?? []) {
        const answer = await before(ctx);
        if (answer !== undefined) {
          if (ctx.sessionHandle !== undefined) {
            await sessions!.commit(req, res, this.app, ctx.sessionHandle, ctx.log);
          }
          this.finish(req, res, pin, answer, route);
          return;
        }
      }
      for (const guard of route.meta.guards ?? []) {
        if (!(await guard.fn(ctx))) {
          throw guard.status === 401
            ? requestError('unauthorized', 'Authentication required')
            : requestError('forbidden', 'Access denied');
        }
      }
      if (upgrade) {
        // Hooks and guards let it through: hand the connection to the WebSocket function.
        pin.release();
        await this.host.sockets.accept(req, this, ctx, route.app.bodyLimit);
        return;
      }
      let fields: Record<string, unknown> | undefined;
      let json = false;
      const parsed = (req as { body?: unknown }).body;
      if (parsed !== undefined && req.readableEnded) {
        // Some middleware (express.json(), ...) read the body already.
        const clean = sanitizeBody(parsed);
        fields = fieldsOf(clean);
        ctx.body = clean;
        json = !/urlencoded|multipart/i.test(req.headers['content-type'] ?? '');
      } else if (withBody) {
        const body = await readBody(req, route.app.bodyLimit);
        if (body !== undefined) {
          fields = body.fields;
          ctx.body = body.value;
          json = body.kind === 'json';
        }
      }
      const args = buildArgs(url, q, route.params, fields);
      if (route.meta.schema !== undefined) validateArgs(route.meta.schema, args, json);
      const value = await route.inner(args, ctx);
      if (ctx.sessionHandle !== undefined) {
        await sessions!.commit(req, res, this.app, ctx.sessionHandle, ctx.log);
      }
      this.finish(req, res, pin, value, route);
    } catch (err) {
      if (upgrade && upgradeOf(req) === undefined) {
        req.socket.destroy(); // the handshake failed after the socket was handed over
        return;
      }
      this.fail(req, res, pin, err);
    }
  }

  private context(req: IncomingMessage, res: ServerResponse, route: FnRoute): RequestContext {
    const ctx = new RequestContext(
      req,
      res,
      route.params,
      this.app,
      route.app.log,
      route.path,
      this.file,
      this.name,
    );
    ctx.sessions = this.host.sessions;
    return ctx;
  }

  private finish(
    req: IncomingMessage,
    res: ServerResponse,
    pin: Pin,
    value: unknown,
    route: FnRoute,
  ): void {
    let done: boolean;
    if (res.destroyed && !res.writableEnded) {
      done = true; // the client went away: nothing to send
    } else if (isAsyncGenerator(value)) {
      // Long-lived: the stream keeps its generation until the generator is done, but a
      // reload does not wait for it.
      (res as HeldResponse)[kPin] = undefined;
      pin.detach();
      this.host.streams
        .run(req, res, value, route.meta.keepAliveMs, this.host.streamFailure(req))
        .catch((err) => this.host.streamError(req, err))
        .finally(() => pin.release());
      return;
    } else {
      try {
        done = sendValue(req, res, value, this.host.streamError, route.meta.type);
      } catch (err) {
        this.host.sendError(req, res, err);
        done = true;
      }
    }
    if (done) {
      (res as HeldResponse)[kPin] = undefined;
      pin.release();
    } else {
      // A body still being streamed: it keeps its generation without holding reloads back.
      pin.detach();
      holdUntilClose(res, pin);
    }
  }

  private fail(req: IncomingMessage, res: ServerResponse, pin: Pin, err: unknown): void {
    (res as HeldResponse)[kPin] = undefined;
    this.host.sendError(req, res, err);
    pin.release();
  }
}
