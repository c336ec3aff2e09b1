/**
 * Disposal: `import.meta.hot.dispose` callbacks run once per retired instance, after the
 * last request of every generation that could reach it has ended; those of a failed pass
 * run at once (it never served), and on close every pending and current one runs.
 * A throwing callback is reported as an `error` event and stops nothing else.
 */
import { errorInfo, RegistryErrorCode } from './errors.js';
import type { Generation, Instance, Retirement } from './generation.js';
import type { ModuleStore } from './module-store.js';

/**
 * Retires `instances` replaced by a swap: disposed now if no generation in `live` runs
 * requests, else once the last of them drains.
 */
export function retire(store: ModuleStore, instances: Instance[], live: Set<Generation>): void {
  const r: Retirement = {
    instances,
    waiting: live.size,
    dispose: () => disposeRetired(store, r),
  };
  if (r.waiting === 0) {
    disposeRetired(store, r);
    return;
  }
  for (const gen of live) gen.retirements.push(r);
  store.pendingRetirements.add(r);
}

function disposeRetired(store: ModuleStore, r: Retirement): void {
  store.pendingRetirements.delete(r);
  for (const inst of r.instances) runDisposers(store, inst);
}

function runDisposers(store: ModuleStore, inst: Instance): void {
  const cbs = inst.disposers.splice(0);
  if (cbs.length === 0) return;
  const data = store.record(inst.file).hot.data;
  for (const cb of cbs) {
    try {
      cb(data);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const error = errorInfo(RegistryErrorCode.dispose, `dispose failed: ${msg}`, err);
      store.events.emit('error', { app: store.appOf(inst.file), file: inst.file, error });
    }
  }
}

/** Instances of a failed pass never serve: run what they registered with `hot.dispose` now. */
export function discard(store: ModuleStore, fresh: Map<string, Instance>): void {
  for (const inst of fresh.values()) runDisposers(store, inst);
}

/** Runs every pending disposer, and those of the current instances (on close). */
export function disposeAll(store: ModuleStore): void {
  for (const r of [...store.pendingRetirements]) disposeRetired(store, r);
  for (const rec of store.records.values()) if (rec.current) runDisposers(store, rec.current);
}
