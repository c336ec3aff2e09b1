/**
 * Beyond one call, over plain HTTP (SPEC section 8): request ids on every response and
 * log line, cookies, CORS for one app and not another, and streamed bodies that never
 * hold a reload back.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { json, startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A pino logger whose JSON lines are kept in `lines`. */
function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const dest = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, dest), lines };
}

describe('request ids', () => {
  let s: TestServer;
  const log = capturingLogger();
  before(async () => {
    s = await startServer({
      logger: log.logger,
      files: {
        'ids/index.ts': `
export function index(_a: unknown, ctx: { id: string; log: { info(o: object, m: string): void } }) {
  ctx.log.info({ step: 1 }, 'inside the function');
  return { id: ctx.id };
}
export function bug() { throw new Error('kaput'); }`,
        'ids/public/file.txt': 'static',
      },
    });
  });
  after(() => s?.close());

  it('a fresh id per request, in ctx.id and the x-request-id header', async () => {
    const a = await s.fetch('/ids');
    const b = await s.fetch('/ids');
    const idA = a.headers.get('x-request-id') ?? '';
    assert.match(idA, UUID);
    assert.equal((await json(a)).id, idA);
    assert.notEqual(b.headers.get('x-request-id'), idA);
  });

  it('a well-formed incoming id is kept; a malformed one is replaced', async () => {
    const kept = await s.fetch('/ids', { headers: { 'x-request-id': 'abc-DEF_123=' } });
    assert.equal(kept.headers.get('x-request-id'), 'abc-DEF_123=');
    assert.equal((await json(kept)).id, 'abc-DEF_123=');
    for (const bad of ['has space', 'x'.repeat(256), 'semi;colon', 'quote"']) {
      const r = await s.fetch('/ids', { headers: { 'x-request-id': bad } });
      assert.match(r.headers.get('x-request-id') ?? '', UUID, bad);
    }
  });

  it('on every response: errors, 404s, static files, 405s', async () => {
    for (const [path, status] of [
      ['/ids/bug', 500],
      ['/ids/nothing', 404],
      ['/nowhere', 404],
      ['/ids/file.txt', 200],
    ] as const) {
      const r = await s.fetch(path, { headers: { 'x-request-id': `req-${status}` } });
      assert.equal(r.status, status, path);
      assert.equal(r.headers.get('x-request-id'), `req-${status}`, path);
      await r.arrayBuffer();
    }
    const m = await s.fetch('/ids', { method: 'DELETE' });
    assert.equal(m.status, 405);
    assert.match(m.headers.get('x-request-id') ?? '', UUID);
  });

  it('on the log lines of the request: ctx.log and the error line', async () => {
    await s.fetch('/ids', { headers: { 'x-request-id': 'logged-1' } });
    const mine = log.lines.find((l) => l.msg === 'inside the function' && l.reqId === 'logged-1');
    assert.ok(mine, 'ctx.log writes reqId');
    assert.equal(mine.app, 'ids', 'and stays the app logger');
    await s.fetch('/ids/bug', { headers: { 'x-request-id': 'logged-2' } });
    await waitFor(() => log.lines.some((l) => l.level === 50 && l.reqId === 'logged-2'), {
      message: 'the error line with reqId',
    });
  });
});

describe('cookies', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      files: {
        'c/index.ts': `
import type { Context } from 'hotpub';
export function login(_a: unknown, ctx: Context) {
  ctx.cookies.set('session', 'a b;c', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 60 });
  ctx.cookies.set('theme', 'dark');
  return 'ok';
}
export function whoami(_a: unknown, ctx: Context) {
  return { session: ctx.cookies.get('session') ?? null, all: ctx.cookies.all() };
}
export function logout(_a: unknown, ctx: Context) {
  ctx.cookies.delete('session', { path: '/' });
  return 'bye';
}
export function badName(_a: unknown, ctx: Context) { ctx.cookies.set('no;pe', 'x'); return 'unreachable'; }
export function thenFail(_a: unknown, ctx: Context) {
  ctx.cookies.set('half', 'done');
  throw Object.assign(new Error('failed'), { status: 400 });
}`,
      },
    });
  });
  after(() => s?.close());

  it('round trip: set with the cookie package’s options, read back, delete', async () => {
    const login = await s.fetch('/c/login');
    const set = login.headers.getSetCookie();
    assert.deepEqual(set, [
      'session=a%20b%3Bc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax',
      'theme=dark',
    ]);
    const cookie = set.map((c) => c.split(';')[0]).join('; ');
    const me = await json(await s.fetch('/c/whoami', { headers: { cookie } }));
    assert.deepEqual(me, { session: 'a b;c', all: { session: 'a b;c', theme: 'dark' } });
    assert.deepEqual(await json(await s.fetch('/c/whoami')), { session: null, all: {} });
    const out = await s.fetch('/c/logout');
    const [gone] = out.headers.getSetCookie();
    assert.match(
      gone ?? '',
      /^session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT$/,
    );
  });

  it('a bad cookie name is the function’s bug (500); a failed call sends no cookie', async () => {
    assert.equal((await s.fetch('/c/badName')).status, 500);
    const r = await s.fetch('/c/thenFail');
    assert.equal(r.status, 400);
    assert.deepEqual(r.headers.getSetCookie(), []);
  });
});

