// Storage and sessions on a real Redis (Debian's redis-server on a free port): two hotpub
// servers, one in this process and one bin/hotpub process selected by HOTPUB_STORAGE_URL,
// share storage and sessions; apps keep their namespaces; a reload opens no connection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { type CliProcess, readyUrl, startCli, tempProject } from '../helpers/cli-process.js';
import { json, startServer, type TestServer } from '../helpers/server.js';
import { type Service, serviceSkip, startRedis } from '../helpers/services.js';

const SECRET = 'r'.repeat(40);

const FILES = {
  'shop/kv.ts': `import { storage } from 'hotpub';
export async function put(args: { k: string; v: string }) { await storage.setItem(args.k, { v: args.v }); return null; }
export async function get(args: { k: string }) { return storage.getItem(args.k); }
export async function keys() { return (await storage.getKeys()).sort(); }
// reload marker: 0
`,
  'blog/kv.ts': `import { storage } from 'hotpub';
export async function get(args: { k: string }) { return storage.getItem(args.k); }
`,
  'shop/cart.ts': `import type { Context } from 'hotpub';
export function add(args: { item: string }, ctx: Context) {
  ctx.session.items = [...((ctx.session.items as string[]) ?? []), args.item];
  return { items: ctx.session.items, pid: process.pid };
}
export function view(_: unknown, ctx: Context) { return { items: ctx.session.items ?? [], pid: process.pid }; }
`,
};

describe('storage and sessions on Redis', { skip: serviceSkip('redis-server') }, () => {
  let redis: Service;
  let client: Redis;
  let local: TestServer;
  let project: Awaited<ReturnType<typeof tempProject>>;
  let remote: CliProcess;
  let remoteUrl: string;

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    local = await startServer({
      storage: { driver: 'redis', url: redis.url },
      secret: SECRET,
      files: FILES,
    });
    project = await tempProject(
      Object.fromEntries(Object.entries(FILES).map(([k, v]) => [`apps/${k}`, v])),
    );
    remote = startCli(['serve', '--port', '0'], {
      cwd: project.dir,
      env: { HOTPUB_STORAGE_URL: redis.url, HOTPUB_SECRET: SECRET },
    });
    remoteUrl = await readyUrl(remote);
  });
  after(async () => {
    await remote?.stop();
    await project?.remove();
    await local?.close();
    client?.disconnect();
    await redis?.stop();
  });

  it('shares storage between the two servers', async () => {
    await local.fetch('/shop/kv/put?k=x&v=from-local');
    assert.deepEqual(await json(await fetch(`${remoteUrl}/shop/kv/get?k=x`)), { v: 'from-local' });
    await fetch(`${remoteUrl}/shop/kv/put?k=y&v=from-remote`);
    assert.deepEqual(await json(await local.fetch('/shop/kv/get?k=y')), { v: 'from-remote' });
  });

  it('keeps each app in its namespace, under hotpub: in Redis', async () => {
    assert.equal(await json(await local.fetch('/blog/kv/get?k=x')), null);
    assert.deepEqual(await json(await fetch(`${remoteUrl}/shop/kv/keys`)), ['x', 'y']);
    assert.deepEqual((await client.keys('hotpub:app:*')).sort(), [
      'hotpub:app:shop:x',
      'hotpub:app:shop:y',
    ]);
  });

  it('shares sessions: made on one server, read and changed on the other', async () => {
    const made = await local.fetch('/shop/cart/add?item=pen');
    const cookie = made.headers.getSetCookie()[0]!.split(';')[0]!;
    const seen = await json(await fetch(`${remoteUrl}/shop/cart/view`, { headers: { cookie } }));
    assert.deepEqual(seen.items, ['pen']);
    assert.notEqual(seen.pid, process.pid, 'answered by the other process');
    await fetch(`${remoteUrl}/shop/cart/add?item=ink`, { headers: { cookie } });
    const back = await json(await local.fetch('/shop/cart/view', { headers: { cookie } }));
    assert.deepEqual(back.items, ['pen', 'ink']);
    // Stored with the session lifetime as its Redis TTL.
    const [key] = await client.keys('hotpub:session:shop:*');
    const ttl = await client.ttl(key!);
    assert.ok(ttl > 1_000_000 && ttl <= 14 * 24 * 3600, `ttl ${ttl}`);
  });

  it('opens one connection per server, and none on a reload', async () => {
    const connections = async () =>
      String(await client.client('LIST'))
        .trim()
        .split('\n').length;
    // This test's client, the local server and the remote one.
    assert.equal(await connections(), 3);
    for (let i = 1; i <= 3; i++) {
      await local.write('shop/kv.ts', FILES['shop/kv.ts'].replace('marker: 0', `marker: ${i}`));
      await local.server.registry.invalidateModule(`${local.dir}/shop/kv.ts`);
      await local.fetch(`/shop/kv/put?k=r${i}&v=1`);
    }
    assert.equal(await connections(), 3);
  });
});
