/**
 * Reloads: a changed, created or deleted file re-evaluates itself and every app module that
 * imports it (plus failed modules they reach), under the exclusive code lock of every app
 * involved, taken in sorted order; the new instances are swapped in in one synchronous step.
 */
import { readFile } from 'node:fs/promises';
import type { ReleaseExclusive } from './code-lock.js';
import { EvaluationPass } from './evaluate.js';
import { ModuleLoader } from './module-loader.js';
import type { ModuleRecord } from './module-record.js';
import { isInside, realModulePath } from './resolve.js';
import { contentHash } from './transform.js';
import type { ReloadResult } from './types.js';

const NOTHING: ReloadResult = Object.freeze({ reloaded: [] }) as ReloadResult;

export abstract class ModuleReloader extends ModuleLoader {
  invalidateModule(file: string): Promise<ReloadResult> {
    return this.invalidateWith(file, undefined);
  }

  /**
   * {@link invalidateModule} with content already read (by the watcher, which checked
   * that it is not a write in progress); `undefined` reads the file.
   */
  protected invalidateWith(file: string, text: string | undefined): Promise<ReloadResult> {
    if (this.closed) return Promise.reject(this.closedError());
    if (!isInside(this.root, file)) return Promise.resolve(NOTHING);
    const rec = this.record(file);
    return rec.mutex.runExclusive(() => this.reload(rec, text));
  }

  /** True if `text` transforms (the watcher's test for a half-written file). */
  protected async parses(file: string, text: string): Promise<boolean> {
    const r = await this.compileInto(this.record(file), text, contentHash(text));
    return r.ok;
  }

  private async reload(rec: ModuleRecord, text: string | undefined): Promise<ReloadResult> {
    // Now a symlink out of the apps directory: as good as deleted.
    if (realModulePath(this.root, rec.file) === undefined) return this.remove(rec);
    let source: string;
    try {
      source = text ?? (await readFile(rec.file, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return this.remove(rec);
      const info = this.readError(rec.file, err);
      this.recordFailure(rec.file, info);
      return { reloaded: [], error: info };
    }
    if (this.index.add(rec.file)) {
      this.emit('files', { app: rec.app, added: [rec.file], removed: [] });
    }
    const hash = contentHash(source);
    if (hash === rec.hash && rec.state !== 'deleted') return NOTHING;
    this.changes++;
    rec.hash = hash;
    if (rec.state === 'deleted') rec.state = 'loading';
    const r = await this.compileInto(rec, source, hash);
    // A never-loaded module loads on demand, unless modules that failed on it wait for it.
    const waiting = this.graph.importers(rec.file).some((f) => this.records.get(f)?.current);
    if (!rec.current && !waiting) return NOTHING;
    if (!r.ok) {
      this.recordFailure(rec.file, r.error);
      return { reloaded: [], error: r.error };
    }
    await this.prefetch(r.compiled, new Set([rec.file]));
    return this.reloadLocked([rec.file], []);
  }

  private async remove(rec: ModuleRecord): Promise<ReloadResult> {
    if (this.index.remove(rec.file)) {
      this.emit('files', { app: rec.app, added: [], removed: [rec.file] });
    }
    if (rec.state === 'deleted') return NOTHING;
    this.changes++;
    if (!rec.current) {
      rec.deleted();
      return NOTHING;
    }
    return this.reloadLocked([], [rec.file]);
  }

  /** The files a change of `files` re-evaluates: importers, and failed modules they reach. */
  private targetsFor(files: string[]): string[] {
    let targets = this.graph.withImporters(files);
    for (;;) {
      const inT = new Set(targets);
      const extra: string[] = [];
      const seen = new Set<string>();
      const stack = [...targets];
      while (stack.length > 0) {
        const f = stack.pop()!;
        for (const dep of this.graph.imports(f)) {
          if (seen.has(dep)) continue;
          seen.add(dep);
          stack.push(dep);
          if (!inT.has(dep) && this.records.get(dep)?.dirty) extra.push(dep);
        }
      }
      if (extra.length === 0) return targets;
      targets = this.graph.withImporters([...targets, ...extra]);
    }
  }

  private appsOf(files: string[]): string[] {
    return [...new Set(files.map((f) => this.appOf(f)))].sort();
  }

  private async lockApps(apps: string[]): Promise<ReleaseExclusive[]> {
    const holds: ReleaseExclusive[] = [];
    if (!this.useLock) return holds;
    try {
      for (const app of apps)
        holds.push(await this.appState(app).lock.acquireExclusive(this.drainTimeoutMs));
    } catch (err) {
      for (const release of holds.reverse()) release();
      throw err;
    }
    return holds;
  }

  /** Takes every involved app's lock exclusively (sorted order), then evaluates and swaps. */
  private async reloadLocked(changed: string[], deleted: string[]): Promise<ReloadResult> {
    for (let attempt = 0; ; attempt++) {
      const apps = this.appsOf([...this.targetsFor([...changed, ...deleted]), ...deleted]);
      const holds = await this.lockApps(apps);
      try {
        if (this.closed) return NOTHING;
        // Cold loads may have added importers (even in other apps) while we waited.
        const targets = this.targetsFor([...changed, ...deleted]);
        const now = this.appsOf([...targets, ...deleted]);
        if (now.join('\0') !== apps.join('\0') && attempt < 3) continue;
        return this.evaluateReload(targets, changed, deleted);
      } finally {
        for (const release of holds.reverse()) release();
      }
    }
  }

  private evaluateReload(targets: string[], changed: string[], deleted: string[]): ReloadResult {
    const gone = new Set(deleted);
    const set = new Set(targets.filter((f) => !gone.has(f)));
    // Replay the order the bodies first ran in, so a cycle is entered where it was before.
    const started = (f: string) => this.records.get(f)?.startedAt || Number.MAX_SAFE_INTEGER;
    const order = [...set].sort((a, b) => started(a) - started(b));
    const pass = new EvaluationPass(this, set);
    try {
      for (const f of order) pass.instanceOf(f);
    } catch (err) {
      this.discard(pass.finish());
      if (deleted.length > 0) this.commit(new Map(), deleted, false);
      return { reloaded: [], error: this.blame(err, changed) };
    }
    const fresh = pass.finish();
    this.commit(fresh, deleted, false);
    return { reloaded: [...fresh.keys()] };
  }
}
