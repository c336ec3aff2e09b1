/**
 * The base class of every error hotpub raises itself: a `code` from the table in
 * codes.ts, with the HTTP status and the CLI exit status the table gives it.
 */
import { errorSpec, type HotpubCode } from './codes.js';

/** Options of {@link HotpubError}. */
export interface HotpubErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The file at fault (a bad app.json, a config file, a module). */
  file?: string;
  /** The field at fault in `file`, as a dotted path (`mount`, `logger.level`). */
  field?: string;
}

/**
 * An error with a `HOTPUB_E_*` code (docs/errors.md). `status` is set for codes that
 * answer a request with a fixed status, `exitCode` for codes the CLI ends a command with.
 */
export class HotpubError extends Error {
  readonly code: string;
  declare readonly status?: number;
  declare readonly exitCode?: number;
  declare readonly file?: string;
  declare readonly field?: string;

  constructor(code: HotpubCode, message: string, options: HotpubErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HotpubError';
    this.code = code;
    const spec = errorSpec(code);
    const self = this as { -readonly [K in keyof HotpubError]: HotpubError[K] };
    if (spec?.status !== undefined) self.status = spec.status;
    if (spec?.exit !== undefined) self.exitCode = spec.exit;
    if (options.file !== undefined) self.file = options.file;
    if (options.field !== undefined) self.field = options.field;
  }
}
