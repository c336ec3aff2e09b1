/**
 * The `html` tagged template: HTML with every interpolated value escaped, unless it is
 * itself `html` (or `raw`). Returned from a function, it answers `text/html`. The rules
 * are hono/html's: arrays are flattened and joined, `null`, `undefined` and booleans
 * render nothing, numbers as they are, anything else as its escaped `String()`.
 */
import escapeHtml from 'escape-html';

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
