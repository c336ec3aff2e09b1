/**
 * The registry's state, one noun: what is known of every file (records), every app's
 * generations and code lock, the dependency graph, the index of addressable files, the
 * event channel and the counters. Like Vite's `EvaluatedModules` under its `ModuleRunner`:
 * it holds and finds, and the verbs (load, reload, evaluate, swap, dispose) are the
 * functions of the other files, each given the store.
 */
import { realpathSync } from 'node:fs';
import { relative, resolve as resolvePath, sep } from 'node:path';
import { DEFAULTS } from '../config/index.js';
import { FileIndex } from './file-index.js';
import { AppState, type Retirement } from './generation.js';
import { ModuleGraph } from './graph.js';
import { ModuleRecord } from './module-record.js';
import { RegistryEmitter } from './registry-events.js';
import type { Compiled } from './transform.js';
import type { RegistryOptions } from './types.js';

export class ModuleStore {
  /** Real path of the apps directory. */
  readonly root: string;
  /** Keep code frames of errors. */
  readonly dev: boolean;
  /** Files are watched: a failed cold load is not retried until something changes. */
  readonly watch: boolean;
  /** False only to measure the cost of the code lock. */
  readonly useLock: boolean;
  readonly drainTimeoutMs: number;
  /** What `import ... from 'hotpub'` gives app modules (plus their bound `keep`). */
  readonly hotpub: Readonly<Record<string, unknown>>;
  /** What `import ... from 'hotpub'` gives the modules of one app on top of `hotpub`. */
  readonly hotpubFor: RegistryOptions['hotpubFor'];

  /** Every file the registry has seen, by real path. */
  readonly records = new Map<string, ModuleRecord>();
  /** Lock domains by name: an app's code lock and generations. */
  readonly apps = new Map<string, AppState>();
  readonly graph = new ModuleGraph();
  readonly index: FileIndex;
  readonly events = new RegistryEmitter();
  /** Retired instances waiting for the last request of a generation that holds them. */
  readonly pendingRetirements = new Set<Retirement>();
  /** Frozen apps, each with the files whose changes it holds until unfrozen. */
  readonly frozen = new Map<string, Set<string>>();

  closed = false;
  /** +1 on every change seen (content, create, delete): failed cold loads retry after one. */
  changes = 0;
  /** Registry-wide order of body evaluations: reloads replay it. */
  private sequence = 0;

  constructor(options: RegistryOptions) {
    this.root = realpathSync(resolvePath(options.root));
    this.dev = options.dev ?? false;
    this.watch = options.watch ?? false;
    this.useLock = options.codeLock ?? true;
    this.drainTimeoutMs = options.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs;
    this.hotpub = options.hotpub ?? {};
    this.hotpubFor = options.hotpubFor;
    this.index = new FileIndex(this.root);
  }

  /** The lock domain of a file: its first path segment under the root. */
  appOf(file: string): string {
    const rel = relative(this.root, file);
    const cut = rel.indexOf(sep);
    return cut < 0 ? '' : rel.slice(0, cut);
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

  /** The record of `file`, created on first sight. */
  record(file: string): ModuleRecord {
    let rec = this.records.get(file);
    if (!rec) {
      rec = new ModuleRecord(file, this.appOf(file));
      this.records.set(file, rec);
    }
    return rec;
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
