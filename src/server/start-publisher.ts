/**
 * The start-up every entry point shares (`createServer`, `publisher()`, `hotpub routes`):
 * check the apps directory and its app.json files, make the storage and sessions, start
 * the registry and build the publisher over it.
 */
import type { Logger } from 'pino';
import * as appApi from '../app-api.js';
import { DEFAULTS, type HotpubOptions } from '../config/index.js';
import {
  appConfigRules,
  createPublisher,
  discoverApps,
  type Publisher,
} from '../publisher/index.js';
import { createRegistry } from '../registry/index.js';
import type { ModuleRegistry } from '../registry/types.js';
import type { ServerStorage } from '../storage/index.js';
import { openState } from './open-state.js';

/** Options of {@link startPublisher}. */
export interface StartPublisherOptions
  extends Pick<
    HotpubOptions,
    'apps' | 'watch' | 'dev' | 'bodyLimit' | 'drainTimeoutMs' | 'storage' | 'secret' | 'session'
  > {
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
  /** Opened once here, closed by whoever closes the registry (after it). */
  storage: ServerStorage;
}

/**
 * Starts the registry and publisher over `options.apps`. Rejects with the HotpubError of
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
    drainTimeoutMs: options.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs,
    codeLock: options.codeLock,
    hotpub: appApi,
    appConfig: appConfigRules,
    hotpubFor: state.hotpubFor,
  });
  try {
    await registry.start();
    const publisher = createPublisher({
      registry,
      appsDir: options.apps,
      apps,
      dev,
      logger: options.logger,
      bodyLimit: options.bodyLimit,
      requestScope: options.requestScope ?? false,
      sessions: state.sessions,
    });
    return { registry, publisher, storage: state.storage };
  } catch (err) {
    await registry.close().catch(() => {});
    await state.storage.close().catch(() => {});
    throw err;
  }
}
