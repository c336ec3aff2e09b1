// ctx.session against a real server and real storage: the cookie, saving only changes,
// destroy, tampering, rotation, guards, and a server without a secret.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { sign } from '../../src/session/signed-cookie.js';
import { json, startServer, type TestServer } from '../helpers/server.js';

const SECRET = 's'.repeat(32);
const OLD = 'o'.repeat(32);

const CART = `import type { Context } from 'hotpub';
export function add(args: { item: string }, ctx: Context) {
  const items = (ctx.session.items as string[] | undefined) ?? [];
  items.push(args.item);
  ctx.session.items = items;
  return ctx.session;
}
export function view(_: unknown, ctx: Context) { return ctx.session; }
export function logout(_: unknown, ctx: Context) { ctx.session.destroy(); return 'bye'; }
export function relogin(_: unknown, ctx: Context) { ctx.session.destroy(); ctx.session.user = 'ann'; return ctx.session; }
export function fail(_: unknown, ctx: Context) { ctx.session.items = ['lost']; throw new Error('boom'); }
export async function later(_: unknown, ctx: Context) { await new Promise((r) => setTimeout(r, 5)); ctx.session.later = true; return 'ok'; }
export function both(_: unknown, ctx: Context) { ctx.res.setHeader('set-cookie', 'theme=dark; Path=/'); ctx.session.n = 1; return 'ok'; }
export function plain() { return 'plain'; }
export function secret(_: unknown, ctx: Context) { return { user: ctx.session.user ?? null }; }
secret.auth = (ctx: Context) => ctx.session.user === 'ann';
`;

/** The `name=value` part of the session cookie in a response, if it set one. */
function sessionCookie(res: Response, app = 'shop'): string | undefined {
  const line = res.headers.getSetCookie().find((c) => c.startsWith(`hotpub.sid.${app}=`));
  return line?.split(';')[0];
}

