/**
 * Who may use the control plane (`/-/`): under `--dev` anyone who can reach the server
 * (a loopback port by default), unless an admin token is set; with `--admin-token T` (or
 * `HOTPUB_ADMIN_TOKEN`) only requests with `Authorization: Bearer T`, under `--dev` too.
 * The token is compared in constant time (over SHA-256 digests, so its length leaks
 * nothing either) and never read from a URL.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Shortest admin token accepted: a guessable token would open the dashboard to anyone. */
export const MIN_TOKEN_LENGTH = 16;

/** How the control plane is opened. */
export interface ControlAccess {
  dev: boolean;
  /** The admin token, if one is set. */
  token: string | undefined;
}

/** True when the control plane answers at all (`--dev` or a token). */
export function controlEnabled(access: ControlAccess): boolean {
  return access.dev || access.token !== undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * True when `authorization` is `Bearer <token>`. Costs the same for a missing header, a
 * wrong first character or a wrong last one.
 */
export function tokenMatches(authorization: string | undefined, token: string): boolean {
  const m = /^Bearer[ \t]+(\S*)[ \t]*$/i.exec(authorization ?? '');
  const given = m?.[1] ?? '';
  const same = timingSafeEqual(digest(given), digest(token));
  return same && m !== null && given !== '';
}

/** True when `req` may use the control plane's data and controls. */
export function authorized(req: IncomingMessage, access: ControlAccess): boolean {
  if (access.token !== undefined) return tokenMatches(req.headers.authorization, access.token);
  return access.dev;
}

/**
 * Why `req`, a request that changes something, looks sent by another site's page (the
 * rule of Go's CrossOriginProtection: `Sec-Fetch-Site`, else `Origin` against `Host`);
 * undefined when it is same-origin or not from a browser.
 */
export function crossOrigin(req: IncomingMessage): string | undefined {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== '') {
    return site === 'same-origin' || site === 'none' ? undefined : `Sec-Fetch-Site: ${site}`;
  }
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || origin === '' || origin === 'null') {
    return origin === 'null' ? 'Origin: null' : undefined;
  }
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `Origin: ${origin}`;
  }
  return host === req.headers.host ? undefined : `Origin: ${origin}`;
}
