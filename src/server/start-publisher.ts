/**
 * The start-up every entry point shares (`createServer`, `publisher()`, `hotpub routes`):
 * check the apps directory and its app.json files, open the storage and sessions, start
 * the registry, build the publisher over it and wait until it is ready.
 */
import { type Logger, pino } from 'pino';
import { discoverApps } from '../publisher/app-config.js';
import { createPublisher, type Publisher } from '../publisher/create-publisher.js';
import { createRegistry } from '../registry/index.js';
import type { ModuleRegistry } from '../registry/types.js';
import type { SecretInput, SessionOptions } from '../session/index.js';
import type { ServerStorage, StorageConfig } from '../storage/index.js';
import { openState } from './open-state.js';

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
  /** Default: `HOTPUB_STORAGE_URL`, else SQLite at `.data/hotpub.sqlite` in the cwd. */
  storage?: StorageConfig;
  /** Signs session cookies (first signs, all verify). Default: `HOTPUB_SECRET`. */
  secret?: SecretInput;
  /** Session cookie and lifetime. */
  session?: SessionOptions;
}

/** A started registry and the ready publisher over it. */
export interface StartedPublisher {
  registry: ModuleRegistry;
  publisher: Publisher;
  /** Opened once here, closed by whoever closes the registry (after it). */
  storage: ServerStorage;
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
  const state = openState(options, dev);
  const registry = createRegistry({
    root: options.apps,
    watch: options.watch ?? false,
    dev,
    drainTimeoutMs: options.drainTimeoutMs,
    codeLock: options.codeLock,
    hotpub: (await import('../index.js')) as Record<string, unknown>,
    hotpubFor: state.hotpubFor,
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
      sessions: state.sessions,
    });
    await publisher.ready();
    return { registry, publisher, storage: state.storage };
  } catch (err) {
    await registry.close().catch(() => {});
    await state.storage.close().catch(() => {});
    throw err;
  }
}
