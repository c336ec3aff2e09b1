/**
 * `ctx.cookies`: the request's cookies, read with the `cookie` package when first asked
 * for, and `Set-Cookie` headers written with its serializer (so its options and its
 * checks of names, values, domains and paths apply as they are).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookie, type SerializeOptions, stringifySetCookie } from 'cookie';

/** Options of `ctx.cookies.set`: the `cookie` package's (`httpOnly`, `maxAge`, `sameSite`...). */
export type CookieOptions = SerializeOptions;

/** The cookies of one request. */
export interface Cookies {
  /** The value of cookie `name` the client sent (percent-decoded), or undefined. */
  get(name: string): string | undefined;
  /** Every cookie the client sent, by name. */
  all(): Readonly<Record<string, string>>;
  /**
   * Adds a `Set-Cookie` header for `name=value` (`value` percent-encoded). Throws a
   * `TypeError` for a name, value or option the cookie syntax does not allow.
   */
  set(name: string, value: string, options?: CookieOptions): void;
  /**
   * Asks the client to drop cookie `name`: an empty value that expired in 1970. Give the
   * `path` and `domain` it was set with, or the client keeps it.
   */
  delete(
    name: string,
    options?: Pick<CookieOptions, 'path' | 'domain' | 'secure' | 'sameSite'>,
  ): void;
}

const EPOCH = new Date(0);

/** {@link Cookies} over a request and, when it can still send headers, its response. */
export class RequestCookies implements Cookies {
  private parsed: Record<string, string> | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse | undefined,
  ) {}

  all(): Readonly<Record<string, string>> {
    if (this.parsed === undefined) {
      const header = this.req.headers.cookie;
      const out: Record<string, string> = Object.create(null);
      if (header) {
        for (const [k, v] of Object.entries(parseCookie(header))) if (v !== undefined) out[k] = v;
      }
      this.parsed = out;
    }
    return this.parsed;
  }

  get(name: string): string | undefined {
    return this.all()[name];
  }

  set(name: string, value: string, options?: CookieOptions): void {
    const res = this.res;
    if (res === undefined) {
      throw new TypeError('cookies cannot be set here: there is no HTTP response to carry them');
    }
    if (res.headersSent) {
      throw new TypeError(`cookie "${name}" cannot be set: the response headers were sent`);
    }
    res.appendHeader('set-cookie', stringifySetCookie(name, value, options));
  }

  delete(
    name: string,
    options?: Pick<CookieOptions, 'path' | 'domain' | 'secure' | 'sameSite'>,
  ): void {
    this.set(name, '', { ...options, expires: EPOCH, maxAge: 0 });
  }
}
