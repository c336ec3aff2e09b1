/**
 * Resolved routes, as the publisher's route cache holds them: a function of one app
 * generation, an app's static files, or nothing. A route is valid while its `version`
 * equals its app's version (bumped on every registry swap or file change of the app).
 */
import type { Logger } from 'pino';
import type { Pin } from '../registry/types.js';
import type { AppDef } from './app-config.js';
import type { Context } from './context.js';
import type { Mount } from './mounts.js';
import { isPlainFunction } from './published.js';
import type { PublishedFunction } from './published-function.js';
import type { StaticFiles } from './static-files.js';

/** A published function as the publisher calls it. */
export type Handler = (args: Record<string, unknown>, ctx: Context) => unknown;

/** A guard: truthy lets the request through; falsy answers `status` (401 or 403). */
export interface Guard {
  status: 401 | 403;
  fn: (ctx: Context) => unknown;
}

/** What a function declares about itself, read once per generation. */
export interface FnMeta {
  methods: ReadonlySet<string>;
  /** The `Allow` header value. */
  allow: string;
  schema: unknown;
  /** Module `_auth`, `fn.auth`, module `_access`, `fn.access`, in that order; undefined if none. */
  guards: Guard[] | undefined;
}

/** Per-app state of the publisher. */
export interface AppState {
  readonly def: AppDef;
  readonly name: string;
  readonly mount: Mount;
  /** Bumped on each registry event of the app: older routes are stale. */
  version: number;
  readonly log: Logger;
  readonly bodyLimit: number;
  readonly statics: StaticFiles | undefined;
}

interface RouteBase {
  app: AppState;
  version: number;
}

/** A path that names a published function. */
export interface FnRoute extends RouteBase {
  kind: 'fn';
  /** The app generation `inner` and `meta` were read from. */
  generation: number;
  file: string;
  name: string;
  inner: Handler;
  meta: FnMeta;
  params: Readonly<Record<string, string>> | undefined;
  /** The path (without query) this route was resolved for. */
  path: string;
  /** The stable outer wrapper of `file#name`. */
  wrapper: PublishedFunction;
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

const DEFAULT_METHODS = ['GET', 'HEAD', 'POST'];

function methodsOf(fn: Handler): string[] {
  const declared = (fn as { methods?: unknown }).methods;
  let list: string[] = DEFAULT_METHODS;
  if (typeof declared === 'string') list = [declared];
  else if (Array.isArray(declared) && declared.every((m) => typeof m === 'string')) list = declared;
  const upper = list.map((m) => m.toUpperCase());
  if (upper.includes('GET') && !upper.includes('HEAD')) upper.push('HEAD');
  return upper;
}

/** Reads a function's methods, schema and guards (with its module's) under `pin`. */
export function readMeta(pin: Pin, file: string, fn: Handler): FnMeta {
  const methods = methodsOf(fn);
  const exports = pin.exportsOf(file) ?? {};
  const guards: Guard[] = [];
  const moduleAuth = Object.hasOwn(exports, '_auth') ? exports['_auth'] : undefined;
  const moduleAccess = Object.hasOwn(exports, '_access') ? exports['_access'] : undefined;
  const fnAuth = (fn as { auth?: unknown }).auth;
  const fnAccess = (fn as { access?: unknown }).access;
  for (const [status, g] of [
    [401, moduleAuth],
    [401, fnAuth],
    [403, moduleAccess],
    [403, fnAccess],
  ] as const) {
    if (isPlainFunction(g)) guards.push({ status, fn: g as Guard['fn'] });
  }
  return {
    methods: new Set(methods),
    allow: methods.join(', '),
    schema: (fn as { schema?: unknown }).schema,
    guards: guards.length > 0 ? guards : undefined,
  };
}
