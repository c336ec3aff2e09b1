/**
 * app.json and app directories are live (SPEC section 4), over real HTTP with --watch: a
 * new mount applies with the code of the same change; a bad app.json or a mount conflict
 * refuses its change; a new app directory is mounted; a removed one is unmounted after its
 * in-flight request has finished, and then its disposers run.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appInfo, startWatched } from '../helpers/reload-server.js';
import { waitFor } from '../helpers/wait.js';

const fn = (v: string) => `export function index() { return '${v}'; }\n`;

describe('apps and app.json are live (--watch, real HTTP)', { timeout: 60_000 }, () => {
  it('a new mount applies together with the code of its change', async () => {
    const s = await startWatched({ files: { 'm/index.ts': fn('v1'), 'other/index.ts': fn('o') } });
    try {
      assert.equal((await s.raw('/m')).body, 'v1');
      writeFileSync(join(s.dir, 'm/app.json'), JSON.stringify({ mount: '/moved/:who' }));
      writeFileSync(
        join(s.dir, 'm/index.ts'),
        `export function index(a: { who: string }) { return 'v2 for ' + a.who; }\n`,
      );
      await waitFor(async () => (await s.raw('/moved/ann')).body === 'v2 for ann', {
        message: 'the new mount with the new code',
      });
      assert.equal((await s.raw('/m')).status, 404, 'the old mount is gone');
      assert.equal((await appInfo(s, 'm')).generation, 2, 'one change, one generation');
    } finally {
      await s.close();
    }
  });

  it('a bad app.json or a mount conflict refuses the whole change', async () => {
    const s = await startWatched({ files: { 'm/index.ts': fn('v1'), 'other/index.ts': fn('o') } });
    try {
      assert.equal((await s.raw('/m')).body, 'v1'); // loaded: part of the serving generation
      writeFileSync(join(s.dir, 'm/app.json'), JSON.stringify({ mount: '/x', bodyLimt: 5 }));
      writeFileSync(join(s.dir, 'm/index.ts'), fn('v2'));
      const errored = () =>
        s.server.registry.snapshot().apps.find((a) => a.name === 'm')?.generation ?? -1;
      const seen: string[] = [];
      const off = s.server.registry.on('error', (e) => seen.push(e.error.message));
      await waitFor(() => seen.length > 0, { message: 'the refused change' });
      assert.match(seen[0]!, /app\.json: unknown field "bodyLimt"/);
      assert.equal((await s.raw('/m')).body, 'v1', 'neither the config nor the code applied');
      assert.equal((await s.raw('/x')).status, 404);
      // Fixed, but onto the other app's mount: refused too.
      seen.length = 0;
      writeFileSync(join(s.dir, 'm/app.json'), JSON.stringify({ mount: '/other' }));
      await waitFor(() => seen.length > 0, { message: 'the mount conflict' });
      off();
      assert.match(seen[0]!, /two apps on the same mount "\/other"/);
      assert.equal((await s.raw('/other')).body, 'o');
      assert.equal((await s.raw('/m')).body, 'v1');
      assert.equal(errored(), 1, 'no generation from a refused change');
      writeFileSync(join(s.dir, 'm/app.json'), JSON.stringify({ mount: '/x' }));
      await waitFor(async () => (await s.raw('/x')).body === 'v2', { message: 'fixed: applied' });
    } finally {
      await s.close();
    }
  });

  it('a new app directory is mounted; a removed one after its in-flight request', async () => {
    const gone = `
import { existsSync, writeFileSync } from 'node:fs';
export async function slow(args: { gate: string }) {
  const deadline = Date.now() + 30_000;
  while (!existsSync(args.gate) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return 'finished';
}
const marker = { app: 'gone' };
(globalThis as { __goneRef?: WeakRef<object> }).__goneRef = new WeakRef(marker);
export function index() { return 'here' + (marker.app ? '' : '?'); }
import.meta.hot.dispose(() => writeFileSync(${JSON.stringify('MARK')}, 'disposed'));
`;
    const s = await startWatched({ files: { 'keep/index.ts': fn('k') } });
    const mark = join(s.dir, '..', 'disposed');
    const gate = join(s.dir, '..', 'gate');
    try {
      writeFileSync(join(s.dir, '..', 'placeholder'), '');
      await s.write('gone/index.ts', gone.replace('MARK', mark));
      await waitFor(async () => (await s.raw('/gone')).body === 'here', { message: 'mounted' });
      const inflight = s.fetch(`/gone/slow?gate=${encodeURIComponent(gate)}`);
      await waitFor(() => (appInfoSync(s, 'gone') ?? 0) > 0, { message: 'request in flight' });
      await s.remove('gone');
      await waitFor(
        () => s.server.registry.snapshot().apps.find((a) => a.name === 'gone')?.reloadPending,
        { message: 'the removal to wait for the request' },
      );
      assert.equal(existsSync(mark), false, 'no dispose under a running request');
      writeFileSync(gate, 'open');
      const r = await inflight;
      assert.deepEqual([r.status, await r.text()], [200, 'finished'], 'the request finished');
      await waitFor(async () => (await s.raw('/gone')).status === 404, { message: 'unmounted' });
      await waitFor(() => existsSync(mark), { message: 'then the disposers ran' });
      assert.equal((await s.raw('/keep')).body, 'k', 'other apps untouched');
      assert.equal(
        s.server.publisher.apps.some((a) => a.name === 'gone'),
        false,
        'no longer mounted',
      );
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) {
        // Its stable outer wrappers, routes and pins must not keep its code alive.
        const ref = (globalThis as { __goneRef?: WeakRef<object> }).__goneRef!;
        await waitFor(
          async () => {
            gc();
            await new Promise((r) => setImmediate(r));
            return ref.deref() === undefined;
          },
          { message: "the removed app's code to be freed" },
        );
      }
    } finally {
      writeFileSync(gate, 'open');
      await s.close();
    }
  });
});

function appInfoSync(
  s: { server: { registry: { snapshot(): { apps: Array<{ name: string; inflight: number }> } } } },
  app: string,
) {
  return s.server.registry.snapshot().apps.find((a) => a.name === app)?.inflight;
}
