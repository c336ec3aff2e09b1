/**
 * `HttpError`, the error class for apps (and the publisher's own request errors): an
 * HTTP status, whether the message reaches the client, and a code.
 */
import { STATUS_CODES } from 'node:http';
import { ERRORS, ErrorCode, type ErrorName } from './codes.js';
import { HotpubError } from './hotpub-error.js';

/** Options of {@link HttpError}. */
export interface HttpErrorOptions {
  /** `HOTPUB_E_*` code or an app's own code; default `HOTPUB_E_HTTP`. */
  code?: string;
  /** Show the message to the client. Default: true for 4xx, false for 5xx. */
  expose?: boolean;
  /** Extra data for the response body's `details` (validation errors, ...). */
  details?: unknown;
  /** The underlying error. */
  cause?: unknown;
  /** Headers to add to the error response (e.g. `Allow`, `WWW-Authenticate`). */
  headers?: Record<string, string>;
}

/**
 * An error with an HTTP status, like h3's `HTTPError` and koa's `ctx.throw`:
 * `throw new HttpError(404, 'No such post')` answers 404 with that message.
 * 5xx messages are hidden from clients unless `expose` is set (or under `--dev`).
 */
export class HttpError extends HotpubError {
  override readonly code: string;
  override readonly status: number;
  readonly expose: boolean;
  declare readonly details?: unknown;
  declare readonly headers?: Record<string, string>;

  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    super(ErrorCode.http, message ?? defaultMessage(status), { cause: options.cause });
    this.name = 'HttpError';
    this.status = status >= 400 && status <= 599 ? Math.trunc(status) : 500;
    this.expose = options.expose ?? this.status < 500;
    this.code = options.code ?? ErrorCode.http;
    const self = this as { details?: unknown; headers?: Record<string, string> };
    if (options.details !== undefined) self.details = options.details;
    if (options.headers !== undefined) self.headers = options.headers;
  }

  /** Same as `status`, for code written against Express/connect errors. */
  get statusCode(): number {
    return this.status;
  }
}

/** Names of the table's codes that answer a request with a fixed status. */
export type RequestErrorName = {
  [K in ErrorName]: (typeof ERRORS)[K] extends { status: number } ? K : never;
}[ErrorName];

/**
 * The publisher's own request error `name`, with the status and code the table gives it:
 * `requestError('notFound', 'Not Found')` is a 404 `HOTPUB_E_NOT_FOUND`.
 */
export function requestError(
  name: RequestErrorName,
  message?: string,
  options: Omit<HttpErrorOptions, 'code'> = {},
): HttpError {
  const spec = ERRORS[name];
  return new HttpError(spec.status, message, { ...options, code: spec.code });
}

/** Standard reason phrase for a status (the message when none is given). */
export function defaultMessage(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}

/**
 * The HTTP status a thrown value asks for: its `status` or `statusCode` when that is an
 * integer in 400-599, else undefined (a plain bug: 500).
 */
export function statusOf(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as { status?: unknown; statusCode?: unknown };
  const s = typeof e.status === 'number' ? e.status : e.statusCode;
  return typeof s === 'number' && Number.isInteger(s) && s >= 400 && s <= 599 ? s : undefined;
}
