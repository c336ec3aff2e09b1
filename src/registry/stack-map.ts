/**
 * Stacks as an app author reads them: every frame in an app module's generated code is
 * mapped back to its `.ts` source through the module's source map (not only the first,
 * as `locateError` does), and the frames of esbuild's own code are left out. A cause
 * whose frames were all esbuild's (a transform failure) is left out whole: the error that
 * wraps it already says what it says, with the right column.
 */
import { type MappableModule, mapPosition } from './errors.js';

// `at fn (/abs/file.ts:12:5)` or `at /abs/file.ts:12:5`: the position is the line's end.
const FRAME_END = /((?:\/|[A-Za-z]:\\)[^():]*?):(\d+):(\d+)(\)?)\s*$/;
const ESBUILD_FRAME = /[\\/]node_modules[\\/]esbuild[\\/]/;
const MAX_CAUSES = 5;

const isFrame = (line: string) => line.trimStart().startsWith('at ');

/**
 * True for a stack raised by esbuild itself: it has an esbuild frame and no frame but
 * esbuild's and Node's internals (the socket that carried esbuild's answer).
 */
function raisedByEsbuild(lines: string[]): boolean {
  const frames = lines.filter(isFrame);
  return (
    frames.some((l) => ESBUILD_FRAME.test(l)) &&
    frames.every((l) => ESBUILD_FRAME.test(l) || /\(?node:/.test(l.trim().slice(3)))
  );
}

/**
 * One stack (an error's `stack` string) with app frames mapped and esbuild frames out;
 * `esbuild` is true when the whole stack was esbuild's own.
 */
export function mapStackText(
  stack: string,
  lookup: (file: string) => MappableModule | undefined,
): { text: string; esbuild: boolean } {
  const lines = stack.split('\n');
  const esbuild = raisedByEsbuild(lines);
  const out: string[] = [];
  for (const line of lines) {
    if (isFrame(line) && (esbuild || ESBUILD_FRAME.test(line))) continue;
    const m = isFrame(line) ? FRAME_END.exec(line) : null;
    const mod = m && lookup(m[1]!);
    const loc = mod && mapPosition(mod, Number(m[2]), Number(m[3]));
    out.push(loc ? `${line.slice(0, m.index)}${loc.file}:${loc.line}:${loc.column}${m[4]}` : line);
  }
  return { text: out.join('\n'), esbuild };
}

function stackOf(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  try {
    const stack = (err as { stack?: unknown }).stack;
    return typeof stack === 'string' ? stack : undefined;
  } catch {
    return undefined; // a throwing getter
  }
}

/**
 * The stack of `err`, mapped, followed by its causes (`caused by: ...`, as pino prints
 * them); undefined when `err` has no stack.
 */
export function mapStack(
  err: unknown,
  lookup: (file: string) => MappableModule | undefined,
): string | undefined {
  const first = stackOf(err);
  if (first === undefined) return undefined;
  let text = mapStackText(first, lookup).text;
  let cause = causeOf(err);
  for (let i = 0; i < MAX_CAUSES && cause !== undefined; i++) {
    const stack = stackOf(cause);
    if (stack === undefined) break;
    const mapped = mapStackText(stack, lookup);
    if (!mapped.esbuild) text += `\ncaused by: ${mapped.text}`;
    cause = causeOf(cause);
  }
  return text;
}

function causeOf(err: unknown): unknown {
  try {
    return (err as { cause?: unknown }).cause ?? undefined;
  } catch {
    return undefined;
  }
}
