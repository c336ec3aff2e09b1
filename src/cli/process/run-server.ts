/**
 * The CLI's server: the library's `createServer` plus what a running service needs
 * around it: the logger, the request log, registry events in the log, the `/-/`
 * endpoints (health and admin, and the control plane under `--dev` or an admin token),
 * listen errors turned into one clear line, and graceful shutdown on signals.
 */
import type { HotpubOptions } from '../../config/index.js';
import { ControlPlane } from '../../control/index.js';
import { ErrorCode, HotpubError } from '../../errors/index.js';
import { createAdminHandler, createServer, type HotpubServer } from '../../server/index.js';
import {
  createLogger,
  type Logger,
  type LogSettings,
  logRegistryEvent,
  logRequest,
} from './logger.js';

/** Settings of {@link runServer} (the CLI's resolved settings): every default filled in. */
export interface RunServerOptions
  extends Required<
      Pick<
        HotpubOptions,
        | 'apps'
        | 'port'
        | 'host'
        | 'watch'
        | 'dev'
        | 'drainTimeoutMs'
        | 'shutdownTimeoutMs'
        | 'bodyLimit'
      >
    >,
    Pick<HotpubOptions, 'requestTimeoutMs' | 'middleware' | 'storage' | 'secret' | 'session'> {
  /** Serve `/-/registry` and `/-/routes` without `dev`. */
  admin: boolean;
  /** The admin token (`--admin-token`, `HOTPUB_ADMIN_TOKEN`): opens `/-/` to `Bearer` it. */
  adminToken?: string;
  /** `false`: no log at all. */
  log: LogSettings | false;
  /** Where log lines go (default stdout). */
  logDest?: { write(line: string): unknown };
}

/** A running server and its logger. */
export interface RunningServer extends HotpubServer {
  log: Logger;
}

/**
 * Starts the server. Rejects with the publisher's config errors (apps directory,
 * app.json, mount conflicts) or a listen error (`portInUse`, `listen`) as the CLI says it.
 */
export async function runServer(options: RunServerOptions): Promise<RunningServer> {
  const log = await createLogger(options.log, options.logDest);
  let started: HotpubServer | undefined;
  const control = new ControlPlane({ dev: options.dev, token: options.adminToken });
  const admin = createAdminHandler({
    enabled: options.dev || options.admin || options.adminToken !== undefined,
    source: () => started,
  });
  let server: HotpubServer;
  try {
    server = await createServer({
      apps: options.apps,
      port: options.port,
      host: options.host,
      watch: options.watch,
      dev: options.dev,
      bodyLimit: options.bodyLimit,
      drainTimeoutMs: options.drainTimeoutMs,
      shutdownTimeoutMs: options.shutdownTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      logger: log,
      // The CLI owns its process: errors nobody catches are logged and counted, not fatal.
      processErrors: true,
      // The control plane first: it checks the token of /-/registry and /-/routes too.
      reserved: (req, res, next) =>
        control.handle(req, res, (err) => (err ? next(err) : admin(req, res, next))),
      fallback: options.dev ? control.home : undefined,
      middleware: options.middleware,
      storage: options.storage,
      secret: options.secret,
      session: options.session,
    });
  } catch (err) {
    throw listenError(err, options.host, options.port);
  }
  started = server;
  control.attach(server);
  const close = server.close;
  server.close = () => {
    control.close(); // live streams would hold the server open until the shutdown timeout
    return close();
  };
  for (const type of ['swap', 'error', 'files'] as const) {
    server.registry.on(type, (event) => logRegistryEvent(log, options.apps, type, event));
  }
  if (options.log !== false && options.log.requests) {
    // Prepended so the log's listeners are on the response before any handler ends it.
    server.server.prependListener('request', (req, res) => logRequest(log, req, res));
  }
  return Object.assign(server, { log });
}

function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') {
    return new HotpubError(
      ErrorCode.portInUse,
      `port ${port} on ${host} is already in use (choose another with --port N)`,
      { cause: err },
    );
  }
  if (code === 'EACCES') {
    return new HotpubError(
      ErrorCode.listen,
      `no permission to listen on ${host}:${port} (ports below 1024 need privileges)`,
      { cause: err },
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new HotpubError(
      ErrorCode.listen,
      `cannot listen on host ${host}: not an address of this machine (${code})`,
      { cause: err },
    );
  }
  return err;
}

/**
 * On SIGHUP, runs `reload` (re-read the apps, apply what changed) instead of Node's
 * default action, which ends the process without draining (exit 129). Signals that
 * arrive during a reload queue behind it, so the last one always sees the latest files.
 * Returns a function that removes the handler.
 */
export function onReloadSignal(reload: () => Promise<void>): () => void {
  let chain: Promise<void> = Promise.resolve();
  const handler = () => {
    chain = chain.then(reload).catch(() => {});
  };
  process.on('SIGHUP', handler);
  return () => process.off('SIGHUP', handler);
}

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then `exit(0)` (or `exit(1)` if it
 * throws). A second signal while stopping exits at once with 1. Returns a function
 * that removes the handlers.
 */
export function onShutdownSignal(
  stop: () => Promise<void>,
  exit: (code: number) => void,
): () => void {
  let stopping = false;
  const handler = () => {
    if (stopping) {
      exit(1);
      return;
    }
    stopping = true;
    stop().then(
      () => exit(0),
      () => exit(1),
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
