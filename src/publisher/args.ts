/**
 * `args`: one null-prototype object merging the query string, the body's fields and the
 * mount params, in that order (later wins: params cannot be overridden).
 */

import { requestError } from '../errors/index.js';
import { isDangerousKey, parseForm } from './body.js';

/** Builds a function's args. `q` is the index of `?` in `url` (or -1). */
export function buildArgs(
  url: string,
  q: number,
  params: Readonly<Record<string, string>> | undefined,
  fields: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const args: Record<string, unknown> =
    q < 0 || q === url.length - 1 ? Object.create(null) : parseForm(url.slice(q + 1));
  if (fields !== undefined) {
    for (const k of Object.keys(fields)) if (!isDangerousKey(k)) args[k] = fields[k];
  }
  if (params !== undefined) {
    for (const k in params) args[k] = params[k];
  }
  return args;
}

const MAX_DEPTH = 64;

/**
 * A copy of a body some middleware already parsed (`express.json()` before the
 * publisher) without keys that could reach a prototype, at any depth. Plain objects and
 * arrays are copied; other values (Buffers, Dates) are kept. Throws a 400 past 64 levels.
 */
export function sanitizeBody(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) {
    throw requestError('badBody', 'Request body is nested too deeply');
  }
  if (Array.isArray(value)) return value.map((v) => sanitizeBody(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    if (!isDangerousKey(k)) out[k] = sanitizeBody((value as Record<string, unknown>)[k], depth + 1);
  }
  return out;
}
