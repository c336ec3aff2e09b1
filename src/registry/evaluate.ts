/**
 * Evaluation of a tree of app modules, synchronously, with `vm.compileFunction` in the main
 * context (so a retired generation is an ordinary object graph the GC can free).
 *
 * One {@link EvaluationPass} evaluates the modules a load or reload needs: each file of
 * the pass at most once; imports of files outside the pass get their current instance, or
 * are evaluated cold when never loaded. Cycles behave like Node's CommonJS: a module
 * required while it runs gets its partial `module.exports`. {@link evaluateCold} runs a
 * pass for one never-loaded module and adds it to its app's generation.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { discard } from './dispose.js';
import { errorInfo, locateError, ModuleLoadError, RegistryErrorCode } from './errors.js';
import { blame } from './failures.js';
import type { Instance } from './generation.js';
import { boundKeep, createHotContext, type HotState, withEvaluating } from './hot-context.js';
import { codeFor } from './module-code.js';
import type { ModuleRecord } from './module-record.js';
import type { ModuleStore } from './module-store.js';
import { resolveImport } from './resolve.js';
import { commitPass } from './swap.js';
import type { Compiled } from './transform.js';
import { MODULE_PARAMS } from './transform.js';

type Requirer = ((spec: string) => unknown) & { resolve: (spec: string) => string };

export class EvaluationPass {
  /** Instances created by this pass (partial ones while their body runs). */
  private fresh = new Map<string, Instance>();
  private readonly codes = new Map<string, Compiled>();
  private active = true;

  /**
   * @param store the registry's state
   * @param targets files that must be evaluated anew even if they have a current instance
   */
  constructor(
    private readonly store: ModuleStore,
    private readonly targets: ReadonlySet<string>,
  ) {}

  /** Evaluates `file` (or returns its instance from this pass / the current generation). */
  instanceOf(file: string): Instance {
    const got = this.fresh.get(file);
    if (got) return got;
    if (!this.targets.has(file)) {
      const cur = this.store.records.get(file)?.current;
      if (cur) return cur;
    }
    return this.evaluate(file);
  }

  /**
   * Ends the pass and returns the instances it created. Later `require`s go to the
   * registry, and the pass forgets them: instances' `require` closures reach the pass, so
   * it must not keep a long-lived instance's siblings alive after they are retired.
   */
  finish(): Map<string, Instance> {
    const fresh = this.fresh;
    this.active = false;
    this.fresh = new Map();
    this.codes.clear();
    return fresh;
  }

  private evaluate(file: string): Instance {
    const compiled = codeFor(this.store, file);
    this.codes.set(file, compiled);
    const state = this.store.record(file).hot;
    const mod = { exports: {} as unknown, id: file, filename: file, loaded: false };
    const inst: Instance = {
      file,
      module: mod,
      appDeps: new Map(),
      foreignDeps: [],
      disposers: [],
    };
    this.fresh.set(file, inst);
    this.store.countEvaluation(file);
    const hot = createHotContext(state, inst.disposers);
    const require = this.requirer(inst, state);
    try {
      const fn = vm.compileFunction(compiled.code, [...MODULE_PARAMS], { filename: file });
      const url = pathToFileURL(file).href;
      withEvaluating(state, () =>
        fn.call(mod.exports, mod.exports, require, mod, file, dirname(file), hot, url),
      );
    } catch (err) {
      if (err instanceof ModuleLoadError) throw err;
      const location = locateError(err, (f) => this.codeOf(f));
      const source = location && this.codeOf(location.file)?.source;
      const msg = err instanceof Error ? `${err.name}: ${err.message}` : `threw ${String(err)}`;
      throw new ModuleLoadError(
        file,
        errorInfo(RegistryErrorCode.evaluate, msg, err, location, source, this.store.dev),
      );
    }
    mod.loaded = true;
    return inst;
  }

  /** Code of `file` as this pass sees it, for mapping stack positions. */
  private codeOf(file: string): Compiled | undefined {
    return this.codes.get(file) ?? this.store.compiledOf(file);
  }

  private requirer(inst: Instance, state: HotState): Requirer {
    const { store } = this;
    let nodeRequire: NodeJS.Require | undefined;
    const node = (): NodeJS.Require => {
      nodeRequire ??= createRequire(inst.file);
      return nodeRequire;
    };
    const req = (spec: string): unknown => {
      const known = inst.appDeps.get(spec);
      if (known) return known.module.exports;
      const r = resolveImport(store.root, inst.file, spec);
      if (r.kind === 'app') {
        const dep = this.active ? this.instanceOf(r.file) : lateRequire(store, inst, r.file);
        inst.appDeps.set(spec, dep);
        inst.foreignFns = undefined;
        return dep.module.exports;
      }
      if (r.kind === 'missing') throw this.missing(inst.file, spec);
      const value =
        r.kind === 'hotpub' ? store.hotpubOf(inst.file, boundKeep(state)) : node()(r.id);
      inst.foreignDeps.push(value);
      inst.foreignFns = undefined;
      return value;
    };
    req.resolve = (spec: string): string => {
      const r = resolveImport(store.root, inst.file, spec);
      if (r.kind === 'app') return r.file;
      if (r.kind === 'missing') throw this.missing(inst.file, spec);
      if (r.kind === 'hotpub') return 'hotpub';
      return node().resolve(r.id);
    };
    return req;
  }

  private missing(file: string, spec: string): ModuleLoadError {
    const err = new Error(`Cannot find module '${spec}' imported from ${file}`);
    const location = locateError(err, (f) => this.codeOf(f));
    const source = location && this.codes.get(location.file)?.source;
    const { dev } = this.store;
    const info = errorInfo(
      RegistryErrorCode.resolve,
      err.message,
      undefined,
      location,
      source,
      dev,
    );
    return new ModuleLoadError(file, info);
  }
}

/**
 * Evaluates never-loaded `rec` (and the never-loaded modules it imports) in a pass of its
 * own and adds them to their apps' current generations. No exclusive lock: a first load
 * replaces nothing. On failure nothing is added and the error is recorded and thrown.
 */
export function evaluateCold(store: ModuleStore, rec: ModuleRecord): void {
  const startedAt = performance.now();
  const pass = new EvaluationPass(store, new Set([rec.file]));
  try {
    pass.instanceOf(rec.file);
  } catch (err) {
    discard(store, pass.finish());
    const info = blame(store, err, [rec.file]);
    throw err instanceof ModuleLoadError ? err : new ModuleLoadError(rec.file, info);
  }
  commitPass(store, pass.finish(), [], true, startedAt);
}

/** A `require` of an app module after its importer's pass ended (a dynamic `import()`). */
function lateRequire(store: ModuleStore, from: Instance, file: string): Instance {
  const rec = store.record(file);
  if (!rec.current) evaluateCold(store, rec);
  store.graph.addImport(from.file, file);
  return rec.current!;
}
