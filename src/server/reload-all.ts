/**
 * `reloadAll`: what `POST /-/reload` does, meant to be what `SIGHUP` does. SEAM: issue 8
 * gives the registry a reload path that re-reads the whole apps directory (new and
 * removed apps and files, `app.json`) and applies it as one change per app; until that
 * lands, this re-reads every module the registry has loaded or tried to (private ones
 * included) through `invalidateModule`, file by file: the same bytes are no change, a
 * changed file reloads with its importers, a deleted one is unloaded, a frozen app holds
 * its changes. Modules never loaded need nothing: they load what is on disk when first
 * asked for. Replace the body with issue 8's function when it exists.
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

/** Re-reads every file `registry` knows and applies what changed. */
export async function reloadAll(registry: ModuleRegistry): Promise<ReloadAllResult> {
  const files = new Set<string>();
  for (const app of registry.snapshot().apps) {
    for (const m of app.modules) if (m.state !== 'deleted') files.add(m.file);
  }
  const result: ReloadAllResult = { reloaded: [], held: [], errors: [], generations: {} };
  const seen = new Set<string>();
  for (const file of [...files].sort()) {
    const r = await registry.invalidateModule(file);
    for (const f of r.reloaded) {
      if (!seen.has(f)) result.reloaded.push(f);
      seen.add(f);
    }
    if (r.held) result.held.push(file);
    if (r.error) {
      const { cause: _cause, ...error } = r.error;
      result.errors.push({ file, error });
    }
  }
  for (const app of registry.snapshot().apps) result.generations[app.name] = app.generation;
  return result;
}
