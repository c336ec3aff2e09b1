/**
 * The state a server keeps beyond one process: its storage (opened once per server, so a
 * reload never opens a second connection), the sessions over it, and what
 * `import { storage } from 'hotpub'` is in each app's modules.
 */
import {
  checkSecrets,
  madeUpSecret,
  type SecretInput,
  type SessionOptions,
  Sessions,
  secretsFromEnv,
} from '../session/index.js';
import {
  openStorage,
  type ServerStorage,
  type StorageConfig,
  storageFromUrl,
} from '../storage/index.js';

/** The options {@link openState} reads. */
export interface StateOptions {
  /** Default: `HOTPUB_STORAGE_URL`, else SQLite at `.data/hotpub.sqlite` in the cwd. */
  storage?: StorageConfig;
  /** Default: `HOTPUB_SECRET`; under `dev` one is made up when neither is set. */
  secret?: SecretInput;
  session?: SessionOptions;
}

/** A server's storage and sessions. */
export interface ServerState {
  storage: ServerStorage;
  sessions: Sessions;
  /** `hotpub`'s exports bound to one app, for the registry: its `storage`. */
  hotpubFor(app: string): Readonly<Record<string, unknown>>;
}

/**
 * The secrets of a server: `secret`, else `HOTPUB_SECRET`, else under `dev` a made-up one
 * (`HOTPUB_DEV_SECRET`, set by a `--workers` primary so every worker signs alike).
 */
export function resolveSecrets(
  secret: SecretInput | undefined,
  dev: boolean,
  env: NodeJS.ProcessEnv = process.env,
): string[] | undefined {
  if (secret !== undefined) return checkSecrets(secret, 'secret');
  const fromEnv = secretsFromEnv(env.HOTPUB_SECRET);
  if (fromEnv !== undefined) return checkSecrets(fromEnv, 'HOTPUB_SECRET');
  if (dev) return [env.HOTPUB_DEV_SECRET || madeUpSecret()];
  return undefined;
}

/**
 * Makes the storage and sessions of one server. Nothing is loaded or connects before an
 * app first uses `storage` or `ctx.session`.
 */
export function openState(options: StateOptions, dev: boolean): ServerState {
  const secrets = resolveSecrets(options.secret, dev);
  const storage = openStorage(options.storage ?? storageFromUrl(process.env.HOTPUB_STORAGE_URL));
  const sessions = new Sessions({ storage, secrets, options: options.session });
  const bound = new Map<string, Readonly<Record<string, unknown>>>();
  return {
    storage,
    sessions,
    hotpubFor(app) {
      let exports = bound.get(app);
      if (exports === undefined) {
        // A getter: the app's storage (and unstorage itself) is made at its first use.
        exports = Object.freeze(
          Object.defineProperty({}, 'storage', { enumerable: true, get: () => storage.app(app) }),
        );
        bound.set(app, exports);
      }
      return exports;
    },
  };
}
