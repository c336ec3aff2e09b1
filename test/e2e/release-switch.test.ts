/**
 * Release switches under load (SPEC section 6), over real HTTP: `--apps` is a `current`
 * symlink switched atomically to the next release. With --watch the switch is noticed
 * by itself; without it, a reload (what SIGHUP does) applies it. Either way: no failed
 * request, no response mixing two releases, the old release's disposers run, its modules
 * are freed, and `keep()` / `hot.data` state carries over to the new release.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createServer, type HotpubServer } from '../../src/server/serve.js';
import { makeReleases, type Releases } from '../helpers/releases.js';
import { rawRequest, testLogger } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** Release `n`: an index importing `_b`, state kept across releases, a disposer, a WeakRef. */
function release(n: number, marks: string): Record<string, string> {
  return {
    'app/index.ts': `
import { keep } from 'hotpub';
import { writeFileSync } from 'node:fs';
import { b } from './_b.js';
const pool = keep('pool', () => ({ id: Math.random().toString(36).slice(2) }));
import.meta.hot.data.served ??= 0;
const marker = { release: ${n} };
const g = globalThis as { __relRefs?: Array<[number, WeakRef<object>]> };
(g.__relRefs ??= []).push([${n}, new WeakRef(marker)]);
export async function index() {
  import.meta.hot.data.served++;
  await new Promise((r) => setImmediate(r));
  return marker.release + ':' + b + ':' + pool.id;
}
export function served() { return import.meta.hot.data.served; }
import.meta.hot.dispose(() => writeFileSync(${JSON.stringify(join(marks, `disposed-${n}`))}, ''));
`,
    'app/_b.ts': `export const b = ${n};\n`,
    'app/app.json': JSON.stringify({ mount: '/app' }),
  };
}

interface Load {
  failures: string[];
  mixed: string[];
  pools: Set<string>;
  latest(): number;
  served(): number;
  stop(): Promise<void>;
}

/** `clients` loops of GET /app, checking every answer. */
function load(s: HotpubServer, clients: number): Load {
  const failures: string[] = [];
  const mixed: string[] = [];
  const pools = new Set<string>();
  let latest = 0;
  let served = 0;
  let stop = false;
  const client = async () => {
    const deadline = Date.now() + 110_000;
    while (!stop && Date.now() < deadline) {
      try {
        const r = await rawRequest(s.url, '/app');
        const m = /^(\d+):(\d+):(\w+)$/.exec(r.body);
        if (r.status !== 200 || !m) failures.push(`${r.status} ${r.body.slice(0, 200)}`);
        else if (m[1] !== m[2]) mixed.push(r.body);
        else {
          served++;
          latest = Math.max(latest, Number(m[1]));
          pools.add(m[3]!);
        }
      } catch (err) {
        failures.push(String(err));
      }
    }
  };
  const all = Array.from({ length: clients }, client);
  return {
    failures,
    mixed,
    pools,
    latest: () => latest,
    served: () => served,
    async stop() {
      stop = true;
      await Promise.all(all);
    },
  };
}

const RELEASES = 5;

for (const mode of ['watch', 'reload'] as const) {
  describe(`release switch under load (${mode === 'watch' ? '--watch' : 'SIGHUP: reload()'})`, {
    timeout: 120_000,
  }, () => {
    it(`${RELEASES} releases: 0 failed, 0 mixed, disposed, freed, keep() carried over`, async () => {
      let rel: Releases | undefined;
      let s: HotpubServer | undefined;
      let l: Load | undefined;
      try {
        rel = await makeReleases();
        const marks = rel.base;
        for (let n = 1; n <= RELEASES; n++) await rel.write(n, release(n, marks));
        await rel.switchTo(1);
        s = await createServer({
          apps: rel.current,
          port: 0,
          host: '127.0.0.1',
          logger: testLogger(),
          watch: mode === 'watch',
        });
        const server = s;
        l = load(server, 8);
        await waitFor(() => l!.served() > 8, { message: 'the clients to be served' });
        for (let n = 2; n <= RELEASES; n++) {
          await rel.switchTo(n);
          if (mode === 'reload') {
            const results = await server.reload();
            const app = results.find((r) => r.app === 'app');
            assert.equal(app?.error, undefined, JSON.stringify(app?.error));
            assert.equal(app?.changed, true);
          }
          await waitFor(() => l!.latest() === n || l!.failures.length > 0, {
            timeoutMs: 20_000,
            message: `release ${n} served`,
          });
        }
        await l.stop();
        assert.deepEqual(l.failures.slice(0, 5), [], `${l.failures.length} failed requests`);
        assert.deepEqual(l.mixed.slice(0, 5), [], `${l.mixed.length} mixed responses`);
        assert.equal(l.pools.size, 1, 'keep() state carried over every release');
        const total = Number((await rawRequest(s.url, '/app/served')).body);
        assert.ok(total >= l.served(), `hot.data carried over: ${total} >= ${l.served()}`);
        for (let n = 1; n < RELEASES; n++) {
          await waitFor(() => existsSync(join(marks, `disposed-${n}`)), {
            message: `release ${n} disposed`,
          });
        }
        assert.equal(existsSync(join(marks, `disposed-${RELEASES}`)), false, 'not the current');
        const snap = s.registry.snapshot();
        assert.equal(snap.root, rel.appsOf(RELEASES));
        const files = snap.apps.flatMap((a) => a.modules.map((m) => m.file));
        assert.ok(files.length > 0);
        for (const f of files) assert.ok(f.startsWith(`${rel.appsOf(RELEASES)}/`), f);
        if (gc) {
          // The old releases' module instances are garbage now.
          const refs = (globalThis as { __relRefs?: Array<[number, WeakRef<object>]> }).__relRefs!;
          await waitFor(
            async () => {
              gc();
              await new Promise((r) => setImmediate(r));
              return refs.every(([n, ref]) => n === RELEASES || ref.deref() === undefined);
            },
            { message: 'old releases freed' },
          );
        }
      } finally {
        await l?.stop();
        await s?.close();
        await rel?.remove();
        delete (globalThis as { __relRefs?: unknown }).__relRefs;
      }
    });
  });
}
