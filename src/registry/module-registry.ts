/**
 * The facade `createRegistry` returns: exactly {@link ModuleRegistry}, over one
 * {@link ModuleStore}. Every method hands the store to a verb (load, reload, snapshot)
 * or reads it; pins come from the app's code lock and current generation.
 */
import { relative, sep } from 'node:path';
import { readAppsAtStart } from './app-dirs.js';
import { ChangeCollector } from './change-collector.js';
import { disposeAll } from './dispose.js';
import { codeFrame, locateError, RegistryErrorCode } from './errors.js';
import { type ExportNamesHost, exportNamesOf } from './export-names.js';
import { freeze, unfreeze } from './freeze.js';
import { ensureModule } from './load.js';
import { codeToLoad, parses } from './module-code.js';
import { ModuleStore } from './module-store.js';
import { switchRelease } from './release-switch.js';
import { type ReleaseWatch, watchRelease } from './release-watch.js';
import { applyTouches } from './reload.js';
import { currentRoot, reloadAll } from './reload-all.js';
import { moduleInfo, snapshot } from './snapshot.js';
import { mapStack } from './stack-map.js';
import { warmTransformer } from './transform.js';
import type {
  AppReload,
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
  #collector: ChangeCollector | undefined;
  #release: ReleaseWatch | undefined;
  /** A check of where the apps directory points is queued (a link changed). */
  #moved: Promise<void> | undefined;

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
    await readAppsAtStart(store);
    if (store.index.appNames().some((app) => store.index.list(app).length > 0)) warmTransformer();
    if (store.watch && !this.#watcher) await this.#watch();
  }

  /** Watches the root's files (changes) and the links on the way to it (release switches). */
  async #watch(): Promise<void> {
    const store = this.#store;
    const onError = (err: unknown) => watchError(store, err);
    this.#collector ??= new ChangeCollector({
      domainOf: (path) => relative(store.root, path).split(sep)[0] ?? '',
      parses: (file, text) => parses(store, file, text),
      apply: (touches) => applyTouches(store, touches),
      onError,
    });
    const collector = this.#collector;
    this.#watcher = await startWatcher(store.root, { touch: (p) => collector.touch(p), onError });
    this.#release = watchRelease(store.configuredRoot, () => this.#releaseMoved());
  }

  /** After a release switch: watch the new release instead of the old one. */
  async #rewatch(): Promise<void> {
    const w = this.#watcher;
    this.#watcher = undefined;
    this.#release?.close();
    this.#release = undefined;
    await w?.close();
    if (!this.#store.closed) await this.#watch();
  }

  /** A link on the way to the root changed: switch if it points elsewhere now. */
  #releaseMoved(): void {
    const store = this.#store;
    this.#moved ??= (async () => {
      await new Promise((r) => setImmediate(r)); // one check for the events of one `mv`
      this.#moved = undefined;
      await store.reloads.runExclusive(async () => {
        const root = await currentRoot(store);
        if (store.closed || root === undefined || root === store.root) return;
        await switchRelease(store, root);
        if (store.root === root) await this.#rewatch();
      });
    })().catch((err) => watchError(store, err));
  }

  async close(): Promise<void> {
    const store = this.#store;
    if (store.closed) return;
    store.closed = true;
    this.#collector?.close();
    this.#release?.close();
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
    return applyTouches(this.#store, [{ path: file }]);
  }

  reloadAll(): Promise<AppReload[]> {
    const store = this.#store;
    return store.reloads.runExclusive(async () => {
      const before = store.root;
      const results = await reloadAll(store);
      if (store.root !== before && this.#watcher) await this.#rewatch();
      return results;
    });
  }

  freeze(app: string): void {
    freeze(this.#store, app);
  }

  unfreeze(app: string): Promise<ReloadResult[]> {
    const store = this.#store;
    return unfreeze(store, app, (files) =>
      applyTouches(
        store,
        files.map((path) => ({ path })),
      ),
    );
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
