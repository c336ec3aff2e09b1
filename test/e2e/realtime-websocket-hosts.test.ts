/**
 * WebSocket upgrades on every way of serving: the lean node:http path (realtime-websocket
 * test), the Express path of `createServer` (configured middleware runs on upgrades too),
 * and `publisher()` mounted in a user's Express app whose server hands its upgrades over
 * with `upgradeHandler(app)`.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { upgradeHandler } from '../../src/publisher/upgrade-request.js';
import { type PublisherRouter, publisher } from '../../src/server/router.js';
import { openSocket, refusedUpgrade, wsUrl } from '../helpers/realtime.js';
import { startServer, type TestServer, tempApps, testLogger } from '../helpers/server.js';

const echo = `export function echo(message: unknown, ctx: { params: Record<string, string>; req: { headers: Record<string, unknown> } }) {
  return { message, params: ctx.params, seen: ctx.req.headers['x-seen'] ?? null };
}
echo.websocket = true;
export function index() { return 'http'; }`;

describe('WebSockets on the Express path of createServer', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      files: { 'live/index.ts': echo },
      middleware: [
        (req, res, next) => {
          if (req.headers['x-block'] !== undefined) {
            res.statusCode = 418;
            res.end('blocked by middleware');
            return;
          }
          req.headers['x-seen'] = 'middleware';
          next();
        },
      ],
    });
  });
  after(() => s?.close());

  it('the configured middleware runs on the upgrade, then the function accepts it', async () => {
    const c = await openSocket(wsUrl(s.url, '/live/echo'));
    assert.deepEqual(JSON.parse(await c.ask('hi')), {
      message: 'hi',
      params: {},
      seen: 'middleware',
    });
    await c.close();
    const blocked = await refusedUpgrade(wsUrl(s.url, '/live/echo'), { 'x-block': '1' });
    assert.equal(blocked.status, 418);
    assert.equal(blocked.body, 'blocked by middleware');
    assert.ok(blocked.headers['x-request-id'], 'the id is set before any middleware answers');
  });
});

describe('WebSockets through publisher() in a user’s Express app', () => {
  let server: Server;
  let url: string;
  let router: PublisherRouter;
  let cleanup: () => Promise<void>;

  before(async () => {
    const t = await tempApps({
      'live/index.ts': echo,
      'api/app.json': JSON.stringify({ mount: '/api/:tenant' }),
      'api/index.ts': echo,
    });
    cleanup = t.cleanup;
    router = publisher({ apps: t.dir, logger: testLogger() });
    const app = express();
    app.use('/x', router);
    app.use((_req, res) => {
      res.status(404).send('outside');
    });
    await router.ready;
    server = app.listen(0, '127.0.0.1');
    server.on('upgrade', upgradeHandler(app));
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await router?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await cleanup?.();
  });

  it('an upgrade under the Express mount reaches the WebSocket function, mount params included', async () => {
    const c = await openSocket(wsUrl(url, '/x/live/echo'));
    assert.deepEqual(JSON.parse(await c.ask({ a: 1 })), {
      message: { a: 1 },
      params: {},
      seen: null,
    });
    await c.close();
    const t = await openSocket(wsUrl(url, '/x/api/acme/echo'));
    assert.deepEqual((JSON.parse(await t.ask('q')) as { params: unknown }).params, {
      tenant: 'acme',
    });
    await t.close();
  });

  it('upgrades hotpub does not answer fall through to the rest of the Express app', async () => {
    const outside = await refusedUpgrade(wsUrl(url, '/elsewhere'));
    assert.equal(outside.status, 404);
    assert.equal(outside.body, 'outside');
    const missing = await refusedUpgrade(wsUrl(url, '/x/live/nothing'));
    assert.equal(missing.status, 404);
    assert.equal(missing.body, 'outside', 'a miss under the mount goes on to the next middleware');
  });

  it('router.close() closes open connections with 1001 (going away)', async () => {
    const c = await openSocket(wsUrl(url, '/x/live/echo'));
    await c.ask('x');
    router.publisher?.close();
    assert.equal(await c.closed, 1001);
  });
});

describe('shutdown with open WebSockets', () => {
  it('close() ends every connection with 1001 (going away)', async () => {
    const s = await startServer({ files: { 'live/index.ts': echo } });
    const c = await openSocket(wsUrl(s.url, '/live/echo'));
    await c.ask('x');
    await s.close();
    assert.equal(await c.closed, 1001);
  });
});
