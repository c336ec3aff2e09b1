/**
 * `fn.schema`: JSON Schema for a function's args, validated with ajv. Each schema object
 * is compiled once (per generation: a reload brings new schema objects) and cached in a
 * WeakMap, so retired generations' validators are collected with them.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { requestError } from '../errors/index.js';

// Safe options: strict schemas, stop at the first error (no allErrors DoS), no $data.
const base = { strict: true, allErrors: false, $data: false, useDefaults: true } as const;
// Query strings and forms carry only strings: coerce them. A JSON body keeps its types.
const coercing = new Ajv({ ...base, coerceTypes: 'array' });
const exact = new Ajv({ ...base, coerceTypes: false });
const coercingCache = new WeakMap<object, ValidateFunction>();
const exactCache = new WeakMap<object, ValidateFunction>();

function compile(
  ajv: Ajv,
  cache: WeakMap<object, ValidateFunction>,
  schema: object,
): ValidateFunction {
  let v = cache.get(schema);
  if (v === undefined) {
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
    cache.set(schema, v);
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
  const validate = jsonBody
    ? compile(exact, exactCache, schema)
    : compile(coercing, coercingCache, schema);
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
