// GET /site shows the guestbook; its form posts back to /site, which adds the entry
// and redirects to GET /site (post/redirect/get, so a reload does not post twice).
import { html, keep } from 'hotpub';
import { layout } from './_lib/layout.js';

interface Entry {
  name: string;
  message: string;
  at: Date;
}

// Created once, kept across reloads of this file: edit the HTML below while
// `npm run dev` runs and the entries are still there.
const entries = keep('entries', () => [] as Entry[]);

export function index(
  args: { name?: string; message?: string },
  ctx: { req: { method?: string } },
) {
  if (ctx.req.method === 'POST') {
    const name = (args.name ?? '').trim() || 'anonymous';
    const message = (args.message ?? '').trim();
    if (message) entries.unshift({ name, message, at: new Date() });
    if (entries.length > 100) entries.length = 100;
    return new Response(null, { status: 303, headers: { location: '/site' } });
  }
  // html`` escapes what visitors wrote: a name like <script> is shown, never run.
  const list = entries.map(
    (e) =>
      html`<li><strong>${e.name}</strong> <time>${e.at.toISOString().slice(0, 16).replace('T', ' ')}</time><p>${e.message}</p></li>`,
  );
  return layout(
    'Guestbook',
    html`<form method="post" action="/site">
      <label>Name <input name="name" maxlength="40"></label>
      <label>Message <textarea name="message" required maxlength="500"></textarea></label>
      <button>Sign</button>
    </form>
    <ul class="entries">${list.length > 0 ? list : html`<li>No entries yet: be the first.</li>`}</ul>`,
  );
}
// The same URL answers the page (GET) and the form (POST).
index.methods = ['GET', 'HEAD', 'POST'];
index.schema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 40 },
    message: { type: 'string', maxLength: 500 },
  },
};
