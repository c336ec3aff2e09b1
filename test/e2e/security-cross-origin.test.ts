/**
 * Issue 13, finding 11: cross-origin protection by the rule of Go 1.25's
 * CrossOriginProtection, with the origins an app's CORS config trusts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';

const FN =
  "export function index() { return 'done'; }\nindex.methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'];\n";

describe('cross-origin requests (issue 13 #11)', () => {
  let s: TestServer;
  let host: string;

  before(async () => {
    s = await startServer({
      files: {
        'a/index.ts': FN,
        'open/app.json': JSON.stringify({ cors: { origin: 'https://trusted.example' } }),
        'open/index.ts': FN,
        'any/app.json': JSON.stringify({ cors: { origin: '*', credentials: false } }),
        'any/index.ts': FN,
        'list/app.json': JSON.stringify({
          cors: { origin: ['https://one.example', 'https://two.example'] },
        }),
        'list/index.ts': FN,
      },
    });
    host = new URL(s.url).host;
  });
  after(() => s.close());

  const post = (path: string, headers: Record<string, string>, method = 'POST') =>
    s.raw(path, {
      method,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        // node:http sends a DELETE body without framing unless told its length
        'content-length': '3',
        ...headers,
      },
      body: 'x=1',
    });

  it('a form POST from another site is 403 HOTPUB_E_CROSS_ORIGIN', async () => {
    const r = await post('/a', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    assert.equal(r.status, 403, r.body);
    assert.equal(JSON.parse(r.body).error.code, 'HOTPUB_E_CROSS_ORIGIN');
    assert.equal((await post('/a', { 'sec-fetch-site': 'same-site' })).status, 403);
    assert.equal((await post('/a', { 'sec-fetch-site': 'cross-site' }, 'DELETE')).status, 403);
  });

  it('without Sec-Fetch-Site, an Origin that differs from Host is 403', async () => {
    assert.equal((await post('/a', { origin: 'https://evil.example' })).status, 403);
    assert.equal((await post('/a', { origin: `http://${host}` })).status, 200);
  });

  it('same-origin, user-initiated and non-browser requests pass', async () => {
    assert.equal(
      (await post('/a', { 'sec-fetch-site': 'same-origin', origin: `http://${host}` })).status,
      200,
    );
    assert.equal((await post('/a', { 'sec-fetch-site': 'none' })).status, 200);
    assert.equal((await post('/a', {})).status, 200, 'curl: neither header');
  });

  it('GET, HEAD and OPTIONS are never refused', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const r = await s.raw('/a', {
        method,
        headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      });
      assert.equal(r.status, 200, method);
    }
  });

  it("origins the app's cors config lists are trusted, for that app only", async () => {
    const trusted = { 'sec-fetch-site': 'cross-site', origin: 'https://trusted.example' };
    assert.equal((await post('/open', trusted)).status, 200);
    assert.equal((await post('/a', trusted)).status, 403, 'another app does not trust it');
    assert.equal(
      (await post('/open', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }))
        .status,
      403,
    );
    assert.equal((await post('/list', { origin: 'https://two.example' })).status, 200);
    assert.equal((await post('/list', { origin: 'https://three.example' })).status, 403);
    assert.equal(
      (await post('/any', { 'sec-fetch-site': 'cross-site', origin: 'https://anyone.example' }))
        .status,
      200,
    );
  });

  it('a bad cors field in app.json names the file and the field', async () => {
    const { discoverApps } = await import('../../src/publisher/app-config.js');
    await s.write('bad/app.json', JSON.stringify({ cors: { origin: 5 } }));
    try {
      assert.throws(() => discoverApps(s.dir), /app\.json: field "cors\.origin"/);
    } finally {
      await s.remove('bad');
    }
  });
});
