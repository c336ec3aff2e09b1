// GET /site shows the guestbook; its form posts back to /site, which adds the entry
// and redirects to GET /site (post/redirect/get, so a reload does not post twice).
import { keep } from 'hotpub';
import { escapeHtml, layout } from './_lib/layout.js';

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
  const list = entries
    .map(
      (e) =>
        `<li><strong>${escapeHtml(e.name)}</strong> <time>${e.at.toISOString().slice(0, 16).replace('T', ' ')}</time><p>${escapeHtml(e.message)}</p></li>`,
    )
    .join('\n');
  return layout(
    'Guestbook',
    `<form method="post" action="/site">
      <label>Name <input name="name" maxlength="40"></label>
      <label>Message <textarea name="message" required maxlength="500"></textarea></label>
      <button>Sign</button>
    </form>
    <ul class="entries">${list || '<li>No entries yet: be the first.</li>'}</ul>`,
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
