/**
 * `createServer`: the registry, the publisher and a node:http server. Requests go
 * straight from node:http to the publisher (the lean path) unless Express middleware is
 * configured, in which case an Express 5 app runs it before the publisher.
 */
import {
  createServer as createHttpServer,
  type ServerOptions as HttpServerOptions,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { DEFAULTS, type HotpubOptions, type Middleware } from '../config/index.js';
import { requestError } from '../errors/index.js';
import { assignRequestId, type Publisher, upgradeHandler } from '../publisher/index.js';
import type { AppReload, ModuleRegistry } from '../registry/types.js';
import type { ServerStorage } from '../storage/index.js';
import { startPublisher } from './start-publisher.js';
import {
  installUncaughtHandlers,
  type UncaughtSnapshot,
  type UncaughtTracker,
} from './uncaught.js';

/** Options of {@link createServer}: {@link HotpubOptions} plus what a library user wires. */
export interface ServeOptions extends HotpubOptions {
  /** false: call functions without the code lock (benchmarks of the cost of safety only). */
  codeLock?: boolean;
  /** pino logger. Default: pino at `HOTPUB_LOG_LEVEL` or `info`. */
  logger?: Logger;
  /**
   * Answers the framework's reserved paths (`/-` and `/-/...`): `/-/registry`, the
   * dashboard... Its `next()` answers 404. Without it those paths are 404.
   */
  reserved?: Middleware;
  /**
   * Own the process's `unhandledRejection` and `uncaughtException`: log each with its app
   * and file, count it (`HotpubServer.uncaught()`), keep serving. Default false: a library
   * user's process keeps its own handlers. The CLI's `serve` sets it.
   */
  processErrors?: boolean;
  /**
   * Called for the requests the publisher finds nothing for, instead of its 404 (the
   * `--dev` home page at `/`); its `next()` answers the 404.
   */
  fallback?: Middleware;
}

/** A running server. */
export interface HotpubServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  host: string;
  server: Server;
  registry: ModuleRegistry;
  publisher: Publisher;
  /** Errors nobody caught, counted (with `processErrors`; undefined without). */
  uncaught(): UncaughtSnapshot | undefined;
  /** The storage every app's namespace is in (opened once, closed by `close()`). */
  storage: ServerStorage;
  /** Stops accepting, lets in-flight requests finish, closes the registry. Idempotent. */
  close(): Promise<void>;
  /** True once `close()` was called (`/-/health` answers 503 from then on). */
  readonly closing: boolean;
  /**
   * Re-reads the whole apps directory and applies every difference as one change per app
   * (what SIGHUP does; also how a release switch is picked up without `--watch`).
   */
  reload(): Promise<AppReload[]>;
}

function isReserved(url: string): boolean {
  // "/-" alone, "/-/...", "/-?..."
  if (url.charCodeAt(0) !== 47 || url.charCodeAt(1) !== 45) return false;
  return url.length === 2 || url.charCodeAt(2) === 47 || url.charCodeAt(2) === 63;
}

/** Every response says nosniff, whoever answers it (the publisher, `/-/`, middleware). */
function noSniff(res: ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff');
}

/** The publisher's handler, with misses going to `fallback` (then to the 404) if given. */
function withFallback(
  publisher: Publisher,
  fallback: Middleware | undefined,
): (req: IncomingMessage, res: ServerResponse) => void {
  if (fallback === undefined) return publisher.handle;
  const notFound = (req: IncomingMessage, res: ServerResponse) => (err?: unknown) =>
    publisher.error(req, res, err ?? requestError('notFound', 'Not Found'));
  return (req, res) =>
    publisher.handle(req, res, (err) => {
      if (err) publisher.error(req, res, err);
      else fallback(req, res, notFound(req, res));
    });
}

async function buildListener(
  publisher: Publisher,
  options: ServeOptions,
): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const reserved = options.reserved;
  const handle = withFallback(publisher, options.fallback);
  const middleware = options.middleware ?? [];
  if (middleware.length === 0) {
    // The publisher sets nosniff itself.
    if (!reserved) return handle;
    return (req, res) => {
      if (isReserved(req.url ?? '/')) {
        noSniff(res);
        assignRequestId(req, res);
        reserved(req, res, (err) => (err ? publisher.error(req, res, err) : handle(req, res)));
      } else handle(req, res);
    };
  }
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Every response carries the request id and nosniff, whichever middleware answers it.
  app.use((req, res, next) => {
    assignRequestId(req, res);
    noSniff(res);
    next();
  });
  for (const m of middleware) app.use(m as RequestHandler);
  if (reserved) {
    app.use((req, res, next) => {
      if (isReserved(req.url)) reserved(req, res, next);
      else next();
    });
  }
  app.use((req, res) => handle(req, res));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    publisher.error(req, res, err);
  });
  return app;
}

/**
 * node:http timeouts for a request timeout: a stalled client must not hold a request
 * (and its pin) for Node's 5-minute default. Node only checks every
 * `connectionsCheckingInterval` (30 s by default), so that is tightened to match.
 */
function httpServerOptions(requestTimeoutMs: number): HttpServerOptions {
  if (requestTimeoutMs === 0) return { requestTimeout: 0 };
  return {
    requestTimeout: requestTimeoutMs,
    // Node refuses a headersTimeout above requestTimeout.
    headersTimeout: Math.min(60_000, requestTimeoutMs),
    connectionsCheckingInterval: Math.max(1, Math.min(1000, Math.floor(requestTimeoutMs / 2))),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Closes `server`, cutting connections still busy after `timeoutMs`. */
function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Starts hotpub: creates and starts the registry over `options.apps`, the publisher
 * (which validates every app.json and mount), and an HTTP server on host:port.
 * Rejects with the ConfigError of a bad apps directory or app.json, or the listen
 * error (`EADDRINUSE`); nothing is left running then.
 */
export async function createServer(options: ServeOptions): Promise<HotpubServer> {
  const host = options.host ?? DEFAULTS.host;
  const processErrors = options.processErrors ?? false;
  const { registry, publisher, storage } = await startPublisher({
    ...options,
    requestScope: processErrors,
  });
  let tracker: UncaughtTracker | undefined;
  try {
    const listener = await buildListener(publisher, options);
    const server = createHttpServer(
      httpServerOptions(options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs),
      listener,
    );
    // WebSocket upgrades take the same way as requests (middleware, routing, hooks, guards).
    server.on('upgrade', upgradeHandler(listener));
    await listen(server, options.port ?? DEFAULTS.port, host);
    const port = (server.address() as AddressInfo).port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    if (processErrors) {
      tracker = installUncaughtHandlers({ registry, log: options.logger });
    }
    let closing: Promise<void> | undefined;
    return {
      url: `http://${urlHost}:${port}`,
      port,
      host,
      server,
      registry,
      publisher,
      uncaught: () => tracker?.snapshot(),
      storage,
      get closing() {
        return closing !== undefined;
      },
      reload: () => registry.reloadAll(),
      close() {
        // Long-lived responses end first: the server's close would wait for them.
        publisher.close();
        closing ??= closeServer(server, options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs)
          .then(async () => {
            try {
              await registry.close();
            } finally {
              await storage.close();
            }
          })
          .finally(() => tracker?.uninstall());
        return closing;
      },
    };
  } catch (err) {
    await registry.close().catch(() => {});
    await storage.close().catch(() => {});
    throw err;
  }
}
