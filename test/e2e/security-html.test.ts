/**
 * Issue 13, finding 2: a returned string is text/plain; HTML is asked for with
 * `fn.type` or made with the `html` template; every response says nosniff and none
 * says x-powered-by, on the lean node:http path and on the Express path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';

const FILES = {
  't/index.ts': `import { html } from 'hotpub';
export function index(a: { q?: string }) { return String(a.q ?? ''); }
export function page(a: { q?: string }) {
  const items = ['<b>', 'ok'];
  return html\`<p>\${a.q ?? ''}</p><ul>\${items.map((i) => html\`<li>\${i}</li>\`)}</ul>\`;
}
export function typed() { return '<h1>declared</h1>'; }
typed.type = 'text/html';
export function svg() { return '<svg xmlns="http://www.w3.org/2000/svg"></svg>'; }
svg.type = 'image/svg+xml';
export function badType() { return 'x'; }
badType.type = 'text/html\\r\\nx-injected: 1';
export function boom() { throw new Error('boom'); }
`,
  't/public/hello.txt': 'static',
};

function checkHeaders(r: Response, what: string): void {
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.equal(r.headers.get('x-powered-by'), null, `${what}: no x-powered-by`);
}

for (const path of ['lean node:http', 'Express']) {
  describe(`strings, html and nosniff (issue 13 #2), ${path} path`, () => {
    let s: TestServer;

    before(async () => {
      s = await startServer({
        files: FILES,
        middleware:
          path === 'Express' ? [(_req: unknown, _res: unknown, next: () => void) => next()] : [],
      });
    });
    after(() => s.close());

    it('a returned string is text/plain even when it starts with <', async () => {
      const r = await s.fetch(`/t?q=${encodeURIComponent('<script>alert(1)</script>')}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await r.text(), '<script>alert(1)</script>');
      checkHeaders(r, 'string');
    });

    it('html`` escapes interpolated values and keeps nested html values', async () => {
      const r = await s.fetch(`/t/page?q=${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(
        await r.text(),
        '<p>&lt;img src=x onerror=alert(1)&gt;</p><ul><li>&lt;b&gt;</li><li>ok</li></ul>',
      );
      checkHeaders(r, 'html');
    });

    it('fn.type declares the media type of a string', async () => {
      const r = await s.fetch('/t/typed');
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(await r.text(), '<h1>declared</h1>');
      const svg = await s.fetch('/t/svg');
      assert.equal(svg.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
    });

    it('an fn.type that is not a media type fails closed (500), never reaches a header', async () => {
      const r = await s.raw('/t/badType');
      assert.equal(r.status, 500);
      assert.equal(r.headers['x-injected'], undefined);
      assert.equal(JSON.parse(r.body).error.code, 'HOTPUB_E_BAD_METADATA');
    });

    it('errors, 404s and static files say nosniff too', async () => {
      for (const p of ['/t/boom', '/t/nothing', '/nowhere', '/t/hello.txt']) {
        const r = await s.fetch(p);
        await r.arrayBuffer();
        checkHeaders(r, p);
      }
    });
  });
}
