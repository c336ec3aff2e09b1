/**
 * One request's session: the plain object a function sees as `ctx.session`, what it was
 * when read, and the save at the end. A session is written only when its JSON changed;
 * an empty new session writes nothing and sets no cookie.
 */
import { ErrorCode, HotpubError } from '../errors/index.js';

/**
 * What a session holds. Merge your own fields in to type them:
 * `declare module 'hotpub' { interface SessionData { user?: { id: number } } }`.
 * Values must survive JSON (a `Date` comes back as a string).
 */
export interface SessionData {
  [key: string]: unknown;
}

/** `ctx.session`: a plain object saved before the response is sent, if it changed. */
export type Session = SessionData & {
  /**
   * Ends the session: its stored data is deleted and its cookie cleared before the
   * response is sent. Writing to the session afterwards starts a new one, with a new id
   * (do this on log-in, so an id known before it is worth nothing after).
   */
  destroy(): void;
};

/** A session as read from storage. */
export interface StoredSession {
  id: string;
  data: SessionData;
  /** Its JSON as read: the session is saved only when this changes. */
  json: string;
  /** The cookie verified with a secret other than the first: sign it anew. */
  resign: boolean;
}

/** What {@link SessionHandle.outcome} tells the session manager to do. */
export type SessionOutcome =
  | { kind: 'none' }
  | { kind: 'save'; id: string | undefined; json: string; cookie: boolean; remove?: string }
  | { kind: 'clear'; remove: string | undefined }
  | { kind: 'cookie'; id: string };

/** The session of one request, made the first time the function reads `ctx.session`. */
export class SessionHandle {
  readonly data: Session;
  private destroyed = false;

  constructor(
    private readonly stored: StoredSession | undefined,
    /** The request sent a cookie of this app (valid or not). */
    private readonly hadCookie: boolean,
  ) {
    const data = (stored?.data ?? {}) as Session;
    Object.defineProperty(data, 'destroy', {
      value: () => {
        this.destroyed = true;
        for (const key of Object.keys(data)) delete data[key];
      },
      enumerable: false,
      configurable: true,
    });
    this.data = data;
  }

  /** What the end of the request has to do for this session. */
  outcome(): SessionOutcome {
    let json: string;
    try {
      json = JSON.stringify(this.data);
    } catch (err) {
      // A value the session cannot keep (a BigInt, a cycle): 500, nothing saved.
      throw new HotpubError(
        ErrorCode.sessionData,
        `ctx.session cannot be saved as JSON: ${(err as Error)?.message ?? err}`,
        { cause: err },
      );
    }
    const stored = this.stored;
    const empty = json === '{}';
    if (this.destroyed) {
      // A new id after destroy(): the old one must not come back to life.
      if (!empty) return { kind: 'save', id: undefined, json, cookie: true, remove: stored?.id };
      return stored !== undefined || this.hadCookie
        ? { kind: 'clear', remove: stored?.id }
        : { kind: 'none' };
    }
    if (stored === undefined) {
      return empty ? { kind: 'none' } : { kind: 'save', id: undefined, json, cookie: true };
    }
    if (json !== stored.json) return { kind: 'save', id: stored.id, json, cookie: true };
    return stored.resign ? { kind: 'cookie', id: stored.id } : { kind: 'none' };
  }
}
