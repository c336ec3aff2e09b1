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

/** The fields of one event (the `EventSource` wire format). */
export interface EventFields {
  /** The payload: a string as is, anything else as JSON. */
  data?: unknown;
  /** The event type (`addEventListener(event, ...)` in the browser); default `message`. */
  event?: string;
  /** The event id: a reconnecting `EventSource` sends the last one as `Last-Event-ID`. */
  id?: string;
  /** Milliseconds the browser waits before reconnecting. */
  retry?: number;
  /** A comment line (`: text`), ignored by browsers. */
  comment?: string;
}

/** A value an event-stream function yields to set more than the data (made by `sseEvent`). */
export class ServerSentEvent {
  constructor(readonly fields: Readonly<EventFields>) {}
}

/**
 * An event with an id, a type or a retry delay: `yield sseEvent({ id: '7', event: 'tick',
 * data: { n: 7 } })`. Plain yielded values are `data` alone.
 */
export function sseEvent(fields: EventFields): ServerSentEvent {
  for (const key of ['event', 'id', 'comment'] as const) {
    const v = fields[key];
    if (v !== undefined && (typeof v !== 'string' || /[\r\n\0]/.test(v))) {
      throw new TypeError(`sseEvent: ${key} must be a string without line breaks or NUL`);
    }
  }
  if (fields.retry !== undefined && !(Number.isInteger(fields.retry) && fields.retry >= 0)) {
    throw new TypeError('sseEvent: retry must be a whole number of milliseconds');
  }
  return new ServerSentEvent({ ...fields });
}
