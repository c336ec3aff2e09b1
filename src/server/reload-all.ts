/**
 * `reloadAll`: what `POST /-/reload` does, and what `SIGHUP` does: the registry re-reads
 * the whole apps directory (loaded modules, `app.json`, apps added or removed, a release
 * switch) and applies every difference as one change per app; a frozen app holds its
 * changes. This gives the control plane its answer in one shape: every file reloaded,
 * held and failed, and each app's generation afterwards.
 */
import type { ModuleErrorInfo, ModuleRegistry } from '../registry/types.js';

/** What a reload of everything did. */
export interface ReloadAllResult {
  /** Files whose body ran again. */
  reloaded: string[];
  /** Files whose change waits for their app to be unfrozen. */
  held: string[];
  /** Files whose new code failed (the last good generation keeps serving). */
  errors: Array<{ file: string; error: Omit<ModuleErrorInfo, 'cause'> }>;
  /** Each app's generation afterwards. */
  generations: Record<string, number>;
}

/** Re-reads the whole apps directory through `registry` and reports what changed. */
export async function reloadAll(registry: ModuleRegistry): Promise<ReloadAllResult> {
  const result: ReloadAllResult = { reloaded: [], held: [], errors: [], generations: {} };
  const seen = new Set<string>();
  for (const r of await registry.reloadAll()) {
    for (const f of r.reloaded) {
      if (!seen.has(f)) result.reloaded.push(f);
      seen.add(f);
    }
    if (r.error) {
      const { cause: _cause, ...error } = r.error;
      result.errors.push({ file: r.error.location?.file ?? r.app, error });
    }
  }
  result.reloaded.sort();
  for (const app of registry.snapshot().apps) {
    result.generations[app.name] = app.generation;
    result.held.push(...app.held);
  }
  return result;
}
