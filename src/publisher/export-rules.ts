/**
 * Which exports are published: own, well-named, plain or async functions that the
 * module did not take from a package or a Node built-in.
 */
import type { Pin } from '../registry/types.js';
import { isGlobalFunction } from './global-functions.js';

/** An export name that can be published. */
const EXPORT_NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

// Names of Object.prototype and Function.prototype members: never published, even when
// a module really exports a function called so (`export function toString`).
const RESERVED = new Set<string>([
  'default',
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Function.prototype),
  'prototype',
  'then',
]);

const fnToString = Function.prototype.toString;
const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;

/** What a function is, read from it without calling it. */
export type FunctionKind = 'plain' | 'generator' | 'class' | 'native' | 'opaque';

/**
 * `plain` for a plain or async function written in JavaScript/TypeScript; `native` for
 * built-ins, bound functions and callable Proxies; `opaque` when its source cannot be read.
 */
export function functionKind(fn: object): FunctionKind {
  if (fn instanceof GeneratorFunction || fn instanceof AsyncGeneratorFunction) return 'generator';
  let src: string;
  try {
    src = fnToString.call(fn);
  } catch {
    return 'opaque';
  }
  if (/^class[\s{]/.test(src)) return 'class';
  return src.endsWith('{ [native code] }') ? 'native' : 'plain';
}

/** True for an `async function*` (an event-stream function) written in JavaScript/TypeScript. */
export function isAsyncGeneratorFunction(fn: unknown): boolean {
  return fn instanceof AsyncGeneratorFunction;
}

/**
 * True for a plain or async function written in JavaScript/TypeScript; false for classes,
 * generators, native functions (`fs.readFileSync.bind(fs)`, `eval`, a Proxy), functions of
 * the globals (`globalThis.setTimeout`, written in JavaScript by Node) and non-functions:
 * such code is never app code, whatever path brought it into the module.
 */
function isPlainFunction(value: unknown): value is (...args: unknown[]) => unknown {
  return typeof value === 'function' && functionKind(value) === 'plain' && !isGlobalFunction(value);
}

/** A plain or async function, or an async generator function (SPEC section 2). */
function isPublishable(value: unknown): value is (...args: unknown[]) => unknown {
  return isPlainFunction(value) || isAsyncGeneratorFunction(value);
}

/** True if `name` could ever be a published export name. */
export function isPublishableName(name: string): boolean {
  return EXPORT_NAME_RE.test(name) && !RESERVED.has(name);
}

/**
 * The published function `name` of module `file` in the pinned generation, or undefined.
 * Reads the export as an own data property only (no getters run).
 */
export function publishedExport(
  pin: Pin,
  file: string,
  name: string,
): ((args: unknown, ctx: unknown) => unknown) | undefined {
  if (!isPublishableName(name)) return undefined;
  const exports = pin.exportsOf(file);
  if (exports === undefined) return undefined;
  const desc = Object.getOwnPropertyDescriptor(exports, name);
  if (desc === undefined) return undefined;
  // ESM namespaces expose exports as data properties; a getter means a CJS-ish re-export.
  const value = 'value' in desc ? desc.value : desc.get ? safeGet(exports, name) : undefined;
  if (!isPublishable(value)) return undefined;
  if (pin.isForeign(file, value)) return undefined;
  return value as (args: unknown, ctx: unknown) => unknown;
}

function safeGet(obj: object, name: string): unknown {
  try {
    return (obj as Record<string, unknown>)[name];
  } catch {
    return undefined;
  }
}

/** Every published function of a module in the pinned generation, by name (for `routes()`). */
export function publishedFunctions(
  pin: Pin,
  file: string,
): Array<[string, (args: unknown, ctx: unknown) => unknown]> {
  const out: Array<[string, (args: unknown, ctx: unknown) => unknown]> = [];
  for (const name of Object.keys(pin.exportsOf(file) ?? {}).sort()) {
    const fn = publishedExport(pin, file, name);
    if (fn !== undefined) out.push([name, fn]);
  }
  return out;
}
