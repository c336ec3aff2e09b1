/**
 * The registry's boundary: everything the publisher and the server may know of it.
 * Nothing here mentions HTTP or Express.
 */

/** Where a module is in its life. */
export type ModuleState = 'loading' | 'ready' | 'error' | 'deleted';

/** Where an evaluation failed, mapped back to the source file (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** The last error of a module: a syntax error, a failed import or a top-level throw. */
export interface ModuleErrorInfo {
  /** hotpub's error code (src/errors/codes.ts, docs/errors.md). */
  code: string;
  message: string;
  location?: SourceLocation;
  /** A few lines of source around `location`, with a caret; only shown under `--dev`. */
  frame?: string;
  /** The original error. */
  cause?: unknown;
}

/** The state of one module, as `/-/registry` reports it. */
export interface ModuleInfo {
  /** Real absolute path: the module's key. */
  file: string;
  /** Top-level directory under the apps root the module belongs to (its lock domain). */
  app: string;
  /** Generation of the module: 1 after its first good evaluation, +1 per good reload. */
  generation: number;
  /** How many times its body was evaluated (good and failed). */
  evaluations: number;
  state: ModuleState;
  /** Requests of the app currently pinned to a generation holding this module. */
  inflight: number;
  /** Real paths of the app modules it imports. */
  imports: string[];
  lastError?: Omit<ModuleErrorInfo, 'cause'>;
}

/** An app's code, as `/-/registry` reports it. */
export interface AppInfo {
  name: string;
  /** App-wide generation: +1 on every swap (load of a new module or reload). */
  generation: number;
  inflight: number;
  /** True while a reload waits for the app's exclusive code lock. */
  reloadPending: boolean;
  /** True while its reloads are held back by {@link ModuleRegistry.freeze}. */
  frozen: boolean;
  /** Real paths of the files whose changes wait for the app to be unfrozen. */
  held: string[];
  modules: ModuleInfo[];
}

/** A snapshot of the whole registry. */
export interface RegistrySnapshot {
  root: string;
  apps: AppInfo[];
}

/**
 * A request's hold on one app's code: taken in shared mode on the app's code lock.
 * Everything looked up through a pin comes from one generation, even if a reload
 * swaps in a new one after the drain timeout.
 */
export interface Pin {
  readonly app: string;
  /** The app generation this pin holds. */
  readonly generation: number;
  /**
   * The exports of a module as of this generation, or `undefined` if the module is not
   * loaded in it (never loaded, deleted, or its only evaluations failed).
   */
  exportsOf(file: string): Readonly<Record<string, unknown>> | undefined;
  /**
   * True if `fn` was taken by the module from a package, a Node built-in or any other
   * module outside the apps root (e.g. `export { readFileSync } from 'node:fs'`):
   * such functions are never published.
   */
  isForeign(file: string, fn: unknown): boolean;
  /**
   * The app module that defines `fn` when module `file` re-exports it from another app
   * module (followed through every re-export), with that module's exports; undefined
   * when `file` defines it itself. Its guards apply wherever `fn` is published.
   */
  definedIn(
    file: string,
    fn: unknown,
  ): { file: string; exports: Readonly<Record<string, unknown>> } | undefined;
  /**
   * Stops counting this pin in the code lock's drain, for a long-lived response (an event
   * stream, a streamed body, a socket): a reload no longer waits for it. The generation
   * stays pinned until {@link release}: `exportsOf` keeps answering from it, and its
   * disposers wait for that release. Idempotent; does nothing after `release`.
   */
  detach(): void;
  /** Ends the hold. Idempotent. The last release of a retired generation runs its disposers. */
  release(): void;
}

/** What a file change did. */
export interface ReloadResult {
  /** Files whose body was evaluated again (the changed one and its importers). */
  reloaded: string[];
  /** Set when the new code failed: the old generation keeps serving. */
  error?: ModuleErrorInfo;
  /** True when the file's app is frozen: the change waits for `unfreeze`. */
  held?: boolean;
}

/** What one change did to one app (`reloadAll`, i.e. SIGHUP, answers one per app). */
export interface AppReload {
  app: string;
  /** The app's generation after the change (unchanged if nothing differed or it failed). */
  generation: number;
  /** True if a new generation was swapped in. */
  changed: boolean;
  /** Files evaluated again. */
  reloaded: string[];
  /** Set when the change was refused: the last good generation keeps serving. */
  error?: ModuleErrorInfo;
}

