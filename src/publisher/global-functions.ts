/**
 * Functions a module takes from the JavaScript or Node globals (`export const tick =
 * globalThis.setTimeout`). Many of Node's globals are written in JavaScript, so their
 * source does not say `[native code]`: they are recognised by where they live instead.
 * A function's own `name` says where to look, so nothing is walked or loaded up front
 * (several of Node's globals are lazy getters that load a module when read).
 */

const fnName = Object.getOwnPropertyDescriptor(Function.prototype, 'name');

/** The objects whose functions are globals: globalThis, `process` and every namespace object on it. */
let holders: object[] | undefined;

function globalHolders(): object[] {
  if (holders === undefined) {
    const out: object[] = [globalThis, process];
    for (const key of Reflect.ownKeys(globalThis)) {
      const d = Object.getOwnPropertyDescriptor(globalThis, key);
      // Data properties only: reading a lazy getter could load a module.
      const v = d && 'value' in d ? d.value : undefined;
      if (v !== null && (typeof v === 'object' || typeof v === 'function') && v !== globalThis) {
        out.push(v);
      }
    }
    holders = out;
  }
  return holders;
}

/** The function's own `name`, read without running a getter. */
function nameOf(fn: object): string | undefined {
  const d = Object.getOwnPropertyDescriptor(fn, 'name') ?? fnName;
  return d && 'value' in d && typeof d.value === 'string' && d.value !== '' ? d.value : undefined;
}

/** The value of `obj[name]` or of its prototypes', two levels up; getters only on globalThis. */
function lookup(obj: object, name: string): unknown[] {
  const out: unknown[] = [];
  let o: object | null = obj;
  for (let depth = 0; o !== null && depth < 3; depth++, o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d === undefined) continue;
    if ('value' in d) out.push(d.value);
    else if (o === globalThis && d.get) {
      try {
        out.push(d.get.call(o));
      } catch {
        // a getter that throws holds no function of ours
      }
    }
  }
  return out;
}

/**
 * True if `fn` is a function of the globals (`setTimeout`, `process.nextTick`,
 * `structuredClone`, `Math.max`, ...): such a function is never app code. What is not
 * caught: a function a package's factory returns (it is the package's code, but made
 * fresh for the module), and globals renamed or reached through other objects.
 */
export function isGlobalFunction(fn: object): boolean {
  const name = nameOf(fn);
  if (name === undefined) return false;
  for (const holder of globalHolders()) {
    if (lookup(holder, name).includes(fn)) return true;
  }
  return false;
}
