/**
 * The registry's state, one noun: what is known of every file (records), every app's
 * generations and code lock, the dependency graph, the index of addressable files, the
 * event channel and the counters. Like Vite's `EvaluatedModules` under its `ModuleRunner`:
 * it holds and finds, and the verbs (load, reload, evaluate, swap, dispose) are the
 * functions of the other files, each given the store.
 */
import { realpathSync } from 'node:fs';
import { relative, resolve as resolvePath, sep } from 'node:path';
import { Mutex } from 'async-mutex';
import { DEFAULTS } from '../config/index.js';
import { FileIndex } from './file-index.js';
import { AppState, type Retirement } from './generation.js';
import { ModuleGraph } from './graph.js';
import { createHotState, type HotState } from './hot-context.js';
import { ModuleRecord } from './module-record.js';
import { RegistryEmitter } from './registry-events.js';
import type { Compiled } from './transform.js';
import type { AppConfigHook, RegistryOptions } from './types.js';

/** The lock domain of `file` under `root`: its first path segment ('' for a file at the top). */
export function domainOf(root: string, file: string): string {
  const rel = relative(root, file);
  const cut = rel.indexOf(sep);
  return cut < 0 ? '' : rel.slice(0, cut);
}

export class ModuleStore {
  /** The apps directory as configured (maybe a symlink, or under one: a release switch). */
  readonly configuredRoot: string;
  /** Real path of the apps directory; changes when a release switch is applied. */
  root: string;
  /** Keep code frames of errors. */
  readonly dev: boolean;
  /** Files are watched: a failed cold load is not retried until something changes. */
  readonly watch: boolean;
  /** False only to measure the cost of the code lock. */
  readonly useLock: boolean;
  readonly drainTimeoutMs: number;
  /** What `import ... from 'hotpub'` gives app modules (plus their bound `keep`). */
  readonly hotpub: Readonly<Record<string, unknown>>;
  /** The publisher's rules for app.json (validate, check mounts), if any. */
  readonly appConfig: AppConfigHook | undefined;
  /** What `import ... from 'hotpub'` gives the modules of one app on top of `hotpub`. */
  readonly hotpubFor: RegistryOptions['hotpubFor'];

  /** Every file the registry has seen, by real path. */
  readonly records = new Map<string, ModuleRecord>();
  /** Lock domains by name: an app's code lock and generations. */
  readonly apps = new Map<string, AppState>();
  readonly graph = new ModuleGraph();
  index: FileIndex;
  readonly events = new RegistryEmitter();
  /** Retired instances waiting for the last request of a generation that holds them. */
  readonly pendingRetirements = new Set<Retirement>();
  /** `hot.data` and `keep()` state by path under the root: it outlives records and releases. */
  private readonly hotStates = new Map<string, HotState>();

  /** `reloadAll` and release switches run one at a time. */
  readonly reloads = new Mutex();
  /** Frozen apps, each with the files whose changes it holds until unfrozen. */
  readonly frozen = new Map<string, Set<string>>();

  closed = false;
  /** Release switches applied: work begun before one must not touch the new release. */
  switches = 0;
  /** +1 on every change seen (content, create, delete): failed cold loads retry after one. */
  changes = 0;
  /** Registry-wide order of body evaluations: reloads replay it. */
  private sequence = 0;

  constructor(options: RegistryOptions) {
    this.configuredRoot = resolvePath(options.root);
    this.root = realpathSync(this.configuredRoot);
    this.dev = options.dev ?? false;
    this.watch = options.watch ?? false;
    this.useLock = options.codeLock ?? true;
    this.drainTimeoutMs = options.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs;
    this.hotpub = options.hotpub ?? {};
    this.appConfig = options.appConfig;
    this.hotpubFor = options.hotpubFor;
    this.index = new FileIndex(this.root);
  }

  /**
   * The lock domain of a file: its first path segment under the root (a known file keeps
   * the domain it was recorded in, even once a release switch moved the root).
   */
  appOf(file: string): string {
    const known = this.records.get(file);
    return known ? known.app : domainOf(this.root, file);
  }

  /**
   * What `import ... from 'hotpub'` gives the module of `file`: `hotpub`, then what is
   * bound to its app (getters stay getters: a binding may be made at its first use), then
   * its own `keep`.
   */
  hotpubOf(file: string, keep: unknown): Record<string, unknown> {
    const exports: Record<string, unknown> = { ...this.hotpub };
    const bound = this.hotpubFor?.(this.appOf(file));
    if (bound !== undefined) {
      Object.defineProperties(exports, Object.getOwnPropertyDescriptors(bound));
    }
    exports.keep = keep;
    return exports;
  }

  /**
   * The record of `file`, created on first sight (as a file under `root`: a release
   * switch records the new release's files before it makes that the root).
   */
  record(file: string, root = this.root): ModuleRecord {
    let rec = this.records.get(file);
    if (!rec) {
      rec = new ModuleRecord(file, domainOf(root, file), this.hotState(relative(root, file)));
      this.records.set(file, rec);
    }
    return rec;
  }

  /** The hot state of the module at `rel` under the root, created on first use. */
  private hotState(rel: string): HotState {
    let st = this.hotStates.get(rel);
    if (!st) {
      st = createHotState(rel);
      this.hotStates.set(rel, st);
    }
    return st;
  }

  /** The lock domain `name`, created on first use. */
  appState(name: string): AppState {
    let st = this.apps.get(name);
    if (!st) {
      st = new AppState(name);
      this.apps.set(name, st);
    }
    return st;
  }

  /** Compiled code of a known file: the serving code, else the latest read. */
  compiledOf(file: string): Compiled | undefined {
    const rec = this.records.get(file);
    return rec?.good ?? rec?.latest;
  }

  /** Counts one evaluation of `file` (good or failed) and when it started. */
  countEvaluation(file: string): void {
    const rec = this.record(file);
    rec.evaluations++;
    rec.startedAt = ++this.sequence;
  }
}
