/**
 * What a published function declares about itself, read once per generation: its
 * methods (`fn.methods`), its schema, its guards (module `_auth`/`_access`,
 * `fn.auth`/`fn.access`), and whether it answers WebSockets (`fn.websocket`) or streams
 * events (an `async function*`, `fn.keepAlive`). A declaration that cannot be used
 * closes the route (500).
 */
import { METHODS } from 'node:http';
import { HttpError, requestError } from '../errors/index.js';
import type { Pin } from '../registry/types.js';
import type { Context } from './context.js';
import { functionKind, isAsyncGeneratorFunction } from './export-rules.js';

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
  /** Set when `fn.methods` or a guard is not usable: every request answers this 500. */
  invalid?: HttpError;
  /** `fn.websocket === true`: it answers WebSocket upgrades, one call per message. */
  websocket: boolean;
  /** An `async function*`: each value it yields is a server-sent event. */
  stream: boolean;
  /** Milliseconds between keep-alive comments of an event stream (`fn.keepAlive`); 0: none. */
  keepAliveMs: number;
}

/** A hooks module's `before(ctx)`: a value other than undefined answers the request. */
export type Before = (ctx: Context) => unknown;

const DEFAULT_METHODS = ['GET', 'HEAD', 'POST'];
// Node's parser accepts only these: any other name could never match a request.
const KNOWN_METHODS = new Set(METHODS);

function misconfigured(message: string): HttpError {
  return requestError('badMetadata', message);
}

/** The declared methods, or an error for a value that is not a method list. */
function methodsOf(fn: Handler): string[] | HttpError {
  const declared = (fn as { methods?: unknown }).methods;
  if (declared === undefined) return DEFAULT_METHODS;
  const list = typeof declared === 'string' ? [declared] : declared;
  // A typo must not widen what the function accepts: refuse the whole declaration.
  if (!Array.isArray(list) || list.length === 0 || !list.every((m) => typeof m === 'string')) {
    return misconfigured('fn.methods must be a method name or a non-empty array of method names');
  }
  const upper = (list as string[]).map((m) => m.toUpperCase());
  const unknown = upper.find((m) => !KNOWN_METHODS.has(m));
  if (unknown !== undefined) {
    return misconfigured(`fn.methods: "${unknown}" is not an HTTP method`);
  }
  if (upper.includes('GET') && !upper.includes('HEAD')) upper.push('HEAD');
  return upper;
}

/** Default milliseconds between an event stream's keep-alive comments (proxies cut idle ones). */
const KEEP_ALIVE_MS = 15_000;

/** `fn.keepAlive`: milliseconds between keep-alive comments, 0 for none. */
function keepAliveOf(fn: Handler): number | HttpError {
  const declared = (fn as { keepAlive?: unknown }).keepAlive;
  if (declared === undefined) return KEEP_ALIVE_MS;
  if (typeof declared === 'number' && Number.isFinite(declared) && declared >= 0) {
    return Math.min(declared, 2 ** 31 - 1);
  }
  return misconfigured('fn.keepAlive must be a number of milliseconds (0: no keep-alive)');
}

/** True for a callable guard: any function (bound, wrapped, a Proxy) but a class or a generator. */
function isGuard(g: unknown): g is Guard['fn'] {
  if (typeof g !== 'function') return false;
  const kind = functionKind(g);
  return kind !== 'class' && kind !== 'generator';
}

/** Reads a function's methods, schema and guards (with its module's) under `pin`. */
export function readMeta(pin: Pin, file: string, fn: Handler): FnMeta {
  const methods = methodsOf(fn);
  const exports = pin.exportsOf(file) ?? {};
  const guards: Guard[] = [];
  let invalid = methods instanceof HttpError ? methods : undefined;
  const moduleAuth = Object.hasOwn(exports, '_auth') ? exports['_auth'] : undefined;
  const moduleAccess = Object.hasOwn(exports, '_access') ? exports['_access'] : undefined;
  const fnAuth = (fn as { auth?: unknown }).auth;
  const fnAccess = (fn as { access?: unknown }).access;
  for (const [status, g, where] of [
    [401, moduleAuth, 'export _auth'],
    [401, fnAuth, 'fn.auth'],
    [403, moduleAccess, 'export _access'],
    [403, fnAccess, 'fn.access'],
  ] as const) {
    if (g === undefined) continue;
    // A guard that is set but cannot be called denies everything: never fail open.
    if (isGuard(g)) guards.push({ status, fn: g });
    else invalid ??= misconfigured(`${where} must be a function (not a class or generator)`);
  }
  const list = methods instanceof HttpError ? [] : methods;
  const keepAliveMs = keepAliveOf(fn);
  if (keepAliveMs instanceof HttpError) invalid ??= keepAliveMs;
  const meta: FnMeta = {
    methods: new Set(list),
    allow: list.join(', '),
    schema: (fn as { schema?: unknown }).schema,
    guards: guards.length > 0 ? guards : undefined,
    websocket: (fn as { websocket?: unknown }).websocket === true,
    stream: isAsyncGeneratorFunction(fn),
    keepAliveMs: keepAliveMs instanceof HttpError ? 0 : keepAliveMs,
  };
  if (invalid) meta.invalid = invalid;
  return meta;
}
