/**
 * Resolved routes, as the publisher's route cache holds them: a function of one app
 * generation, an app's static files, or nothing. A route is valid while its `version`
 * equals its app's version (bumped on every registry swap or file change of the app).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Next } from '../config/index.js';
import type { Pin } from '../registry/types.js';
import type { AppDef } from './app-config.js';
import type { CorsPolicy } from './cors-policy.js';
import type { TrustedOrigins } from './cross-origin.js';
import type { Before, FnMeta, Handler } from './function-meta.js';
import type { Mount } from './mounts.js';
import type { StaticFiles } from './static-files.js';

/** An app as the publisher serves it. */
export interface ServedApp {
  readonly def: AppDef;
  readonly name: string;
  readonly mount: Mount;
  /** Bumped on each registry event of the app: older routes are stale. */
  version: number;
  readonly log: Logger;
  readonly bodyLimit: number;
  readonly statics: StaticFiles | undefined;
  /** The app's CORS rules (app.json `cors`), if any. */
  readonly cors: CorsPolicy | undefined;
  /** Origins the app's CORS config trusts for cross-origin requests. */
  readonly trusted: TrustedOrigins;
}

/** How a function route is served: its stable outer wrapper (outer-wrapper.ts). */
export interface Wrapper {
  /** Pins the app's current generation, then {@link Wrapper.run}. */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    route: FnRoute,
    url: string,
    q: number,
    next: Next | undefined,
  ): void;
  /** Calls the function of the pinned generation; owns `pin` from then on. */
  run(
    req: IncomingMessage,
    res: ServerResponse,
    route: FnRoute,
    pin: Pin,
    url: string,
    q: number,
    next: Next | undefined,
  ): void;
}

interface RouteBase {
  app: ServedApp;
  version: number;
}

/** A path that names a published function. */
export interface FnRoute extends RouteBase {
  kind: 'fn';
  /** The app generation `inner` and `meta` were read from. */
  generation: number;
  inner: Handler;
  meta: FnMeta;
  params: Readonly<Record<string, string>> | undefined;
  /** The path (without query) this route was resolved for. */
  path: string;
  /** The stable outer wrapper of the function (it names the file and export). */
  wrapper: Wrapper;
  /** `before` of the `_hooks` modules above the function, outermost first; undefined if none. */
  befores: Before[] | undefined;
}

/** A path of an app with no function: its `public/` may have the file. */
export interface StaticRoute extends RouteBase {
  kind: 'static';
  /** Raw path under the mount, starting with `/`. */
  rest: string;
}

/** A path that belongs to no app, or cannot name anything. */
export interface MissRoute extends RouteBase {
  kind: 'miss';
}

export type Route = FnRoute | StaticRoute | MissRoute;
