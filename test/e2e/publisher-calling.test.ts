/**
 * Calling a published function (SPEC section 3): args from query, JSON, urlencoded and
 * multipart bodies and mount params; no prototype pollution; methods and 405; schemas
 * and 400; guards and 401/403; body limits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, startServer, type TestServer } from '../helpers/server.js';

const echo = `
export function echo(args: Record<string, unknown>, ctx: { body: unknown }) {
  const files: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (v && typeof v === 'object' && 'data' in (v as object)) {
      const f = v as { filename: string; mimeType: string; size: number; data: Buffer };
      files[k] = { filename: f.filename, mimeType: f.mimeType, size: f.size, text: f.data.toString('utf8') };
    }
  }
  return {
    args,
    files,
    proto: Object.getPrototypeOf(args) === null ? 'null' : 'object',
    polluted: ({} as Record<string, unknown>).polluted ?? null,
    bodyIsArray: Array.isArray(ctx.body),
  };
}
`;

const methods = `
export function onlyPost() { return 'posted'; }
onlyPost.methods = ['POST'];
export function getOnly() { return 'got'; }
getOnly.methods = ['GET'];
export function anyPut(args: { x?: string }) { return { put: args.x ?? null }; }
anyPut.methods = ['PUT', 'DELETE'];
`;

const schema = `
export function search(args: { q: string; page: number; tags: string[]; exact: boolean }) {
  return { args, types: [typeof args.q, typeof args.page, Array.isArray(args.tags), typeof args.exact] };
}
search.schema = {
  type: 'object',
  properties: {
    q: { type: 'string', minLength: 1 },
    page: { type: 'integer', minimum: 1, default: 1 },
    tags: { type: 'array', items: { type: 'string' }, default: [] },
    exact: { type: 'boolean', default: false },
  },
  required: ['q'],
};
export function strictJson(args: { n: number }) { return { n: args.n }; }
strictJson.schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
export function badSchema() { return 'never'; }
badSchema.schema = { type: 'object', notAKeyword: true };
`;

const guarded = `
import type { IncomingMessage } from 'node:http';
type Ctx = { req: IncomingMessage; body: unknown };
// Module guards: _auth answers 401 when falsy, _access 403.
export function _auth(ctx: Ctx) { return ctx.req.headers.authorization === 'Bearer good' || ctx.req.headers.authorization === 'Bearer user'; }
export async function _access(ctx: Ctx) { return ctx.req.headers['x-role'] !== 'banned'; }
export function secret() { return 'secret'; }
export function admin() { return 'admin'; }
admin.access = (ctx: Ctx) => ctx.req.headers.authorization === 'Bearer good';
export function validated(args: { n: number }, ctx: Ctx) { return { n: args.n, body: ctx.body }; }
validated.schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
export function custom() { return 'custom'; }
custom.auth = () => { throw Object.assign(new Error('token expired'), { status: 401, headers: {} }); };
`;

describe('calling functions', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      bodyLimit: 1024,
      files: {
        'app/index.ts': echo,
        'app/methods.ts': methods,
        'app/schema.ts': schema,
        'app/guarded.ts': guarded,
        'app/misconfigured.ts': [
          "export function strGuard() { return 'open'; }",
          "strGuard.auth = 'admin';",
          "export function nullGuard() { return 'open'; }",
          'nullGuard.access = null;',
          "export function classGuard() { return 'open'; }",
          'classGuard.auth = class {};',
          "export function genGuard() { return 'open'; }",
          'genGuard.access = function* () { yield true; };',
          "export function boundGuard() { return 'open'; }",
          'boundGuard.auth = function (this: { ok: boolean }) { return this.ok; }.bind({ ok: false });',
          "export function badMethods() { return 'open'; }",
          "badMethods.methods = ['GET', 5];",
          "export function emptyMethods() { return 'open'; }",
          'emptyMethods.methods = [];',
        ].join('\n'),
        'locked/index.ts':
          "export const _auth = { user: 'x' };\nexport function index() { return 'open'; }\n",
        'big/app.json': JSON.stringify({ bodyLimit: 4096 }),
        'huge/app.json': JSON.stringify({ bodyLimit: 1024 * 1024 }),
        'huge/index.ts': echo,
        'big/index.ts': echo,
      },
    });
  });
  after(() => s?.close());

  const post = (
    path: string,
    type: string,
    body: string | FormData | URLSearchParams,
    headers: Record<string, string> = {},
  ) =>
    s.fetch(path, {
      method: 'POST',
      headers: type ? { 'content-type': type, ...headers } : headers,
      body,
    });

  it('args: query string with repeated keys as arrays and a[b] kept flat', async () => {
    const r = await s.fetch('/app/echo?x=1&y=a&y=b&a[b]=1&sp=a+b%20c');
    assert.equal(r.status, 200);
    const out = await json(r);
    assert.deepEqual(out.args, { x: '1', y: ['a', 'b'], 'a[b]': '1', sp: 'a b c' });
    assert.equal(out.proto, 'null', 'args has a null prototype');
  });

  it('args: JSON body merged over the query', async () => {
    const r = await post(
      '/app/echo?x=query&k=keep',
      'application/json',
      JSON.stringify({ x: 'body', n: 1, nested: { a: [1, 2] } }),
    );
    assert.deepEqual((await json(r)).args, { x: 'body', k: 'keep', n: 1, nested: { a: [1, 2] } });
  });

  it('args: a JSON array body stays in ctx.body, not in args', async () => {
    const r = await post('/app/echo?x=1', 'application/json', '[1,2]');
    const out = await json(r);
    assert.deepEqual(out.args, { x: '1' });
    assert.equal(out.bodyIsArray, true);
  });

  it('args: urlencoded form with repeated keys', async () => {
    const r = await post('/app/echo', 'application/x-www-form-urlencoded', 'a=1&a=2&b=x+y&c[d]=e');
    assert.deepEqual((await json(r)).args, { a: ['1', '2'], b: 'x y', 'c[d]': 'e' });
  });

  it('args: multipart fields and files', async () => {
    const form = new FormData();
    form.append('title', 'hello');
    form.append('tag', 'a');
    form.append('tag', 'b');
    form.append('upload', new Blob(['file body'], { type: 'text/plain' }), 'note.txt');
    const r = await s.fetch('/app/echo', { method: 'POST', body: form });
    assert.equal(r.status, 200);
    const out = await json(r);
    assert.equal(out.args.title, 'hello');
    assert.deepEqual(out.args.tag, ['a', 'b']);
    assert.deepEqual(out.files.upload, {
      filename: 'note.txt',
      mimeType: 'text/plain',
      size: 9,
      text: 'file body',
    });
  });

  it('no prototype pollution from the query string', async () => {
    const r = await s.fetch(
      '/app/echo?__proto__[polluted]=1&__proto__=x&constructor[prototype][polluted]=1&constructor=y&prototype=z&ok=1',
    );
    const out = await json(r);
    assert.equal(out.polluted, null);
    assert.equal(out.proto, 'null');
    assert.equal(Object.hasOwn(out.args, '__proto__'), false);
    assert.deepEqual(Object.keys(out.args), [
      '__proto__[polluted]',
      'constructor[prototype][polluted]',
      'ok',
    ]);
  });

  it('no prototype pollution from JSON bodies, at any depth', async () => {
    const body =
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"a":{"__proto__":{"polluted":"deep"},"b":1},"ok":true}';
    const r = await post('/app/echo', 'application/json', body);
    const out = await json(r);
    assert.equal(out.polluted, null);
    assert.equal(out.proto, 'null');
    assert.deepEqual(out.args, { a: { b: 1 }, ok: true });
    assert.equal(
      ({} as Record<string, unknown>).polluted,
      undefined,
      'not in the test process either',
    );
  });

  it('no prototype pollution from urlencoded and multipart forms', async () => {
    const r = await post(
      '/app/echo',
      'application/x-www-form-urlencoded',
      '__proto__=x&__proto__[polluted]=1&constructor=c&prototype=p&ok=1',
    );
    const out = await json(r);
    assert.deepEqual(out.args, { '__proto__[polluted]': '1', ok: '1' });
    assert.equal(out.polluted, null);
    const form = new FormData();
    form.append('__proto__', 'x');
    form.append('constructor', 'y');
    form.append('prototype', 'z');
    form.append('ok', '1');
    const r2 = await s.fetch('/app/echo', { method: 'POST', body: form });
    const out2 = await json(r2);
    assert.deepEqual(out2.args, { ok: '1' });
    assert.equal(out2.proto, 'null');
  });

  it('malformed JSON is a 400 with a JSON error body', async () => {
    const r = await post('/app/echo', 'application/json', '{"a":');
    assert.equal(r.status, 400);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const out = await json(r);
    assert.equal(out.error.status, 400);
    assert.equal(out.error.code, 'HOTPUB_E_BAD_JSON');
  });

  it('a body over the limit is a 413 (declared length, chunked, multipart, per-app limit)', async () => {
    const big = JSON.stringify({ a: 'x'.repeat(2000) });
    const r = await post('/app/echo', 'application/json', big);
    assert.equal(r.status, 413);
    assert.equal((await json(r)).error.code, 'HOTPUB_E_BODY_TOO_LARGE');
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const r2 = await s.fetch('/app/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    assert.equal(r2.status, 413);
    const form = new FormData();
    form.append('f', new Blob(['y'.repeat(3000)]), 'f.bin');
    const r3 = await s.fetch('/app/echo', { method: 'POST', body: form });
    assert.equal(r3.status, 413);
    const r4 = await post('/big/echo', 'application/json', big);
    assert.equal(r4.status, 200, 'app.json bodyLimit raises the limit for that app');
  });

  it('fn.methods: other methods answer 405 with Allow; the default is GET, HEAD, POST', async () => {
    const r = await s.fetch('/app/methods/onlyPost');
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'POST');
    assert.equal((await json(r)).error.code, 'HOTPUB_E_METHOD_NOT_ALLOWED');
    assert.equal(
      await (await s.fetch('/app/methods/onlyPost', { method: 'POST' })).text(),
      'posted',
    );
    const g = await s.fetch('/app/methods/getOnly', { method: 'POST' });
    assert.equal(g.status, 405);
    assert.equal(g.headers.get('allow'), 'GET, HEAD');
    assert.equal((await s.fetch('/app/methods/getOnly', { method: 'HEAD' })).status, 200);
    const put = await s.fetch('/app/methods/anyPut', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"x":"1"}',
    });
    assert.deepEqual(await json(put), { put: '1' });
    const d = await s.fetch('/app/echo', { method: 'DELETE' });
    assert.equal(d.status, 405);
    assert.equal(d.headers.get('allow'), 'GET, HEAD, POST');
  });

  it('fn.schema: query strings coerced, defaults filled, 400 with the errors', async () => {
    const r = await s.fetch('/app/schema/search?q=hi&page=3&tags=a&exact=true');
    assert.equal(r.status, 200);
    const out = await json(r);
    assert.deepEqual(out.args, { q: 'hi', page: 3, tags: ['a'], exact: true });
    assert.deepEqual(out.types, ['string', 'number', true, 'boolean']);
    const d = await json(await s.fetch('/app/schema/search?q=x'));
    assert.deepEqual(d.args, { q: 'x', page: 1, tags: [], exact: false });
    const bad = await s.fetch('/app/schema/search?q=x&page=zero');
    assert.equal(bad.status, 400);
    const err = (await json(bad)).error;
    assert.equal(err.code, 'HOTPUB_E_VALIDATION');
    assert.equal(err.details[0].path, '/page');
    assert.equal(err.details.length, 1, 'allErrors is off');
    const missing = await s.fetch('/app/schema/search');
    assert.equal(missing.status, 400);
    assert.match((await json(missing)).error.message, /q/);
  });

  it('fn.schema: JSON bodies are not coerced', async () => {
    const ok = await post('/app/schema/strictJson', 'application/json', '{"n":5}');
    assert.deepEqual(await json(ok), { n: 5 });
    const r = await post('/app/schema/strictJson', 'application/json', '{"n":"5"}');
    assert.equal(r.status, 400);
  });

  it('an invalid fn.schema is a 500 that leaks nothing', async () => {
    const r = await s.fetch('/app/schema/badSchema');
    assert.equal(r.status, 500);
    const err = (await json(r)).error;
    assert.equal(err.message, 'Internal Server Error');
    assert.equal(err.code, 'HOTPUB_E_BAD_SCHEMA');
  });

  it('guards: module _auth -> 401, module _access and fn.access -> 403, checked before validation and body', async () => {
    assert.equal((await s.fetch('/app/guarded/secret')).status, 401);
    const ok = await s.fetch('/app/guarded/secret', { headers: { authorization: 'Bearer good' } });
    assert.equal(await ok.text(), 'secret');
    const banned = await s.fetch('/app/guarded/secret', {
      headers: { authorization: 'Bearer good', 'x-role': 'banned' },
    });
    assert.equal(banned.status, 403);
    assert.equal((await json(banned)).error.code, 'HOTPUB_E_FORBIDDEN');
    assert.equal(
      (await s.fetch('/app/guarded/admin', { headers: { authorization: 'Bearer user' } })).status,
      403,
    );
    assert.equal(
      (await s.fetch('/app/guarded/admin', { headers: { authorization: 'Bearer good' } })).status,
      200,
    );
    // invalid args and a malformed body: still 401 without credentials
    const r = await post('/app/guarded/validated?n=x', 'application/json', '{bad');
    assert.equal(r.status, 401);
    assert.equal((await json(r)).error.code, 'HOTPUB_E_UNAUTHORIZED');
    const r2 = await s.fetch('/app/guarded/validated?n=x', {
      headers: { authorization: 'Bearer good' },
    });
    assert.equal(r2.status, 400, 'validation after the guards');
    const r3 = await post('/app/guarded/validated?n=2', 'application/json', '{"n":2}', {
      authorization: 'Bearer good',
    });
    assert.deepEqual(await json(r3), { n: 2, body: { n: 2 } });
  });

  it('guards and fn.methods that are set but unusable fail closed (500, the function never runs)', async () => {
    for (const path of [
      '/app/misconfigured/strGuard',
      '/app/misconfigured/nullGuard',
      '/app/misconfigured/classGuard',
      '/app/misconfigured/genGuard',
      '/app/misconfigured/badMethods',
      '/app/misconfigured/emptyMethods',
      '/locked',
    ]) {
      for (const method of ['GET', 'POST']) {
        const r = await s.fetch(path, { method });
        assert.equal(r.status, 500, `${method} ${path}`);
        const e = (await json(r)).error;
        assert.equal(e.code, 'HOTPUB_E_BAD_METADATA', path);
      }
    }
    assert.equal(
      (await s.fetch('/app/misconfigured/boundGuard')).status,
      401,
      'a bound guard is a guard',
    );
  });

  it('forms with more than 1000 parameters are refused, not truncated', async () => {
    const pairs = Array.from({ length: 1001 }, (_, i) => `k${i}=1`).join('&');
    const r = await post('/huge/echo', 'application/x-www-form-urlencoded', pairs);
    assert.equal(r.status, 413);
    const ok = await post(
      '/huge/echo',
      'application/x-www-form-urlencoded',
      Array.from({ length: 1000 }, (_, i) => `k${i}=1`).join('&'),
    );
    assert.equal(ok.status, 200);
    assert.equal(Object.keys((await json(ok)).args).length, 1000);
    const form = new FormData();
    for (let i = 0; i < 1001; i++) form.append(`f${i}`, '1');
    const m = await s.fetch('/huge/echo', { method: 'POST', body: form });
    assert.equal(m.status, 413);
    const q = await s.fetch(
      `/huge/echo?${Array.from({ length: 1500 }, (_, i) => `q${i}=1`).join('&')}`,
    );
    assert.equal(
      Object.keys((await json(q)).args).length,
      1500,
      'the query string keeps every key',
    );
  });

  it('guards may throw their own status', async () => {
    const r = await s.fetch('/app/guarded/custom', { headers: { authorization: 'Bearer good' } });
    assert.equal(r.status, 401);
    assert.equal((await json(r)).error.message, 'token expired');
  });
});
