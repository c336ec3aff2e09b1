/**
 * `fn.schema`: JSON Schema for a function's args, validated with ajv. Each schema object
 * is compiled once (per generation: a reload brings new schema objects) and cached in a
 * WeakMap, so retired generations' validators are collected with them.
 */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { requestError } from '../errors/index.js';
import { loadAjv } from './lazy.js';

// Safe options: strict schemas, stop at the first error (no allErrors DoS), no $data.
const base = { strict: true, allErrors: false, $data: false, useDefaults: true } as const;

/** One ajv instance and the validators it compiled, by schema object. */
interface Compiler {
  ajv: Ajv | undefined;
  readonly coerceTypes: 'array' | false;
  readonly cache: WeakMap<object, ValidateFunction>;
}

// Query strings and forms carry only strings: coerce them. A JSON body keeps its types.
// Each ajv is made at its first schema: ajv is not even loaded before.
const coercing: Compiler = { ajv: undefined, coerceTypes: 'array', cache: new WeakMap() };
const exact: Compiler = { ajv: undefined, coerceTypes: false, cache: new WeakMap() };

function compile(compiler: Compiler, schema: object): ValidateFunction {
  let v = compiler.cache.get(schema);
  if (v === undefined) {
    compiler.ajv ??= new (loadAjv().Ajv)({ ...base, coerceTypes: compiler.coerceTypes });
    const ajv = compiler.ajv;
    try {
      v = ajv.compile(schema);
    } catch (err) {
      throw requestError('badSchema', `Invalid fn.schema: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      // ajv keeps every compiled schema in a strong Map (and by $id): drop it so old
      // generations can be collected and a reload may reuse the same $id.
      ajv.removeSchema(schema);
    }
    compiler.cache.set(schema, v);
  }
  return v;
}

/** A validation error as the 400 response body lists it. */
export interface ValidationIssue {
  path: string;
  message: string;
  keyword: string;
  params: Record<string, unknown>;
}

function issues(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).map((e) => ({
    path: e.instancePath || '/',
    message: e.message ?? 'is invalid',
    keyword: e.keyword,
    params: e.params as Record<string, unknown>,
  }));
}

/**
 * What is wrong with `schema` as a `fn.schema` (not an object, or ajv refuses it: an
 * unknown keyword such as `requird`, a bad type), or undefined when it compiles. What
 * `hotpub routes` checks, with the same ajv settings requests use.
 */
export function schemaProblem(schema: unknown): string | undefined {
  if (schema === null || typeof schema !== 'object') return 'Invalid fn.schema: must be an object';
  try {
    compile(coercing, schema);
    compile(exact, schema);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Validates (and, for string input, coerces; defaults are filled in) `args` against
 * `schema`. Throws the 400 `validation` error with the errors as `details`, or the 500
 * `badSchema` error if the schema itself does not compile.
 */
export function validateArgs(
  schema: unknown,
  args: Record<string, unknown>,
  jsonBody: boolean,
): void {
  if (schema === null || typeof schema !== 'object') {
    throw requestError('badSchema', 'Invalid fn.schema: must be an object');
  }
  const validate = compile(jsonBody ? exact : coercing, schema);
  if (!validate(args)) {
    const list = issues(validate.errors);
    const first = list[0];
    throw requestError(
      'validation',
      first ? `Invalid arguments: ${first.path} ${first.message}` : 'Invalid arguments',
      { details: list },
    );
  }
}
