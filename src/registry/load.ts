/**
 * Cold loads (`ensureModule`): single flight per file, so any number of concurrent
 * requests for a module that is not loaded evaluate it once and share the outcome, a
 * failure included. No exclusive lock: a first load replaces nothing.
 */

import { ModuleLoadError } from './errors.js';
import { evaluateCold } from './evaluate.js';
import { closedError, outsideRootError, recordFailure } from './failures.js';
import { prefetch, readLatest } from './module-code.js';
import type { ModuleRecord } from './module-record.js';
import type { ModuleStore } from './module-store.js';
import { realModulePath } from './resolve.js';

/**
 * Loads `file` if it is not loaded yet. Resolves once it is; rejects with a
 * `ModuleLoadError` if it has never loaded successfully.
 */
export function ensureModule(store: ModuleStore, file: string): Promise<void> {
  if (store.closed) return Promise.reject(closedError());
  if (realModulePath(store.root, file) === undefined) {
    return Promise.reject(outsideRootError(store, file));
  }
  const rec = store.record(file);
  if (rec.current) return Promise.resolve();
  const failures = rec.failures;
  return rec.mutex.runExclusive(() => load(store, rec, failures));
}

/** One load, run under the file's mutex; `failuresSeen` is the count when the caller asked. */
async function load(store: ModuleStore, rec: ModuleRecord, failuresSeen: number): Promise<void> {
  if (rec.current) return;
  if (rec.failures !== failuresSeen && rec.lastError) {
    // The load we queued behind failed: share its outcome instead of evaluating again.
    throw new ModuleLoadError(rec.file, rec.lastError);
  }
  if (store.watch && rec.failedAt === store.changes && rec.lastError) {
    // Nothing changed since it failed: answer with the recorded error, evaluate nothing.
    throw new ModuleLoadError(rec.file, rec.lastError);
  }
  const r = await readLatest(store, rec);
  if (!r.ok) {
    recordFailure(store, rec.file, r.error);
    throw new ModuleLoadError(rec.file, r.error);
  }
  rec.hash = r.compiled.hash;
  await prefetch(store, r.compiled, new Set([rec.file]));
  if (rec.current) return;
  if (store.closed) throw closedError();
  // A release switch while we read: this file is of the old release now, never loaded.
  if (store.records.get(rec.file) !== rec) throw outsideRootError(store, rec.file);
  evaluateCold(store, rec);
}