/**
 * The publisher's rules for `app.json`, given to the registry so that a changed app.json
 * is validated before its change is applied (a bad one refuses the whole change).
 */
export interface AppConfigHook {
  /**
   * What to mount for app `app` in directory `dir` (a real path) with app.json `text`
   * (undefined: it has none). Throws, naming the file and field, to refuse the change.
   */
  read(app: string, dir: string, text: string | undefined): unknown;
  /** Checks every app's config together (two apps on one mount); throws to refuse. */
  check?(configs: ReadonlyMap<string, unknown>): void;
}

/** Events the registry emits; the server logs them, the publisher drops its route caches. */
export interface RegistryEvents {
  /**
   * An app was added, removed or its app.json changed (or its directory moved: a release
   * switch), in the same synchronous step as the swap of its code, before the `swap` event.
   * `config` is what {@link AppConfigHook.read} returned (undefined without a hook).
   */
  app: { app: string; dir: string; config: unknown; removed: boolean };
  /** A generation was swapped in for `app` (new module loaded, reload, delete, create). */
  swap: {
    app: string;
    generation: number;
    files: string[];
    /** Milliseconds from reading the change (or starting a cold load) to the swap, lock wait included. */
    ms?: number;
  };
  /** A load or reload failed; the last good generation keeps serving. */
  error: { app: string; file: string; error: ModuleErrorInfo };
  /** A file under the root was added or removed (addressable files and `_hooks` modules only). */
  files: { app: string; added: string[]; removed: string[] };
  /** `app` was frozen or unfrozen; `held` lists the files whose changes unfreezing applies. */
  freeze: { app: string; frozen: boolean; held: string[] };
}

export interface RegistryOptions {
  /** The apps directory. Resolved to its real path. */
  root: string;
  /** Watch files and reload on change (`--watch`). Default false. */
  watch?: boolean;
  /** Longest wait for in-flight requests before a reload swaps anyway. Default 5000 ms. */
  drainTimeoutMs?: number;
  /** Keep code frames of errors (`--dev`). */
  dev?: boolean;
  /**
   * Set false to call inner functions without the code lock (benchmarks of the cost
   * of safety only). Default true.
   */
  codeLock?: boolean;
  /** Where `import ... from 'hotpub'` inside app modules resolves to. */
  hotpub?: Record<string, unknown>;
  /** Validates app.json files as part of each change (the publisher's rules). */
  appConfig?: AppConfigHook;
  /**
   * Exports of `hotpub` bound to the app of the importing module (its `storage`), laid
   * over `hotpub`; getters are kept, so a binding can be made at its first use. Called at
   * every import: return the same object for the same app.
   */
  hotpubFor?: (app: string) => Readonly<Record<string, unknown>>;
}

/**
 * The narrow interface the publisher uses. Modules are keyed by real absolute path;
 * a module's app is the first path segment under `root`.
 */
export interface ModuleRegistry {
  /** Real path of the apps directory. */
  readonly root: string;

  /** Scan the root (and start watching with `watch: true`). Call once before use. */
  start(): Promise<void>;
  /** Stop watching; run every pending `dispose`. */
  close(): Promise<void>;

  /**
   * Calls `listener` with every event of `type` until the returned function is called.
   * A listener that throws is ignored: it never fails a load or a reload, and the other
   * listeners still hear the event.
   */
  on<K extends keyof RegistryEvents>(
    type: K,
    listener: (event: RegistryEvents[K]) => void,
  ): () => void;

  /**
   * Real path of the addressable module `<root>/<app>/<rel>.ts` (or `.js`, `.ts` first)
   * if that file exists, from the registry's file index (no disk access per call).
   * `rel` uses `/` and has no extension, e.g. `posts/list`. Private names (`_x`, `.x`),
   * `node_modules`, `public/`, `*.d.ts`, `*.test.ts` are never in the index.
   */
  findFile(app: string, rel: string): string | undefined;
  /** Every addressable module file of an app (for `hotpub routes`). */
  listFiles(app: string): string[];
  /**
   * Real paths of the `_hooks.ts` (or `.js`, `.ts` first) modules of `app` that apply to
   * its folder `dir` (`''` for the app's top, `admin/users` below it): the app's own, then
   * each folder's down to `dir`, outermost first. From the file index (no disk access).
   */
  hookFiles(app: string, dir: string): string[];

