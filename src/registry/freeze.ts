/**
 * Freezing an app's reloads (the dashboard's "freeze"): while an app is frozen, changes
 * to its files are held, not applied, so its current generation keeps serving whatever is
 * saved meanwhile; unfreezing applies what is then on disk, file by file. Cold loads of
 * modules that never loaded still run: they replace nothing.
 */
import type { ModuleStore } from './module-store.js';
import type { ReloadResult } from './types.js';

/** Freezes `app`; true if it was not frozen already. */
export function freeze(store: ModuleStore, app: string): boolean {
  if (store.frozen.has(app)) return false;
  store.frozen.set(app, new Set());
  store.events.emit('freeze', { app, frozen: true, held: [] });
  return true;
}

/**
 * True when `file` belongs to a frozen app: its change is recorded as held, to be
 * applied by {@link unfreeze}.
 */
export function holdIfFrozen(store: ModuleStore, file: string): boolean {
  const held = store.frozen.get(store.appOf(file));
  if (held === undefined) return false;
  held.add(file);
  return true;
}

/** The files whose changes `app` holds while frozen (empty when it is not frozen). */
export function heldFiles(store: ModuleStore, app: string): string[] {
  return [...(store.frozen.get(app) ?? [])].sort();
}

/**
 * Unfreezes `app` and applies every change held meanwhile, one file at a time, through
 * `invalidate` (which reads the file: the same bytes as before are no change).
 */
export async function unfreeze(
  store: ModuleStore,
  app: string,
  invalidate: (file: string) => Promise<ReloadResult>,
): Promise<ReloadResult[]> {
  const held = store.frozen.get(app);
  if (held === undefined) return [];
  store.frozen.delete(app);
  const files = [...held].sort();
  store.events.emit('freeze', { app, frozen: false, held: files });
  const results: ReloadResult[] = [];
  for (const file of files) results.push(await invalidate(file));
  return results;
}
