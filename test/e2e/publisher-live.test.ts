/**
 * The publisher while files change (--watch): routes follow new, changed and removed
 * files; a request keeps its generation across a reload; ctx.signal fires when the
 * client goes away and the pin is released.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const slow = (v: string) => `
import { existsSync } from 'node:fs';
let started = false;
export async function slow(args: { gate: string }) {
  started = true;
  // Bounded, so a failing test can never leave this loop running forever.
  const deadline = Date.now() + 60_000;
  while (!existsSync(args.gate) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return '${v}';
}
export function isStarted() { return started; }
export function version() { return '${v}'; }
`;

const signal = `
let state = 'idle';
export async function wait(_args: unknown, ctx: { signal: AbortSignal }) {
  state = 'waiting';
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
  state = ctx.signal.aborted ? 'aborted' : 'resolved';
  return 'never sent';
}
export function status() { return state; }
`;

describe('publisher with --watch', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      watch: true,
      drainTimeoutMs: 60_000,
      files: {
        'blog/index.ts':
          'export function index() { return "v1"; }\nexport function gone() { return "here"; }\n',
        'live/index.ts': slow('v1'),
        'sig/index.ts': signal,
      },
    });
  });
  after(() => s?.close());

  const body = async (path: string) => {
    const r = await s.raw(path);
    return `${r.status} ${r.body}`;
  };

  it('a changed module answers with its new code', async () => {
    assert.equal(await body('/blog'), '200 v1');
    await s.write('blog/index.ts', 'export function index() { return "v2"; }\n');
    await waitFor(async () => (await body('/blog')) === '200 v2', {
      message: '/blog to answer v2',
    });
    assert.equal(
      (await s.raw('/blog/gone')).status,
      404,
      'a function removed from a module is gone',
    );
  });

  it('a new file becomes addressable, a removed one a 404 (no stale route cache)', async () => {
    assert.equal((await s.raw('/blog/fresh')).status, 404);
    assert.equal((await s.raw('/blog/fresh')).status, 404, 'the 404 is cached now');
    await s.write('blog/fresh.ts', 'export function index() { return "fresh"; }\n');
    await waitFor(async () => (await body('/blog/fresh')) === '200 fresh', {
      message: '/blog/fresh',
    });
    await s.remove('blog/fresh.ts');
    await waitFor(async () => (await s.raw('/blog/fresh')).status === 404, {
      message: '/blog/fresh to be gone',
    });
  });

  it('a new app directory is mounted when its first module appears', async () => {
    assert.equal((await s.raw('/newapp')).status, 404);
    await s.write('newapp/index.ts', 'export function index() { return "new app"; }\n');
    await waitFor(async () => (await body('/newapp')) === '200 new app', { message: '/newapp' });
  });

  it('a request runs on the generation it pinned, across a reload', async () => {
    const gate = join(s.dir, '..', 'gate');
    const first = s.fetch(`/live/slow?gate=${encodeURIComponent(gate)}`).then((r) => r.text());
    try {
      await waitFor(async () => (await body('/live/isStarted')) === '200 true', {
        message: 'slow to start',
      });
      await s.write('live/index.ts', slow('v2'));
      // The reload waits for the in-flight request: it is pending, not swapped.
      await waitFor(
        () => s.server.registry.snapshot().apps.find((a) => a.name === 'live')?.reloadPending,
        { message: 'reload pending' },
      );
    } finally {
      await s.write('../gate', 'open'); // even when failing: never leave the request running
    }
    assert.equal(await first, 'v1');
    await waitFor(async () => (await body('/live/version')) === '200 v2', {
      message: 'v2 after the reload',
    });
  });

  it('ctx.signal fires when the client goes away, and the pin is released', async () => {
    const req = request({ host: '127.0.0.1', port: s.server.port, path: '/sig/wait' });
    req.on('error', () => {});
    req.end();
    await waitFor(async () => (await body('/sig/status')) === '200 waiting', {
      message: 'waiting',
    });
    req.destroy();
    await waitFor(async () => (await body('/sig/status')) === '200 aborted', {
      message: 'aborted',
    });
    await waitFor(
      () => s.server.registry.snapshot().apps.find((a) => a.name === 'sig')?.inflight === 0,
      { message: 'inflight 0' },
    );
  });
});
