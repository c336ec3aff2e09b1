// GET /site/about -> index; GET /site/about/server -> server.
import { html } from 'hotpub';
import { layout } from './_lib/layout.js';

export function index() {
  return layout(
    'About',
    html`<p>Every page of this site is an exported function in <code>apps/site/</code>:
    <code>/site</code> is <code>index</code> in <code>index.ts</code>, this page is
    <code>index</code> in <code>about.ts</code>, and
    <a href="/site/about/server">/site/about/server</a> is <code>server</code> below.</p>`,
  );
}

// Returning an object answers JSON.
export function server() {
  return { node: process.version, uptimeSeconds: Math.round(process.uptime()) };
}
