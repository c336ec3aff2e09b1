/**
 * Errors the command line reports as one line on stderr (`hotpub: <message>`), never
 * with a stack trace.
 */

/** Exit status for a bad command line (unknown flag, bad value, missing argument). */
export const EXIT_USAGE = 2;
/** Exit status for a runtime failure (missing apps directory, port in use, bad config). */
export const EXIT_RUNTIME = 1;

/**
 * An error meant for the user of the CLI: its message is printed as is, after `hotpub: `.
 * `code` is a `HOTPUB_E_*` code (docs/errors.md).
 */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode: number = EXIT_RUNTIME, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A bad command line: exit status 2. */
export function usageError(message: string): CliError {
  return new CliError('HOTPUB_E_USAGE', message, EXIT_USAGE);
}

/** Codes of scaffold errors caused by a bad argument rather than by the system. */
const USAGE_CODES = new Set(['HOTPUB_E_SCAFFOLD_NAME', 'HOTPUB_E_TEMPLATE']);

/**
 * Turns anything thrown into the single line the CLI prints and its exit status. Errors
 * with a `HOTPUB_E_*` code (CliError, config and scaffold errors) keep their message (a bad
 * name or template exits 2, like a usage error); anything else is unexpected and says so,
 * still on one line.
 */
export function describeError(err: unknown): { line: string; exitCode: number } {
  if (err instanceof CliError) return { line: oneLine(err.message), exitCode: err.exitCode };
  const e = err as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e?.code === 'string' && e.code.startsWith('HOTPUB_E_')) {
    return {
      line: oneLine(message),
      exitCode: USAGE_CODES.has(e.code) ? EXIT_USAGE : EXIT_RUNTIME,
    };
  }
  return { line: `unexpected error: ${oneLine(message)}`, exitCode: EXIT_RUNTIME };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
