/**
 * `hotpub serve` and `hotpub dev`: one process, or with `--workers N` a node:cluster
 * primary and N workers each running this same command.
 */
import cluster from 'node:cluster';
import { display } from '../scaffold/index.js';
import type { ServeFlags } from './args.js';
import { describeError } from './describe-error.js';
import { exposureWarning } from './exposure-warning.js';
import type { CliIo } from './io.js';
import {
  onShutdownSignal,
  onWorkerShutdown,
  reportFatal,
  reportReady,
  runPrimary,
  runServer,
} from './process/index.js';
import { resolveServeSettings, type ServeSettings } from './serve-options.js';

/** Runs the server until SIGTERM/SIGINT; resolves with the exit status. */
export async function serveCommand(io: CliIo, flags: ServeFlags): Promise<number> {
  if (cluster.isWorker) return runWorker(io, flags);
  const settings = await resolveServeSettings(flags, io.cwd, io.env);
  const warning = exposureWarning(settings);
  if (warning !== undefined) io.err(warning);
  if (settings.workers > 1) {
    return runPrimary({
      workers: settings.workers,
      shutdownTimeoutMs: settings.shutdownTimeoutMs,
      ready: (url) => io.out(readyLine(io, settings, url)),
      notice: (line) => io.out(`hotpub: ${line}`),
      fatal: (line) => io.err(`hotpub: ${line}`),
    });
  }
  const server = await runServer(settings);
  // Handlers first: a signal sent as soon as the ready line is read must not meet the
  // default action (terminate) still in place.
  const stopped = new Promise<number>((resolve) => onShutdownSignal(() => server.close(), resolve));
  io.out(readyLine(io, settings, server.url));
  return stopped;
}

async function runWorker(io: CliIo, flags: ServeFlags): Promise<number> {
  let server: Awaited<ReturnType<typeof runServer>>;
  try {
    server = await runServer(await resolveServeSettings(flags, io.cwd, io.env));
  } catch (err) {
    // The primary prints the one line, once for the whole cluster.
    const { line, exitCode } = describeError(err);
    await reportFatal(line, exitCode);
    return exitCode;
  }
  const stopped = new Promise<number>((resolve) =>
    onWorkerShutdown(() => {
      server.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    }),
  );
  reportReady(server.url);
  return stopped;
}

/** `hotpub: serving apps at http://127.0.0.1:3000 (watch, dev)`. */
function readyLine(io: CliIo, settings: ServeSettings, url: string): string {
  const modes = [
    settings.watch && 'watch',
    settings.dev && 'dev',
    settings.admin && !settings.dev && 'admin',
    settings.workers > 1 && `${settings.workers} workers`,
    settings.middleware && 'express',
  ].filter(Boolean);
  return `hotpub: serving ${display(settings.apps, io.cwd)} at ${url}${modes.length ? ` (${modes.join(', ')})` : ''}`;
}
