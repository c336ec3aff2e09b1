/**
 * Cross-origin protection, by the rule of Go 1.25's `http.CrossOriginProtection`: a
 * browser's request with a method that changes state (not GET, HEAD or OPTIONS) from
 * another origin is refused, so no other site's form or script can call a function with
 * the visitor's cookies. Browsers say where a request comes from in `Sec-Fetch-Site`
 * (all of them since 2023), else in `Origin`; a request with neither (curl, a server)
 * is not a browser's and passes. The origins an app's `app.json` CORS config lists are
 * trusted.
 */
import type { IncomingMessage } from 'node:http';
import { type HttpError, requestError } from '../errors/index.js';

/** Origins an app trusts: a set of exact origins, or every origin (`"*"`). */
export type TrustedOrigins = ReadonlySet<string> | '*' | undefined;

/** The trusted origins of an app.json `cors.origin` (a string or a list; `"*"` is any). */
export function trustedOrigins(origin: string | string[] | undefined): TrustedOrigins {
  if (origin === undefined) return undefined;
  const list = typeof origin === 'string' ? [origin] : origin;
  return list.includes('*') ? '*' : new Set(list);
}

function trusts(trusted: TrustedOrigins, origin: string | undefined): boolean {
  if (trusted === undefined || origin === undefined) return false;
  return trusted === '*' || trusted.has(origin);
}

/** `host[:port]` of an origin (`https://a.example:8443` -> `a.example:8443`), lower case. */
function hostOf(origin: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)$/.exec(origin);
  return m ? (m[1] as string).toLowerCase() : undefined;
}

function refuse(message: string): HttpError {
  return requestError('crossOrigin', message);
}

/**
 * The 403 a cross-origin request that changes state gets, or undefined when it may pass.
 * Call it for methods other than GET, HEAD and OPTIONS only.
 */
export function crossOriginRefusal(
  req: IncomingMessage,
  trusted: TrustedOrigins,
): HttpError | undefined {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if (site !== undefined && site !== '') {
    if (site === 'same-origin' || site === 'none') return undefined;
    if (trusts(trusted, origin)) return undefined;
    return refuse(`Cross-origin ${req.method} request refused (Sec-Fetch-Site: ${site})`);
  }
  if (origin === undefined || origin === '') return undefined;
  const host = req.headers.host;
  if (host !== undefined && hostOf(origin) === host.toLowerCase()) return undefined;
  if (trusts(trusted, origin)) return undefined;
  return refuse(`Cross-origin ${req.method} request refused (Origin does not match Host)`);
}
