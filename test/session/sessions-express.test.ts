/**
 * ctx.session and storage through `publisher()` inside a real Express 5 app, mounted
 * under a path: the router makes its own storage and sessions, and closes them.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { type PublisherRouter, publisher } from '../../src/server/index.js';
import { tempApps, testLogger } from '../helpers/server.js';

describe('sessions and storage in publisher() inside Express', () => {
  let server: Server;
  let url: string;
  let router: PublisherRouter;
  let cleanup: () => Promise<void>;

  before(async () => {
    const t = await tempApps({
      'shop/cart.ts': `import { storage, type Context } from 'hotpub';
export async function add(args: { item: string }, ctx: Context) {
  ctx.session.items = [...((ctx.session.items as string[]) ?? []), args.item];
  await storage.setItem('last', args.item);
  return ctx.session.items;
}
export async function view(_: unknown, ctx: Context) {
  return { items: ctx.session.items ?? [], last: await storage.getItem('last') };
}
`,
    });
    cleanup = t.cleanup;
    router = publisher({
      apps: t.dir,
      logger: testLogger(),
      storage: { driver: 'memory' },
      secret: 'e'.repeat(32),
    });
    await router.ready;
    const app = express();
    app.use('/hp', router);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await router.close();
    await cleanup();
  });

  it('keeps a session and the app storage across requests', async () => {
    const made = await fetch(`${url}/hp/shop/cart/add?item=pen`);
    assert.deepEqual(await made.json(), ['pen']);
    const cookie = made.headers.getSetCookie()[0]!.split(';')[0]!;
    const seen = await fetch(`${url}/hp/shop/cart/view`, { headers: { cookie } });
    assert.deepEqual(await seen.json(), { items: ['pen'], last: 'pen' });
  });
});
