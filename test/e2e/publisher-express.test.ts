/**
 * The publisher as a router inside a real Express 5 app: `app.use('/x', publisher(...))`.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { type PublisherRouter, publisher } from '../../src/server/router.js';
import { tempApps, testLogger } from '../helpers/server.js';

describe('publisher() inside Express 5', () => {
  let server: Server;
  let url: string;
  let router: PublisherRouter;
  let cleanup: () => Promise<void>;

  before(async () => {
    const t = await tempApps({
      'blog/index.ts': [
        'import { html } from "hotpub";',
        'export function index() { return html`<h1>blog</h1>`; }',
        'export function echo(args: Record<string, unknown>, ctx: { path: string; req: { originalUrl?: string } }) {',
        '  const n = args.n as Record<string, unknown> | undefined;',
        '  return { args: { ...args }, path: ctx.path, originalUrl: ctx.req.originalUrl, nestedProto: n ? Object.hasOwn(n, "__proto__") : null, polluted: ({} as Record<string, unknown>).polluted ?? null };',
        '}',
        'export function boom() { throw new Error("secret detail"); }',
        'export function tea() { throw Object.assign(new Error("teapot"), { status: 418 }); }',
      ].join('\n'),
      'blog/public/hello.txt': 'static hello',
      'api/app.json': JSON.stringify({ mount: '/api/:tenant' }),
      'api/index.ts':
        'export function index(args: { tenant: string }) { return { tenant: args.tenant }; }\n',
    });
    cleanup = t.cleanup;
    router = publisher({ apps: t.dir, logger: testLogger() });
    const app = express();
    app.use(express.json());
    app.get('/before', (_req, res) => {
      res.send('express route before');
    });
    app.use('/x', router);
    app.use('/x', (_req, res) => {
      res.status(404).send('express fallthrough');
    });
    app.use((_req, res) => {
      res.status(404).send('outside');
    });
    await router.ready;
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await router?.close();
    await cleanup?.();
  });

  it('serves functions under the Express mount', async () => {
    const r = await fetch(`${url}/x/blog`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await r.text(), '<h1>blog</h1>');
    const a = await fetch(`${url}/x/api/acme`);
    assert.deepEqual(await a.json(), { tenant: 'acme' });
  });

  it('sees req.url relative to the mount, and a body express.json() already read', async () => {
    const r = await fetch(`${url}/x/blog/echo?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ b: 2, __proto__: { polluted: 1 } }),
    });
    assert.equal(r.status, 200);
    const out = (await r.json()) as {
      args: Record<string, unknown>;
      path: string;
      originalUrl: string;
    };
    assert.deepEqual(out.args, { q: '1', b: 2 });
    assert.equal(out.path, '/blog/echo');
    assert.equal(out.originalUrl, '/x/blog/echo?q=1');
  });

  it('serves public/ files', async () => {
    assert.equal(await (await fetch(`${url}/x/blog/hello.txt`)).text(), 'static hello');
  });

  it('paths it does not answer fall through to the next middleware', async () => {
    const r = await fetch(`${url}/x/nothing/here`);
    assert.equal(r.status, 404);
    assert.equal(await r.text(), 'express fallthrough');
    assert.equal(await (await fetch(`${url}/x/blog/missing`)).text(), 'express fallthrough');
    assert.equal(await (await fetch(`${url}/before`)).text(), 'express route before');
    assert.equal(await (await fetch(`${url}/blog`)).text(), 'outside', 'nothing outside the mount');
  });

  it('errors are answered by the publisher (no leak)', async () => {
    const r = await fetch(`${url}/x/blog/boom`);
    assert.equal(r.status, 500);
    assert.doesNotMatch(await r.text(), /secret detail/);
    const t = await fetch(`${url}/x/blog/tea`);
    assert.equal(t.status, 418);
  });
});
