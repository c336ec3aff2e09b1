/**
 * Redirects as app authors write them: `return redirect('/notes', 303)`, or the WHATWG
 * `Response.redirect('/notes', 303)` they know from other runtimes. Node's
 * `Response.redirect` only takes absolute URLs (a relative one throws "Failed to parse
 * URL"), because it has no request to resolve against; the publisher has one, so a
 * relative `Location` is resolved against the request URL when the response is sent.
 * `redirect()` itself is in app-api.ts, with the other helpers app modules import.
 */
import { redirect } from '../app-api.js';

/**
 * The `Location` to send for `location` given on a request for `requestUrl` (the raw
 * `req.url`): absolute URLs as they are; a relative reference resolved against the
 * request's path, sent as a path (scheme and host are not known behind a proxy, and a
 * path works in every browser).
 */
export function resolveLocation(location: string, requestUrl: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(location) || location.startsWith('//')) return location;
  const base = new URL(requestUrl.startsWith('/') ? requestUrl : '/', 'http://hotpub.invalid');
  const url = new URL(location, base);
  return `${url.pathname}${url.search}${url.hash}`;
}

let installed = false;

/**
 * Lets the global `Response.redirect` take a relative URL (the publisher resolves it when
 * it sends the response). Absolute URLs and bad statuses behave exactly as before: only
 * calls that used to throw "Failed to parse URL" change. Idempotent.
 */
export function allowRelativeResponseRedirect(): void {
  if (installed || typeof Response !== 'function') return;
  installed = true;
  const original = Response.redirect as (url: string | URL, status?: number) => Response;
  Response.redirect = function redirectRelative(
    this: typeof Response,
    url: string | URL,
    status?: number,
  ): Response {
    try {
      return original.call(this, url, status);
    } catch (err) {
      const text = String(url);
      if (!(err instanceof TypeError) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) throw err;
      return redirect(text, status ?? 302);
    }
  };
}
