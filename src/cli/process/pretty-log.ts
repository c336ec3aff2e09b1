/**
 * The readable log format of `--dev` (`12:00:01 INFO  GET /blog 200 1.2ms`), loaded only
 * when it is asked for: production logs are pino's JSON lines.
 */
import type { DestinationStream } from 'pino';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
// Fields the pretty line leaves out: pino's own, those shown on lines of their own, and
// those our messages already say.
const HIDDEN = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'msg',
  'frame',
  'req',
  'err',
  'method',
  'url',
  'status',
  'ms',
  'aborted',
  'app',
  'generation',
  'file',
  'reqId',
]);

/** `12:00:01 INFO  GET /blog 200 1.2ms`: pino's JSON line made readable, extra fields after. */
export function prettyStream(dest: { write(line: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        dest.write(line);
        return;
      }
      const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now())
        .toISOString()
        .slice(11, 19);
      const level = (LEVEL_NAMES[entry.level as number] ?? String(entry.level)).padEnd(5);
      const extra = Object.entries(entry)
        .filter(([key, value]) => !HIDDEN.has(key) && value !== undefined)
        .map(
          ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
        );
      // A code frame or an error's stack reads best on lines of its own.
      const err = entry.err as { stack?: unknown } | undefined;
      const frame =
        typeof entry.frame === 'string'
          ? `\n${entry.frame}`
          : typeof err?.stack === 'string'
            ? `\n${err.stack}`
            : '';
      dest.write(
        `${time} ${level} ${String(entry.msg ?? '')}${extra.length ? ` ${extra.join(' ')}` : ''}${frame}\n`,
      );
    },
  };
}
