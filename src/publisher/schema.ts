/**
 * `fn.schema`: JSON Schema for a function's args, validated with ajv. Each schema object
 * is compiled once (per generation: a reload brings new schema objects) and cached in a
 * WeakMap, so retired generations' validators are collected with them.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ErrorCodes, HttpError } from './errors.js';

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
      throw new HttpError(500, `Invalid fn.schema: ${(err as Error).message}`, {
        code: ErrorCodes.badSchema,
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
 * What is wrong with `schema` as a `fn.schema` (not an object, or ajv refuses it: an
 * unknown keyword such as `requird`, a bad type), or undefined when it compiles. What
 * `hotpub routes` checks, with the same ajv settings requests use.
 */
export function schemaProblem(schema: unknown): string | undefined {
  if (schema === null || typeof schema !== 'object') return 'Invalid fn.schema: must be an object';
  try {
    compile(coercing, coercingCache, schema);
    compile(exact, exactCache, schema);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Validates (and, for string input, coerces; defaults are filled in) `args` against
 * `schema`. Throws `HttpError` 400 `HOTPUB_E_VALIDATION` with the errors as `details`,
 * or 500 `HOTPUB_E_BAD_SCHEMA` if the schema itself does not compile.
 */
export function validateArgs(
  schema: unknown,
  args: Record<string, unknown>,
  jsonBody: boolean,
): void {
  if (schema === null || typeof schema !== 'object') {
    throw new HttpError(500, 'Invalid fn.schema: must be an object', {
      code: ErrorCodes.badSchema,
    });
  }
  const validate = jsonBody
    ? compile(exact, exactCache, schema)
    : compile(coercing, coercingCache, schema);
  if (!validate(args)) {
    const list = issues(validate.errors);
    const first = list[0];
    throw new HttpError(
      400,
      first ? `Invalid arguments: ${first.path} ${first.message}` : 'Invalid arguments',
      {
        code: ErrorCodes.validation,
        details: list,
      },
    );
  }
}