describe('CORS per app', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      files: {
        'api/app.json': JSON.stringify({
          cors: {
            origin: ['https://app.example'],
            credentials: true,
            methods: ['GET', 'POST'],
            exposedHeaders: ['x-request-id'],
            maxAge: 600,
          },
        }),
        'api/index.ts': `export function index() { return { ok: true }; }
export function save(args: unknown) { return args; }
save.methods = ['POST'];
export function fail() { throw Object.assign(new Error('nope'), { status: 409 }); }`,
        'open/app.json': JSON.stringify({ cors: { origin: '*' } }),
        'open/index.ts': `export function index() { return 'open'; }`,
        'site/index.ts': `export function index() { return 'site'; }`,
      },
    });
  });
  after(() => s?.close());

  const preflight = (path: string, origin: string) =>
    s.fetch(path, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });

  it('a preflight to the app with cors is answered 204 with its rules', async () => {
    const r = await preflight('/api/save', 'https://app.example');
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(r.headers.get('access-control-allow-methods'), 'GET,POST');
    assert.equal(r.headers.get('access-control-allow-headers'), 'content-type');
    assert.equal(r.headers.get('access-control-max-age'), '600');
    assert.match(r.headers.get('vary') ?? '', /Origin/);
    assert.ok(r.headers.get('x-request-id'));
  });

  it('an origin not listed gets no allow-origin', async () => {
    const r = await preflight('/api/save', 'https://evil.example');
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });

  it('the app’s responses carry the headers, errors and 404s included', async () => {
    const origin = { origin: 'https://app.example' };
    const ok = await s.fetch('/api', { headers: origin });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(ok.headers.get('access-control-expose-headers'), 'x-request-id');
    const err = await s.fetch('/api/fail', { headers: origin });
    assert.equal(err.status, 409);
    assert.equal(err.headers.get('access-control-allow-origin'), 'https://app.example');
    const missing = await s.fetch('/api/nothing', { headers: origin });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('access-control-allow-origin'), 'https://app.example');
  });

  it('"*" allows any origin', async () => {
    const r = await s.fetch('/open', { headers: { origin: 'https://anyone.example' } });
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
  });

  it('another app is untouched: no CORS headers, no preflight answer', async () => {
    const r = await s.fetch('/site', { headers: { origin: 'https://app.example' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    const p = await preflight('/site', 'https://app.example');
    assert.notEqual(p.status, 204);
    assert.equal(p.headers.get('access-control-allow-origin'), null);
  });
});

describe('streamed bodies and reloads', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      watch: true,
      drainTimeoutMs: 60_000,
      files: {
        'st/index.ts': `
import { Readable } from 'node:stream';
export const version = 1;
export function stream(_a: unknown, ctx: { signal: AbortSignal }) {
  let i = 0;
  return new Readable({
    read() {
      if (ctx.signal.aborted) { this.push(null); return; }
      setTimeout(() => this.push('v1 chunk ' + i++ + '\\n'), 20);
    },
  });
}
export function now() { return { version }; }`,
      },
    });
  });
  after(() => s?.close());

  it('a returned stream that is still flowing does not hold a reload back', async () => {
    const ac = new AbortController();
    const r = await s.fetch('/st/stream', { signal: ac.signal });
    const reader = r.body?.getReader();
    assert.ok(reader);
    await reader.read();
    let swapped = false;
    const off = s.server.registry.on('swap', () => {
      swapped = true;
    });
    await s.write(
      'st/index.ts',
      `export const version = 2;\nexport function now() { return { version }; }`,
    );
    await waitFor(() => swapped, { message: 'the reload to swap while the body streams' });
    off();
    assert.deepEqual(await json(await s.fetch('/st/now')), { version: 2 });
    const { value } = await reader.read();
    assert.match(new TextDecoder().decode(value), /v1 chunk/, 'the stream goes on with its code');
    ac.abort();
  });
});
