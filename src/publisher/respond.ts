/**
 * Return value -> response (SPEC section 3). Strings, JSON and bytes are written in one
 * `end()`; streams and WHATWG `Response` bodies are piped.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isHtml } from '../app-api.js';
import { requestError } from '../errors/index.js';
import { resolveLocation } from './redirect.js';

const TEXT_HTML = 'text/html; charset=utf-8';
const TEXT_PLAIN = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const OCTET = 'application/octet-stream';

/** A declared media type for text sent as UTF-8: with `charset=utf-8` unless it names one. */
function withCharset(type: string): string {
  return /;\s*charset=/i.test(type) ? type : `${type}; charset=utf-8`;
}

function endWith(res: ServerResponse, type: string, body: string | Uint8Array): void {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (res.hasHeader('content-type')) {
    res.setHeader('content-length', length);
  } else {
    // writeHead with a flat list is node:http's cheapest way to set headers; headers the
    // function set on ctx.res are merged in by node.
    res.writeHead(res.statusCode, ['content-type', type, 'content-length', String(length)]);
  }
  res.end(body);
}

/** Writes a JSON body with the current `res.statusCode`. */
function sendJson(res: ServerResponse, value: unknown): void {
  let body: string | undefined;
  try {
    body = JSON.stringify(value);
  } catch (err) {
    // A BigInt anywhere in the value is the function's bug; a cycle stays an internal error.
    if (err instanceof TypeError && err.message.includes('BigInt')) body = undefined;
    else throw err;
  }
  // JSON.stringify drops functions/symbols to undefined: that is the function's bug too.
  if (body === undefined) throw requestError('badReturn', 'Return value cannot be sent as JSON');
  endWith(res, JSON_TYPE, body);
}

/** Called when a returned stream fails after the response started (the client sees a cut). */
export type StreamErrorHandler = (req: IncomingMessage, err: unknown) => void;

function streamFailed(
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
  onStreamError: StreamErrorHandler | undefined,
): void {
  const clientGone =
    res.destroyed && (err as { code?: string })?.code === 'ERR_STREAM_PREMATURE_CLOSE';
  if (!res.destroyed) res.destroy(); // headers are out: a cut connection is the only honest answer
  if (!clientGone) onStreamError?.(req, err);
}

function isNodeReadable(v: object): v is Readable {
  return typeof (v as Readable).pipe === 'function' && typeof (v as Readable).on === 'function';
}

function isWebStream(v: object): v is ReadableStream {
  return (
    typeof (v as ReadableStream).getReader === 'function' &&
    typeof (v as ReadableStream).tee === 'function'
  );
}

/**
 * Sends a function's return value. `type` is the media type the function declares
 * (`fn.type`): it applies to strings, `html` values and bytes. Returns true when the
 * response is complete now, false when a body is still being piped (the caller waits for
 * `res` 'close'). Throws `HttpError` for values that cannot be sent (the caller answers 500).
 */
export function sendValue(
  req: IncomingMessage,
  res: ServerResponse,
  value: unknown,
  onStreamError?: StreamErrorHandler,
  type?: string,
): boolean {
  if (typeof value === 'string') {
    // Never sniffed: a string is HTML only when the function says so.
    endWith(res, type === undefined ? TEXT_PLAIN : withCharset(type), value);
    return true;
  }
  if (isHtml(value)) {
    endWith(res, type === undefined ? TEXT_HTML : withCharset(type), value.value);
    return true;
  }
  if (value === undefined) {
    // The function answered through ctx.res itself, or there is nothing to say.
    if (res.headersSent || res.writableEnded) return res.writableEnded;
    res.statusCode = res.statusCode === 200 ? 204 : res.statusCode;
    res.end();
    return true;
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    sendJson(res, value);
    return true;
  }
  if (typeof value !== 'object') {
    throw requestError('badReturn', `Cannot send a ${typeof value} as a response`);
  }
  if (value instanceof Uint8Array) {
    endWith(res, type ?? OCTET, value);
    return true;
  }
  if (value instanceof Response) {
    sendResponse(req, res, value, onStreamError);
    return false;
  }
  if (isNodeReadable(value)) {
    pipeBody(req, res, value, onStreamError);
    return false;
  }
  if (isWebStream(value)) {
    pipeBody(
      req,
      res,
      Readable.fromWeb(value as import('node:stream/web').ReadableStream),
      onStreamError,
    );
    return false;
  }
  sendJson(res, value);
  return true;
}

function pipeBody(
  req: IncomingMessage,
  res: ServerResponse,
  body: Readable,
  onStreamError: StreamErrorHandler | undefined,
): void {
  if (!res.hasHeader('content-type')) res.setHeader('content-type', OCTET);
  if (req.method === 'HEAD') {
    body.destroy();
    res.end();
    return;
  }
  // pipeline destroys both sides on error or on the client going away.
  pipeline(body, res).catch((err) => {
    streamFailed(req, res, err, onStreamError);
  });
}

/** The URL the client asked for (Express strips a mount path from `req.url`). */
function requestUrl(req: IncomingMessage): string {
  const original = (req as { originalUrl?: unknown }).originalUrl;
  return typeof original === 'string' ? original : (req.url ?? '/');
}

function sendResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
  onStreamError: StreamErrorHandler | undefined,
): void {
  res.statusCode = response.status;
  const cookies = response.headers.getSetCookie();
  for (const [k, v] of response.headers) {
    if (k === 'location') res.setHeader(k, resolveLocation(v, requestUrl(req)));
    else if (k !== 'set-cookie') res.setHeader(k, v);
  }
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (response.body === null) {
    res.end();
    return;
  }
  if (req.method === 'HEAD') {
    response.body.cancel().catch(() => {});
    res.end();
    return;
  }
  pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res).catch(
    (err) => streamFailed(req, res, err, onStreamError),
  );
}
