/** Storage: the unstorage API, one store per server, one namespace per app. */
export { openStorage, type ServerStorage } from './open-storage.js';
export { type SqliteDriverOptions, sqliteDriver } from './sqlite-driver.js';
export {
  DEFAULT_SQLITE_PATH,
  isDriver,
  type MemoryStorageConfig,
  type RedisStorageConfig,
  type SqliteStorageConfig,
  type StorageConfig,
  storageFromUrl,
  storageProblem,
} from './storage-config.js';
export { storage } from './unbound-storage.js';
