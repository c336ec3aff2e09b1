/**
 * The sessions of one server. Each app has its own: its own cookie
 * (`hotpub.sid.<app>`, HttpOnly, SameSite=Lax, Path=/) and its own namespace in storage,
 * so one app never reads another's session. A request that carries its app's cookie has
 * the session read before the function runs (guards may need it); a request without one
 * costs a header check, and a session is only made when `ctx.session` is read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SerializeOptions } from 'cookie';
import type { Logger } from 'pino';
import { ErrorCode, HotpubError } from '../errors/index.js';
import type { ServerStorage } from '../storage/index.js';
import { SessionHandle, type StoredSession } from './session.js';
import {
  appendCookie,
  isSecureRequest,
  mentionsCookie,
  newSessionId,
  readCookie,
  sign,
  unsign,
} from './signed-cookie.js';

/** `session` in `hotpub.config.ts` and the server options. */
export interface SessionOptions {
  /** Cookie name; app `blog`'s cookie is `<cookie>.blog`. Default `hotpub.sid`. */
  cookie?: string;
  /** Seconds a session is kept after its last change (and its cookie's Max-Age). Default 14 days. */
  maxAge?: number;
  /** `Secure` cookies: always, never, or `'auto'` (the default): over TLS, here or at a proxy. */
  secure?: boolean | 'auto';
}

/** Verified cookies remembered per server (then forgotten all at once). */
const VERIFIED_MAX = 10_000;

/** Default {@link SessionOptions.maxAge}: 14 days, as Django's. */
export const DEFAULT_SESSION_MAX_AGE = 14 * 24 * 3600;

/** What `ctx.session` throws (500) on a server that has no secret to sign cookies with. */
export function noSecret(): HotpubError {
  return new HotpubError(
    ErrorCode.noSecret,
    'ctx.session needs a secret to sign its cookie: set HOTPUB_SECRET (32+ random characters) or `secret` in hotpub.config.ts',
  );
}

/** Options of {@link Sessions}. */
export interface SessionsInit {
  /** Where sessions are kept; undefined: sessions are unavailable (as without a secret). */
  storage: ServerStorage | undefined;
  /** First signs, all verify; undefined: `ctx.session` answers 500 (`noSecret`). */
  secrets: readonly string[] | undefined;
  options?: SessionOptions;
}

/** Encodes an app name into cookie-name characters (a token). */
function cookieSegment(app: string): string {
  return encodeURIComponent(app).replace(/[()'*!~]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
}

/** A server's sessions: read, make and save them for the publisher. */
export class Sessions {
  private readonly storage: ServerStorage | undefined;
  private readonly secrets: readonly string[] | undefined;
  private readonly prefix: string;
  private readonly maxAge: number;
  private readonly secure: boolean | 'auto';
  private readonly names = new Map<string, string>();
  /** Cookies already verified (an HMAC costs more than the rest of a session read). */
  private readonly verified = new Map<string, { value: string; secret: number }>();

  constructor(init: SessionsInit) {
    this.storage = init.storage;
    this.secrets = init.secrets && init.secrets.length > 0 ? init.secrets : undefined;
    this.prefix = init.options?.cookie ?? 'hotpub.sid';
    this.maxAge = init.options?.maxAge ?? DEFAULT_SESSION_MAX_AGE;
    this.secure = init.options?.secure ?? 'auto';
  }

  /** The name of app `app`'s session cookie. */
  cookieName(app: string): string {
    let name = this.names.get(app);
    if (name === undefined) {
      name = `${this.prefix}.${cookieSegment(app)}`;
      this.names.set(app, name);
    }
    return name;
  }

  /** True when the request carries `app`'s session cookie: read it before the call. */
  hasCookie(req: IncomingMessage, app: string): boolean {
    return this.secrets !== undefined && mentionsCookie(req, this.cookieName(app));
  }

  /**
   * The session the request's cookie names, if the cookie verifies and the session is
   * still stored. A tampered, forged or expired cookie reads as no session.
   */
  async read(req: IncomingMessage, app: string): Promise<StoredSession | undefined> {
    if (this.secrets === undefined || this.storage === undefined) return undefined;
    const raw = readCookie(req, this.cookieName(app));
    if (raw === undefined) return undefined;
    const signed = this.verified.get(raw) ?? this.verify(raw, this.secrets);
    if (signed === undefined) return undefined;
    const data = await this.storage.sessions(app).getItem(signed.value);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
    return {
      id: signed.value,
      data: data as StoredSession['data'],
      json: JSON.stringify(data),
      resign: signed.secret > 0,
    };
  }

  private verify(
    raw: string,
    secrets: readonly string[],
  ): { value: string; secret: number } | undefined {
    const signed = unsign(raw, secrets);
    if (signed !== undefined) {
      if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
      this.verified.set(raw, signed);
    }
    return signed;
  }

  /** `ctx.session`'s first read: the session `stored` (read before the call) or a new one. */
  open(req: IncomingMessage, app: string, stored: StoredSession | undefined): SessionHandle {
    if (this.secrets === undefined || this.storage === undefined) throw noSecret();
    return new SessionHandle(stored, stored !== undefined || this.hasCookie(req, app));
  }

  /**
   * Saves `session` if it changed and sets its cookie, before the response is sent.
   * Resolves at once when there is nothing to do.
   */
  async commit(
    req: IncomingMessage,
    res: ServerResponse,
    app: string,
    session: SessionHandle,
    log: Logger,
  ): Promise<void> {
    const out = session.outcome();
    if (out.kind === 'none') return;
    const store = this.storage!.sessions(app);
    if (out.kind === 'save' || out.kind === 'clear') {
      if (out.remove !== undefined) await store.removeItem(out.remove);
    }
    if (out.kind === 'clear') {
      if (!res.headersSent) this.setCookie(req, res, app, '', 0);
      return;
    }
    const isNew = out.kind === 'save' && out.id === undefined;
    if (res.headersSent) {
      // The function wrote the response itself: too late for a cookie.
      log.warn(
        `${req.method} ${req.url}: ctx.session changed after the response headers were sent; ${isNew ? 'the new session is not kept' : 'its cookie was not refreshed'} (change the session before writing ctx.res)`,
      );
      if (isNew) return;
    }
    const id = out.kind === 'cookie' ? out.id : (out.id ?? newSessionId());
    if (out.kind === 'save') await store.setItem(id, out.json, { ttl: this.maxAge });
    if (!res.headersSent) {
      this.setCookie(req, res, app, sign(id, this.secrets![0]!), this.maxAge);
    }
  }

  private setCookie(
    req: IncomingMessage,
    res: ServerResponse,
    app: string,
    value: string,
    maxAge: number,
  ): void {
    const options: SerializeOptions = {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      maxAge,
      secure: this.secure === 'auto' ? isSecureRequest(req) : this.secure,
    };
    appendCookie(res, this.cookieName(app), value, options);
  }
}
