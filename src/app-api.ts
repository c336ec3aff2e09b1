/**
 * What `import ... from 'hotpub'` gives an app module at run time: the helpers app code
 * calls (`keep` is bound to the importing module and `storage` to its app by the
 * registry), `redirect`, and the `html` tagged template. The server hands this module
 * to the registry; src/index.ts re-exports it, so neither imports the other.
 *
 * `html` is HTML with every interpolated value escaped, unless it is itself `html` (or
 * `raw`); returned from a function it answers `text/html`. The rules are hono/html's:
 * arrays are flattened and joined, `null`, `undefined` and booleans render nothing,
 * numbers as they are, anything else as its escaped `String()`.
 * @module
 */
import escapeHtml from 'escape-html';

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

/** Marks HTML values, across copies of hotpub (an app may reach a second one). */
const HTML = Symbol.for('hotpub.html');

/** A string of HTML that is safe to send: made by {@link html} or {@link raw}. */
export class HtmlString {
  readonly [HTML] = true;
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }

  /** In JSON, the HTML text. */
  toJSON(): string {
    return this.value;
  }
}

/** True for a value made by {@link html} or {@link raw} (of this or another hotpub copy). */
export function isHtml(value: unknown): value is HtmlString {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [HTML]?: unknown })[HTML] === true &&
    typeof (value as { value?: unknown }).value === 'string'
  );
}

function append(out: string[], value: unknown): void {
  if (value === null || value === undefined || typeof value === 'boolean') return;
  if (typeof value === 'string') out.push(escapeHtml(value));
  else if (typeof value === 'number' || typeof value === 'bigint') out.push(String(value));
  else if (isHtml(value)) out.push(value.value);
  else if (Array.isArray(value)) for (const v of value) append(out, v);
  else if (typeof (value as PromiseLike<unknown>)?.then === 'function') {
    throw new TypeError('html``: await a promise before interpolating it');
  } else out.push(escapeHtml(String(value)));
}

/**
 * HTML with escaped interpolations:
 * `` html`<p>${name}</p>` `` escapes `name`; `` html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` ``
 * keeps the nested `html` values and joins the array.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): HtmlString {
  const out: string[] = [];
  for (let i = 0; i < strings.length; i++) {
    out.push(strings[i] as string);
    if (i < values.length) append(out, values[i]);
  }
  return new HtmlString(out.join(''));
}

/** Trusted HTML, sent as it is (never give it client input). */
export function raw(text: string): HtmlString {
  return new HtmlString(String(text));
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
