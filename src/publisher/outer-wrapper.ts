/**
 * The stable outer wrapper of one published function (one per file and export name,
 * created once, never replaced). It pins the app's current generation under the shared
 * code lock, calls that generation's inner function, and releases the pin once the
 * response is complete or the client went away. The common case (no guards, no body,
 * a synchronous return) runs without a Promise or a closure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Next } from '../config/index.js';
import { requestError } from '../errors/index.js';
import type { ModuleRegistry, Pin } from '../registry/types.js';
import { buildArgs, sanitizeBody } from './args.js';
import { fieldsOf, hasBody, readBody } from './body.js';
import { RequestContext } from './context.js';
import { crossOriginRefusal } from './cross-origin.js';
import { type RequestScope, runInScope } from './request-scope.js';
import { type StreamErrorHandler, sendValue } from './respond.js';
import type { FnRoute, Wrapper } from './route.js';
import { validateArgs } from './schema.js';

/** What the wrapper needs of the publisher. */
export interface PublisherHost {
  readonly registry: ModuleRegistry;
  sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void;
  /** Logs a returned stream that failed mid-response. */
  readonly streamError: StreamErrorHandler;
  /** Run each call in a {@link RequestScope} (for attributing uncaught errors). */
  readonly requestScope: boolean;
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
export class OuterWrapper implements Wrapper, RequestScope {
  constructor(
    readonly app: string,
    readonly file: string,
    readonly name: string,
    private readonly host: PublisherHost,
  ) {}

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
    if (withBody || meta.guards !== undefined) {
      holdUntilClose(res, pin);
      if (this.host.requestScope) {
        runInScope(this, () => this.runAsync(req, res, route, pin, url, q, withBody));
      } else this.runAsync(req, res, route, pin, url, q, withBody);
      return;
    }
    let result: unknown;
    try {
      const args = buildArgs(url, q, route.params, undefined);
      if (meta.schema !== undefined) validateArgs(meta.schema, args, false);
      const ctx = this.context(req, res, route);
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
        (value) => this.finish(req, res, pin, value, meta.type),
        (err) => this.fail(req, res, pin, err),
      );
      return;
    }
    this.finish(req, res, pin, result, meta.type);
  }

  private async runAsync(
    req: IncomingMessage,
    res: ServerResponse,
    route: FnRoute,
    pin: Pin,
    url: string,
    q: number,
    withBody: boolean,
  ): Promise<void> {
    try {
      const ctx = this.context(req, res, route);
      for (const guard of route.meta.guards ?? []) {
        if (!(await guard.fn(ctx))) {
          throw guard.status === 401
            ? requestError('unauthorized', 'Authentication required')
            : requestError('forbidden', 'Access denied');
        }
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
      this.finish(req, res, pin, value, route.meta.type);
    } catch (err) {
      this.fail(req, res, pin, err);
    }
  }

  private context(req: IncomingMessage, res: ServerResponse, route: FnRoute): RequestContext {
    return new RequestContext(
      req,
      res,
      route.params,
      this.app,
      route.app.log,
      route.path,
      this.file,
      this.name,
    );
  }

  private finish(
    req: IncomingMessage,
    res: ServerResponse,
    pin: Pin,
    value: unknown,
    type: string | undefined,
  ): void {
    let done: boolean;
    if (res.destroyed && !res.writableEnded) {
      done = true; // the client went away: nothing to send
    } else {
      try {
        done = sendValue(req, res, value, this.host.streamError, type);
      } catch (err) {
        this.host.sendError(req, res, err);
        done = true;
      }
    }
    if (done) {
      (res as HeldResponse)[kPin] = undefined;
      pin.release();
    } else holdUntilClose(res, pin);
  }

  private fail(req: IncomingMessage, res: ServerResponse, pin: Pin, err: unknown): void {
    (res as HeldResponse)[kPin] = undefined;
    this.host.sendError(req, res, err);
    pin.release();
  }
}
