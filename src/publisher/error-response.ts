/**
 * Thrown value -> error response. The body is JSON:
 * `{ "error": { "status", "code", "message", "details"?, "requestId" } }`; under `dev` it adds
 * `stack` (source-mapped), `location` and a code `frame`, and a browser that prefers
 * HTML gets the same as a page (dev-error-page.ts). Logged stacks are source-mapped.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { defaultMessage, ErrorCode, HttpError, isHotpubCode, statusOf } from '../errors/index.js';
import type { ModuleRegistry, SourceLocation } from '../registry/types.js';
import { isCorsHeader } from './cors-policy.js';
import { type ErrorPage, prefersHtml, renderErrorPage } from './dev-error-page.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import type { StaleModule } from './stale-code.js';

/** Where error details come from under `dev`. */
export interface ErrorOptions {
  dev: boolean;
  log: Logger;
  /** Maps a runtime stack back to an app module's `.ts` source (dev code frames). */
  registry?: Pick<ModuleRegistry, 'locateError' | 'mapStack' | 'sourceOf'> | undefined;
  /** Stale modules, for the banner of dev HTML error pages. */
  stale?: () => readonly StaleModule[];
}

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  expose?: unknown;
  details?: unknown;
  headers?: unknown;
  stack?: unknown;
  location?: SourceLocation;
  frame?: unknown;
}

// Headers of the error body itself, never taken from a thrown error.
const FRAMING = new Set(['content-length', 'content-type', 'transfer-encoding']);

const FIELDS = [
  'message',
  'code',
  'expose',
  'details',
  'headers',
  'stack',
  'location',
  'frame',
  'status',
  'statusCode',
] as const;

/**
 * The fields of a thrown value, read defensively: a value with a throwing getter or no
 * prototype (`Object.create(null)`) must still give a 500, not a cut connection.
 */
function normalize(thrown: unknown): ErrorLike & { status?: unknown; statusCode?: unknown } {
  if (thrown === null || typeof thrown !== 'object') {
    let message: string;
    try {
      message = String(thrown);
    } catch {
      message = typeof thrown;
    }
    return { message };
  }
  const out: Record<string, unknown> = {};
  for (const key of FIELDS) {
    try {
      const v = (thrown as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = v;
    } catch {
      // a throwing getter: as if absent
    }
  }
  return out as ErrorLike;
}

/** Where the error happened in an app module's source, with a code frame (dev only). */
function locate(
  err: ErrorLike,
  thrown: unknown,
  opts: ErrorOptions,
): { location: SourceLocation; frame?: string } | undefined {
  if (err.location && typeof err.location.file === 'string') {
    return typeof err.frame === 'string'
      ? { location: err.location, frame: err.frame }
      : { location: err.location };
  }
  if (typeof err.stack !== 'string') return undefined;
  // Only the registry's own modules are mapped: a message can quote client input that
  // looks like a stack frame pointing at any file.
  return opts.registry?.locateError(thrown);
}

/**
 * Answers `err` on `res`: its 4xx/5xx `status`/`statusCode` with its message (5xx
 * messages only when `expose` or `dev`), anything else 500 with no details unless `dev`.
 * If the response has started already, the connection is destroyed instead (no hang).
 */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  thrown: unknown,
  opts: ErrorOptions,
): void {
  const requestId = requestIdOf(req);
  const err = normalize(thrown);
  const status = statusOf(err) ?? 500;
  const stack = status >= 500 ? mappedStack(thrown, err, opts) : undefined;
  if (status >= 500) {
    const text = typeof err.message === 'string' ? err.message : 'a thrown value';
    opts.log.error(
      { err: loggable(thrown, stack), method: req.method, url: req.url, reqId: requestId },
      `${req.method} ${req.url}: ${text}`,
    );
  }
  if (res.headersSent || res.writableEnded || res.destroyed) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const { body } = errorBody(thrown, opts, requestId, stack);
  // Headers a function set before failing (cookies, content-type) do not belong to the
  // error; the request id and the app's CORS headers do (the page must read the error).
  for (const name of res.getHeaderNames()) {
    if (name !== REQUEST_ID_HEADER && !isCorsHeader(name)) res.removeHeader(name);
  }
  res.setHeader('x-content-type-options', 'nosniff');
  // Only our own HttpError sets headers (Allow, WWW-Authenticate, Connection): an SDK's
  // error may carry an upstream response's headers, which must not reach the client.
  if (thrown instanceof HttpError && thrown.headers) {
    try {
      for (const [k, v] of Object.entries(thrown.headers)) {
        if (!FRAMING.has(k.toLowerCase())) res.setHeader(k, v);
      }
    } catch {
      for (const name of res.getHeaderNames()) res.removeHeader(name); // invalid header: none
      if (requestId !== undefined) res.setHeader(REQUEST_ID_HEADER, requestId);
      res.setHeader('x-content-type-options', 'nosniff');
    }
  }
  if (opts.dev && prefersHtml(req)) {
    sendPage(req, res, pageOf(req, body, thrown, opts), jsonText(body), opts);
    return;
  }
  send(res, status, 'application/json; charset=utf-8', jsonText(body));
}

