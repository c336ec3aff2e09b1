/**
 * Apps as directories: whether an app's directory exists and what its `app.json` says
 * belong to the app's changes like its modules do. A change of an app re-reads both; a
 * difference from what is applied (a new or removed directory, other app.json bytes,
 * a directory that moved with a release switch) becomes an {@link AppChange}, validated
 * by the publisher's hook before anything is swapped.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type HotpubCode, isHotpubCode } from '../errors/index.js';
import { errorInfo, RegistryError, RegistryErrorCode } from './errors.js';
import type { ModuleStore } from './module-store.js';
import { isAppName } from './names.js';
import { contentHash } from './transform.js';
import type { ModuleErrorInfo } from './types.js';

/** A new state of one app's directory and app.json, applied with its change. */
export interface AppChange {
  /** Real path of the app directory. */
  readonly dir: string;
  /** What the app-config hook returned (undefined without a hook, or when removed). */
  readonly config: unknown;
  /** Hash of the app.json text ('' for none). */
  readonly hash: string;
  /** The directory is gone: unmount the app once its requests finish. */
  readonly removed: boolean;
}

/** What reading an app found: a change, nothing new, or an app.json the hook refused. */
export type AppRead =
  | { kind: 'change'; change: AppChange }
  | { kind: 'same' }
  | { kind: 'error'; file: string; error: ModuleErrorInfo };

/** Path of the app.json of app `name` under the current root. */
export function appJsonOf(store: ModuleStore, name: string): string {
  return join(store.root, name, 'app.json');
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Reads app `name` as it is on disk now (under `root`: a release switch reads the new
 * release). `force`: report a change even for the same bytes (its directory moved).
 */
export async function readApp(
  store: ModuleStore,
  name: string,
  force = false,
  root = store.root,
): Promise<AppRead> {
  if (!isAppName(name)) return { kind: 'same' };
  const st = store.apps.get(name);
  const dir = join(root, name);
  const file = join(dir, 'app.json');
  if (!(await isDirectory(dir))) {
    if (!st?.present) return { kind: 'same' };
    return { kind: 'change', change: { dir, config: undefined, hash: '', removed: true } };
  }
  let text: string | undefined;
  try {
    text = await readText(file);
  } catch (err) {
    const msg = `cannot read ${file}: ${(err as Error).message}`;
    return { kind: 'error', file, error: errorInfo(RegistryErrorCode.appConfig, msg, err) };
  }
  const hash = text === undefined ? '' : contentHash(text);
  if (st?.present && st.configHash === hash && !force) return { kind: 'same' };
  try {
    const config = store.appConfig?.read(name, dir, text);
    return { kind: 'change', change: { dir, config, hash, removed: false } };
  } catch (err) {
    return { kind: 'error', file, error: hookError(err) };
  }
}

/** The error info of an app.json (or a set of them) the hook refused. */
export function hookError(err: unknown): ModuleErrorInfo {
  const own = (err as { code?: unknown })?.code;
  const code = typeof own === 'string' && isHotpubCode(own) ? own : RegistryErrorCode.appConfig;
  return errorInfo(code, err instanceof Error ? err.message : String(err), err);
}

/** Names of the app directories under `root` now. */
export async function appDirNames(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const names: string[] = [];
  for (const d of entries) {
    if (!isAppName(d.name)) continue;
    if (d.isDirectory() || (d.isSymbolicLink() && (await isDirectory(join(root, d.name))))) {
      names.push(d.name);
    }
  }
  return names.sort();
}

/**
 * Reads every app at start: the applied state of each app directory and its app.json.
 * Throws a {@link RegistryError} if the hook refuses one (the caller has not started).
 */
export async function readAppsAtStart(store: ModuleStore): Promise<void> {
  for (const name of await appDirNames(store.root)) {
    const r = await readApp(store, name, true);
    if (r.kind === 'error') {
      throw new RegistryError(r.error.code as HotpubCode, r.error.message, { cause: r.error });
    }
    if (r.kind === 'change') applyAppChange(store, name, r.change);
  }
}

/** Records `change` as applied to app `name` (called in the commit of its change). */
export function applyAppChange(store: ModuleStore, name: string, change: AppChange): void {
  const st = store.appState(name);
  st.present = !change.removed;
  st.config = change.config;
  st.configHash = change.removed ? undefined : change.hash;
  if (change.removed) store.index.removeApp(name);
}

/**
 * Runs the hook's check over every app's config as it would be with `changes` applied;
 * returns the error if it refuses.
 */
export function checkApps(
  store: ModuleStore,
  changes: ReadonlyMap<string, AppChange>,
): ModuleErrorInfo | undefined {
  const check = store.appConfig?.check;
  if (!check || changes.size === 0) return undefined;
  const configs = new Map<string, unknown>();
  for (const [name, st] of store.apps)
    if (st.present && isAppName(name)) configs.set(name, st.config);
  for (const [name, c] of changes) {
    if (c.removed) configs.delete(name);
    else configs.set(name, c.config);
  }
  try {
    check(configs);
    return undefined;
  } catch (err) {
    return hookError(err);
  }
}
