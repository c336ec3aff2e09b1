/**
 * What the registry knows of one file across all its generations: state, counters, the
 * latest code read, the last good code, and its hot state. It points at the current
 * instance only; retired instances are reachable from pins alone.
 */
import { Mutex } from 'async-mutex';
import type { Instance } from './generation.js';
import type { HotState } from './hot-context.js';
import type { Compiled, TransformResult } from './transform.js';
import type { ModuleErrorInfo, ModuleInfo, ModuleState } from './types.js';

export class ModuleRecord {
  state: ModuleState = 'loading';
  /** 1 after the first good evaluation, +1 per good reload. */
  generation = 0;
  /** Body evaluations, good and failed. */
  evaluations = 0;
  /** When its body last started running (registry-wide sequence): reloads replay this order. */
  startedAt = 0;
  lastError: ModuleErrorInfo | undefined;
  /** The instance in the app's current generation, if loaded and not deleted. */
  current: Instance | undefined;
  /** Code of `current`. */
  good: Compiled | undefined;
  /** Code of the latest content read (may not be evaluated yet, or may have failed). */
  latest: Compiled | undefined;
  /** Set when the latest content did not transform (a syntax error). */
  latestError: ModuleErrorInfo | undefined;
  /** Content hash `latestError` belongs to. */
  latestErrorHash: string | undefined;
  /** Hash of the content last loaded or reloaded: an event with the same content is no change. */
  hash: string | undefined;
  /** Value of the registry's change counter when a never-loaded module last failed. */
  failedAt = -1;
  /** Failures so far: callers that waited on one load share its failure. */
  failures = 0;
  /** The file is gone from disk, but its removal is not applied yet (its change failed). */
  gone = false;
  /** Single flight: loads and reloads of this file run one at a time. */
  readonly mutex = new Mutex();

  /**
   * @param hot its `hot.data`/`keep()` state, shared by every record of the same path
   *   under the root (across reloads and release switches)
   */
  constructor(
    readonly file: string,
    readonly app: string,
    readonly hot: HotState,
  ) {}

  /** Loaded, but its latest content failed: the old instance serves, it must be retried. */
  get dirty(): boolean {
    return this.current !== undefined && this.state === 'error';
  }

  /**
   * Loaded, and what is on disk now is not what serves: new content or a removal that a
   * failed change left unapplied. The next change of its app applies it too.
   */
  get pending(): boolean {
    if (this.current === undefined) return false;
    return this.gone || this.latestError !== undefined || this.latest?.hash !== this.good?.hash;
  }

  /** Records the transform of the content of hash `hash`: its code, or its syntax error. */
  transformed(hash: string, r: TransformResult): void {
    if (r.ok) {
      this.latest = r.compiled;
      this.latestError = undefined;
    } else {
      this.latestError = r.error;
      this.latestErrorHash = hash;
    }
  }

  /** Records a failure of this module. */
  fail(error: ModuleErrorInfo, changeCounter: number): void {
    this.state = 'error';
    this.lastError = error;
    this.failures++;
    if (!this.current) this.failedAt = changeCounter;
  }

  /** Records a good evaluation now in the current generation. */
  succeed(inst: Instance): void {
    this.current = inst;
    this.good = this.latest;
    this.generation++;
    this.state = 'ready';
    this.lastError = undefined;
    this.failedAt = -1;
  }

  /** The file was deleted. */
  deleted(): void {
    this.current = undefined;
    this.gone = false;
    this.state = 'deleted';
    this.latest = undefined;
    this.latestError = undefined;
    this.latestErrorHash = undefined;
    this.hash = undefined;
  }

  /** The info `/-/registry` shows. */
  info(inflight: number, imports: string[]): ModuleInfo {
    const out: ModuleInfo = {
      file: this.file,
      app: this.app,
      generation: this.generation,
      evaluations: this.evaluations,
      state: this.state,
      inflight,
      imports,
    };
    if (this.lastError) {
      const { cause: _cause, ...rest } = this.lastError;
      out.lastError = rest;
    }
    return out;
  }
}
