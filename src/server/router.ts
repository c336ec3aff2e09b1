/**
 * `publisher()`: hotpub inside an existing Express (or connect) app:
 * `app.use('/x', publisher({ apps: './apps' }))`. Paths it does not answer fall through
 * to the next middleware.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, pino } from 'pino';
import { discoverApps } from '../publisher/app-config.js';
import { createPublisher, type Publisher } from '../publisher/create-publisher.js';
import { createRegistry } from '../registry/index.js';
import type { ModuleRegistry } from '../registry/types.js';

/** Options of {@link publisher}. */
export interface PublisherRouterOptions {
  /** The apps directory. */
  apps: string;
  /** Error details and code frames in responses. */
  dev?: boolean;
  /** Reload modules when their files change. */
  watch?: boolean;
  /** Largest request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** Longest wait for in-flight requests before a reload swaps anyway. Default 5000. */
  drainTimeoutMs?: number;
  /** pino logger. Default: pino at `info`. */
  logger?: Logger;
}

/** The middleware `publisher()` returns. */
export interface PublisherRouter {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  /** Resolves once the registry has scanned the apps (rejects on a bad app.json). */
  readonly ready: Promise<void>;
  /** The registry and publisher, once ready. */
  readonly registry: ModuleRegistry | undefined;
  readonly publisher: Publisher | undefined;
  /** Stops watching and disposes modules. Close the HTTP server yourself. */
  close(): Promise<void>;
}

/**
 * Creates the publisher as Express/connect middleware. Requests that arrive before it
 * is ready wait; if it failed to start they get the error (as `next(err)`).
 */
export function publisher(options: PublisherRouterOptions): PublisherRouter {
  const logger = options.logger ?? pino({ level: process.env.HOTPUB_LOG_LEVEL ?? 'info' });
  let pub: Publisher | undefined;
  let registry: ModuleRegistry | undefined;
  const ready = (async () => {
    discoverApps(options.apps); // clear errors before the registry touches the directory
    registry = createRegistry({
      root: options.apps,
      watch: options.watch ?? false,
      dev: options.dev ?? false,
      ...(options.drainTimeoutMs !== undefined ? { drainTimeoutMs: options.drainTimeoutMs } : {}),
      hotpub: (await import('../index.js')) as Record<string, unknown>,
      onEvent: (type, event) => pub?.onRegistryEvent(type, event),
    });
    await registry.start();
    pub = createPublisher({
      registry,
      appsDir: options.apps,
      dev: options.dev ?? false,
      logger,
      ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    });
    await pub.ready();
  })();
  ready.catch(() => {}); // surfaced through `ready` and to requests

  const middleware = ((req, res, next) => {
    if (pub) {
      pub.handle(req, res, next);
      return;
    }
    ready.then(
      () => (pub as Publisher).handle(req, res, next),
      (err) => next(err),
    );
  }) as PublisherRouter;
  Object.defineProperties(middleware, {
    ready: { value: ready },
    registry: { get: () => registry },
    publisher: { get: () => pub },
    close: { value: () => ready.catch(() => {}).then(() => registry?.close()) },
  });
  return middleware;
}
