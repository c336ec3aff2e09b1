/**
 * Return value -> response and error -> response (SPEC section 3), with and without dev.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { json, startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const returns = `
import { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';
export function html() { return '  \\n<p>hi</p>'; }
export function plain() { return 'just text < not html'; }
export function typedHtml() { return '<p>typed</p>'; }
typedHtml.type = 'text/html';
export function obj() { return { a: 1, b: [true, null] }; }
export function arr() { return [1, 'two']; }
export function num() { return 42; }
export function bool() { return false; }
export function nul() { return null; }
export function buf() { return Buffer.from([0, 1, 2, 255]); }
export function u8() { return new Uint8Array([7, 8, 9]); }
export function nodeStream() { return Readable.from(['a', 'b', 'c']); }
export function webStream() {
  return new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('web ')); c.enqueue(new TextEncoder().encode('stream')); c.close(); } });
}
export function response() {
  const h = new Headers({ 'content-type': 'text/csv', 'x-custom': 'yes' });
  h.append('set-cookie', 'a=1');
  h.append('set-cookie', 'b=2');
  return new Response('x,y\\n1,2\\n', { status: 201, headers: h });
}
export function emptyResponse() { return new Response(null, { status: 304 }); }
export function nothing() { return undefined; }
export async function asyncNothing() {}
export function wrote(_a: unknown, ctx: { res: ServerResponse }) { ctx.res.statusCode = 202; ctx.res.setHeader('content-type', 'text/x-own'); ctx.res.end('own'); }
export function wroteLater(_a: unknown, ctx: { res: ServerResponse }) {
  ctx.res.writeHead(200, { 'content-type': 'text/plain' });
  ctx.res.write('part1 ');
  setTimeout(() => ctx.res.end('part2'), 20);
}
export function status(_a: unknown, ctx: { res: ServerResponse }) { ctx.res.statusCode = 201; ctx.res.setHeader('content-type', 'application/vnd.x+json'); return { created: true }; }
export async function later() { await new Promise((r) => setTimeout(r, 5)); return { later: true }; }
export function symbol() { return Symbol('x'); }
export function bigint() { return { n: 10n }; }
`;

const errors = `
import { HttpError } from 'hotpub';
export function conflict() { throw new HttpError(409, 'already exists', { details: { id: 7 } }); }
export function hidden() { throw new HttpError(502, 'upstream password wrong'); }
export function notFound() { throw Object.assign(new Error('no such post'), { status: 404 }); }
export function teapot() { throw Object.assign(new Error('short and stout'), { statusCode: 418, code: 'TEAPOT' }); }
export function unavailable() { throw Object.assign(new Error('db password is hunter2'), { status: 503 }); }
export function exposed() { throw Object.assign(new Error('maintenance until 5'), { status: 503, expose: true }); }
export function bug() {
  const secret = 'hunter2';
  throw new Error('boom with ' + secret);
}
export async function asyncBug() { await null; throw new TypeError('async boom'); }
export function weird() { throw 'a string'; }
export function nullProto() { throw Object.create(null); }
export function badMessage() { throw { get message() { throw new Error('nope'); }, status: 400 }; }
export function sdkError() {
  throw Object.assign(new Error('upstream said no'), { status: 502, headers: { 'transfer-encoding': 'chunked', 'x-upstream-secret': 'k' } });
}
export function withHeaders() {
  throw new HttpError(401, 'log in', { headers: { 'www-authenticate': 'Bearer', 'content-length': '999' } });
}
export function quoted(args: { p?: string }) { const e = new Error('bad input'); e.stack = 'Error: bad input\\n    at x (' + args.p + ':1:1)'; throw e; }
export function badStatus() { throw Object.assign(new Error('status 200 is not an error'), { status: 200 }); }
`;

const appFiles = {
  'r/index.ts': returns,
  'e/index.ts': errors,
  'broken/index.ts': 'export function index() { return 1 }\nexport const x = ;\n',
  'throws/index.ts':
    'export function index() { return 1; }\nthrow new Error("top-level failure");\n',
};

describe('return values', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ files: appFiles });
  });
  after(() => s?.close());

  const get = async (path: string, init?: RequestInit) => {
    const r = await s.fetch(path, init);
    return {
      status: r.status,
      type: r.headers.get('content-type'),
      headers: r.headers,
      bytes: Buffer.from(await r.arrayBuffer()),
    };
  };

  it('strings: text/plain, even when "<" comes first; HTML only with fn.type', async () => {
    const h = await get('/r/html');
    assert.equal(h.status, 200);
    assert.equal(h.type, 'text/plain; charset=utf-8');
    assert.equal(h.bytes.toString(), '  \n<p>hi</p>');
    assert.equal(h.headers.get('content-length'), String(h.bytes.length));
    const p = await get('/r/plain');
    assert.equal(p.type, 'text/plain; charset=utf-8');
    const t = await get('/r/typedHtml');
    assert.equal(t.type, 'text/html; charset=utf-8');
    assert.equal(t.bytes.toString(), '<p>typed</p>');
  });

  it('objects, arrays, numbers, booleans and null: JSON', async () => {
    for (const [path, body] of [
      ['/r/obj', '{"a":1,"b":[true,null]}'],
      ['/r/arr', '[1,"two"]'],
      ['/r/num', '42'],
      ['/r/bool', 'false'],
      ['/r/nul', 'null'],
    ] as const) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.type, 'application/json; charset=utf-8', path);
      assert.equal(r.bytes.toString(), body, path);
    }
  });

  it('Buffer and Uint8Array: application/octet-stream', async () => {
    const b = await get('/r/buf');
    assert.equal(b.type, 'application/octet-stream');
    assert.deepEqual([...b.bytes], [0, 1, 2, 255]);
    const u = await get('/r/u8');
    assert.equal(u.type, 'application/octet-stream');
    assert.deepEqual([...u.bytes], [7, 8, 9]);
  });

  it('node and WHATWG readable streams are piped', async () => {
    const n = await get('/r/nodeStream');
    assert.equal(n.status, 200);
    assert.equal(n.bytes.toString(), 'abc');
    assert.equal(n.type, 'application/octet-stream');
    const w = await get('/r/webStream');
    assert.equal(w.bytes.toString(), 'web stream');
  });

  it('a WHATWG Response gives status, headers (every set-cookie) and body', async () => {
    const r = await get('/r/response');
    assert.equal(r.status, 201);
    assert.equal(r.type, 'text/csv');
    assert.equal(r.headers.get('x-custom'), 'yes');
    assert.deepEqual(r.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(r.bytes.toString(), 'x,y\n1,2\n');
    const e = await get('/r/emptyResponse');
    assert.equal(e.status, 304);
  });

  it('undefined: 204, unless the function wrote to ctx.res', async () => {
    const n = await get('/r/nothing');
    assert.equal(n.status, 204);
    assert.equal(n.bytes.length, 0);
    assert.equal((await get('/r/asyncNothing')).status, 204);
    const w = await get('/r/wrote');
    assert.equal(w.status, 202);
    assert.equal(w.type, 'text/x-own');
    assert.equal(w.bytes.toString(), 'own');
    const l = await get('/r/wroteLater');
    assert.equal(l.bytes.toString(), 'part1 part2');
  });

  it('keeps a status and content-type the function set on ctx.res', async () => {
    const r = await get('/r/status');
    assert.equal(r.status, 201);
    assert.equal(r.type, 'application/vnd.x+json');
    assert.equal(r.bytes.toString(), '{"created":true}');
  });

  it('async functions are awaited', async () => {
    assert.equal((await get('/r/later')).bytes.toString(), '{"later":true}');
  });

  it('values that cannot be sent are a 500', async () => {
    for (const path of ['/r/symbol', '/r/bigint']) {
      const r = await get(path);
      assert.equal(r.status, 500, path);
      // The publisher refused the value (not some other failure on the way).
      assert.equal(JSON.parse(r.bytes.toString()).error.code, 'HOTPUB_E_BAD_RETURN', path);
    }
  });

  it('HEAD has no body but the same headers', async () => {
    for (const path of ['/r/html', '/r/obj', '/r/nodeStream', '/r/response', '/r/buf']) {
      const r = await s.raw(path, { method: 'HEAD' });
      const g = await s.raw(path);
      assert.equal(r.status, g.status, path);
      assert.equal(r.body, '', path);
      assert.equal(r.headers['content-type'], g.headers['content-type'], path);
    }
    const h = await s.raw('/r/html', { method: 'HEAD' });
    assert.equal(h.headers['content-length'], String(Buffer.byteLength('  \n<p>hi</p>')));
  });

  it('every pin is released once responses complete (streams included)', async () => {
    for (const p of [
      '/r/nodeStream',
      '/r/webStream',
      '/r/response',
      '/r/wroteLater',
      '/r/later',
      '/r/obj',
    ])
      await get(p);
    await waitFor(
      () => s.server.registry.snapshot().apps.find((a) => a.name === 'r')?.inflight === 0,
      { message: 'inflight 0' },
    );
  });
});

describe('errors', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ files: appFiles });
  });
  after(() => s?.close());

  const err = async (path: string) => {
    const r = await s.fetch(path);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json; charset=utf-8/);
    const text = await r.text();
    const error = JSON.parse(text).error;
    // Every error body names its request, as the x-request-id header does.
    assert.equal(error.requestId, r.headers.get('x-request-id'), `${path}: requestId`);
    delete error.requestId;
    return { status: r.status, text, error };
  };

  it('an error with a 4xx status keeps its status and message', async () => {
    const e = await err('/e/notFound');
    assert.equal(e.status, 404);
    assert.equal(e.error.message, 'no such post');
    const t = await err('/e/teapot');
    assert.equal(t.status, 418);
    assert.equal(t.error.message, 'short and stout');
    assert.equal(t.error.code, 'TEAPOT');
  });

  it('HttpError from "hotpub": status, message, code and details', async () => {
    const e = await err('/e/conflict');
    assert.equal(e.status, 409);
    assert.deepEqual(e.error, {
      status: 409,
      code: 'HOTPUB_E_HTTP',
      message: 'already exists',
      details: { id: 7 },
    });
    const h = await err('/e/hidden');
    assert.equal(h.status, 502);
    assert.equal(h.error.message, 'Bad Gateway');
  });

  it('a 5xx status is kept but its message hidden unless expose is set', async () => {
    const e = await err('/e/unavailable');
    assert.equal(e.status, 503);
    assert.doesNotMatch(e.text, /hunter2/);
    const x = await err('/e/exposed');
    assert.equal(x.status, 503);
    assert.equal(x.error.message, 'maintenance until 5');
  });

  it('anything else is a 500 with no message, stack or source', async () => {
    for (const path of ['/e/bug', '/e/asyncBug', '/e/weird', '/e/badStatus']) {
      const e = await err(path);
      assert.equal(e.status, 500, path);
      assert.deepEqual(
        e.error,
        { status: 500, code: 'HOTPUB_E_INTERNAL', message: 'Internal Server Error' },
        path,
      );
      assert.doesNotMatch(e.text, /hunter2|boom|index\.ts|at /, path);
    }
  });

  it('thrown values without a prototype or with throwing getters still give a well-formed answer', async () => {
    const n = await err('/e/nullProto');
    assert.equal(n.status, 500);
    assert.equal(n.error.code, 'HOTPUB_E_INTERNAL');
    const b = await err('/e/badMessage');
    assert.equal(b.status, 400);
    assert.equal(b.error.message, 'Bad Request');
  });

  it("only an HttpError's headers reach the error response, never framing headers", async () => {
    const r = await s.fetch('/e/sdkError');
    assert.equal(r.status, 502);
    assert.equal(r.headers.get('x-upstream-secret'), null);
    assert.equal((await json(r)).error.code, 'HOTPUB_E_INTERNAL');
    const h = await s.fetch('/e/withHeaders');
    assert.equal(h.status, 401);
    assert.equal(h.headers.get('www-authenticate'), 'Bearer');
    assert.equal(
      (await json(h)).error.message,
      'log in',
      'content-length from the error is ignored',
    );
  });

  it('a module that fails to load is a 500 without details', async () => {
    for (const path of ['/broken', '/throws']) {
      const e = await err(path);
      assert.equal(e.status, 500, path);
      assert.deepEqual(
        e.error,
        { status: 500, code: 'HOTPUB_E_INTERNAL', message: 'Internal Server Error' },
        path,
      );
      assert.doesNotMatch(e.text, /top-level|export const/, path);
    }
  });

  it('the server keeps serving after errors', async () => {
    assert.equal((await s.fetch('/r/obj')).status, 200);
  });
});

describe('errors under dev', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ files: appFiles, dev: true });
  });
  after(() => s?.close());

  it('a 500 shows the message, the stack and a code frame at the source line', async () => {
    const r = await s.fetch('/e/bug');
    assert.equal(r.status, 500);
    const e = (await json(r)).error;
    assert.equal(e.message, 'boom with hunter2');
    assert.match(e.stack, /boom with hunter2/);
    assert.equal(e.location.file, `${s.dir}/e/index.ts`);
    assert.equal(e.location.line, 11, 'mapped to the .ts source line');
    assert.match(e.frame, /throw new Error\('boom with ' \+ secret\)/);
  });

  it('a message quoting a fake stack frame never makes the code frame read that file', async () => {
    await s.write('../outside.txt', 'OUTSIDE_FILE_CONTENT');
    const p = encodeURIComponent(`${s.dir}/../outside.txt`);
    const r = await s.fetch(`/e/quoted?p=${p}`);
    assert.equal(r.status, 500);
    const text = await r.text();
    assert.doesNotMatch(text, /OUTSIDE_FILE_CONTENT/);
  });

  it('a 5xx status error shows its message under dev', async () => {
    const e = (await json(await s.fetch('/e/unavailable'))).error;
    assert.equal(e.message, 'db password is hunter2');
  });

  it('a module that fails to load shows the error and a code frame', async () => {
    const r = await s.fetch('/broken');
    assert.equal(r.status, 500);
    const e = (await json(r)).error;
    assert.match(e.code, /^HOTPUB_E_MODULE_/);
    assert.match(e.message, /index\.ts:2/);
    assert.match(e.frame, /export const x = ;/);
    const t = (await json(await s.fetch('/throws'))).error;
    assert.match(t.message, /top-level failure/);
  });
});

describe('failing response streams', () => {
  const lines: string[] = [];
  let s: TestServer;
  before(async () => {
    s = await startServer({
      logger: pino({ level: 'error' }, { write: (line: string) => void lines.push(line) }),
      files: {
        'st/index.ts': `
import { Readable } from 'node:stream';
export function node() {
  let n = 0;
  return new Readable({ read() { if (n++ === 0) this.push('first chunk '); else this.destroy(new Error('NODE_STREAM_BROKE')); } });
}
export function web() {
  let n = 0;
  return new ReadableStream({ pull(c) { if (n++ === 0) c.enqueue(new TextEncoder().encode('first ')); else c.error(new Error('WEB_STREAM_BROKE')); } });
}
`,
      },
    });
  });
  after(() => s?.close());

  it('cut the connection (truncated, never hung) and are logged', async () => {
    for (const p of ['/st/node', '/st/web']) {
      await assert.rejects(
        s.fetch(p).then((r) => r.text()),
        p,
      );
    }
    await waitFor(() => lines.some((l) => l.includes('NODE_STREAM_BROKE')), {
      message: 'node stream error logged',
    });
    await waitFor(() => lines.some((l) => l.includes('WEB_STREAM_BROKE')), {
      message: 'web stream error logged',
    });
    assert.equal((await s.fetch('/st/nothing')).status, 404, 'still serving');
  });
});
