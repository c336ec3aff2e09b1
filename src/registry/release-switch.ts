/**
 * Release switches: the configured apps directory (a symlink, or under one) now resolves
 * to another directory (`current -> releases/44/apps`). Modules are keyed by real path, so
 * the new release is a new set of modules: every module loaded from the old release has
 * its counterpart (same path within the apps directory) read, transformed and evaluated
 * before anything is swapped; then, under every app's exclusive lock, each app gets one
 * new generation holding only new-release instances, every old instance is retired
 * (disposed after its last request), and the old release's records leave the registry so
 * it can be freed. `hot.data` and `keep()` state is keyed by path within the apps
 * directory, so it carries over. If anything fails, nothing changes: the old release keeps
 * serving, and the next `reloadAll` tries again.
 */
import { realpath, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type AppChange, appDirNames, applyAppChange, checkApps, readApp } from './app-dirs.js';
import { lockApps } from './apply-change.js';
import { discard, retire } from './dispose.js';
import { errorInfo, ModuleLoadError, RegistryErrorCode } from './errors.js';
import { EvaluationPass } from './evaluate.js';
import { FileIndex } from './file-index.js';
import { Generation, type Instance } from './generation.js';
import { prefetch, readLatest } from './module-code.js';
import type { ModuleStore } from './module-store.js';
import { isInside } from './resolve.js';
import type { AppReload, ModuleErrorInfo } from './types.js';

/** What a refused switch reports: the file that failed, and why. */
interface Refusal {
  app: string;
  file: string;
  error: ModuleErrorInfo;
}

