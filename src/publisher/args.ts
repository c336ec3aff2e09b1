/**
 * `args`: one null-prototype object merging the query string, the body's fields and the
 * mount params, in that order (later wins: params cannot be overridden).
 */
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

/**
 * The fields of a body some middleware already parsed (`express.json()` before the
 * publisher), copied without keys that could reach a prototype.
 */
export function fieldsOf(body: unknown): Record<string, unknown> | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    return undefined;
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(body)) {
    if (!isDangerousKey(k)) out[k] = (body as Record<string, unknown>)[k];
  }
  return out;
}
