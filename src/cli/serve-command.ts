/**
 * `hotpub serve` and `hotpub dev`: one process, or with `--workers N` a node:cluster
 * primary and N workers each running this same command.
 */
import cluster from 'node:cluster';
import { discoverApps } from '../publisher/index.js';
import { display } from '../scaffold/index.js';
import { reloadAll } from '../server/index.js';
import { madeUpSecret } from '../session/index.js';
import type { ServeFlags } from './args.js';
import { describeError } from './describe-error.js';
import { exposureWarning } from './exposure-warning.js';
import type { CliIo } from './io.js';
import {
  onReloadSignal,
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
    // One made-up secret for every worker, so a session cookie verifies on all of them.
    if (settings.dev && settings.secret === undefined) {
      process.env.HOTPUB_DEV_SECRET ||= madeUpSecret();
    }
    return runPrimary({
      workers: settings.workers,
      shutdownTimeoutMs: settings.shutdownTimeoutMs,
      ready: (url) => {
        io.out(readyLine(io, settings, url));
        printApps(io, settings, url, mountsOf(settings.apps));
        io.out(
          `hotpub: keep() and import.meta.hot.data are per process: each of the ${settings.workers} workers has its own copy; keep data the workers share in shared storage (a database, Redis: docs/hot-reload.md)`,
        );
      },
      notice: (line) => io.out(`hotpub: ${line}`),
      fatal: (line) => io.err(`hotpub: ${line}`),
    });
  }
  const server = await runServer(settings);
  // Handlers first: a signal sent as soon as the ready line is read must not meet the
  // default action (terminate) still in place.
  const stopped = new Promise<number>((resolve) => onShutdownSignal(() => server.close(), resolve));
  onReloadSignal(() => reloadOnSignal(server));
  io.out(readyLine(io, settings, server.url));
  printApps(io, settings, server.url, server.publisher.apps);
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
  onReloadSignal(() => reloadOnSignal(server));
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

/** SIGHUP: re-reads the apps' files and logs one line per app with its generation. */
async function reloadOnSignal(server: Awaited<ReturnType<typeof runServer>>): Promise<void> {
  const result = await reloadAll(server.registry);
  for (const e of result.errors) server.log.error({ file: e.file, err: e.error }, e.error.message);
  for (const [app, generation] of Object.entries(result.generations)) {
    server.log.info(
      { app, generation, signal: 'SIGHUP' },
      `${app}: generation ${generation} (SIGHUP)`,
    );
  }
}

/** The mounts of the apps in `dir` (the primary of --workers has no publisher of its own). */
function mountsOf(dir: string): Array<{ name: string; mount: string }> {
  try {
    return discoverApps(dir).map((a) => ({ name: a.name, mount: a.mount.pattern }));
  } catch {
    return []; // the workers reported a bad app.json already
  }
}

/**
 * One line per app under the ready line, `  site  http://127.0.0.1:3000/site` (a
 * patterned mount shows its pattern), and the dashboard's when it answers.
 */
function printApps(
  io: CliIo,
  settings: ServeSettings,
  url: string,
  apps: ReadonlyArray<{ name: string; mount: string }>,
): void {
  const rows = apps.map((a) => [a.name, a.mount === '/' ? `${url}/` : `${url}${a.mount}`]);
  if (settings.dev || settings.adminToken !== undefined) rows.push(['dashboard', `${url}/-/`]);
  const width = Math.max(0, ...rows.map(([name]) => name!.length));
  for (const [name, link] of rows) io.out(`  ${name!.padEnd(width)}  ${link}`);
  if (apps.length === 0) io.out('  (no apps yet: hotpub new app NAME)');
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
