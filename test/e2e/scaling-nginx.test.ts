// The deployment of docs/scaling.md, all on 127.0.0.1 and started by this test: Debian's
// nginx running deploy/nginx.conf in front of two bin/hotpub instances that share one
// Redis and one secret. A session made through nginx is seen by both instances, and one
// instance stopping under load loses no request (nginx retries it on the other).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliProcess, readyUrl, startCli, tempProject } from '../helpers/cli-process.js';
import { json } from '../helpers/server.js';
import { type Service, serviceSkip, startNginx, startRedis } from '../helpers/services.js';

const REPO = join(import.meta.dirname, '..', '..');
const SECRET = 'n'.repeat(40);

const CART = `import type { Context } from 'hotpub';
export function add(args: { item: string }, ctx: Context) {
  ctx.session.items = [...((ctx.session.items as string[]) ?? []), args.item];
  return { items: ctx.session.items, instance: process.env.INSTANCE };
}
export function view(_: unknown, ctx: Context) {
  return { items: ctx.session.items ?? [], instance: process.env.INSTANCE };
}
`;

describe('nginx in front of two hotpub instances and one Redis', {
  skip: serviceSkip('redis-server', 'nginx'),
}, () => {
  let redis: Service;
  let nginx: Service;
  let project: Awaited<ReturnType<typeof tempProject>>;
  const instances: CliProcess[] = [];
  const urls: string[] = [];

  const startInstance = async (name: string): Promise<string> => {
    const proc = startCli(['serve', '--port', '0'], {
      cwd: project.dir,
      env: { HOTPUB_STORAGE_URL: redis.url, HOTPUB_SECRET: SECRET, INSTANCE: name },
    });
    instances.push(proc);
    return readyUrl(proc);
  };

  before(async () => {
    redis = await startRedis();
    project = await tempProject({ 'apps/shop/cart.ts': CART });
    urls.push(await startInstance('one'), await startInstance('two'));
    nginx = await startNginx(
      join(REPO, 'deploy', 'nginx.conf'),
      urls.map((u) => new URL(u).host),
    );
  });
  after(async () => {
    await nginx?.stop();
    for (const proc of instances) await proc.stop();
    await project?.remove();
    await redis?.stop();
  });

  it('a session made through nginx is seen on both instances', async () => {
    const made = await fetch(`${nginx.url}/shop/cart/add?item=pen`);
    assert.equal(made.status, 200);
    const setCookie = made.headers.getSetCookie()[0]!;
    assert.doesNotMatch(setCookie, /Secure/, 'plain http at nginx: no Secure');
    const cookie = setCookie.split(';')[0]!;

    // Round robin: consecutive requests through nginx reach both instances.
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const body = await json(await fetch(`${nginx.url}/shop/cart/view`, { headers: { cookie } }));
      assert.deepEqual(body.items, ['pen']);
      seen.add(body.instance);
    }
    assert.deepEqual([...seen].sort(), ['one', 'two']);
    // And each instance directly.
    for (const url of urls) {
      const body = await json(await fetch(`${url}/shop/cart/view`, { headers: { cookie } }));
      assert.deepEqual(body.items, ['pen']);
    }
  });

  it('loses no request while one instance stops under load', async () => {
    let stopped = false;
    let ok = 0;
    let afterStop = 0;
    const failures: string[] = [];
    const worker = async () => {
      // Bounded: at most 2000 requests each, and 200 in all once the instance is gone.
      for (let i = 0; i < 2000 && !(stopped && afterStop++ >= 200); i++) {
        const res = await fetch(`${nginx.url}/shop/cart/view`).catch((e: Error) => e);
        if (res instanceof Error) failures.push(res.message);
        else if (res.status !== 200) failures.push(`status ${res.status}`);
        else {
          ok++;
          await res.arrayBuffer();
        }
      }
    };
    const load = Promise.all([worker(), worker(), worker(), worker()]);
    // Let the load run against both, then stop one gracefully (SIGTERM, as a deploy would).
    while (ok < 50) await new Promise((r) => setTimeout(r, 10));
    const first = instances[0]!;
    first.child.kill('SIGTERM');
    assert.equal((await first.exited).code, 0);
    stopped = true;
    await load;
    assert.deepEqual(failures, [], `${failures.length} failed of ${ok + failures.length}`);
    const after = await json(await fetch(`${nginx.url}/shop/cart/view`));
    assert.equal(after.instance, 'two');
  });
});
