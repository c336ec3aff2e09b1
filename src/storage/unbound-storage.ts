/**
 * The `storage` that `import { storage } from 'hotpub'` gives code outside an app module.
 * Inside app modules the registry binds `storage` to the module's app, like `keep`; out
 * here there is no app whose namespace it could use, so every call says so.
 */
import type { Storage } from 'unstorage';
import { ErrorCode, HotpubError } from '../errors/index.js';

function outside(method: string): HotpubError {
  return new HotpubError(
    ErrorCode.storageOutsideModule,
    `storage.${method}() called outside an app module: storage is namespaced per app, so import it from "hotpub" inside a module of an app`,
  );
}

/**
 * Key-value storage namespaced per app (the unstorage API: `getItem`, `setItem`,
 * `removeItem`, `hasItem`, `getKeys`...). Import it from `hotpub` in an app's module:
 * `await storage.setItem('todos:1', todo)` writes to that app's namespace only. The
 * default driver is SQLite under `.data/` (shared by `--workers`, kept across restarts);
 * `HOTPUB_STORAGE_URL=redis://...` shares it between machines.
 */
export const storage: Storage = new Proxy({} as Storage, {
  get(_target, property) {
    if (typeof property !== 'string' || property === 'then') return undefined;
    return () => {
      throw outside(property);
    };
  },
});
