/**
 * SIGHUP: re-read the whole apps directory and apply every difference as one change per
 * app, without a restart (SPEC section 6). One log line per app names its generation
 * after the reload; a refused change is logged as an error and the app keeps serving its
 * last good generation. Under `--workers` the primary forwards the signal to every
 * worker (workers.ts), and each worker logs its own lines.
 */
import { relative } from 'node:path';
import type { Logger } from 'pino';
import type { AppReload } from '../../registry/index.js';

/** What a reload needs of a running server. */
export interface Reloadable {
  reload(): Promise<AppReload[]>;
  readonly log: Logger;
  readonly closing: boolean;
}

/** Logs one line per app of a reload's results. */
export function logReload(log: Logger, root: string, results: readonly AppReload[]): void {
  for (const r of results) {
    const app = r.app || '(apps)';
    const fields = { app: r.app, generation: r.generation, reload: true };
    if (r.error) {
      const where = r.error.location
        ? `${relative(root, r.error.location.file)}:${r.error.location.line}:${r.error.location.column}`
        : undefined;
      log.error(
        { ...fields, code: r.error.code, ...(where ? { file: where } : {}) },
        `${app}: reload refused, generation ${r.generation} keeps serving: ${r.error.message}`,
      );
    } else if (r.changed) {
      const n = r.reloaded.length;
      log.info(
        fields,
        `${app}: generation ${r.generation} (reloaded, ${n} module${n === 1 ? '' : 's'})`,
      );
    } else {
      log.info(fields, `${app}: generation ${r.generation} (unchanged)`);
    }
  }
}

/** Reloads `server` and logs the outcome; never rejects. */
export async function reloadAndLog(server: Reloadable, root: string): Promise<void> {
  if (server.closing) return;
  try {
    logReload(server.log, root, await server.reload());
  } catch (err) {
    if (!server.closing) server.log.error({ err }, `reload failed: ${(err as Error).message}`);
  }
}

/**
 * `reload` as a trigger: reloads run one at a time, and triggers during one queue a single
 * next one (never a queue of reloads).
 */
export function coalesced(reload: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void reload().finally(() => {
      running = false;
      if (again) {
        again = false;
        run();
      }
    });
  };
  return run;
}

/**
 * Calls `trigger` on every SIGHUP (instead of Node's default: exit 129). Returns a function
 * that removes the handler.
 */
export function onReloadSignal(trigger: () => void): () => void {
  const handler = () => trigger();
  process.on('SIGHUP', handler);
  return () => process.off('SIGHUP', handler);
}
