/**
 * The storage of one server: made once (when the server starts, never on a reload) and
 * shared by every app, each through its own namespace. Keys are laid out as
 * `app:<app>:<key>` for `import { storage } from 'hotpub'` and `session:<app>:<id>` for
 * sessions; with Redis every key also starts with the driver's `base` (`hotpub:`).
 * Nothing is loaded, opened or connected before the first use: a server whose apps never
 * touch storage or sessions pays nothing for them.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Driver, Storage } from 'unstorage';
import { sqliteDriver } from './sqlite-driver.js';
import { DEFAULT_SQLITE_PATH, isDriver, type StorageConfig } from './storage-config.js';

/** A server's storage and the namespaced views of it that apps and sessions use. */
export interface ServerStorage {
  /** Every key of every app (tools and tests; apps get {@link app}). */
  readonly root: Storage;
  /** App `name`'s namespace: what `import { storage } from 'hotpub'` is in its modules. */
  app(name: string): Storage;
  /** Where the sessions of app `name` are kept. */
  sessions(name: string): Storage;
  /** Closes the driver (the SQLite file, the Redis connection), if it was opened. */
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
type Unstorage = typeof import('unstorage');

/** Encodes an app name as one key segment (a directory may be named `a:b`). */
function segment(name: string): string {
  return encodeURIComponent(name);
}

/**
 * An app's view: unstorage's prefixStorage, less what would reach outside the prefix
 * (`dispose` of the shared storage, `watch` events of other apps' keys), and a `clear`
 * that works: unstorage 1.x's `clear(base)` does nothing when the driver is mounted at
 * the root (unjs/unstorage#336), so it removes the keys one by one.
 */
function namespace(lib: Unstorage, root: Storage, base: string): Storage {
  const view = lib.prefixStorage(root, base);
  const prefix = `${base}:`;
  return Object.assign(view, {
    dispose: async () => {}, // the server owns the storage; an app cannot close it
    clear: async (base = '') => {
      const keys = await view.getKeys(base);
      await Promise.all(keys.map((key) => view.removeItem(key)));
    },
    watch: (callback: Parameters<Storage['watch']>[0]) =>
      root.watch((event, key) => {
        if (key.startsWith(prefix)) callback(event, key.slice(prefix.length));
      }),
  });
}

/**
 * A view that makes its storage at its first method call, not when it is handed out: an
 * app module that imports `storage` (and the registry, which reads what modules import)
 * loads nothing until a call.
 */
function lazyView(make: () => Storage): Storage {
  let real: Storage | undefined;
  const methods = new Map<string, (...args: unknown[]) => unknown>();
  return new Proxy({} as Storage, {
    get(_target, property) {
      if (typeof property !== 'string' || property === 'then') return undefined;
      let method = methods.get(property);
      if (method === undefined) {
        method = (...args) => {
          real ??= make();
          return (real[property as keyof Storage] as (...a: unknown[]) => unknown)(...args);
        };
        methods.set(property, method);
      }
      return method;
    },
  });
}

function driverOf(config: StorageConfig | undefined, cwd: string): Driver {
  if (isDriver(config)) return config;
  if (config === undefined || config.driver === 'sqlite') {
    return sqliteDriver({ path: resolve(cwd, config?.path ?? DEFAULT_SQLITE_PATH) });
  }
  if (config.driver === 'memory') return require('unstorage/drivers/memory')();
  const { driver: _, ...options } = config;
  // ioredis is loaded only by servers configured for Redis, at their first use of it.
  return require('unstorage/drivers/redis')({ base: 'hotpub', ...options });
}

/**
 * The storage of `config` (default: SQLite at `.data/hotpub.sqlite` under `cwd`, resolved
 * now). Returns at once; the driver is made at the first use of a view.
 */
export function openStorage(
  config: StorageConfig | undefined,
  cwd: string = process.cwd(),
): ServerStorage {
  let lib: Unstorage | undefined;
  let root: Storage | undefined;
  const apps = new Map<string, Storage>();
  const sessions = new Map<string, Storage>();
  let closing: Promise<void> | undefined;
  const open = (): Storage => {
    if (root === undefined) {
      if (closing !== undefined) throw new Error('storage used after the server closed it');
      lib = require('unstorage') as Unstorage;
      root = lib.createStorage({ driver: driverOf(config, cwd) });
    }
    return root;
  };
  const view = (cache: Map<string, Storage>, kind: string, name: string): Storage => {
    let storage = cache.get(name);
    if (storage === undefined) {
      storage = lazyView(() => {
        const opened = open();
        return namespace(lib!, opened, `${kind}:${segment(name)}`);
      });
      cache.set(name, storage);
    }
    return storage;
  };
  return {
    get root() {
      return open();
    },
    app: (name) => view(apps, 'app', name),
    sessions: (name) => view(sessions, 'session', name),
    close() {
      closing ??= root === undefined ? Promise.resolve() : root.dispose();
      return closing;
    },
  };
}
