/**
 * `reloadAll` (what SIGHUP does): re-read the whole apps directory and apply every
 * difference as one change per app. If the configured root now resolves to another
 * directory, that is a release switch; else the file index is rebuilt (new and removed
 * files), and each app's loaded modules, app.json and directory are re-read as one change
 * of that app, exactly as if the watcher had seen them all at once.
 */
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { appDirNames } from './app-dirs.js';
import { errorInfo, RegistryErrorCode } from './errors.js';
import { closedError } from './failures.js';
import { FileIndex } from './file-index.js';
import type { ModuleStore } from './module-store.js';
import { switchRelease } from './release-switch.js';
import { applyTouches, type Touch } from './reload.js';
import type { AppReload } from './types.js';

/** Where the configured root points now, or an error result if it does not resolve. */
export async function currentRoot(store: ModuleStore): Promise<string | undefined> {
  return realpath(store.configuredRoot).catch(() => undefined);
}

/** Re-reads everything; one result per app (and per other lock domain it touched). */
export async function reloadAll(store: ModuleStore): Promise<AppReload[]> {
  if (store.closed) throw closedError();
  const root = await currentRoot(store);
  if (root === undefined) {
    const msg = `the apps directory ${store.configuredRoot} does not resolve to a directory`;
    const error = errorInfo(RegistryErrorCode.release, msg, undefined);
    store.events.emit('error', { app: '', file: store.configuredRoot, error });
    return [{ app: '', generation: 0, changed: false, reloaded: [], error }];
  }
  if (root !== store.root) return switchRelease(store, root);
  await refreshIndex(store);
  const touches = new Map<string, Touch[]>();
  const add = (domain: string, path: string) => {
    let list = touches.get(domain);
    if (!list) {
      list = [];
      touches.set(domain, list);
    }
    list.push({ path });
  };
  const names = new Set(await appDirNames(store.root));
  for (const [name, st] of store.apps) if (st.present) names.add(name);
  for (const name of names) add(name, join(store.root, name));
  for (const rec of store.records.values()) {
    if (rec.current || rec.state === 'error') add(rec.app, rec.file);
  }
  const results: AppReload[] = [];
  for (const [domain, list] of [...touches].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const before = store.apps.get(domain)?.current.number ?? 0;
    const r = await applyTouches(store, list);
    const generation = store.apps.get(domain)?.current.number ?? 0;
    const out: AppReload = {
      app: domain,
      generation,
      changed: generation !== before,
      reloaded: r.reloaded,
    };
    if (r.error) out.error = r.error;
    results.push(out);
  }
  return results;
}

/** Rebuilds the file index from disk, then swaps it in and reports what it found new or gone. */
async function refreshIndex(store: ModuleStore): Promise<void> {
  const fresh = new FileIndex(store.root);
  await fresh.scan();
  const old = store.index;
  store.index = fresh;
  for (const app of new Set([...old.appNames(), ...fresh.appNames()])) {
    const before = new Set(old.list(app));
    const after = new Set(fresh.list(app));
    const added = [...after].filter((f) => !before.has(f));
    const removed = [...before].filter((f) => !after.has(f));
    if (added.length > 0 || removed.length > 0) {
      store.events.emit('files', { app, added, removed });
    }
  }
}
