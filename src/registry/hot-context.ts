/**
 * State that survives reloads: `import.meta.hot` (`data`, `dispose`, `accept`) and
 * `keep(key, factory)`. Both live on the module's file record, never on an instance.
 */
import { RegistryError, RegistryErrorCode } from './errors.js';
import type { HotContext } from './types.js';

/** Per-file state that outlives every generation of the module. */
export interface HotState {
  /** Path of the module under the apps root: the state's key across releases. */
  readonly rel: string;
  /** `import.meta.hot.data`: the same object for every generation. */
  readonly data: Record<string, unknown>;
  /** `keep()` values by key. */
  readonly kept: Map<string, unknown>;
}

/** Creates the per-file state. */
export function createHotState(rel: string): HotState {
  return { rel, data: {}, kept: new Map() };
}

/** Returns `kept[key]`, creating it once with `factory`. */
function keepIn<T>(state: HotState, key: string, factory: () => T): T {
  if (state.kept.has(key)) return state.kept.get(key) as T;
  const value = factory();
  state.kept.set(key, value);
  return value;
}

/** The modules whose top-level code is running, innermost last (evaluation is synchronous). */
const evaluating: HotState[] = [];

/** Runs `fn` with `state` as the module being evaluated, for unbound `keep()` calls. */
export function withEvaluating<T>(state: HotState, fn: () => T): T {
  evaluating.push(state);
  try {
    return fn();
  } finally {
    evaluating.pop();
  }
}

/**
 * Returns the value kept under `key` for the calling module, creating it with `factory`
 * on first use: the same instance across reloads of that module (a pool, a lock, a cache).
 * Inside app modules, `import { keep } from 'hotpub'` is bound to the importing module and
 * works anywhere; this unbound export works only during a module's top-level evaluation.
 */
export function keep<T>(key: string, factory: () => T): T {
  const state = evaluating[evaluating.length - 1];
  if (!state) {
    throw new RegistryError(
      RegistryErrorCode.keepOutside,
      'keep() called outside an app module: import it from "hotpub" inside a module',
    );
  }
  return keepIn(state, key, factory);
}

/** `keep` bound to one module's state (what `import { keep } from 'hotpub'` gives it). */
export function boundKeep(state: HotState): typeof keep {
  return (key, factory) => keepIn(state, key, factory);
}

/** The `import.meta.hot` of one generation: shared `data`, that generation's disposers. */
export function createHotContext(
  state: HotState,
  disposers: Array<(data: Record<string, unknown>) => void>,
): HotContext {
  return {
    data: state.data,
    dispose(cb) {
      if (typeof cb !== 'function') throw new TypeError('hot.dispose expects a function');
      disposers.push(cb);
    },
    accept() {
      // Vite compatibility only: the registry always reloads importers.
    },
  };
}
