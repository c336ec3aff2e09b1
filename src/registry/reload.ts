/**
 * A change: the paths an app's file events touched together (module files, its app.json,
 * its directory) become one step. Every touched file is read once: the same bytes as last
 * time are no change; new bytes are transformed; a file that is gone is a delete. What a
 * failed change left unapplied in the same apps (`pending` records) is taken along, so the
 * next change applies what is on disk then. If any file does not read or parse, or the
 * app.json is refused, nothing is applied; else the whole change is applied at once
 * (`applyChange`). Changes of one app run one at a time (its `changes` mutex), and each
 * file's loads and reloads one at a time (its record's mutex).
 */
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { type AppChange, readApp } from './app-dirs.js';
import { applyChange, type FileChange, NOTHING } from './apply-change.js';
import { closedError, readError, recordFailure } from './failures.js';
import { holdIfFrozen } from './freeze.js';
import { compileInto, prefetch } from './module-code.js';
import type { ModuleRecord } from './module-record.js';
import type { ModuleStore } from './module-store.js';
import { isInside, MODULE_EXTENSIONS, realModulePath } from './resolve.js';
import { contentHash } from './transform.js';
import type { ModuleErrorInfo, ReloadResult } from './types.js';

/** A path a change touched; for a module file, its content if the caller read it already. */
export interface Touch {
  readonly path: string;
  readonly text?: string | undefined;
}

/** What reading one module file found. */
type Found = 'changed' | 'deleted' | 'same' | { error: ModuleErrorInfo };

/** The result of a change held back because its app is frozen. */
const HELD: ReloadResult = Object.freeze({ reloaded: [], held: true }) as ReloadResult;

/** Applies `touches` as one change; resolves with what it reloaded or why it was refused. */
export async function applyTouches(
  store: ModuleStore,
  touches: readonly Touch[],
): Promise<ReloadResult> {
  if (store.closed) throw closedError();
  const startedAt = performance.now();
  const modules = new Map<string, string | undefined>();
  const domains = new Set<string>();
  let held = false;
  for (const t of touches) {
    if (t.path !== store.root && !isInside(store.root, t.path)) continue;
    // A frozen app's files wait for `unfreeze`, which applies them as one change.
    if (holdIfFrozen(store, t.path)) {
      held = true;
      continue;
    }
    const parts = relative(store.root, t.path).split(sep);
    const isModule = MODULE_EXTENSIONS.some((e) => t.path.endsWith(e));
    if (isModule && !(parts.length === 2 && parts[1] === 'app.json')) {
      modules.set(t.path, t.text);
      domains.add(store.appOf(t.path));
    } else if (parts.length <= 2) {
      domains.add(parts[0]!); // the app directory itself, or its app.json
    }
  }
  if (domains.size === 0) return held ? HELD : NOTHING;
  return withMutexes(
    [...domains].sort().map((d) => store.appState(d).changes),
    () => readAndApply(store, domains, modules, startedAt),
  );
}