  /**
   * The export names of a module, read from its source without evaluating it: its own
   * names and those an `export * from` another app module brings (`default` never).
   * Parsed once per content hash. Undefined when the file cannot be read or parsed
   * (loading it then reports the error). A URL asks this before loading a module, so a
   * module that does not export the function a URL names never runs.
   */
  exportNames(file: string): Promise<ReadonlySet<string> | undefined>;

  /**
   * Load a module if it is not loaded yet: any number of concurrent calls evaluate it
   * once. Resolves when it is loaded (or was already); rejects with a `ModuleLoadError`
   * if it has never loaded successfully. Does not take the code lock exclusively:
   * loading a module that was never loaded replaces nothing.
   */
  ensureModule(file: string): Promise<void>;

  /**
   * The hot path: takes `app`'s code lock in shared mode and pins its current generation,
   * synchronously, when no reload of the app is pending; otherwise takes nothing and
   * returns `undefined` (then {@link acquire} queues behind the reload).
   *
   * @example
   * const pin = registry.tryAcquire(app) ?? (await registry.acquire(app));
   */
  tryAcquire(app: string): Pin | undefined;
  /**
   * Takes `app`'s code lock in shared mode and pins its current generation: at once when
   * no reload is pending, else once the pending reload has swapped (requests queue behind
   * a reload, so a stream of them cannot starve it).
   */
  acquire(app: string): Promise<Pin>;

  /**
   * Re-read a file and, if its content changed, reload it and every app module that
   * imports it, transitively, under the exclusive code lock of each app involved.
   * The watcher calls this; tests and tools may too.
   */
  invalidateModule(file: string): Promise<ReloadResult>;

  /**
   * Re-reads the whole apps directory (what `SIGHUP` does): every loaded module, every
   * app.json, apps added or removed, and a release switch (the configured root now
   * resolving to another directory). Applies every difference as one change per app.
   */
  reloadAll(): Promise<AppReload[]>;

  /**
   * Holds back reloads of `app`: changes to its files are recorded, not applied, so its
   * current generation keeps serving (cold loads of never-loaded modules still run).
   * Emits `freeze`. Idempotent.
   */
  freeze(app: string): void;
  /**
   * Ends {@link freeze} of `app` and applies every change held meanwhile (what is on disk
   * now) as one change. Resolves with one result per held file (the change's result).
   */
  unfreeze(app: string): Promise<ReloadResult[]>;

  /**
   * Where a runtime error was thrown in an app module's own source: the first stack frame
   * that is a module of this registry, mapped through its source map, with a code frame.
   * Frames naming any other file are ignored (a message can quote client input that looks
   * like a frame). Undefined when no frame is an app module.
   */
  locateError(err: unknown): { location: SourceLocation; frame: string } | undefined;
  /**
   * The stack of `err` with every frame in an app module mapped to its `.ts` source, its
   * causes appended (`caused by: ...`), and esbuild's own frames left out. Undefined
   * when `err` has no stack.
   */
  mapStack(err: unknown): string | undefined;
  /**
   * The source text of `file` that its serving code was compiled from (else the latest
   * text read), for code frames of mapped stacks; undefined for a file never read.
   */
  sourceOf(file: string): string | undefined;

  /** Current state of one module, or undefined if the registry never saw it. */
  getModule(file: string): ModuleInfo | undefined;
  /** Everything, for `/-/registry`. */
  snapshot(): RegistrySnapshot;
}

/**
 * `import.meta.hot` inside an app module: state and cleanup across reloads (Vite's shape).
 */
export interface HotContext {
  /** The same object for every generation of this module: put state here to keep it. */
  // biome-ignore lint/suspicious/noExplicitAny: app authors store anything here, like Vite's
  readonly data: Record<string, any>;
  /**
   * Runs `cb(data)` once when this generation is retired, after its last in-flight request
   * has ended (close pools, clear timers).
   */
  // biome-ignore lint/suspicious/noExplicitAny: same object as `data`
  dispose(cb: (data: Record<string, any>) => void): void;
  /** Accepted for Vite compatibility; does nothing (importers are always reloaded). */
  accept(...args: unknown[]): void;
}

declare global {
  interface ImportMeta {
    /** hotpub's hot-reload context of this module (always set for app modules). */
    readonly hot: HotContext;
  }
}
