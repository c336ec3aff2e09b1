/**
 * Logging with pino: the server's logger (JSON lines, or readable lines in dev), the
 * per-request line, and the registry's events (swaps, load errors with file:line:col).
 * pino is loaded when the logger is made, the readable format only when it is asked for.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { relative } from 'node:path';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from '../../config/index.js';
import { requestIdOf } from '../../publisher/index.js';
import type { RegistryEvents } from '../../registry/index.js';

/** Resolved logging settings. */
export interface LogSettings {
  level: LogLevel;
  /** One line per request at info. */
  requests: boolean;
  /** Readable lines instead of JSON. */
  pretty: boolean;
}

/** The logger type handed around the server (pino's). */
export type { Logger };

/**
 * Creates the server's logger, writing to `dest` (default stdout). `false` or
 * `level: 'silent'` logs nothing.
 */
export async function createLogger(
  settings: LogSettings | false,
  dest: { write(line: string): unknown } = process.stdout,
): Promise<Logger> {
  const { pino } = await import('pino');
  if (settings === false) return pino({ level: 'silent' });
  const stream: DestinationStream = settings.pretty
    ? (await import('./pretty-log.js')).prettyStream(dest)
    : { write: (line) => void dest.write(line) };
  return pino({ level: settings.level, base: { pid: process.pid } }, stream);
}

/**
 * Logs one line per request at info when the response is finished (or the client went
 * away): method, URL, status, request id and duration.
 */
export function logRequest(log: Logger, req: IncomingMessage, res: ServerResponse): void {
  const start = process.hrtime.bigint();
  // Read now: handlers may rewrite req.url (static files do).
  const { method, url } = req;
  const done = () => {
    res.off('finish', done);
    res.off('close', done);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const aborted = !res.writableFinished;
    log.info(
      {
        method,
        url,
        status: res.statusCode,
        reqId: requestIdOf(req),
        ms: Math.round(ms * 10) / 10,
        ...(aborted ? { aborted } : {}),
      },
      `${method} ${url} ${aborted ? 'aborted' : res.statusCode} ${ms.toFixed(1)}ms`,
    );
  };
  res.on('finish', done);
  res.on('close', done);
}

/**
 * Logs a registry event: a swap at info (which files got a new generation), a load or
 * reload error at error with `file:line:col` (and the code frame when the registry kept
 * one, i.e. under `--dev`), file additions and removals at debug.
 */
export function logRegistryEvent<K extends keyof RegistryEvents>(
  log: Logger,
  root: string,
  type: K,
  event: RegistryEvents[K],
): void {
  const rel = (file: string) => relative(root, file) || file;
  if (type === 'swap') {
    const e = event as RegistryEvents['swap'];
    log.info(
      { app: e.app, generation: e.generation },
      `${e.app}: generation ${e.generation} (${e.files.map(rel).join(', ')})`,
    );
  } else if (type === 'error') {
    const e = event as RegistryEvents['error'];
    const at = e.error.location
      ? `${rel(e.error.location.file)}:${e.error.location.line}:${e.error.location.column}`
      : rel(e.file);
    log.error(
      {
        app: e.app,
        code: e.error.code,
        file: at,
        ...(e.error.frame ? { frame: e.error.frame } : {}),
      },
      `${at}: ${withoutLocation(e.error.message, e.error.location?.file ?? e.file)}`,
    );
  } else if (type === 'files') {
    const e = event as RegistryEvents['files'];
    log.debug(
      { app: e.app, added: e.added.map(rel), removed: e.removed.map(rel) },
      `${e.app}: files changed`,
    );
  }
}

/** The registry's message may start with `/abs/file:line:col: `; the log line says it already. */
function withoutLocation(message: string, file: string): string {
  if (!message.startsWith(`${file}:`)) return message;
  const m = /^:\d+:\d+: /.exec(message.slice(file.length));
  return m ? message.slice(file.length + m[0].length) : message;
}