async function readAndApply(
  store: ModuleStore,
  domains: ReadonlySet<string>,
  modules: ReadonlyMap<string, string | undefined>,
  startedAt: number,
): Promise<ReloadResult> {
  if (store.closed) throw closedError();
  const apps = new Map<string, AppChange>();
  const errors: ModuleErrorInfo[] = [];
  for (const name of domains) {
    const r = await readApp(store, name);
    if (r.kind === 'change') apps.set(name, r.change);
    else if (r.kind === 'error') {
      store.events.emit('error', { app: name, file: r.file, error: r.error });
      errors.push(r.error);
    }
  }
  const removed = (rec: ModuleRecord) => apps.get(rec.app)?.removed === true;
  const involved = new Map<string, ModuleRecord>();
  for (const file of modules.keys()) involved.set(file, store.record(file));
  for (const rec of store.records.values()) {
    if (domains.has(rec.app) && (rec.pending || (removed(rec) && rec.current))) {
      involved.set(rec.file, rec);
    }
  }
  const recs = [...involved.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
  return withMutexes(
    recs.map((r) => r.mutex),
    async () => {
      const changed = new Set<string>();
      const deleted = new Set<string>();
      // Read and transform concurrently: a checkout of 100 files is not 100 round trips.
      const entries = [...modules];
      const founds = await Promise.all(
        entries.map(([file, text]) => readChange(store, store.record(file), text)),
      );
      for (const [i, found] of founds.entries()) {
        const file = entries[i]![0];
        if (found === 'changed') changed.add(file);
        else if (found === 'deleted') deleted.add(file);
        else if (found !== 'same') errors.push(found.error);
      }
      for (const rec of recs) {
        if (changed.has(rec.file) || deleted.has(rec.file) || !rec.current) continue;
        if (removed(rec)) rec.gone = true;
        if (rec.gone) deleted.add(rec.file);
        else if (rec.pending) changed.add(rec.file);
      }
      if (errors.length > 0) return { reloaded: [], error: errors[0] };
      if (changed.size === 0 && deleted.size === 0 && apps.size === 0) return NOTHING;
      const seen = new Set(changed);
      await Promise.all(
        [...changed].map((f) => {
          const code = store.records.get(f)?.latest;
          return code ? prefetch(store, code, seen) : undefined;
        }),
      );
      const change: FileChange = {
        changed: [...changed],
        deleted: [...deleted],
        apps,
        startedAt,
      };
      return applyChange(store, change);
    },
  );
}

/** Runs `fn` holding every mutex of `list` (taken in the given order). */
async function withMutexes<T>(
  list: ReadonlyArray<{ acquire(): Promise<() => void> }>,
  fn: () => Promise<T>,
): Promise<T> {
  const releases: Array<() => void> = [];
  try {
    for (const m of list) releases.push(await m.acquire());
    return await fn();
  } finally {
    for (const release of releases.reverse()) release();
  }
}

/**
 * What the file's current content changes. Nothing to evaluate for the same bytes or a
 * module nobody loaded; a file that does not read or parse fails here, recorded.
 */
async function readChange(
  store: ModuleStore,
  rec: ModuleRecord,
  text: string | undefined,
): Promise<Found> {
  // Now a symlink out of the apps directory: as good as deleted.
  if (realModulePath(store.root, rec.file) === undefined) return removal(store, rec);
  let source: string;
  try {
    source = text ?? (await readFile(rec.file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return removal(store, rec);
    const error = readError(rec.file, err);
    recordFailure(store, rec.file, error);
    return { error };
  }
  rec.gone = false;
  if (store.index.add(rec.file)) {
    store.events.emit('files', { app: rec.app, added: [rec.file], removed: [] });
  }
  const hash = contentHash(source);
  if (hash === rec.hash && rec.state !== 'deleted') return 'same';
  store.changes++;
  rec.hash = hash;
  if (rec.state === 'deleted') rec.state = 'loading';
  const r = await compileInto(store, rec, source, hash);
  // A never-loaded module loads on demand, unless modules that failed on it wait for it.
  const waiting = store.graph.importers(rec.file).some((f) => store.records.get(f)?.current);
  if (!rec.current && !waiting) return 'same';
  if (!r.ok) {
    recordFailure(store, rec.file, r.error);
    return { error: r.error };
  }
  return 'changed';
}

function removal(store: ModuleStore, rec: ModuleRecord): Found {
  if (store.index.remove(rec.file)) {
    store.events.emit('files', { app: rec.app, added: [], removed: [rec.file] });
  }
  if (rec.state === 'deleted' || rec.gone) return rec.gone ? 'deleted' : 'same';
  store.changes++;
  if (!rec.current) {
    rec.deleted();
    return 'same';
  }
  rec.gone = true;
  return 'deleted';
}
