/**
 * Errors nobody catches: a promise of app code that rejects with nobody awaiting it
 * (`void audit()`), an exception thrown from a timer. Node's default ends the process
 * (and under `--workers`, a stream of them stopped the cluster). Here each one is logged
 * with its app and file and counted, and the server keeps serving.
 *
 * Attribution: the request scope the error's async work started in names the app (and
 * the module that served the URL); the first stack frame in an app module, mapped by the
 * registry, names the file that threw, and the app when no request was running (a timer
 * a module started at load time). Installed only where the process is owned: the CLI's
 * `serve`, or `createServer({ processErrors: true })`.
 */
import { createRequire } from 'node:module';
import { relative, sep } from 'node:path';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors/index.js';
import { currentScope } from '../publisher/index.js';
import type { ModuleRegistry } from '../registry/types.js';

/** What `/-/registry` shows of them. */
export interface UncaughtSnapshot {
  total: number;
  /** By app name; errors of no app count under `""`. */
  byApp: Record<string, number>;
  /** The most recent one. */
  last?: { app: string; file: string | undefined; kind: UncaughtKind; message: string; at: string };
}

type UncaughtKind = 'unhandledRejection' | 'uncaughtException';

/** The installed handlers. */
export interface UncaughtTracker {
  snapshot(): UncaughtSnapshot;
  /** Removes the process handlers. */
  uninstall(): void;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  try {
    return `a thrown ${typeof err}: ${String(err)}`;
  } catch {
    return `a thrown ${typeof err}`;
  }
}

/**
 * Installs `unhandledRejection` and `uncaughtException` handlers that log (at error,
 * with `app`, `file` relative to the apps directory and `code`) and count, and never exit.
 */
export function installUncaughtHandlers(options: {
  registry: Pick<ModuleRegistry, 'root' | 'locateError'>;
  /** Default: pino at `info` (loaded only then). */
  log?: Logger;
}): UncaughtTracker {
  const { registry } = options;
  const log: Logger =
    options.log ?? (createRequire(import.meta.url)('pino') as typeof import('pino')).pino();
  const stats: UncaughtSnapshot = { total: 0, byApp: {} };
  const appOf = (file: string): string => relative(registry.root, file).split(sep)[0] ?? '';

  const report = (kind: UncaughtKind, err: unknown): void => {
    try {
      const scope = currentScope();
      const thrownIn = registry.locateError(err)?.location.file;
      const file = thrownIn ?? scope?.file;
      const app = scope?.app ?? (thrownIn ? appOf(thrownIn) : '');
      const rel = file === undefined ? undefined : relative(registry.root, file);
      const message = messageOf(err);
      stats.total++;
      stats.byApp[app] = (stats.byApp[app] ?? 0) + 1;
      stats.last = { app, file: rel, kind, message, at: new Date().toISOString() };
      const what = kind === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception';
      log.error(
        {
          app,
          file: rel,
          code: ErrorCode.uncaught,
          kind,
          err: err instanceof Error ? err : undefined,
        },
        `${rel ?? (app || 'hotpub')}: ${what} (the server keeps serving): ${message}`,
      );
    } catch {
      // Reporting must never be what ends the process.
    }
  };
  const onRejection = (reason: unknown) => report('unhandledRejection', reason);
  const onException = (err: unknown) => report('uncaughtException', err);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    snapshot: () => ({ ...stats, byApp: { ...stats.byApp } }),
    uninstall() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
