/**
 * Which storage a server uses: `hotpub.config.ts` `storage`, `HOTPUB_STORAGE_URL`, or the
 * default (SQLite under `.data/` in the working directory). Checked before anything opens.
 */
import type { Driver } from 'unstorage';
import { ErrorCode, HotpubError } from '../errors/index.js';

/** The default storage: one SQLite file shared by every process on this machine. */
export interface SqliteStorageConfig {
  driver: 'sqlite';
  /** The database file, relative to the working directory. Default `.data/hotpub.sqlite`. */
  path?: string;
}

/** Redis, through unstorage's redis driver (ioredis): shared by every machine. */
export interface RedisStorageConfig {
  driver: 'redis';
  /** `redis://[user:password@]host:port[/db]` or `rediss://...` (TLS). */
  url?: string;
  /** Prefix of every key hotpub writes. Default `hotpub`. */
  base?: string;
  /** Any other ioredis option (`password`, `tls`, `maxRetriesPerRequest`...). */
  [option: string]: unknown;
}

/** Per-process memory (tests, throw-away demos): neither shared nor kept. */
export interface MemoryStorageConfig {
  driver: 'memory';
}

/**
 * `storage` in `hotpub.config.ts`: one of the drivers above, or any unstorage driver
 * object (`import fsDriver from 'unstorage/drivers/fs'; storage: fsDriver({ base })`).
 */
export type StorageConfig = SqliteStorageConfig | RedisStorageConfig | MemoryStorageConfig | Driver;

/** Path of the default SQLite file, relative to the working directory. */
export const DEFAULT_SQLITE_PATH = '.data/hotpub.sqlite';

const REDIS_URL = /^rediss?:\/\/./i;

/** True for an unstorage driver object (it has a `getItem` function). */
export function isDriver(value: unknown): value is Driver {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { getItem?: unknown }).getItem === 'function'
  );
}

/**
 * What is wrong with a `storage` value, as the rest of a sentence after its field name
 * (`.url must be ...`), or undefined if it is usable.
 */
export function storageProblem(value: unknown): string | undefined {
  if (isDriver(value)) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return "must be { driver: 'sqlite' | 'redis' | 'memory', ... } or an unstorage driver";
  }
  const config = value as Record<string, unknown>;
  switch (config.driver) {
    case 'sqlite':
      for (const key of Object.keys(config)) {
        if (key !== 'driver' && key !== 'path') return `.${key} is not a sqlite option (path)`;
      }
      if (config.path !== undefined && (typeof config.path !== 'string' || config.path === '')) {
        return '.path must be a non-empty string';
      }
      return undefined;
    case 'redis':
      if (
        config.url !== undefined &&
        (typeof config.url !== 'string' || !REDIS_URL.test(config.url))
      ) {
        return '.url must be a redis:// or rediss:// URL';
      }
      if (config.base !== undefined && typeof config.base !== 'string') {
        return '.base must be a string';
      }
      return undefined;
    case 'memory':
      return Object.keys(config).length === 1 ? undefined : '.driver memory takes no options';
    default:
      return `.driver must be 'sqlite', 'redis' or 'memory' (or pass an unstorage driver), got ${JSON.stringify(config.driver)}`;
  }
}

/**
 * The storage of `HOTPUB_STORAGE_URL`: a `redis://` or `rediss://` URL. Returns undefined
 * when it is unset or empty; throws the `config` error naming the variable for anything else.
 */
export function storageFromUrl(url: string | undefined): RedisStorageConfig | undefined {
  if (url === undefined || url === '') return undefined;
  if (!REDIS_URL.test(url)) {
    throw new HotpubError(
      ErrorCode.config,
      `HOTPUB_STORAGE_URL must be a redis:// or rediss:// URL (unset it for the default SQLite storage), got "${url.replace(/\/\/[^@/]*@/, '//***@')}"`,
    );
  }
  return { driver: 'redis', url };
}
