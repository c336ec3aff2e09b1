/**
 * `/` under `--dev` when no app is mounted there: a small page that lists the apps with
 * links (a patterned mount such as `/api/:tenant` is shown as its pattern), links the
 * dashboard, and shows the stale-code banner. A first look that says where things are,
 * instead of a JSON 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, type MountedApp, type StaleModule, staleBanner } from '../publisher/index.js';

/** The page listing `apps`. */
export function devHomePage(apps: readonly MountedApp[], stale: readonly StaleModule[]): string {
  const rows = apps
    .map((a) => {
      const patterned = /[:{*]/.test(a.mount);
      const mount = escapeHtml(a.mount);
      const link = patterned
        ? `<code>${mount}</code>`
        : `<a href="${mount}"><code>${mount}</code></a>`;
      return `<li data-app="${escapeHtml(a.name)}"><strong>${escapeHtml(a.name)}</strong> ${link}</li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>hotpub: apps</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}main{max-width:640px;margin:0 auto;padding:24px 16px}
h1{font-size:1.4rem}ul{padding-left:20px}li{margin:6px 0}code{font:14px ui-monospace,monospace}a{color:#0b57d0}.muted{color:#666;font-size:14px}</style></head>
<body>${staleBanner(stale)}<main><h1>hotpub apps</h1>
${apps.length === 0 ? '<p>No apps yet: create one with <code>hotpub new app NAME</code>.</p>' : `<ul id="apps">\n${rows}\n</ul>`}
<p><a href="/-/">Dashboard</a> &middot; <a href="/-/docs">API docs</a></p>
<p class="muted">This page is shown under <code>--dev</code> only.</p>
</main></body></html>`;
}

/** Answers `GET /` (and `HEAD /`) with the page; `next()` for anything else. */
export function serveDevHome(
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
  apps: readonly MountedApp[],
  stale: readonly StaleModule[],
): void {
  const url = req.url ?? '/';
  const path = url.split('?', 1)[0];
  if (path !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) {
    next();
    return;
  }
  const html = devHomePage(apps, stale);
  res.statusCode = 200;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(html));
  res.setHeader('cache-control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : html);
}
