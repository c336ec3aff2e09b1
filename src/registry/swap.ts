/**
 * Swapping evaluated instances into app generations. A cold load adds to the current
 * generation in place (it replaces nothing, and requests already pinned may use it); a
 * reload or delete makes a new generation and retires the instances it replaces, which are
 * disposed once every generation still running requests in the apps involved has drained.
 */
import { type AppState, Generation, type Instance, type Retirement } from './generation.js';
import type { ModuleGraph } from './graph.js';
import type { ModuleRecord } from './module-record.js';
import type { RegistryEvents } from './types.js';

/** What a swap needs from the registry. */
export interface SwapHost {
  appOf(file: string): string;
  appState(app: string): AppState;
  record(file: string): ModuleRecord;
  readonly graph: ModuleGraph;
  retire(r: Retirement): void;
  emit<K extends keyof RegistryEvents>(type: K, event: RegistryEvents[K]): void;
}

interface Group {
  set: Instance[];
  del: string[];
}

/** Commits one evaluation pass (synchronously, so nothing interleaves with it). */
export function commitPass(
  host: SwapHost,
  fresh: Map<string, Instance>,
  deleted: string[],
  cold: boolean,
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
  for (const inst of fresh.values()) group(host.appOf(inst.file)).set.push(inst);
  for (const f of deleted) group(host.appOf(f)).del.push(f);

  const retired: Instance[] = [];
  const live = new Set<Generation>();
  const swaps: RegistryEvents['swap'][] = [];
  for (const [app, g] of groups) {
    const st = host.appState(app);
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
    host.record(inst.file).succeed(inst);
    const deps = new Set<string>();
    for (const d of inst.appDeps.values()) deps.add(d.file);
    host.graph.setImports(inst.file, deps);
  }
  for (const f of deleted) {
    host.record(f).deleted();
    host.graph.removeFile(f);
  }

  if (retired.length > 0) {
    const r: Retirement = { instances: retired, waiting: live.size };
    for (const gen of live) gen.retirements.push(r);
    host.retire(r);
  }
  for (const s of swaps) host.emit('swap', s);
}
