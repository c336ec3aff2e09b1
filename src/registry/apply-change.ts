/**
 * Applying a change: a set of changed and deleted files re-evaluates itself and every app
 * module that imports one of them (plus failed modules they reach), under the exclusive
 * code lock of every app involved, taken in sorted order (two reloads never deadlock).
 * The new instances are swapped in in one synchronous step, or, if any evaluation fails,
 * none of them is: the last good generation keeps serving.
 */
import type { ReleaseExclusive } from './code-lock.js';
import { discard } from './dispose.js';
import { EvaluationPass } from './evaluate.js';
import { blame } from './failures.js';
import type { ModuleStore } from './module-store.js';
import { commitPass } from './swap.js';
import type { ReloadResult } from './types.js';

/** Files changed on disk, applied as one step. */
export interface FileChange {
  /** Files whose new content is read and transformed (their records' `latest`). */
  readonly changed: readonly string[];
  /** Files that are gone. */
  readonly deleted: readonly string[];
  /** `performance.now()` when the change was first read: the swap event reports the time since. */
  readonly startedAt?: number;
}

/** The result of a change that re-evaluated nothing. */
export const NOTHING: ReloadResult = Object.freeze({ reloaded: [] }) as ReloadResult;

/** Locks every app `change` reaches, then evaluates and swaps. */
export async function applyChange(store: ModuleStore, change: FileChange): Promise<ReloadResult> {
  const files = [...change.changed, ...change.deleted];
  for (let attempt = 0; ; attempt++) {
    const apps = appsOf(store, [...targetsFor(store, files), ...change.deleted]);
    const holds = await lockApps(store, apps);
    try {
      if (store.closed) return NOTHING;
      // Cold loads may have added importers (even in other apps) while we waited.
      const targets = targetsFor(store, files);
      const now = appsOf(store, [...targets, ...change.deleted]);
      if (now.join('\0') !== apps.join('\0') && attempt < 3) continue;
      return evaluateChange(store, targets, change);
    } finally {
      for (const release of holds.reverse()) release();
    }
  }
}

/** The files a change of `files` re-evaluates: importers, and failed modules they reach. */
function targetsFor(store: ModuleStore, files: readonly string[]): string[] {
  let targets = store.graph.withImporters(files);
  for (;;) {
    const inT = new Set(targets);
    const extra: string[] = [];
    const seen = new Set<string>();
    const stack = [...targets];
    while (stack.length > 0) {
      const f = stack.pop()!;
      for (const dep of store.graph.imports(f)) {
        if (seen.has(dep)) continue;
        seen.add(dep);
        stack.push(dep);
        if (!inT.has(dep) && store.records.get(dep)?.dirty) extra.push(dep);
      }
    }
    if (extra.length === 0) return targets;
    targets = store.graph.withImporters([...targets, ...extra]);
  }
}

function appsOf(store: ModuleStore, files: readonly string[]): string[] {
  return [...new Set(files.map((f) => store.appOf(f)))].sort();
}

async function lockApps(store: ModuleStore, apps: readonly string[]): Promise<ReleaseExclusive[]> {
  const holds: ReleaseExclusive[] = [];
  if (!store.useLock) return holds;
  try {
    for (const app of apps) {
      holds.push(await store.appState(app).lock.acquireExclusive(store.drainTimeoutMs));
    }
  } catch (err) {
    for (const release of holds.reverse()) release();
    throw err;
  }
  return holds;
}

/** Evaluates `targets` in one pass and commits it; all or nothing. Runs under the locks. */
function evaluateChange(store: ModuleStore, targets: string[], change: FileChange): ReloadResult {
  const gone = new Set(change.deleted);
  const set = new Set(targets.filter((f) => !gone.has(f)));
  // Replay the order the bodies first ran in, so a cycle is entered where it was before.
  const started = (f: string) => store.records.get(f)?.startedAt || Number.MAX_SAFE_INTEGER;
  const order = [...set].sort((a, b) => started(a) - started(b));
  const pass = new EvaluationPass(store, set);
  try {
    for (const f of order) pass.instanceOf(f);
  } catch (err) {
    discard(store, pass.finish());
    if (change.deleted.length > 0) {
      commitPass(store, new Map(), change.deleted, false, change.startedAt);
    }
    return { reloaded: [], error: blame(store, err, change.changed) };
  }
  const fresh = pass.finish();
  commitPass(store, fresh, change.deleted, false, change.startedAt);
  return { reloaded: [...fresh.keys()] };
}
