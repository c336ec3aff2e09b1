/**
 * The locked module registry: loads app modules (esbuild -> CommonJS -> vm), keeps them in
 * per-app generations behind per-app code locks, and reloads changed files with their
 * importers without letting a request see two generations. Loading and reloading live in
 * {@link ModuleLoader} and {@link ModuleReloader}; this class adds the public API, pins and observability.
 */
import { codeFrame, locateError, RegistryErrorCode } from './errors.js';
import type { AppState } from './generation.js';
import type { ModuleRecord } from './module-record.js';
import { ModuleReloader } from './module-reloader.js';
import type {
  AppInfo,
  ModuleInfo,
  ModuleRegistry,
  Pin,
  RegistrySnapshot,
  SourceLocation,
} from './types.js';
import { startWatcher, type Watcher } from './watcher.js';

/** The {@link ModuleRegistry} that `createRegistry` returns. */
export class LockedModuleRegistry extends ModuleReloader implements ModuleRegistry {
  private watcher: Watcher | undefined;

  async start(): Promise<void> {
    await this.index.scan();
    if (this.options.watch && !this.watcher) {
      this.watcher = await startWatcher(this.root, {
        invalidate: (file, text) => this.invalidateWith(file, text),
        parses: (file, text) => this.parses(file, text),
        onError: (err) => this.watchError(err),
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const w = this.watcher;
    this.watcher = undefined;
    await w?.close();
    this.disposeAll();
  }

  private watchError(err: unknown): void {
    const message = `file watcher: ${err instanceof Error ? err.message : String(err)}`;
    const error = { code: RegistryErrorCode.watch, message, cause: err };
    this.emit('error', { app: '', file: this.root, error });
  }

  findFile(app: string, rel: string): string | undefined {
    return this.index.find(app, rel);
  }

  listFiles(app: string): string[] {
    return this.index.list(app);
  }

  tryAcquire(app: string): Pin | undefined {
    const st = this.appState(app);
    if (!this.useLock) return st.pin(-1);
    const epoch = st.lock.tryAcquireShared();
    return epoch >= 0 ? st.pin(epoch) : undefined;
  }

  acquire(app: string): Promise<Pin> {
    const pin = this.tryAcquire(app);
    if (pin !== undefined) return Promise.resolve(pin);
    const st = this.appState(app);
    return new Promise<Pin>((resolve) => st.lock.waitShared((e) => resolve(st.pin(e))));
  }

  locateError(err: unknown): { location: SourceLocation; frame: string } | undefined {
    const lookup = (f: string) => this.compiledOf(f);
    const location = locateError(err, lookup);
    const source = location && lookup(location.file)?.source;
    if (!location || source === undefined) return undefined;
    return { location, frame: codeFrame(source, location.line, location.column) };
  }

  getModule(file: string): ModuleInfo | undefined {
    const rec = this.records.get(file);
    return rec ? rec.info(this.inflightOf(rec), this.graph.imports(file)) : undefined;
  }

  snapshot(): RegistrySnapshot {
    const names = new Set<string>([...this.index.appNames(), ...this.apps.keys()]);
    const byApp = new Map<string, ModuleRecord[]>();
    for (const rec of this.records.values()) {
      if (rec.generation === 0 && rec.evaluations === 0 && !rec.lastError) continue;
      names.add(rec.app);
      const list = byApp.get(rec.app) ?? [];
      list.push(rec);
      byApp.set(rec.app, list);
    }
    const apps: AppInfo[] = [...names].sort().map((name) => {
      const st = this.apps.get(name);
      const recs = (byApp.get(name) ?? []).sort((a, b) => (a.file < b.file ? -1 : 1));
      return {
        name,
        generation: st?.current.number ?? 0,
        inflight: st ? inflightOfApp(st) : 0,
        reloadPending: st?.lock.pending ?? false,
        modules: recs.map((r) => r.info(this.inflightOf(r), this.graph.imports(r.file))),
      };
    });
    return { root: this.root, apps };
  }

  private inflightOf(rec: ModuleRecord): number {
    const st = this.apps.get(rec.app);
    if (!st) return 0;
    let n = st.current.modules.has(rec.file) ? st.current.inflight : 0;
    for (const g of st.draining) if (g.modules.has(rec.file)) n += g.inflight;
    return n;
  }
}

function inflightOfApp(st: AppState): number {
  let n = st.current.inflight;
  for (const g of st.draining) n += g.inflight;
  return n;
}
