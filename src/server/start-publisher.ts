/**
 * The start-up every entry point shares (`createServer`, `publisher()`, `hotpub routes`):
 * check the apps directory and its app.json files, start the registry, build the
 * publisher over it and wait until it is ready.
 */
import { type Logger, pino } from 'pino';
import { discoverApps } from '../publisher/app-config.js';
import { createPublisher, type Publisher } from '../publisher/create-publisher.js';
import { createRegistry } from '../registry/index.js';
import type { ModuleRegistry } from '../registry/types.js';

/** Options of {@link startPublisher}. */
export interface StartPublisherOptions {
  apps: string;
  watch?: boolean;
  dev?: boolean;
  bodyLimit?: number;
  drainTimeoutMs?: number;
  codeLock?: boolean;
  /** Default: pino at `HOTPUB_LOG_LEVEL` or `info`. */
  logger?: Logger;
  /** Run each call in a request scope (see `PublisherOptions.requestScope`). */
  requestScope?: boolean;
}

/** A started registry and the ready publisher over it. */
export interface StartedPublisher {
  registry: ModuleRegistry;
  publisher: Publisher;
}

/**
 * Starts the registry and publisher over `options.apps`. Rejects with the ConfigError of
 * a bad apps directory or app.json before anything runs; a later failure closes the
 * registry, so nothing is left running either way.
 */
export async function startPublisher(options: StartPublisherOptions): Promise<StartedPublisher> {
  const dev = options.dev ?? false;
  // Clear errors before the registry touches the directory; the publisher mounts these.
  const apps = discoverApps(options.apps);
  const registry = createRegistry({
    root: options.apps,
    watch: options.watch ?? false,
    dev,
    drainTimeoutMs: options.drainTimeoutMs,
    codeLock: options.codeLock,
    hotpub: (await import('../index.js')) as Record<string, unknown>,
  });
  try {
    await registry.start();
    const publisher = createPublisher({
      registry,
      appsDir: options.apps,
      apps,
      dev,
      logger: options.logger ?? pino({ level: process.env.HOTPUB_LOG_LEVEL ?? 'info' }),
      bodyLimit: options.bodyLimit,
      requestScope: options.requestScope ?? false,
    });
    await publisher.ready();
    return { registry, publisher };
  } catch (err) {
    await registry.close().catch(() => {});
    throw err;
  }
}