describe('ctx.session', () => {
  let s: TestServer;
  const get = (path: string, cookie?: string, headers: Record<string, string> = {}) =>
    s.fetch(path, { headers: cookie ? { cookie, ...headers } : headers });
  before(async () => {
    s = await startServer({
      storage: { driver: 'memory' },
      secret: [SECRET, OLD],
      files: { 'shop/cart.ts': CART, 'blog/cart.ts': CART },
    });
  });
  after(() => s.close());

  it('is made on first write, kept in storage and named by a signed HttpOnly cookie', async () => {
    const first = await get('/shop/cart/add?item=pen');
    assert.deepEqual(await json(first), { items: ['pen'] });
    const line = first.headers.getSetCookie()[0]!;
    assert.match(
      line,
      /^hotpub\.sid\.shop=[\w-]{32}\.[\w-]{43}; Max-Age=1209600; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    const cookie = sessionCookie(first)!;
    const again = await get('/shop/cart/add?item=ink', cookie);
    assert.deepEqual(await json(again), { items: ['pen', 'ink'] });
    const id = cookie.slice(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
    assert.deepEqual(await s.server.storage.root.getItem(`session:shop:${id}`), {
      items: ['pen', 'ink'],
    });
  });

  it('finds its cookie whatever the header spelling, and among several Cookie lines', async () => {
    const made = sessionCookie(await get('/shop/cart/add?item=pen'))!;
    const upper = await s.raw('/shop/cart/view', { headers: { COOKIE: made } });
    assert.deepEqual(JSON.parse(upper.body), { items: ['pen'] });
    const lines = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${s.url}/shop/cart/view`,
        { headers: { cookie: ['a=1', made] } },
        (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(JSON.parse(lines), { items: ['pen'] });
  });

  it('is saved only when it changed, and an empty new session sets no cookie', async () => {
    const made = sessionCookie(await get('/shop/cart/add?item=pen'))!;
    const read = await get('/shop/cart/view', made);
    assert.deepEqual(await json(read), { items: ['pen'] });
    assert.deepEqual(read.headers.getSetCookie(), []);
    const fresh = await get('/shop/cart/view');
    assert.deepEqual(await json(fresh), {});
    assert.deepEqual(fresh.headers.getSetCookie(), []);
  });

  it('costs nothing where it is never read: no cookie, no stored session', async () => {
    const before = (await s.server.storage.root.getKeys('session')).length;
    const res = await get('/shop/cart/plain');
    assert.equal(await res.text(), 'plain');
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.equal((await s.server.storage.root.getKeys('session')).length, before);
  });

  it('is saved before the response is sent, after an await too', async () => {
    const res = await get('/shop/cart/later');
    const cookie = sessionCookie(res)!;
    const id = cookie.slice(cookie.indexOf('=') + 1, cookie.lastIndexOf('.'));
    // The response is out, so the write is done: no wait, no retry.
    assert.deepEqual(await s.server.storage.root.getItem(`session:shop:${id}`), { later: true });
  });

  it("keeps the function's own cookies beside its session cookie", async () => {
    const res = await get('/shop/cart/both');
    const cookies = res.headers.getSetCookie();
    assert.equal(cookies.length, 2);
    assert.equal(cookies[0], 'theme=dark; Path=/');
    assert.ok(sessionCookie(res));
  });

  it('is per app: blog never sees the session of shop', async () => {
    const shop = sessionCookie(await get('/shop/cart/add?item=pen'))!;
    const blog = await get('/blog/cart/view', shop);
    assert.deepEqual(await json(blog), {});
  });

  it('destroy() deletes it and clears the cookie; the old cookie then reads empty', async () => {
    const cookie = sessionCookie(await get('/shop/cart/add?item=pen'))!;
    const out = await get('/shop/cart/logout', cookie);
    assert.equal(await out.text(), 'bye');
    assert.match(out.headers.getSetCookie()[0]!, /^hotpub\.sid\.shop=; Max-Age=0; Path=\//);
    const after = await get('/shop/cart/view', cookie);
    assert.deepEqual(await json(after), {});
  });

  it('destroy() then a write starts a new session with a new id', async () => {
    const cookie = sessionCookie(await get('/shop/cart/add?item=pen'))!;
    const res = await get('/shop/cart/relogin', cookie);
    assert.deepEqual(await json(res), { user: 'ann' });
    const next = sessionCookie(res)!;
    assert.notEqual(next, cookie);
    assert.deepEqual(await json(await get('/shop/cart/view', next)), { user: 'ann' });
    assert.deepEqual(await json(await get('/shop/cart/view', cookie)), {});
  });

  it('reads a tampered, forged or unknown cookie as a new empty session, never an error', async () => {
    const cookie = sessionCookie(await get('/shop/cart/add?item=pen'))!;
    const [name, value] = cookie.split('=') as [string, string];
    const id = value.slice(0, value.lastIndexOf('.'));
    const tampered = [
      `${name}=${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}${value.slice(id.length)}`,
      `${name}=${id}.forged`,
      `${name}=${sign(id, 'x'.repeat(32))}`,
      `${name}=${id}`,
      `${name}=`,
      `${name}=%E0%A4%A`,
    ];
    for (const bad of tampered) {
      const res = await get('/shop/cart/view', bad);
      assert.equal(res.status, 200, bad);
      assert.deepEqual(await json(res), {}, bad);
    }
    // An id that verifies but is not stored (expired, destroyed): new session, new id.
    const unknown = `${name}=${sign('not-a-stored-session-id-at-all00', SECRET)}`;
    const res = await get('/shop/cart/add?item=x', unknown);
    assert.deepEqual(await json(res), { items: ['x'] });
    assert.notEqual(sessionCookie(res), unknown);
  });

  it('verifies a cookie signed with an older secret and signs it anew with the first', async () => {
    const made = sessionCookie(await get('/shop/cart/add?item=pen'))!;
    const id = made.slice(made.indexOf('=') + 1, made.lastIndexOf('.'));
    const old = `hotpub.sid.shop=${sign(id, OLD)}`;
    const res = await get('/shop/cart/view', old);
    assert.deepEqual(await json(res), { items: ['pen'] });
    assert.equal(sessionCookie(res), `hotpub.sid.shop=${sign(id, SECRET)}`);
  });

  it('discards the changes of a function that throws', async () => {
    const cookie = sessionCookie(await get('/shop/cart/add?item=pen'))!;
    assert.equal((await get('/shop/cart/fail', cookie)).status, 500);
    assert.deepEqual(await json(await get('/shop/cart/view', cookie)), { items: ['pen'] });
  });

  it('is read before guards, so fn.auth can use it', async () => {
    assert.equal((await get('/shop/cart/secret')).status, 401);
    const ann = sessionCookie(await get('/shop/cart/relogin'))!;
    const res = await get('/shop/cart/secret', ann);
    assert.equal(res.status, 200);
    assert.deepEqual(await json(res), { user: 'ann' });
  });

  it('marks the cookie Secure behind TLS (X-Forwarded-Proto: https)', async () => {
    const res = await get('/shop/cart/add?item=pen', undefined, { 'x-forwarded-proto': 'https' });
    assert.match(res.headers.getSetCookie()[0]!, /; Secure$|; Secure;/);
  });
});

describe('ctx.session without a secret', () => {
  let s: TestServer;
  const lines: string[] = [];
  before(async () => {
    delete process.env.HOTPUB_SECRET;
    s = await startServer({
      storage: { driver: 'memory' },
      logger: pino({ level: 'error' }, { write: (line: string) => lines.push(line) }),
      files: { 'shop/cart.ts': CART },
    });
  });
  after(() => s.close());

  it('starts and serves everything else', async () => {
    assert.equal(await (await s.fetch('/shop/cart/plain')).text(), 'plain');
  });

  it('answers 500 HOTPUB_E_NO_SECRET with one log line naming HOTPUB_SECRET', async () => {
    lines.length = 0;
    const res = await s.fetch('/shop/cart/view', { headers: { cookie: 'hotpub.sid.shop=x.y' } });
    assert.equal(res.status, 500);
    assert.equal((await json(res)).error.code, 'HOTPUB_E_NO_SECRET');
    assert.equal(lines.length, 1);
    assert.match(JSON.parse(lines[0]!).msg, /ctx\.session needs a secret.*HOTPUB_SECRET/);
  });
});

describe('ctx.session under --dev without a secret', () => {
  it('works with a made-up secret', async () => {
    delete process.env.HOTPUB_SECRET;
    const s = await startServer({
      dev: true,
      storage: { driver: 'memory' },
      files: { 'shop/cart.ts': CART },
    });
    try {
      const cookie = sessionCookie(await s.fetch('/shop/cart/add?item=pen'))!;
      const res = await s.fetch('/shop/cart/view', { headers: { cookie } });
      assert.deepEqual(await json(res), { items: ['pen'] });
    } finally {
      await s.close();
    }
  });
});
