/**
 * The examples of docs/realtime.md (and the hooks example of docs/handlers.md) run as
 * they are written: each `ts` block is a file of a real apps directory.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventReader, openSocket, wsUrl } from '../helpers/realtime.js';
import { json, startServer, type TestServer } from '../helpers/server.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** The fenced block of `doc` in `lang` whose first line names `marker`. */
function block(doc: string, marker: string, lang = 'ts'): string {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  for (const m of text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))) {
    const code = m[1] as string;
    if ((code.split('\n')[0] as string).includes(marker)) return code;
  }
  throw new Error(`${doc}: no ${lang} block starting with ${marker}`);
}

/** The first `json` block of `doc` that has `key`. */
function jsonBlock(doc: string, key: string): string {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  for (const m of text.matchAll(/```json\n([\s\S]*?)```/g)) {
    if ((m[1] as string).includes(`"${key}"`)) return m[1] as string;
  }
  throw new Error(`${doc}: no json block with ${key}`);
}

describe('docs/realtime.md and the hooks of docs/handlers.md, as written', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      files: {
        'account/session.ts': block('docs/realtime.md', 'apps/account/session.ts'),
        'account/app.json': jsonBlock('docs/realtime.md', 'cors'),
        'clock/ticks.ts': block('docs/realtime.md', 'apps/clock/ticks.ts'),
        'live/counter.ts': block('docs/realtime.md', 'apps/live/counter.ts'),
        'shop/admin/_hooks.ts': block('docs/handlers.md', 'apps/shop/admin/_hooks.ts'),
        'shop/admin/index.ts': `export function index(_a: unknown, ctx: { state: unknown }) { return ctx.state; }`,
      },
    });
  });
  after(() => s?.close());

  it('cookies: login sets, whoami reads, logout deletes; CORS from the app.json example', async () => {
    const login = await s.fetch('/account/session/login?name=ada', {
      headers: { origin: 'https://app.example' },
    });
    assert.deepEqual(await json(login), { hello: 'ada' });
    assert.equal(login.headers.get('access-control-allow-origin'), 'https://app.example');
    const [cookie] = login.headers.getSetCookie();
    assert.match(cookie ?? '', /^user=ada; Max-Age=86400; Path=\/; HttpOnly; SameSite=Lax$/);
    const me = await s.fetch('/account/session/whoami', {
      headers: { cookie: (cookie ?? '').split(';')[0] ?? '' },
    });
    assert.deepEqual(await json(me), { user: 'ada' });
    const out = await s.fetch('/account/session/logout');
    assert.match(out.headers.getSetCookie()[0] ?? '', /^user=; Max-Age=0; Path=\//);
  });

  it('the clock: tick events with ids, resuming after Last-Event-ID', async () => {
    const ac = new AbortController();
    const r = await s.fetch('/clock/ticks', {
      headers: { accept: 'text/event-stream', 'last-event-id': '41' },
      signal: ac.signal,
    });
    const ev = new EventReader(r);
    const first = await ev.nextEvent();
    assert.equal(first?.event, 'tick');
    assert.equal(first?.id, '42');
    assert.equal(JSON.parse(first?.data ?? '{}').n, 42);
    ac.abort();
  });

  it('the live counter: open subscribes, clicks count and reach the other sockets', async () => {
    const a = await openSocket(wsUrl(s.url, '/live/counter'));
    const b = await openSocket(wsUrl(s.url, '/live/counter'));
    assert.deepEqual(JSON.parse(await a.next()), { total: 0, mine: 0 });
    assert.deepEqual(JSON.parse(await b.next()), { total: 0, mine: 0 });
    assert.deepEqual(JSON.parse(await a.ask({ click: true })), { total: 1, mine: 1 });
    assert.deepEqual(JSON.parse(await b.next()), { total: 1 }, 'published to b');
    await a.close();
    await b.close();
  });

  it('the hooks example refuses without the key and sets ctx.state with it', async () => {
    const key = process.env.ADMIN_KEY;
    process.env.ADMIN_KEY = 'k';
    try {
      const no = await s.fetch('/shop/admin');
      assert.equal(no.status, 403);
      assert.equal(await no.text(), 'admin only');
      assert.deepEqual(
        await json(await s.fetch('/shop/admin', { headers: { 'x-api-key': 'k' } })),
        {
          admin: true,
        },
      );
    } finally {
      if (key === undefined) delete process.env.ADMIN_KEY;
      else process.env.ADMIN_KEY = key;
    }
  });
});
