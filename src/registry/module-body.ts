/**
 * A module's body as a function: its transformed code compiled once per content (per
 * {@link Compiled}) with `vm.compileFunction`, and called again for every evaluation. A
 * reload re-evaluates every importer of a changed module; their code did not change, so
 * compiling it again was most of what a reload of a shared module cost (0.13 ms per
 * importer). Each call of the function is a fresh evaluation: its top-level bindings are
 * the call's locals, and the function closes over nothing but the global scope, so a
 * retired generation's instances stay collectable. Held weakly by its code: when no record
 * holds that code any more, the function goes with it.
 */
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { type Compiled, MODULE_PARAMS } from './transform.js';

/** The compiled body; its parameters are {@link MODULE_PARAMS}, in order. */
export type ModuleBody = (
  this: unknown,
  exports: unknown,
  require: unknown,
  module: unknown,
  filename: string,
  dirname: string,
  hot: unknown,
  url: string,
) => void;

/** The body and the per-file values it is called with (`import.meta.url` is costly to make). */
export interface Body {
  readonly run: ModuleBody;
  readonly dirname: string;
  readonly url: string;
}

const bodies = new WeakMap<Compiled, Body>();

/** The body of `compiled`, compiled on first use (a syntax error V8 finds throws). */
export function bodyOf(compiled: Compiled): Body {
  let body = bodies.get(compiled);
  if (body === undefined) {
    const run = vm.compileFunction(compiled.code, [...MODULE_PARAMS], {
      filename: compiled.file,
    }) as unknown as ModuleBody;
    body = { run, dirname: dirname(compiled.file), url: pathToFileURL(compiled.file).href };
    bodies.set(compiled, body);
  }
  return body;
}
