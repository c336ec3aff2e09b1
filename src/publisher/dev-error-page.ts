/**
 * Under `--dev`, an error answered to a browser (`Accept: text/html`) is an HTML page:
 * a server error (5xx) is rendered by youch (message, the source-mapped code of every
 * frame, the stack, the request), a client error (4xx) is a small page of its own with
 * the message and details. Both show a banner while stale code serves. Everything is in
 * the page: nothing is loaded from another host.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { isAbsolute } from 'node:path';
import type { SourceLocation } from '../registry/types.js';
import type { StaleModule } from './stale-code.js';

/** What the page shows, gathered when the error was answered. */
export interface ErrorPage {
  status: number;
  title: string;
  code: string;
  message: string;
  details?: unknown;
  /** The error's name (`TypeError`, `ModuleLoadError`). */
  name: string;
  /** The stack, source-mapped. */
  stack?: string;
  location?: SourceLocation;
  /** Source text of the app modules the stack names, as they were when it was thrown. */
  sources: ReadonlyMap<string, string>;
  method: string;
  url: string;
  /** The request id (`x-request-id`): the log lines of this request carry it as `reqId`. */
  requestId?: string;
  stale: readonly StaleModule[];
}

/**
 * True when the client prefers HTML to JSON: `text/html` is listed, and before
 * `application/json` if that is listed too (a browser's navigation, not `fetch()`).
 */
export function prefersHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  if (typeof accept !== 'string') return false;
  const html = accept.indexOf('text/html');
  if (html < 0) return false;
  const json = accept.indexOf('application/json');
  return json < 0 || html < json;
}

/** Escapes text for HTML content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The stale-code banner of the dev HTML pages; empty when nothing is stale. */
export function staleBanner(stale: readonly StaleModule[]): string {
  if (stale.length === 0) return '';
  const items = stale
    .map(
      (s) =>
        `<li><code>${escapeHtml(s.line === undefined ? s.file : `${s.file}:${s.line}`)}</code> ${escapeHtml(s.code)}: ${escapeHtml(s.message)}</li>`,
    )
    .join('');
  return `<div id="hotpub-stale" role="alert" style="font:14px/1.4 system-ui,sans-serif;background:#fff3cd;color:#5c4400;border-bottom:2px solid #e0a800;padding:10px 16px;margin:0"><strong>Stale code is serving:</strong> the latest save failed, so the last good code still answers. Fix the file to apply it.<ul style="margin:6px 0 0;padding-left:20px">${items}</ul></div>`;
}

/** The whole HTML page for an error. */
export async function renderErrorPage(page: ErrorPage): Promise<string> {
  const html = page.status >= 500 ? await youchPage(page) : clientErrorPage(page);
  const banner = staleBanner(page.stale);
  if (banner === '') return html;
  const body = /<body[^>]*>/.exec(html);
  return body ? html.replace(body[0], `${body[0]}${banner}`) : `${banner}${html}`;
}

/**
 * The stack youch parses: the mapped stack, led by a frame at the error's location when
 * no frame names it (a syntax error happens in no frame), so its code is shown first.
 */
function stackForYouch(page: ErrorPage): string {
  const lines = (page.stack ?? `${page.name}: ${page.message}`).split('\n');
  const loc = page.location;
  if (loc === undefined) return lines.join('\n');
  const at = `${loc.file}:${loc.line}:${loc.column}`;
  const isFrame = (l: string) => l.trimStart().startsWith('at ');
  if (lines.some((l) => isFrame(l) && l.includes(at))) return lines.join('\n');
  const firstFrame = lines.findIndex(isFrame);
  const cut = firstFrame < 0 ? lines.length : firstFrame;
  return [...lines.slice(0, cut), `    at ${at}`, ...lines.slice(cut)].join('\n');
}

async function youchPage(page: ErrorPage): Promise<string> {
  const { Youch } = await import('youch');
  const youch = new Youch();
  youch.defineSourceLoader(async (frame) => {
    const file = frame.fileName;
    if (file === undefined) return undefined;
    const known = page.sources.get(file);
    if (known !== undefined) return { contents: known };
    if (!isAbsolute(file)) return undefined; // node:internal and the like
    return readFile(file, 'utf8').then(
      (contents) => ({ contents }),
      () => undefined,
    );
  });
  // The location is the first frame shown: the message need not repeat it.
  const loc = page.location;
  const prefix = loc && `${loc.file}:${loc.line}:${loc.column}: `;
  const message =
    prefix && page.message.startsWith(prefix) ? page.message.slice(prefix.length) : page.message;
  const shown = new Error(message);
  shown.name = page.name;
  shown.stack = stackForYouch(page);
  if (page.code) Object.assign(shown, { code: page.code });
  // Only method, URL and request id: other headers would show cookies and the admin token.
  return youch.toHTML(shown, {
    title: page.title,
    request: {
      method: page.method,
      url: page.url,
      ...(page.requestId === undefined ? {} : { headers: { 'x-request-id': page.requestId } }),
    },
  });
}

function clientErrorPage(page: ErrorPage): string {
  const details =
    page.details === undefined
      ? ''
      : `<h2>Details</h2><pre>${escapeHtml(JSON.stringify(page.details, null, 2) ?? '')}</pre>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}main{max-width:760px;margin:0 auto;padding:24px 16px}
h1{font-size:1.4rem;margin:0 0 8px}code,pre{font:13px/1.45 ui-monospace,monospace}pre{background:#fff;border:1px solid #ddd;padding:12px;overflow:auto}
.code{color:#666}</style></head>
<body><main><h1>${escapeHtml(page.title)}</h1>
<p id="error-message">${escapeHtml(page.message)}</p>
<p class="code"><code>${escapeHtml(page.code)}</code> &middot; ${escapeHtml(page.method)} <code>${escapeHtml(page.url)}</code>${page.requestId === undefined ? '' : ` &middot; request <code>${escapeHtml(page.requestId)}</code>`}</p>
${details}
<p class="code">hotpub --dev: this page is for browsers; <code>Accept: application/json</code> gets the JSON error.</p>
</main></body></html>`;
}