/**
 * The status and the `error` object of the JSON body for `thrown` (also what a WebSocket
 * function's failed call and a failed event stream answer): 4xx messages shown, 5xx
 * hidden unless `expose` or `dev`, dev details, and the request id when there is one.
 * `stack` is the source-mapped stack when the caller has it already.
 */
export function errorBody(
  thrown: unknown,
  opts: ErrorOptions,
  requestId: string | undefined,
  stack?: string,
): { status: number; body: Record<string, unknown> } {
  const err = normalize(thrown);
  const known = statusOf(err);
  const status = known ?? 500;
  const expose = opts.dev || (typeof err.expose === 'boolean' ? err.expose : status < 500);
  const ownCode = typeof err.code === 'string' ? err.code : undefined;
  const fallback = status >= 500 ? ErrorCode.internal : ErrorCode.http;
  // Framework codes of errors that chose their status are safe to show; others only when exposed.
  const code =
    ownCode !== undefined && (expose || (known !== undefined && isHotpubCode(ownCode)))
      ? ownCode
      : fallback;
  const body: Record<string, unknown> = {
    status,
    code,
    message:
      expose && typeof err.message === 'string' && err.message !== ''
        ? err.message
        : defaultMessage(status),
  };
  if (expose && err.details !== undefined) body.details = err.details;
  if (requestId !== undefined) body.requestId = requestId;
  if (opts.dev && status >= 500) {
    const shown = stack ?? mappedStack(thrown, err, opts);
    if (shown !== undefined) body.stack = shown;
    const at = locate(err, thrown, opts);
    if (at) {
      body.location = at.location;
      if (at.frame) body.frame = at.frame;
    }
  }
  return { status, body };
}

/** The JSON text of an error body. */
function jsonText(body: Record<string, unknown>): string {
  let text: string;
  try {
    text = JSON.stringify({ error: body });
  } catch {
    body.details = undefined; // a BigInt or a cycle in details: drop them, keep the answer
    text = JSON.stringify({ error: body });
  }
  return text;
}

function send(res: ServerResponse, status: number, type: string, text: string): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.setHeader('cache-control', 'no-store');
  res.end(text);
}

/** The stack of `thrown` with app frames source-mapped (esbuild's left out), else as is. */
function mappedStack(thrown: unknown, err: ErrorLike, opts: ErrorOptions): string | undefined {
  try {
    return (
      opts.registry?.mapStack(thrown) ?? (typeof err.stack === 'string' ? err.stack : undefined)
    );
  } catch {
    return typeof err.stack === 'string' ? err.stack : undefined;
  }
}

/** What the log gets as `err`: the error with its mapped stack (causes included in it). */
function loggable(thrown: unknown, stack: string | undefined): Error | undefined {
  if (!(thrown instanceof Error)) return undefined;
  if (stack === undefined) return thrown;
  const shown = new Error(thrown.message);
  shown.name = thrown.name;
  shown.stack = stack;
  const code = (thrown as { code?: unknown }).code;
  if (code !== undefined) Object.assign(shown, { code });
  return shown;
}

/** The dev page's content, read now: the registry may swap in other code before it renders. */
function pageOf(
  req: IncomingMessage,
  body: Record<string, unknown>,
  thrown: unknown,
  opts: ErrorOptions,
): ErrorPage {
  const status = body.status as number;
  const stack = typeof body.stack === 'string' ? body.stack : undefined;
  const location = body.location as SourceLocation | undefined;
  const sources = new Map<string, string>();
  for (const m of (stack ?? '').matchAll(/((?:\/|[A-Za-z]:\\)[^():\n]*?):\d+:\d+\)?$/gm)) {
    const file = m[1]!;
    const source = sources.has(file) ? undefined : opts.registry?.sourceOf(file);
    if (source !== undefined) sources.set(file, source);
  }
  if (location && !sources.has(location.file)) {
    const source = opts.registry?.sourceOf(location.file);
    if (source !== undefined) sources.set(location.file, source);
  }
  let name = 'Error';
  try {
    if (thrown instanceof Error) name = thrown.name;
  } catch {
    // a throwing getter: keep the default
  }
  return {
    status,
    title: `${status} ${defaultMessage(status)}`,
    code: String(body.code),
    message: String(body.message),
    details: body.details,
    name,
    ...(stack === undefined ? {} : { stack }),
    ...(location === undefined ? {} : { location }),
    sources,
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    ...(typeof body.requestId === 'string' ? { requestId: body.requestId } : {}),
    stale: opts.stale?.() ?? [],
  };
}

/** Sends the HTML page; if rendering fails, the JSON error instead (never no answer). */
function sendPage(
  req: IncomingMessage,
  res: ServerResponse,
  page: ErrorPage,
  json: string,
  opts: ErrorOptions,
): void {
  renderErrorPage(page).then(
    (html) => {
      if (!res.headersSent && !res.destroyed)
        send(res, page.status, 'text/html; charset=utf-8', html);
    },
    (err) => {
      opts.log.error({ err }, `${req.method} ${req.url}: could not render the error page`);
      if (!res.headersSent && !res.destroyed) {
        send(res, page.status, 'application/json; charset=utf-8', json);
      }
    },
  );
}
