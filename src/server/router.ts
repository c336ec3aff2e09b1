/**
 * `publisher()`: hotpub inside an existing Express (or connect) app:
 * `app.use('/x', publisher({ apps: './apps' }))`. Paths it does not answer fall through
 * to the next middleware.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HotpubOptions, Next } from '../config/index.js';
import type { Publisher } from '../publisher/index.js';
import type { ModuleRegistry } from '../registry/types.js';
import type { ServerStorage } from '../storage/index.js';
import { startPublisher } from './start-publisher.js';

/** Options of {@link publisher}: the publisher's share of {@link HotpubOptions}. */
export interface PublisherRouterOptions
  extends Pick<
    HotpubOptions,
    'apps' | 'dev' | 'watch' | 'bodyLimit' | 'drainTimeoutMs' | 'storage' | 'secret' | 'session'
  > {
  /** pino logger. Default: pino at `HOTPUB_LOG_LEVEL` or `info`. */
  logger?: Logger;
}

/** The middleware `publisher()` returns. */
export interface PublisherRouter {
  (req: IncomingMessage, res: ServerResponse, next: Next): void;
  /** Resolves once the registry has scanned the apps (rejects on a bad app.json). */
  readonly ready: Promise<void>;
  /** The registry and publisher, once ready. */
  readonly registry: ModuleRegistry | undefined;
  readonly publisher: Publisher | undefined;
  /** Stops watching, disposes modules, closes the storage. Close the HTTP server yourself. */
  close(): Promise<void>;
}

/**
 * Creates the publisher as Express/connect middleware. Requests that arrive before it
 * is ready wait; if it failed to start they get the error (as `next(err)`).
 */
export function publisher(options: PublisherRouterOptions): PublisherRouter {
  let pub: Publisher | undefined;
  let registry: ModuleRegistry | undefined;
  let storage: ServerStorage | undefined;
  const ready = startPublisher(options).then((started) => {
    pub = started.publisher;
    registry = started.registry;
    storage = started.storage;
  });
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
    close: {
      value: () =>
        ready
          .catch(() => {})
          .then(async () => {
            pub?.close();
            try {
              await registry?.close();
            } finally {
              await storage?.close();
            }
          }),
    },
  });
  return middleware;
}
