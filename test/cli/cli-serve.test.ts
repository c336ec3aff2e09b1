// The real bin/hotpub serve: ready line, serving, the /-/ endpoints per flag, --watch,
// and graceful shutdown with a request in flight.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { get, readyUrl, startCli, TIMEOUT_MS, tempProject } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait.js';

const SLOW = `import { writeFileSync } from 'node:fs';
// Marks itself started, then waits for the server's SIGTERM before answering.
export async function index(args: { marker: string }) {
  const signalled = new Promise((resolve) => process.once('SIGTERM', resolve));
  writeFileSync(args.marker, 'started');
  await signalled;
  await new Promise((resolve) => setTimeout(resolve, 100));
  return 'finished after SIGTERM';
}
`;

describe('bin/hotpub serve', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    project = await tempProject({
      'apps/blog/index.ts':
        'export function index() { return "blog home"; }\nexport function pid() { return process.pid; }',
      'apps/slow/index.ts': SLOW,
    });
  });
  after(() => project.remove());

  it('prints a ready line with the URL and serves the apps', async () => {
    const proc = startCli(['serve', '--port', '0'], { cwd: project.dir });
    try {
      const url = await readyUrl(proc);
      assert.match(proc.stdout(), /^hotpub: serving apps at http:\/\/127\.0\.0\.1:\d+\n/);
      const res = await get(`${url}/blog`);
      assert.equal(res.status, 200);
      assert.equal(res.body, 'blog home');
    } finally {
      await proc.stop();
    }
  });

  it('takes the port from PORT', async () => {
    const proc = startCli(['serve'], { cwd: project.dir, env: { PORT: '0' } });
    try {
      const url = await readyUrl(proc);
      assert.notEqual(new URL(url).port, '3000');
      assert.equal((await get(`${url}/blog`)).body, 'blog home');
    } finally {
      await proc.stop();
    }
  });

  it('on SIGTERM lets the request in flight finish, refuses new ones, and exits 0', async () => {
    const proc = startCli(['serve', '--port', '0'], { cwd: project.dir });
    try {
      const url = await readyUrl(proc);
      const marker = join(project.dir, 'started-term');
      const inFlight = get(`${url}/slow?marker=${encodeURIComponent(marker)}`);
      await waitFor(() => existsSync(marker), {
        timeoutMs: TIMEOUT_MS,
        message: 'the slow request to start',
      });
      proc.child.kill('SIGTERM');
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.equal(res.body, 'finished after SIGTERM');
      const { code, signal } = await proc.exited;
      assert.equal(signal, null);
      assert.equal(code, 0, proc.stderr());
      await assert.rejects(get(`${url}/blog`), /ECONNREFUSED/);
      assert.equal(proc.stderr(), '');
    } finally {
      await proc.stop();
    }
  });

  it('exits 0 on SIGINT', async () => {
    const proc = startCli(['serve', '--port', '0'], { cwd: project.dir });
    try {
      await readyUrl(proc);
      proc.child.kill('SIGINT');
      assert.deepEqual(await proc.exited, { code: 0, signal: null });
    } finally {
      await proc.stop();
    }
  });

  const endpoints: Array<[string, string[], { registry: number; routes: number }]> = [
    ['no flag', [], { registry: 404, routes: 404 }],
    ['--dev', ['--dev'], { registry: 200, routes: 200 }],
    ['--admin', ['--admin'], { registry: 200, routes: 200 }],
  ];
  for (const [what, flags, expected] of endpoints) {
    it(`/-/ endpoints with ${what}`, async () => {
      const proc = startCli(['serve', '--port', '0', ...flags], { cwd: project.dir });
      try {
        const url = await readyUrl(proc);
        const health = await get(`${url}/-/health`);
        assert.equal(health.status, 200);
        assert.deepEqual(JSON.parse(health.body), { ok: true });
        assert.equal((await get(`${url}/blog`)).status, 200); // load a module first
        const registry = await get(`${url}/-/registry`);
        assert.equal(registry.status, expected.registry);
        assert.match(String(registry.headers['content-type']), /^application\/json/);
        const routes = await get(`${url}/-/routes`);
        assert.equal(routes.status, expected.routes);
        if (expected.registry === 200) {
          const snapshot = JSON.parse(registry.body);
          const blog = snapshot.apps.find((a: { name: string }) => a.name === 'blog');
          assert.ok(blog, registry.body);
          assert.equal(blog.modules[0].file, join(project.dir, 'apps', 'blog', 'index.ts'));
          assert.equal(blog.modules[0].state, 'ready');
          const listed = JSON.parse(routes.body).map(
            (r: { url: string; name: string }) => `${r.url}#${r.name}`,
          );
          assert.ok(listed.includes('/blog#index'), routes.body);
          assert.ok(listed.includes('/blog/pid#pid'), routes.body);
        } else {
          assert.equal(JSON.parse(registry.body).error.status, 404);
        }
        assert.equal((await get(`${url}/-/other`)).status, 404);
      } finally {
        await proc.stop();
      }
    });
  }

  it('dev logs one readable line per request; serve logs none', async () => {
    const dev = startCli(['dev', '--port', '0'], { cwd: project.dir });
    const plain = startCli(['serve', '--port', '0'], { cwd: project.dir });
    try {
      const devUrl = await readyUrl(dev);
      const plainUrl = await readyUrl(plain);
      await get(`${devUrl}/blog?x=1`);
      await get(`${plainUrl}/blog?x=1`);
      await dev.printed(/INFO {2}GET \/blog\?x=1 200 [\d.]+ms/);
      assert.match(dev.stdout(), /\(watch, dev\)/);
      await get(`${plainUrl}/nothing-here`);
      assert.doesNotMatch(plain.stdout(), /GET \/blog/);
    } finally {
      await Promise.all([dev.stop(), plain.stop()]);
    }
  });

  it('--body-limit reaches the server: a larger body is a 413', async () => {
    const p = await tempProject({
      'apps/b/index.ts': 'export function echo(args: { s: string }) { return args.s; }',
    });
    const proc = startCli(['serve', '--port', '0', '--body-limit', '1kb'], { cwd: p.dir });
    try {
      const url = await readyUrl(proc);
      const post = (s: string) =>
        fetch(`${url}/b/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ s }),
        });
      const small = await post('x'.repeat(900));
      assert.equal(small.status, 200);
      assert.equal((await small.text()).length, 900);
      assert.equal((await post('x'.repeat(1100))).status, 413);
    } finally {
      await proc.stop();
      await p.remove();
    }
  });

  it('--watch serves a saved change without a restart', async () => {
    const p = await tempProject({ 'apps/w/index.ts': 'export function index() { return "one"; }' });
    const proc = startCli(['serve', '--port', '0', '--watch'], { cwd: p.dir });
    try {
      const url = await readyUrl(proc);
      assert.equal((await get(`${url}/w`)).body, 'one');
      await writeFile(
        join(p.dir, 'apps', 'w', 'index.ts'),
        'export function index() { return "two"; }',
      );
      await waitFor(async () => (await get(`${url}/w`)).body === 'two', {
        timeoutMs: TIMEOUT_MS,
        message: 'the new code',
      });
    } finally {
      await proc.stop();
      await p.remove();
    }
  });
});
