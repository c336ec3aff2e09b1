/**
 * `_hooks.ts` modules: a folder's `before(ctx)` runs before every function in that folder
 * and below it, the app's own first (SPEC section 8). Hooks modules are ordinary app
 * modules: loaded once, reloaded with their app, and read from the generation the request
 * is pinned to, like the function itself.
 */

import { type HttpError, requestError } from '../errors/index.js';
import type { Pin } from '../registry/types.js';
import { functionKind } from './export-rules.js';
import type { Before } from './function-meta.js';

/** The folder of a module path (`admin/users` -> `admin`, `index` -> `''`). */
export function folderOf(rel: string): string {
  const cut = rel.lastIndexOf('/');
  return cut < 0 ? '' : rel.slice(0, cut);
}

/** True when every one of `files` is loaded in the pinned generation. */
export function hooksLoaded(pin: Pin, files: readonly string[]): boolean {
  for (const f of files) if (pin.exportsOf(f) === undefined) return false;
  return true;
}

/**
 * The `before` functions of `files` in the pinned generation, outermost first; undefined
 * when none has one. A `before` that is set but cannot be called makes every request
 * below it a 500: a broken hook never lets requests past it (it may be an auth check).
 */
export function readBefores(pin: Pin, files: readonly string[]): Before[] | HttpError | undefined {
  let out: Before[] | undefined;
  for (const file of files) {
    const exports = pin.exportsOf(file);
    if (exports === undefined || !Object.hasOwn(exports, 'before')) continue;
    let fn: unknown;
    try {
      fn = exports.before;
    } catch {
      fn = null;
    }
    if (fn === undefined) continue;
    const kind = typeof fn === 'function' ? functionKind(fn) : undefined;
    if (kind === undefined || kind === 'class' || kind === 'generator') {
      return requestError(
        'badMetadata',
        `${file}: export before must be a function (ctx) => value`,
      );
    }
    out ??= [];
    out.push(fn as Before);
  }
  return out;
}
