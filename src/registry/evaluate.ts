/**
 * Evaluation of a tree of app modules, synchronously, with `vm.compileFunction` in the main
 * context (so a retired generation is an ordinary object graph the GC can free).
 *
 * One {@link EvaluationPass} evaluates the modules a load or reload needs: each file of
 * the pass at most once; imports of files outside the pass get their current instance, or
 * are evaluated cold when never loaded. Cycles behave like Node's CommonJS: a module
 * required while it runs gets its partial `module.exports`.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { errorInfo, locateError, ModuleLoadError, RegistryErrorCode } from './errors.js';
import type { Instance } from './generation.js';
import { createHotContext, type HotState, withEvaluating } from './hot-context.js';
import { resolveImport } from './resolve.js';
import type { Compiled } from './transform.js';
import { MODULE_PARAMS } from './transform.js';

/** What a pass needs from the registry. */
export interface PassHost {
  readonly root: string;
  readonly dev: boolean;
  /** The current good instance of `file`, if loaded. */
  current(file: string): Instance | undefined;
  /** The code to evaluate for `file` (throws `ModuleLoadError` if it cannot be read/parsed). */
  codeFor(file: string): Compiled;
  /** Compiled code of a file known to the registry (for mapping stack positions). */
  compiledOf(file: string): Compiled | undefined;
  hotState(file: string): HotState;
  /** What `require('hotpub')` gives the module of `state`. */
  hotpubFor(state: HotState): unknown;
  /** Counts one evaluation of `file` (good or failed). */
  counted(file: string): void;
  /** A `require` of an app module after the pass ended (e.g. a dynamic `import()`). */
  lateRequire(from: Instance, file: string): Instance;
}

type Requirer = ((spec: string) => unknown) & { resolve: (spec: string) => string };

export class EvaluationPass {
  /** Instances created by this pass (partial ones while their body runs). */
  private fresh = new Map<string, Instance>();
  private readonly codes = new Map<string, Compiled>();
  private active = true;

  /**
   * @param host the registry
   * @param targets files that must be evaluated anew even if they have a current instance
   */
  constructor(
    private readonly host: PassHost,
    private readonly targets: ReadonlySet<string>,
  ) {}

  /** Evaluates `file` (or returns its instance from this pass / the current generation). */
  instanceOf(file: string): Instance {
    const got = this.fresh.get(file);
    if (got) return got;
    if (!this.targets.has(file)) {
      const cur = this.host.current(file);
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
    const compiled = this.host.codeFor(file);
    this.codes.set(file, compiled);
    const state = this.host.hotState(file);
    const mod = { exports: {} as unknown, id: file, filename: file, loaded: false };
    const inst: Instance = {
      file,
      module: mod,
      appDeps: new Map(),
      foreignDeps: [],
      disposers: [],
    };
    this.fresh.set(file, inst);
    this.host.counted(file);
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
      const location = locateError(err, (f) => this.codes.get(f) ?? this.host.compiledOf(f));
      const source =
        location && (this.codes.get(location.file) ?? this.host.compiledOf(location.file))?.source;
      const msg = err instanceof Error ? `${err.name}: ${err.message}` : `threw ${String(err)}`;
      throw new ModuleLoadError(
        file,
        errorInfo(RegistryErrorCode.evaluate, msg, err, location, source, this.host.dev),
      );
    }
    mod.loaded = true;
    return inst;
  }

  private requirer(inst: Instance, state: HotState): Requirer {
    const { host } = this;
    let nodeRequire: NodeJS.Require | undefined;
    const node = (): NodeJS.Require => {
      nodeRequire ??= createRequire(inst.file);
      return nodeRequire;
    };
    const req = (spec: string): unknown => {
      const known = inst.appDeps.get(spec);
      if (known) return known.module.exports;
      const r = resolveImport(host.root, inst.file, spec);
      if (r.kind === 'app') {
        const dep = this.active ? this.instanceOf(r.file) : host.lateRequire(inst, r.file);
        inst.appDeps.set(spec, dep);
        inst.foreignFns = undefined;
        return dep.module.exports;
      }
      if (r.kind === 'missing') throw this.missing(inst.file, spec);
      const value = r.kind === 'hotpub' ? host.hotpubFor(state) : node()(r.id);
      inst.foreignDeps.push(value);
      inst.foreignFns = undefined;
      return value;
    };
    req.resolve = (spec: string): string => {
      const r = resolveImport(host.root, inst.file, spec);
      if (r.kind === 'app') return r.file;
      if (r.kind === 'missing') throw this.missing(inst.file, spec);
      if (r.kind === 'hotpub') return 'hotpub';
      return node().resolve(r.id);
    };
    return req;
  }

  private missing(file: string, spec: string): ModuleLoadError {
    const err = new Error(`Cannot find module '${spec}' imported from ${file}`);
    const location = locateError(err, (f) => this.codes.get(f) ?? this.host.compiledOf(f));
    const source = location && this.codes.get(location.file)?.source;
    return new ModuleLoadError(
      file,
      errorInfo(RegistryErrorCode.resolve, err.message, undefined, location, source, this.host.dev),
    );
  }
}
