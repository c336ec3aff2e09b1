/**
 * Thrown value -> error response. The body is always JSON:
 * `{ "error": { "status", "code", "message", "details"? } }`; under `dev` it adds
 * `stack`, `location` and a code `frame`.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { codeFrame, locateError, type MappableModule } from '../registry/errors.js';
import type { SourceLocation } from '../registry/types.js';
import { defaultMessage, ErrorCodes, statusOf } from './errors.js';

/** Where error details come from under `dev`. */
export interface ErrorOptions {
  dev: boolean;
  log: Logger;
  /** Real path of the apps directory: stack frames inside it get a code frame. */
  root: string;
  /**
   * The compiled code and source map of an app module, to map a runtime stack back to
   * the `.ts` source (the registry's `compiledOf`, when it has one).
   */
  compiledOf?: ((file: string) => MappableModule | undefined) | undefined;
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

const STACK_FRAME = /\(?((?:\/|[A-Za-z]:\\)[^():]*?):(\d+):(\d+)\)?$/;

/** Where the error happened in an app module's source, with a code frame (dev only). */
function locate(
  err: ErrorLike,
  opts: ErrorOptions,
): { location: SourceLocation; frame?: string } | undefined {
  if (err.location && typeof err.location.file === 'string') {
    return typeof err.frame === 'string'
      ? { location: err.location, frame: err.frame }
      : { location: err.location };
  }
  if (typeof err.stack !== 'string') return undefined;
  const lookup = opts.compiledOf;
  if (lookup) {
    // Modules run as compiled CommonJS: map the generated position through the source map.
    const location = locateError(err, lookup);
    const source = location && lookup(location.file)?.source;
    if (location && source !== undefined) {
      return { location, frame: codeFrame(source, location.line, location.column) };
    }
  }
  for (const line of err.stack.split('\n').slice(1)) {
    const m = STACK_FRAME.exec(line.trim());
    if (!m || !(m[1] as string).startsWith(opts.root)) continue;
    const location = { file: m[1] as string, line: Number(m[2]), column: Number(m[3]) };
    try {
      const source = readFileSync(location.file, 'utf8');
      return { location, frame: codeFrame(source, location.line, location.column) };
    } catch {
      return { location };
    }
  }
  return undefined;
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
  const err = (
    thrown !== null && typeof thrown === 'object' ? thrown : { message: String(thrown) }
  ) as ErrorLike;
  const known = statusOf(thrown);
  const status = known ?? 500;
  if (status >= 500) {
    opts.log.error(
      { err: thrown, method: req.method, url: req.url },
      `${req.method} ${req.url}: ${String(err.message ?? thrown)}`,
    );
  }
  if (res.headersSent || res.writableEnded || res.destroyed) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const expose = opts.dev || (typeof err.expose === 'boolean' ? err.expose : status < 500);
  const ownCode = typeof err.code === 'string' ? err.code : undefined;
  const fallback = status >= 500 ? ErrorCodes.internal : ErrorCodes.http;
  // Framework codes of errors that chose their status are safe to show; others only when exposed.
  const code =
    ownCode !== undefined && (expose || (known !== undefined && ownCode.startsWith('HOTPUB_E_')))
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
  if (opts.dev && status >= 500) {
    if (typeof err.stack === 'string') body.stack = err.stack;
    const at = locate(err, opts);
    if (at) {
      body.location = at.location;
      if (at.frame) body.frame = at.frame;
    }
  }
  // Headers a function set before failing (cookies, content-type) do not belong to the error.
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  if (err.headers && typeof err.headers === 'object') {
    for (const [k, v] of Object.entries(err.headers as Record<string, string>)) res.setHeader(k, v);
  }
  const text = JSON.stringify({ error: body });
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.setHeader('cache-control', 'no-store');
  res.end(text);
}
