/**
 * The one error class the publisher answers with, and the codes it uses.
 */
import { STATUS_CODES } from 'node:http';

/** Codes of the errors the publisher raises; each is listed in docs/errors.md. */
export const ErrorCodes = {
  notFound: 'HOTPUB_E_NOT_FOUND',
  methodNotAllowed: 'HOTPUB_E_METHOD_NOT_ALLOWED',
  unauthorized: 'HOTPUB_E_UNAUTHORIZED',
  forbidden: 'HOTPUB_E_FORBIDDEN',
  crossOrigin: 'HOTPUB_E_CROSS_ORIGIN',
  badJson: 'HOTPUB_E_BAD_JSON',
  badBody: 'HOTPUB_E_BAD_BODY',
  bodyTooLarge: 'HOTPUB_E_BODY_TOO_LARGE',
  unsupportedMediaType: 'HOTPUB_E_UNSUPPORTED_MEDIA_TYPE',
  validation: 'HOTPUB_E_VALIDATION',
  badSchema: 'HOTPUB_E_BAD_SCHEMA',
  badMetadata: 'HOTPUB_E_BAD_METADATA',
  badReturn: 'HOTPUB_E_BAD_RETURN',
  internal: 'HOTPUB_E_INTERNAL',
  http: 'HOTPUB_E_HTTP',
  appConfig: 'HOTPUB_E_APP_CONFIG',
  mountConflict: 'HOTPUB_E_MOUNT_CONFLICT',
  appsDir: 'HOTPUB_E_APPS_DIR',
} as const;

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
export class HttpError extends Error {
  readonly status: number;
  readonly expose: boolean;
  readonly code: string;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;

  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    super(message ?? defaultMessage(status), { cause: options.cause });
    this.name = 'HttpError';
    this.status = status >= 400 && status <= 599 ? Math.trunc(status) : 500;
    this.expose = options.expose ?? this.status < 500;
    this.code = options.code ?? ErrorCodes.http;
    if (options.details !== undefined) this.details = options.details;
    if (options.headers !== undefined) this.headers = options.headers;
  }

  /** Same as `status`, for code written against Express/connect errors. */
  get statusCode(): number {
    return this.status;
  }
}

/** A configuration error (bad app.json, mount conflict, missing apps dir). */
export class ConfigError extends Error {
  readonly code: string;
  /** The file at fault. */
  readonly file: string | undefined;
  /** The field at fault, as a JSON pointer-ish path (`mount`), if any. */
  readonly field: string | undefined;

  constructor(code: string, message: string, file?: string, field?: string) {
    super(message);
    this.name = 'ConfigError';
    this.code = code;
    this.file = file;
    this.field = field;
  }
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
