/**
 * What `import ... from 'hotpub'` gives an app module at run time: the helpers app code
 * calls (`keep` is bound to the importing module and `storage` to its app by the
 * registry). The server hands this module to the registry; src/index.ts re-exports it,
 * so neither imports the other.
 * @module
 */
export { HttpError } from './errors/index.js';
export { keep } from './registry/index.js';
export { storage } from './storage/index.js';

/** The statuses a redirect may have (as `Response.redirect` allows). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A redirect response: `return redirect('/notes', 303)` from a published function.
 * `location` may be relative: it is resolved against the request URL (`notes` from
 * `/blog/edit` is `/blog/notes`). Throws a `RangeError` for a status that is not a
 * redirect (301, 302, 303, 307, 308).
 */
export function redirect(location: string | URL, status = 302): Response {
  if (!REDIRECT_STATUSES.has(status)) {
    throw new RangeError(`redirect status must be 301, 302, 303, 307 or 308, got ${status}`);
  }
  return new Response(null, { status, headers: { location: String(location) } });
}
