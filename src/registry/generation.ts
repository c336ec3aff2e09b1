/**
 * App generations: immutable-by-reload maps of file -> module instance, pinned by
 * requests, and the bookkeeping that runs a retired instance's disposers only after the
 * last in-flight request of every generation that could reach it has ended.
 */
import { Mutex } from 'async-mutex';
import { CodeLock } from './code-lock.js';
import { definingModule } from './defining-module.js';
import type { Pin } from './types.js';

/** One evaluation of one module: its exports and what it required. */
export interface Instance {
  readonly file: string;
  /** The module object the body ran with; its `exports` are the module's exports. */
  readonly module: { exports: unknown };
  /** App-module instances it required, by specifier. */
  readonly appDeps: Map<string, Instance>;
  /** Exports of packages/built-ins/`hotpub` it required. */
  readonly foreignDeps: unknown[];
  /** `hot.dispose` callbacks of this generation of the module. */
  readonly disposers: Array<(data: Record<string, unknown>) => void>;
  /** Its module's `hot.data`, handed to the disposers (the record may be gone by then). */
  readonly hotData: Record<string, unknown>;
  /** Lazily built: every function a foreign module it reaches exports. */
  foreignFns?: Set<unknown>;
}

/** Instances retired by one swap; disposed once every generation that held them drains. */
export interface Retirement {
  readonly instances: Instance[];
  /** Generations that held them and still run requests. */
  waiting: number;
  /** Runs the instances' disposers; called when `waiting` reaches 0. */
  readonly dispose: () => void;
}

/** One generation of one app's code. */
export class Generation {
  /** Requests pinned to this generation. */
  inflight = 0;
  /** Retirements that wait for this generation to drain. */
  readonly retirements: Retirement[] = [];

  constructor(
    public number: number,
    readonly modules: Map<string, Instance>,
  ) {}
}

/** One lock domain: an app (or `_shared`), its lock and its generations. */
export class AppState {
  readonly lock = new CodeLock();
  /** Changes of this domain are read and applied one at a time. */
  readonly changes = new Mutex();
  current: Generation;
  /** Counter of swaps: the next generation's number. */
  counter = 0;
  /** Non-current generations that still have in-flight requests. */
  readonly draining = new Set<Generation>();
  /** Its directory exists (as of the last change applied). */
  present = false;
  /** What the app-config hook made of its app.json, as of the last change applied. */
  config: unknown;
  /** Hash of its app.json text as applied ('' for none); undefined before the first read. */
  configHash: string | undefined;

  constructor(readonly name: string) {
    this.current = new Generation(0, new Map());
  }

  /** Pins the current generation for a request holding the lock in `epoch` (-1: no lock). */
  pin(epoch: number): PinImpl {
    const gen = this.current;
    gen.inflight++;
    return new PinImpl(this, gen, epoch, gen.number);
  }

  /** Replaces the current generation; returns the generations that still run requests. */
  swap(next: Generation): Generation[] {
    const old = this.current;
    this.current = next;
    if (old.inflight > 0) this.draining.add(old);
    return [...this.draining];
  }

  /** Called when a pin of `gen` is released. */
  released(gen: Generation): void {
    gen.inflight--;
    if (gen.inflight > 0 || gen === this.current) return;
    this.draining.delete(gen);
    const due = gen.retirements.splice(0);
    for (const r of due) if (--r.waiting === 0) r.dispose();
  }
}

/** Adds `value` if a function, and the functions among its own properties, `depth` levels down. */
function addFunctions(value: unknown, out: Set<unknown>, depth: number, seen: Set<unknown>): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
  if (seen.has(value)) return;
  seen.add(value);
  if (typeof value === 'function') out.add(value);
  if (depth === 0) return;
  for (const key of Object.getOwnPropertyNames(value)) {
    let v: unknown;
    try {
      const d = Object.getOwnPropertyDescriptor(value, key);
      v = d && 'value' in d ? d.value : (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    addFunctions(v, out, depth - 1, seen);
  }
}

function collectForeign(inst: Instance, out: Set<unknown>, seen: Set<Instance>): void {
  if (seen.has(inst)) return;
  seen.add(inst);
  // Two levels: `fs.readFileSync` and `fs.promises.readFile` are both the package's.
  const values = new Set<unknown>();
  for (const exp of inst.foreignDeps) addFunctions(exp, out, 2, values);
  for (const dep of inst.appDeps.values()) collectForeign(dep, out, seen);
}

/** Every function exported by a foreign module `inst` requires, directly or through app modules. */
function foreignFunctions(inst: Instance): Set<unknown> {
  if (!inst.foreignFns) {
    const out = new Set<unknown>();
    collectForeign(inst, out, new Set());
    inst.foreignFns = out;
  }
  return inst.foreignFns;
}

/** A request's pin on one generation of one app. */
class PinImpl implements Pin {
  private released = false;

  constructor(
    private readonly state: AppState,
    private readonly gen: Generation,
    /** The lock epoch this pin holds the lock shared in; -1 once it holds no lock. */
    private epoch: number,
    readonly generation: number,
  ) {}

  get app(): string {
    return this.state.name;
  }

  exportsOf(file: string): Readonly<Record<string, unknown>> | undefined {
    return this.gen.modules.get(file)?.module.exports as Record<string, unknown> | undefined;
  }

  isForeign(file: string, fn: unknown): boolean {
    if (typeof fn !== 'function') return false;
    const inst = this.gen.modules.get(file);
    return inst ? foreignFunctions(inst).has(fn) : false;
  }

  definedIn(
    file: string,
    fn: unknown,
  ): { file: string; exports: Readonly<Record<string, unknown>> } | undefined {
    const inst = this.gen.modules.get(file);
    const def = inst && definingModule(inst, fn);
    return def && { file: def.file, exports: def.module.exports as Record<string, unknown> };
  }

  detach(): void {
    if (this.released || this.epoch < 0) return;
    const epoch = this.epoch;
    this.epoch = -1;
    this.state.lock.releaseShared(epoch);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.epoch >= 0) this.state.lock.releaseShared(this.epoch);
    this.state.released(this.gen);
  }
}
