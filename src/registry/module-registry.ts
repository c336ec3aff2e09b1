/**
 * The facade `createRegistry` returns: exactly {@link ModuleRegistry}, over one
 * {@link ModuleStore}. Every method hands the store to a verb (load, reload, snapshot)
 * or reads it; pins come from the app's code lock and current generation.
 */
import { disposeAll } from './dispose.js';
import { codeFrame, locateError, RegistryErrorCode } from './errors.js';
import { type ExportNamesHost, exportNamesOf } from './export-names.js';
import { freeze, unfreeze } from './freeze.js';
import { ensureModule } from './load.js';
import { codeToLoad, parses } from './module-code.js';
import { ModuleStore } from './module-store.js';
import { invalidate } from './reload.js';
import { moduleInfo, snapshot } from './snapshot.js';
import { mapStack } from './stack-map.js';
import { warmTransformer } from './transform.js';
import type {
  ModuleInfo,
  ModuleRegistry,
  Pin,
  RegistryEvents,
  RegistryOptions,
  RegistrySnapshot,
  ReloadResult,
  SourceLocation,
} from './types.js';
import { startWatcher, type Watcher } from './watcher.js';

export class LockedModuleRegistry implements ModuleRegistry {
  readonly #store: ModuleStore;
  #watcher: Watcher | undefined;

  readonly #names: ExportNamesHost;

  constructor(options: RegistryOptions) {
    const store = new ModuleStore(options);
    this.#store = store;
    this.#names = { root: store.root, codeToLoad: (file) => codeToLoad(store, file) };
  }

  get root(): string {
    return this.#store.root;
  }

  async start(): Promise<void> {
    const store = this.#store;
    await store.index.scan();
    if (store.index.appNames().some((app) => store.index.list(app).length > 0)) warmTransformer();
    if (store.watch && !this.#watcher) {
      this.#watcher = await startWatcher(store.root, {
        invalidate: (file, text) => invalidate(store, file, text),
        parses: (file, text) => parses(store, file, text),
        onError: (err) => watchError(store, err),
      });
    }
  }

  async close(): Promise<void> {
    const store = this.#store;
    if (store.closed) return;
    store.closed = true;
    const w = this.#watcher;
    this.#watcher = undefined;
    await w?.close();
    disposeAll(store);
  }

  on<K extends keyof RegistryEvents>(
    type: K,
    listener: (event: RegistryEvents[K]) => void,
  ): () => void {
    return this.#store.events.on(type, listener);
  }

  findFile(app: string, rel: string): string | undefined {
    return this.#store.index.find(app, rel);
  }

  listFiles(app: string): string[] {
    return this.#store.index.list(app);
  }

  exportNames(file: string): Promise<ReadonlySet<string> | undefined> {
    return exportNamesOf(this.#names, file);
  }

  hookFiles(app: string, dir: string): string[] {
    return this.#store.index.hooks(app, dir);
  }

  ensureModule(file: string): Promise<void> {
    return ensureModule(this.#store, file);
  }

  tryAcquire(app: string): Pin | undefined {
    const st = this.#store.appState(app);
    if (!this.#store.useLock) return st.pin(-1);
    const epoch = st.lock.tryAcquireShared();
    return epoch >= 0 ? st.pin(epoch) : undefined;
  }

  acquire(app: string): Promise<Pin> {
    const pin = this.tryAcquire(app);
    if (pin !== undefined) return Promise.resolve(pin);
    const st = this.#store.appState(app);
    return new Promise<Pin>((resolve) => st.lock.waitShared((e) => resolve(st.pin(e))));
  }

  invalidateModule(file: string): Promise<ReloadResult> {
    return invalidate(this.#store, file, undefined);
  }

  freeze(app: string): void {
    freeze(this.#store, app);
  }

  unfreeze(app: string): Promise<ReloadResult[]> {
    const store = this.#store;
    return unfreeze(store, app, (file) => invalidate(store, file, undefined));
  }

  mapStack(err: unknown): string | undefined {
    return mapStack(err, (f) => this.#store.compiledOf(f));
  }

  sourceOf(file: string): string | undefined {
    return this.#store.compiledOf(file)?.source;
  }

  locateError(err: unknown): { location: SourceLocation; frame: string } | undefined {
    const lookup = (f: string) => this.#store.compiledOf(f);
    const location = locateError(err, lookup);
    const source = location && lookup(location.file)?.source;
    if (!location || source === undefined) return undefined;
    return { location, frame: codeFrame(source, location.line, location.column) };
  }

  getModule(file: string): ModuleInfo | undefined {
    return moduleInfo(this.#store, file);
  }

  snapshot(): RegistrySnapshot {
    return snapshot(this.#store);
  }
}

/** A failure of the watcher itself, reported as an `error` event for the root. */
function watchError(store: ModuleStore, err: unknown): void {
  const message = `file watcher: ${err instanceof Error ? err.message : String(err)}`;
  const error = { code: RegistryErrorCode.watch, message, cause: err };
  store.events.emit('error', { app: '', file: store.root, error });
}
