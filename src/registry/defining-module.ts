/**
 * Which app module defines a function another module re-exports: guards of the module
 * that defines a function apply wherever it is published (`export { secret } from
 * './admin.js'` must not drop admin.ts's `_auth`).
 */

/** What of a module instance (generation.ts's `Instance`) this needs: no import, no cycle. */
interface Instance {
  readonly file: string;
  readonly module: { exports: unknown };
  readonly appDeps: ReadonlyMap<string, Instance>;
}

/** True if one of the module's own exports is `fn` (esbuild's exports are getters). */
function exportsValue(inst: Instance, fn: unknown): boolean {
  const exports = inst.module.exports;
  if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) {
    return false;
  }
  for (const key of Object.getOwnPropertyNames(exports)) {
    const d = Object.getOwnPropertyDescriptor(exports, key);
    let v: unknown;
    try {
      v = d === undefined ? undefined : 'value' in d ? d.value : d.get?.call(exports);
    } catch {
      continue; // a throwing getter exports nothing usable
    }
    if (v === fn) return true;
  }
  return false;
}

/**
 * The app module that defines `fn`, which `inst` exports: followed through the app
 * modules each one imports to the first that exports `fn` but imports it from none of
 * them. Undefined when `inst` defines `fn` itself.
 */
export function definingModule(inst: Instance, fn: unknown): Instance | undefined {
  if (typeof fn !== 'function') return undefined;
  const seen = new Set<Instance>([inst]);
  let cur = inst;
  for (;;) {
    let next: Instance | undefined;
    for (const dep of cur.appDeps.values()) {
      if (!seen.has(dep) && exportsValue(dep, fn)) {
        next = dep;
        break;
      }
    }
    if (next === undefined) return cur === inst ? undefined : cur;
    seen.add(next);
    cur = next;
  }
}
