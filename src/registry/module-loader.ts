/**
 * Loading: the per-file records, single-flight cold loads (no exclusive lock: they replace
 * nothing), what an evaluation pass asks of the registry, swaps and disposal.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve as resolvePath, sep } from 'node:path';
import { errorInfo, ModuleLoadError, RegistryError, RegistryErrorCode } from './errors.js';
import { EvaluationPass, type PassHost } from './evaluate.js';
import { type ExportNamesHost, exportNamesOf } from './export-names.js';
import { FileIndex } from './file-index.js';
import { AppState, type Instance, type Retirement } from './generation.js';
import { ModuleGraph } from './graph.js';
import { boundKeep, type HotState } from './hot-context.js';
import { ModuleRecord } from './module-record.js';
import { realModulePath, resolveImport } from './resolve.js';
import { commitPass } from './swap.js';
import {
  type Compiled,
  contentHash,
  type TransformResult,
  transformModule,
  transformModuleSync,
} from './transform.js';
import type { ModuleErrorInfo, RegistryEvents, RegistryOptions } from './types.js';

export abstract class ModuleLoader implements PassHost, ExportNamesHost {
  readonly root: string;
  readonly dev: boolean;
  protected readonly useLock: boolean;
  protected readonly drainTimeoutMs: number;
  protected readonly records = new Map<string, ModuleRecord>();
  protected readonly apps = new Map<string, AppState>();
  protected readonly graph = new ModuleGraph();
  protected readonly index: FileIndex;
  protected readonly pendingRetirements = new Set<Retirement>();
  protected closed = false;
  /** +1 on every change seen (content, create, delete): failed cold loads retry after one. */
  protected changes = 0;
  private sequence = 0;

  constructor(protected readonly options: RegistryOptions) {
    this.root = realpathSync(resolvePath(options.root));
    this.dev = options.dev ?? false;
    this.useLock = options.codeLock ?? true;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 5000;
    this.index = new FileIndex(this.root);
  }

  /** The lock domain of a file: its first path segment under the root. */
  appOf(file: string): string {
    const rel = relative(this.root, file);
    const cut = rel.indexOf(sep);
    return cut < 0 ? '' : rel.slice(0, cut);
  }

  protected record(file: string): ModuleRecord {
    let rec = this.records.get(file);
    if (!rec) {
      rec = new ModuleRecord(file, this.appOf(file));
      this.records.set(file, rec);
    }
    return rec;
  }

  protected appState(name: string): AppState {
    let st = this.apps.get(name);
    if (!st) {
      st = new AppState(name, (r) => this.disposeRetired(r));
      this.apps.set(name, st);
    }
    return st;
  }

  /** Sends an event to `options.onEvent`; a throwing listener never breaks the registry. */
  emit<K extends keyof RegistryEvents>(type: K, event: RegistryEvents[K]): void {
    try {
      this.options.onEvent?.(type, event);
    } catch {
      // A listener's bug must not fail a reload.
    }
  }

  // ---- PassHost ----

  current(file: string): Instance | undefined {
    return this.records.get(file)?.current;
  }

  compiledOf(file: string): Compiled | undefined {
    const rec = this.records.get(file);
    return rec?.good ?? rec?.latest;
  }

  hotState(file: string): HotState {
    return this.record(file).hot;
  }

  hotpubFor(state: HotState): unknown {
    return { ...(this.options.hotpub ?? {}), keep: boundKeep(state) };
  }

  counted(file: string): void {
    const rec = this.record(file);
    rec.evaluations++;
    rec.startedAt = ++this.sequence;
  }

  codeFor(file: string): Compiled {
    const rec = this.record(file);
    if (rec.latestError) throw new ModuleLoadError(file, rec.latestError);
    if (rec.latest) return rec.latest;
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ModuleLoadError(file, this.readError(file, err));
    }
    const hash = contentHash(source);
    const r = transformModuleSync(file, source, this.dev, hash);
    rec.hash = hash;
    rec.transformed(hash, r);
    if (!r.ok) throw new ModuleLoadError(file, r.error);
    return r.compiled;
  }

  lateRequire(from: Instance, file: string): Instance {
    const rec = this.record(file);
    if (!rec.current) this.evaluateCold(rec);
    this.graph.addImport(from.file, file);
    return rec.current!;
  }

  // ---- export names ----

  exportNames(file: string): Promise<ReadonlySet<string> | undefined> {
    return exportNamesOf(this, file);
  }

  /** The code a load of `file` would evaluate now (its current code once it is loaded). */
  async codeToLoad(file: string): Promise<Compiled | undefined> {
    if (this.closed || realModulePath(this.root, file) === undefined) return undefined;
    const rec = this.record(file);
    if (rec.current) return rec.good;
    const r = await this.readLatest(rec);
    return r.ok ? r.compiled : undefined;
  }

  // ---- cold loads ----

  ensureModule(file: string): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    if (realModulePath(this.root, file) === undefined) {
      const info: ModuleErrorInfo = {
        code: RegistryErrorCode.outsideRoot,
        message: `${file} is not under the apps root ${this.root}`,
      };
      return Promise.reject(new ModuleLoadError(file, info));
    }
    const rec = this.record(file);
    if (rec.current) return Promise.resolve();
    const failures = rec.failures;
    return rec.mutex.runExclusive(() => this.load(rec, failures));
  }

  private async load(rec: ModuleRecord, failuresSeen: number): Promise<void> {
    if (rec.current) return;
    if (rec.failures !== failuresSeen && rec.lastError) {
      // The load we queued behind failed: share its outcome instead of evaluating again.
      throw new ModuleLoadError(rec.file, rec.lastError);
    }
    if (this.options.watch && rec.failedAt === this.changes && rec.lastError) {
      // Nothing changed since it failed: answer with the recorded error, evaluate nothing.
      throw new ModuleLoadError(rec.file, rec.lastError);
    }
    const r = await this.readLatest(rec);
    if (!r.ok) {
      this.recordFailure(rec.file, r.error);
      throw new ModuleLoadError(rec.file, r.error);
    }
    rec.hash = r.compiled.hash;
    await this.prefetch(r.compiled, new Set([rec.file]));
    if (rec.current) return;
    if (this.closed) throw this.closedError();
    this.evaluateCold(rec);
  }

  /** Evaluates never-loaded `rec` in a pass of its own and adds it to its app's generation. */
  private evaluateCold(rec: ModuleRecord): void {
    const pass = new EvaluationPass(this, new Set([rec.file]));
    try {
      pass.instanceOf(rec.file);
    } catch (err) {
      this.discard(pass.finish());
      const info = this.blame(err, [rec.file]);
      throw err instanceof ModuleLoadError ? err : new ModuleLoadError(rec.file, info);
    }
    this.commit(pass.finish(), [], true);
  }

  /** Reads and transforms the file's current content into `rec.latest` (async). */
  protected async readLatest(rec: ModuleRecord): Promise<TransformResult> {
    let source: string;
    try {
      source = await readFile(rec.file, 'utf8');
    } catch (err) {
      return { ok: false, error: this.readError(rec.file, err) };
    }
    const hash = contentHash(source);
    return this.compileInto(rec, source, hash);
  }

  protected async compileInto(
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
    const r = await transformModule(rec.file, source, this.dev, hash);
    rec.transformed(hash, r);
    return r;
  }

  /** Reads and transforms, concurrently, the never-loaded app modules `compiled` imports. */
  protected async prefetch(compiled: Compiled, seen: Set<string>): Promise<void> {
    const next: Promise<void>[] = [];
    for (const spec of compiled.requires) {
      let r: ReturnType<typeof resolveImport>;
      try {
        r = resolveImport(this.root, compiled.file, spec);
      } catch {
        continue;
      }
      if (r.kind !== 'app' || seen.has(r.file)) continue;
      seen.add(r.file);
      const dep = this.record(r.file);
      if (dep.current) continue;
      next.push(
        this.readLatest(dep).then((c) => (c.ok ? this.prefetch(c.compiled, seen) : undefined)),
      );
    }
    await Promise.all(next);
  }

  protected readError(file: string, err: unknown): ModuleErrorInfo {
    const msg = err instanceof Error ? err.message : String(err);
    return errorInfo(RegistryErrorCode.read, `cannot read ${file}: ${msg}`, err);
  }

  /** Records `info` as the latest failure of `file` and emits `error`. */
  protected recordFailure(file: string, info: ModuleErrorInfo): void {
    const rec = this.record(file);
    rec.fail(info, this.changes);
    this.emit('error', { app: rec.app, file, error: info });
  }

  /**
   * Records a failed evaluation on the module that broke (the file a `ModuleLoadError`
   * names) and on `blamed` (what the load or reload was for); returns the error info.
   */
  protected blame(err: unknown, blamed: readonly string[]): ModuleErrorInfo {
    const e = err instanceof ModuleLoadError ? err : undefined;
    const info = e?.toInfo() ?? errorInfo(RegistryErrorCode.evaluate, String(err), err);
    for (const f of new Set(e ? [e.file, ...blamed] : blamed)) this.recordFailure(f, info);
    return info;
  }

  /** Swaps `fresh` in (and `deleted` out) of the generations of their apps. */
  protected commit(fresh: Map<string, Instance>, deleted: string[], cold: boolean): void {
    commitPass(
      {
        appOf: (f) => this.appOf(f),
        appState: (a) => this.appState(a),
        record: (f) => this.record(f),
        graph: this.graph,
        retire: (r) => this.retire(r),
        emit: (t, e) => this.emit(t, e),
      },
      fresh,
      deleted,
      cold,
    );
  }

  // ---- disposal ----

  private retire(r: Retirement): void {
    if (r.waiting === 0) this.disposeRetired(r);
    else this.pendingRetirements.add(r);
  }

  protected disposeRetired(r: Retirement): void {
    this.pendingRetirements.delete(r);
    for (const inst of r.instances) this.runDisposers(inst);
  }

  private runDisposers(inst: Instance): void {
    const cbs = inst.disposers.splice(0);
    const data = this.record(inst.file).hot.data;
    for (const cb of cbs) {
      try {
        cb(data);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        const error = errorInfo(RegistryErrorCode.dispose, `dispose failed: ${msg}`, err);
        this.emit('error', { app: this.appOf(inst.file), file: inst.file, error });
      }
    }
  }

  /** Instances of a failed pass never serve: run what they registered with `hot.dispose` now. */
  protected discard(fresh: Map<string, Instance>): void {
    for (const inst of fresh.values()) this.runDisposers(inst);
  }

  /** Runs every pending disposer, and those of the current instances (on close). */
  protected disposeAll(): void {
    for (const r of [...this.pendingRetirements]) this.disposeRetired(r);
    for (const rec of this.records.values()) if (rec.current) this.runDisposers(rec.current);
  }

  protected closedError(): RegistryError {
    return new RegistryError(RegistryErrorCode.closed, 'the module registry is closed');
  }
}
