/**
 * A module's code: reading a file and transforming it into its record's `latest` (or its
 * syntax error), cached by content hash so one content is transformed once. Loads and
 * reloads read asynchronously and prefetch the imports they will evaluate; an evaluation
 * that meets a file nobody prefetched reads it synchronously.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ModuleLoadError } from './errors.js';
import { readError } from './failures.js';
import type { ModuleRecord } from './module-record.js';
import type { ModuleStore } from './module-store.js';
import { realModulePath, resolveImport } from './resolve.js';
import {
  type Compiled,
  contentHash,
  type TransformResult,
  transformModule,
  transformModuleSync,
} from './transform.js';

/** Transforms `source` (of hash `hash`) into `rec.latest`, unless that content is known. */
export async function compileInto(
  store: ModuleStore,
  rec: ModuleRecord,
  source: string,
  hash: string,
): Promise<TransformResult> {
  if (rec.latest?.hash === hash) {
    rec.latestError = undefined;
    return { ok: true, compiled: rec.latest };
  }
  if (rec.latestErrorHash === hash && rec.latestError) {
    return { ok: false, error: rec.latestError };
  }
  const r = await transformModule(rec.file, source, store.dev, hash);
  rec.transformed(hash, r);
  return r;
}

/** Reads the file's current content and transforms it into `rec.latest`. */
export async function readLatest(store: ModuleStore, rec: ModuleRecord): Promise<TransformResult> {
  let source: string;
  try {
    source = await readFile(rec.file, 'utf8');
  } catch (err) {
    return { ok: false, error: readError(rec.file, err) };
  }
  return compileInto(store, rec, source, contentHash(source));
}

/**
 * The code a load of `file` would evaluate now: its current code once it is loaded, else
 * its content read and transformed (kept as `latest`, so the load reuses it). Undefined
 * when it cannot be read or parsed, or leads out of the apps directory.
 */
export async function codeToLoad(store: ModuleStore, file: string): Promise<Compiled | undefined> {
  if (store.closed || realModulePath(store.root, file) === undefined) return undefined;
  const rec = store.record(file);
  if (rec.current) return rec.good;
  const r = await readLatest(store, rec);
  return r.ok ? r.compiled : undefined;
}

/** Reads and transforms, concurrently, the never-loaded app modules `compiled` imports. */
export async function prefetch(
  store: ModuleStore,
  compiled: Compiled,
  seen: Set<string>,
  root = store.root,
  switches = store.switches,
): Promise<void> {
  const next: Promise<void>[] = [];
  // A release switch since this began: the old release's imports are nobody's any more.
  if (store.switches !== switches) return;
  for (const spec of compiled.requires) {
    let r: ReturnType<typeof resolveImport>;
    try {
      r = resolveImport(root, compiled.file, spec);
    } catch {
      continue;
    }
    if (r.kind !== 'app' || seen.has(r.file)) continue;
    seen.add(r.file);
    const dep = store.record(r.file, root);
    if (dep.current) continue;
    next.push(
      readLatest(store, dep).then((c) =>
        c.ok ? prefetch(store, c.compiled, seen, root, switches) : undefined,
      ),
    );
  }
  await Promise.all(next);
}

/** True if `text` transforms (the watcher's test for a half-written file). */
export async function parses(store: ModuleStore, file: string, text: string): Promise<boolean> {
  const r = await compileInto(store, store.record(file), text, contentHash(text));
  return r.ok;
}

/**
 * The code an evaluation runs for `file`: what was read last, or, for a file nobody
 * prefetched (a late `import()`), read and transformed now, synchronously. Throws
 * `ModuleLoadError` if it cannot be read or does not parse.
 */
export function codeFor(store: ModuleStore, file: string): Compiled {
  const rec = store.record(file);
  if (rec.latestError) throw new ModuleLoadError(file, rec.latestError);
  if (rec.latest) return rec.latest;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ModuleLoadError(file, readError(file, err));
  }
  const hash = contentHash(source);
  const r = transformModuleSync(file, source, store.dev, hash);
  rec.hash = hash;
  rec.transformed(hash, r);
  if (!r.ok) throw new ModuleLoadError(file, r.error);
  return r.compiled;
}
