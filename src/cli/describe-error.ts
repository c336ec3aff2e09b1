/**
 * How the command line reports a failure: one line on stderr (`hotpub: <message>`),
 * never a stack trace, and the exit status the error table gives.
 */
import { ErrorCode, EXIT_RUNTIME, errorSpec, HotpubError, isHotpubCode } from '../errors/index.js';

/** A bad command line: exit status 2. */
export function usageError(message: string): HotpubError {
  return new HotpubError(ErrorCode.usage, message);
}

/**
 * Turns anything thrown into the single line the CLI prints and its exit status. Errors
 * with a hotpub code keep their message and exit with the status the table gives (1 when
 * it gives none); anything else is unexpected and says so, still on one line.
 */
export function describeError(err: unknown): { line: string; exitCode: number } {
  const e = err as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (isHotpubCode(e?.code)) {
    return { line: oneLine(message), exitCode: errorSpec(e.code)?.exit ?? EXIT_RUNTIME };
  }
  return { line: `unexpected error: ${oneLine(message)}`, exitCode: EXIT_RUNTIME };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
