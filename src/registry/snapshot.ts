/**
 * Observability: the state of one module and of the whole registry, as `/-/registry`
 * reports it, read from the store without changing it.
 */
import { heldFiles } from './freeze.js';
import type { AppState } from './generation.js';
import type { ModuleRecord } from './module-record.js';
import type { ModuleStore } from './module-store.js';
import type { AppInfo, ModuleInfo, RegistrySnapshot } from './types.js';

/** Current state of one module, or undefined if the registry never saw it. */
export function moduleInfo(store: ModuleStore, file: string): ModuleInfo | undefined {
  const rec = store.records.get(file);
  return rec ? rec.info(inflightOf(store, rec), store.graph.imports(file)) : undefined;
}

/** Every app (indexed or holding modules) and every module that was loaded or failed. */
export function snapshot(store: ModuleStore): RegistrySnapshot {
  const names = new Set<string>([
    ...store.index.appNames(),
    ...store.apps.keys(),
    ...store.frozen.keys(),
  ]);
  const byApp = new Map<string, ModuleRecord[]>();
  for (const rec of store.records.values()) {
    if (rec.generation === 0 && rec.evaluations === 0 && !rec.lastError) continue;
    names.add(rec.app);
    const list = byApp.get(rec.app) ?? [];
    list.push(rec);
    byApp.set(rec.app, list);
  }
  const apps: AppInfo[] = [...names].sort().map((name) => {
    const st = store.apps.get(name);
    const recs = (byApp.get(name) ?? []).sort((a, b) => (a.file < b.file ? -1 : 1));
    return {
      name,
      generation: st?.current.number ?? 0,
      inflight: st ? inflightOfApp(st) : 0,
      reloadPending: st?.lock.pending ?? false,
      frozen: store.frozen.has(name),
      held: heldFiles(store, name),
      modules: recs.map((r) => r.info(inflightOf(store, r), store.graph.imports(r.file))),
    };
  });
  return { root: store.root, apps };
}

/** Requests pinned to a generation (current or draining) that holds this module. */
function inflightOf(store: ModuleStore, rec: ModuleRecord): number {
  const st = store.apps.get(rec.app);
  if (!st) return 0;
  let n = st.current.modules.has(rec.file) ? st.current.inflight : 0;
  for (const g of st.draining) if (g.modules.has(rec.file)) n += g.inflight;
  return n;
}

function inflightOfApp(st: AppState): number {
  let n = st.current.inflight;
  for (const g of st.draining) n += g.inflight;
  return n;
}
