/**
 * Swapping evaluated instances into app generations. A cold load adds to the current
 * generation in place (it replaces nothing, and requests already pinned may use it); a
 * reload or delete makes a new generation and retires the instances it replaces, which are
 * disposed once every generation still running requests in the apps involved has drained.
 */
import { retire } from './dispose.js';
import { Generation, type Instance } from './generation.js';
import type { ModuleStore } from './module-store.js';
import type { RegistryEvents } from './types.js';

interface Group {
  set: Instance[];
  del: string[];
}

/**
 * Commits one evaluation pass: `fresh` instances in, `deleted` files out, each app in
 * one step. Synchronous, so no request can see part of it. `cold`: a first load, which
 * adds to the current generation instead of replacing it. `startedAt` (`performance.now()`
 * when the change was read) gives the swap event its `ms`.
 */
export function commitPass(
  store: ModuleStore,
  fresh: Map<string, Instance>,
  deleted: readonly string[],
  cold: boolean,
  startedAt?: number,
): void {
  const groups = new Map<string, Group>();
  const group = (app: string): Group => {
    let g = groups.get(app);
    if (!g) {
      g = { set: [], del: [] };
      groups.set(app, g);
    }
    return g;
  };
  for (const inst of fresh.values()) group(store.appOf(inst.file)).set.push(inst);
  for (const f of deleted) group(store.appOf(f)).del.push(f);

  const retired: Instance[] = [];
  const live = new Set<Generation>();
  const swaps: RegistryEvents['swap'][] = [];
  for (const [app, g] of groups) {
    const st = store.appState(app);
    const cur = st.current;
    const addsOnly = cold || (g.del.length === 0 && g.set.every((i) => !cur.modules.has(i.file)));
    if (addsOnly) {
      for (const inst of g.set) cur.modules.set(inst.file, inst);
      cur.number = ++st.counter;
    } else {
      const map = new Map(cur.modules);
      for (const inst of g.set) {
        const old = map.get(inst.file);
        if (old) retired.push(old);
        map.set(inst.file, inst);
      }
      for (const f of g.del) {
        const old = map.get(f);
        if (old) retired.push(old);
        map.delete(f);
      }
      for (const gen of st.swap(new Generation(++st.counter, map))) live.add(gen);
    }
    swaps.push({
      app,
      generation: st.current.number,
      files: [...g.set.map((i) => i.file), ...g.del],
    });
  }

  for (const inst of fresh.values()) {
    store.record(inst.file).succeed(inst);
    const deps = new Set<string>();
    for (const d of inst.appDeps.values()) deps.add(d.file);
    store.graph.setImports(inst.file, deps);
  }
  for (const f of deleted) {
    store.record(f).deleted();
    store.graph.removeFile(f);
  }

  if (retired.length > 0) retire(store, retired, live);
  const ms =
    startedAt === undefined ? undefined : Math.round((performance.now() - startedAt) * 10) / 10;
  for (const s of swaps) store.events.emit('swap', ms === undefined ? s : { ...s, ms });
}
