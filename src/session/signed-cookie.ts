/**
 * The session cookie on the wire: `<id>.<mac>`, the mac an HMAC-SHA256 of the id under
 * the first secret (base64url), checked against every secret so a rotated-out secret still
 * verifies until it is removed. Parsing and writing the header is the `cookie` package's.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { TLSSocket } from 'node:tls';
import type { SerializeOptions } from 'cookie';

type CookieLib = typeof import('cookie');
let cookieLib: CookieLib | undefined;
/** The `cookie` package, loaded at the first cookie a session reads or writes. */
function cookie(): CookieLib {
  cookieLib ??= createRequire(import.meta.url)('cookie') as CookieLib;
  return cookieLib;
}

/** A new session id: 24 random bytes, 32 base64url characters. */
export function newSessionId(): string {
  return randomBytes(24).toString('base64url');
}

function mac(value: string, secret: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}

/** `value` signed with `secret`: `value.mac`. */
export function sign(value: string, secret: string): string {
  return `${value}.${mac(value, secret)}`;
}

/**
 * The value of a signed cookie and the index of the secret that verified it, or undefined
 * when no secret does (tampered, forged, or signed with a secret no longer listed).
 */
export function unsign(
  signed: string,
  secrets: readonly string[],
): { value: string; secret: number } | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const value = signed.slice(0, dot);
  // Compared as text: base64 has several spellings of the same bytes, and only ours is valid.
  const given = Buffer.from(signed.slice(dot + 1));
  for (let i = 0; i < secrets.length; i++) {
    const expected = Buffer.from(mac(value, secrets[i]!));
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      return { value, secret: i };
    }
  }
  return undefined;
}

/**
 * True when a `Cookie` header of the request mentions `name`. Reads `rawHeaders`: Node
 * builds `req.headers` on first access, and a request that never needs it should not pay.
 */
export function mentionsCookie(req: IncomingMessage, name: string): boolean {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const header = raw[i]!;
    if (header.length === 6 && header.toLowerCase() === 'cookie' && raw[i + 1]!.includes(name)) {
      return true;
    }
  }
  return false;
}

/** The raw value of cookie `name` in the request, if it is there. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined || !header.includes(name)) return undefined;
  return cookie().parse(header)[name];
}

/** True when the request came over TLS, here or at a proxy (`X-Forwarded-Proto: https`). */
export function isSecureRequest(req: IncomingMessage): boolean {
  if ((req.socket as TLSSocket | undefined)?.encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

/** Adds a `Set-Cookie` header, keeping those already set. */
export function appendCookie(
  res: ServerResponse,
  name: string,
  value: string,
  options: SerializeOptions,
): void {
  const line = cookie().serialize(name, value, options);
  const prev = res.getHeader('set-cookie');
  if (prev === undefined) res.setHeader('set-cookie', line);
  else res.setHeader('set-cookie', [...(Array.isArray(prev) ? prev : [String(prev)]), line]);
}
