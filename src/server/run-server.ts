/**
 * The CLI's server: the publisher engineer's `createServer` plus what a running service
 * needs around it: the logger, the request log, registry events in the log, the `/-/`
 * endpoints, listen errors turned into one clear line, and graceful shutdown on signals.
 */
import { pino } from 'pino';
import { createAdminHandler } from './admin.js';
import type { Middleware } from './config.js';
import {
  createLogger,
  type Logger,
  type LogSettings,
  logRegistryEvent,
  logRequest,
} from './logger.js';
import { createServer, type HotpubServer } from './serve.js';

/** Settings of {@link runServer} (the CLI's resolved settings). */
export interface RunServerOptions {
  apps: string;
  port: number;
  host: string;
  watch: boolean;
  dev: boolean;
  admin: boolean;
  drainTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** Longest time to send a whole request, in ms (408 past it); default 30000. */
  requestTimeoutMs?: number;
  bodyLimit: number;
  middleware?: Middleware[];
  /** `false`: no log at all. */
  log: LogSettings | false;
  /** Where log lines go (default stdout). */
  logDest?: { write(line: string): unknown };
}

/** A running server and its logger. */
export interface RunningServer extends HotpubServer {
  log: Logger;
}

/** A listen failure as the CLI reports it. Codes `HOTPUB_E_PORT_IN_USE`, `HOTPUB_E_LISTEN`. */
export class ListenError extends Error {
  readonly code: string;
  constructor(code: string, message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'ListenError';
    this.code = code;
  }
}

/**
 * Starts the server. Rejects with the publisher's `HOTPUB_E_*` config errors (apps
 * directory, app.json, mount conflicts) or a {@link ListenError}.
 */
export async function runServer(options: RunServerOptions): Promise<RunningServer> {
  const log =
    options.log === false ? pino({ level: 'silent' }) : createLogger(options.log, options.logDest);
  let started: HotpubServer | undefined;
  const admin = createAdminHandler({
    enabled: options.dev || options.admin,
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
      reserved: admin,
      middleware: options.middleware,
    });
  } catch (err) {
    throw listenError(err, options.host, options.port);
  }
  started = server;
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
    return new ListenError(
      'HOTPUB_E_PORT_IN_USE',
      `port ${port} on ${host} is already in use (choose another with --port N)`,
      err,
    );
  }
  if (code === 'EACCES') {
    return new ListenError(
      'HOTPUB_E_LISTEN',
      `no permission to listen on ${host}:${port} (ports below 1024 need privileges)`,
      err,
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ListenError(
      'HOTPUB_E_LISTEN',
      `cannot listen on host ${host}: not an address of this machine (${code})`,
      err,
    );
  }
  return err;
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