/** The file of the new release at the same path as `file` of the old one, if it is there. */
async function counterpart(oldRoot: string, newRoot: string, file: string) {
  const candidate = join(newRoot, relative(oldRoot, file));
  try {
    if (!(await stat(candidate)).isFile()) return undefined;
    const real = await realpath(candidate);
    return isInside(newRoot, real) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Applies the switch to `newRoot` (a real path); one result per app, old and new. */
export async function switchRelease(store: ModuleStore, newRoot: string): Promise<AppReload[]> {
  const oldRoot = store.root;
  const index = new FileIndex(newRoot);
  let newNames: string[];
  try {
    await index.scan();
    newNames = await appDirNames(newRoot);
  } catch (err) {
    const msg = `cannot read the new release ${newRoot}: ${(err as Error).message}`;
    return refuse(store, [], {
      app: '',
      file: newRoot,
      error: errorInfo(RegistryErrorCode.release, msg, err),
    });
  }
  const domains = [...new Set([...store.apps.keys(), ...newNames])].sort();
  const mutexes: Array<() => void> = [];
  try {
    for (const d of domains) mutexes.push(await store.appState(d).changes.acquire());
    return await prepareAndSwitch(store, oldRoot, newRoot, index, newNames, domains);
  } finally {
    for (const release of mutexes.reverse()) release();
  }
}

async function prepareAndSwitch(
  store: ModuleStore,
  oldRoot: string,
  newRoot: string,
  index: FileIndex,
  newNames: readonly string[],
  domains: readonly string[],
): Promise<AppReload[]> {
  // The new release's app directories and app.json files, all re-read (their dir moved).
  const apps = new Map<string, AppChange>();
  for (const name of newNames) {
    const r = await readApp(store, name, true, newRoot);
    if (r.kind === 'error')
      return refuse(store, domains, { app: name, file: r.file, error: r.error });
    if (r.kind === 'change') apps.set(name, r.change);
  }
  for (const [name, st] of store.apps) {
    if (st.present && !apps.has(name)) {
      apps.set(name, { dir: join(newRoot, name), config: undefined, hash: '', removed: true });
    }
  }
  // Counterparts of every loaded module, in the order the old ones first ran.
  const loaded = [...store.records.values()]
    .filter((r) => r.current && isInside(oldRoot, r.file))
    .sort((a, b) => a.startedAt - b.startedAt);
  // Read and transform the counterparts concurrently (esbuild's service works in parallel).
  const found = await Promise.all(loaded.map((rec) => counterpart(oldRoot, newRoot, rec.file)));
  const order: string[] = [];
  const seen = new Set<string>();
  for (const file of found) {
    if (file === undefined || seen.has(file)) continue;
    seen.add(file);
    order.push(file);
  }
  const reads = await Promise.all(
    order.map((file) => readLatest(store, store.record(file, newRoot))),
  );
  for (const [i, r] of reads.entries()) {
    if (r.ok) continue;
    const file = order[i]!;
    return refuse(store, domains, { app: store.appOf(file), file, error: r.error }, newRoot);
  }
  await Promise.all(
    order.map((file) => {
      const code = store.records.get(file)?.latest;
      return code ? prefetch(store, code, seen, newRoot) : undefined;
    }),
  );
  const holds = await lockApps(store, domains);
  try {
    if (store.closed) return [];
    return evaluateAndCommit(store, oldRoot, newRoot, index, order, apps, domains);
  } finally {
    for (const release of holds.reverse()) release();
  }
}

/** Under every lock: the new root in, one pass over the new release, commit or roll back. */
function evaluateAndCommit(
  store: ModuleStore,
  oldRoot: string,
  newRoot: string,
  index: FileIndex,
  order: readonly string[],
  apps: ReadonlyMap<string, AppChange>,
  domains: readonly string[],
): AppReload[] {
  const oldIndex = store.index;
  store.root = newRoot;
  store.index = index;
  const refused = checkApps(store, apps);
  if (refused) {
    store.root = oldRoot;
    store.index = oldIndex;
    const app = [...apps.keys()][0] ?? '';
    return refuse(
      store,
      domains,
      { app, file: join(newRoot, app, 'app.json'), error: refused },
      newRoot,
    );
  }
  const pass = new EvaluationPass(store, new Set(order));
  try {
    for (const f of order) pass.instanceOf(f);
  } catch (err) {
    discard(store, pass.finish());
    store.root = oldRoot;
    store.index = oldIndex;
    const e = err instanceof ModuleLoadError ? err : undefined;
    const file = e?.file ?? newRoot;
    const error = e?.toInfo() ?? errorInfo(RegistryErrorCode.evaluate, String(err), err);
    return refuse(store, domains, { app: store.appOf(file), file, error }, newRoot);
  }
  const fresh = pass.finish();
  commitSwitch(store, fresh, apps, domains);
  return domains.map((app) => ({
    app,
    generation: store.apps.get(app)?.current.number ?? 0,
    changed: true,
    reloaded: [...fresh.keys()].filter((f) => store.appOf(f) === app),
  }));
}

/**
 * Swaps in the new release, each app in one synchronous step: a generation of the new
 * instances only; every instance of the old generation retired; the old release's records
 * and graph edges forgotten (the root is the new one already).
 */
function commitSwitch(
  store: ModuleStore,
  fresh: Map<string, Instance>,
  apps: ReadonlyMap<string, AppChange>,
  domains: readonly string[],
): void {
  const byApp = new Map<string, Map<string, Instance>>(domains.map((d) => [d, new Map()]));
  for (const inst of fresh.values()) {
    const app = store.appOf(inst.file);
    if (!byApp.has(app)) byApp.set(app, new Map());
    byApp.get(app)!.set(inst.file, inst);
  }
  const retired: Instance[] = [];
  const live = new Set<Generation>();
  for (const [app, modules] of byApp) {
    const st = store.appState(app);
    retired.push(...st.current.modules.values());
    for (const gen of st.swap(new Generation(++st.counter, modules))) live.add(gen);
  }
  for (const [file, rec] of [...store.records]) {
    if (isInside(store.root, file)) continue;
    store.records.delete(file);
    store.graph.forget(file);
    rec.current = undefined;
  }
  for (const inst of fresh.values()) {
    store.record(inst.file).succeed(inst);
    store.graph.setImports(inst.file, new Set([...inst.appDeps.values()].map((d) => d.file)));
  }
  for (const [app, change] of apps) applyAppChange(store, app, change);
  store.changes++;
  store.switches++;
  if (retired.length > 0) retire(store, retired, live);
  for (const [app, c] of apps) {
    store.events.emit('app', { app, dir: c.dir, config: c.config, removed: c.removed });
  }
  for (const [app, modules] of byApp) {
    const generation = store.apps.get(app)?.current.number ?? 0;
    store.events.emit('swap', { app, generation, files: [...modules.keys()] });
  }
}

/** Nothing applied: forget what was read of the new release, report, answer per app. */
function refuse(
  store: ModuleStore,
  domains: readonly string[],
  why: Refusal,
  newRoot?: string,
): AppReload[] {
  if (newRoot !== undefined) {
    for (const file of [...store.records.keys()]) {
      if (isInside(newRoot, file)) store.records.delete(file);
    }
  }
  store.events.emit('error', why);
  const names = domains.length > 0 ? domains : [why.app];
  return names.map((app) => ({
    app,
    generation: store.apps.get(app)?.current.number ?? 0,
    changed: false,
    reloaded: [],
    error: why.error,
  }));
}
