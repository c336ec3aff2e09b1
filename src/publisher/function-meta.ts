/**
 * What a published function declares about itself, read once per generation: its
 * methods (`fn.methods`), its schema, the media type of what it returns (`fn.type`), its
 * guards (module `_auth`/`_access` of the module that defines it and of the one that
 * serves it, `fn.auth`/`fn.access`), and whether it answers WebSockets (`fn.websocket`)
 * or streams events (an `async function*`, `fn.keepAlive`). A declaration that cannot be
 * used closes the route (500).
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
  /** The media type the function declares for what it returns (`fn.type`), if any. */
  type: string | undefined;
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

// type/subtype, then optional `; name=value` parameters: nothing that could end a header.
const MEDIA_TYPE_RE =
  /^[A-Za-z0-9][\w!#$&^.+-]*\/[A-Za-z0-9][\w!#$&^.+-]*(?:\s*;\s*[\w!#$&^.+-]+=(?:[\w!#$&^.+-]+|"[^"\\\r\n]*"))*$/;

/** The declared media type, undefined for none, or an error for a value that is not one. */
function typeOf(fn: Handler): string | undefined | HttpError {
  const declared = (fn as { type?: unknown }).type;
  if (declared === undefined) return undefined;
  if (typeof declared === 'string' && declared.length <= 200 && MEDIA_TYPE_RE.test(declared)) {
    return declared;
  }
  return misconfigured('fn.type must be a media type such as "text/html"');
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

/** A module's own export `name` (undefined if it has none; a throwing getter is a bad guard). */
function ownExport(exports: Readonly<Record<string, unknown>>, name: string): unknown {
  if (!Object.hasOwn(exports, name)) return undefined;
  try {
    return exports[name];
  } catch {
    return null;
  }
}

/**
 * Reads a function's methods, schema, media type and guards under `pin`. The module
 * guards are those of the module that defines the function (when `file` re-exports it)
 * and of `file`: authentication (`_auth`, then `fn.auth`) before authorization
 * (`_access`, `fn.access`).
 */
export function readMeta(pin: Pin, file: string, fn: Handler): FnMeta {
  const methods = methodsOf(fn);
  const type = typeOf(fn);
  const modules = [pin.definedIn(file, fn)?.exports, pin.exportsOf(file) ?? {}].filter(
    (e) => e !== undefined,
  );
  const guards: Guard[] = [];
  let invalid =
    methods instanceof HttpError ? methods : type instanceof HttpError ? type : undefined;
  const declared: Array<readonly [401 | 403, unknown, string]> = [];
  for (const e of modules) declared.push([401, ownExport(e, '_auth'), 'export _auth']);
  declared.push([401, (fn as { auth?: unknown }).auth, 'fn.auth']);
  for (const e of modules) declared.push([403, ownExport(e, '_access'), 'export _access']);
  declared.push([403, (fn as { access?: unknown }).access, 'fn.access']);
  for (const [status, g, where] of declared) {
    if (g === undefined) continue;
    // One guard re-exported by both modules runs once.
    if (guards.some((x) => x.fn === g)) continue;
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
    type: type instanceof HttpError ? undefined : type,
    guards: guards.length > 0 ? guards : undefined,
    websocket: (fn as { websocket?: unknown }).websocket === true,
    stream: isAsyncGeneratorFunction(fn),
    keepAliveMs: keepAliveMs instanceof HttpError ? 0 : keepAliveMs,
  };
  if (invalid) meta.invalid = invalid;
  return meta;
}
