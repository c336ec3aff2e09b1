/**
 * Invalidation: a file event (from the watcher, or `invalidateModule`) becomes a change.
 * One invalidation of a file runs at a time (the file's mutex). The file is read once:
 * the same bytes as last time are no change; new bytes are transformed and applied with
 * the file's importers; a file that is gone is applied as a delete. Creates and deletes
 * of addressable files update the file index and emit `files`.
 */
import { readFile } from 'node:fs/promises';
import { applyChange, type FileChange, NOTHING } from './apply-change.js';
import { closedError, readError, recordFailure } from './failures.js';
import { holdIfFrozen } from './freeze.js';
import { compileInto, prefetch } from './module-code.js';
import type { ModuleRecord } from './module-record.js';
import type { ModuleStore } from './module-store.js';
import { isInside, realModulePath } from './resolve.js';
import { contentHash } from './transform.js';
import type { ModuleErrorInfo, ReloadResult } from './types.js';

/** What reading a file found: a change to apply, or the result already. */
type Found = { change: FileChange } | { result: ReloadResult };

const UNCHANGED: Found = { result: NOTHING };
/** The result of a change held back because its app is frozen. */
const HELD: ReloadResult = Object.freeze({ reloaded: [], held: true }) as ReloadResult;

function failed(store: ModuleStore, file: string, error: ModuleErrorInfo): Found {
  recordFailure(store, file, error);
  return { result: { reloaded: [], error } };
}

/**
 * Reloads `file` if its content changed, with every app module that imports it.
 * `text` is its content if the caller read it already (the watcher, which checked that
 * it is not a write in progress); `undefined` reads the file.
 */
export function invalidate(
  store: ModuleStore,
  file: string,
  text: string | undefined,
): Promise<ReloadResult> {
  if (store.closed) return Promise.reject(closedError());
  if (!isInside(store.root, file)) return Promise.resolve(NOTHING);
  if (holdIfFrozen(store, file)) return Promise.resolve(HELD);
  const rec = store.record(file);
  return rec.mutex.runExclusive(async () => {
    const found = await readChange(store, rec, text, performance.now());
    return 'change' in found ? applyChange(store, found.change) : found.result;
  });
}

/**
 * What the file's current content changes. Nothing to evaluate for the same bytes or a
 * module nobody loaded; a file that does not read or parse fails here, recorded.
 */
async function readChange(
  store: ModuleStore,
  rec: ModuleRecord,
  text: string | undefined,
  startedAt: number,
): Promise<Found> {
  // Now a symlink out of the apps directory: as good as deleted.
  if (realModulePath(store.root, rec.file) === undefined) return removal(store, rec, startedAt);
  let source: string;
  try {
    source = text ?? (await readFile(rec.file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR')
      return removal(store, rec, startedAt);
    return failed(store, rec.file, readError(rec.file, err));
  }
  if (store.index.add(rec.file)) {
    store.events.emit('files', { app: rec.app, added: [rec.file], removed: [] });
  }
  const hash = contentHash(source);
  if (hash === rec.hash && rec.state !== 'deleted') return UNCHANGED;
  store.changes++;
  rec.hash = hash;
  if (rec.state === 'deleted') rec.state = 'loading';
  const r = await compileInto(store, rec, source, hash);
  // A never-loaded module loads on demand, unless modules that failed on it wait for it.
  const waiting = store.graph.importers(rec.file).some((f) => store.records.get(f)?.current);
  if (!rec.current && !waiting) return UNCHANGED;
  if (!r.ok) return failed(store, rec.file, r.error);
  await prefetch(store, r.compiled, new Set([rec.file]));
  return { change: { changed: [rec.file], deleted: [], startedAt } };
}

function removal(store: ModuleStore, rec: ModuleRecord, startedAt: number): Found {
  if (store.index.remove(rec.file)) {
    store.events.emit('files', { app: rec.app, added: [], removed: [rec.file] });
  }
  if (rec.state === 'deleted') return UNCHANGED;
  store.changes++;
  if (!rec.current) {
    rec.deleted();
    return UNCHANGED;
  }
  return { change: { changed: [], deleted: [rec.file], startedAt } };
}
