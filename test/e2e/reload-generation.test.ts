/**
 * A request in flight across a reload of its module and of a module it imports returns
 * values from its old generation only; the next request sees only the new one. Both
 * modules stamp a version in an exported constant (bound per generation) and in
 * `import.meta.hot.data` (shared by every generation: only the code lock keeps a reload's
 * top level from rewriting it under a suspended request).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appInfo, startWatched } from '../helpers/reload-server.js';
import type { Json, TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const dep = (v: string) => `
import.meta.hot.data.stamp = '${v}';
export const version = '${v}';
export function depVersion() { return version; }
export function depStamp() { return import.meta.hot.data.stamp; }
`;

const main = (v: string) => `
import { existsSync } from 'node:fs';
import { depStamp, depVersion } from './dep.js';
import.meta.hot.data.stamp = '${v}';
const g = globalThis as { __e2eGenStarted?: number };
const look = () => ({ self: '${v}', selfStamp: import.meta.hot.data.stamp, dep: depVersion(), depStamp: depStamp() });
export async function check(args: { gate?: string }) {
  const before = look();
  if (args.gate) {
    g.__e2eGenStarted = (g.__e2eGenStarted ?? 0) + 1;
    // Bounded, so a failing test never leaves this loop running.
    const deadline = Date.now() + 60_000;
    while (!existsSync(args.gate) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }
  return { before, after: look() };
}
`;

// In another app, so asking never queues behind a reload of 'gen'.
const probe = `
export function started() { return (globalThis as { __e2eGenStarted?: number }).__e2eGenStarted ?? 0; }
`;

const files = (v: string) => ({
  'gen/dep.ts': dep(v),
  'gen/index.ts': main(v),
  'probe/index.ts': probe,
});

const all = (v: string) => ({ self: v, selfStamp: v, dep: v, depStamp: v });

async function startInFlight(s: TestServer, name: string) {
  const gate = join(s.dir, '..', name);
  const startedBefore = Number((await s.raw('/probe/started')).body);
  const inflight = s
    .fetch(`/gen/check?gate=${encodeURIComponent(gate)}`)
    .then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));
  await waitFor(async () => Number((await s.raw('/probe/started')).body) > startedBefore, {
    message: 'the gated request to start',
  });
  return { gate, inflight, open: () => s.write(`../${name}`, 'open') };
}

/** Polls until both modules are v2; every answer on the way must be one consistent view. */
async function untilNew(s: TestServer, v: string): Promise<Json> {
  return waitFor(
    async () => {
      const r = await s.fetch('/gen/check');
      assert.equal(r.status, 200);
      const b: Json = await r.json();
      assert.deepEqual(b.before, b.after, 'a request without awaits-in-between changes');
      assert.equal(b.before.selfStamp, b.before.self, 'own stamp matches own code');
      assert.equal(b.before.depStamp, b.before.dep, 'dep stamp matches dep code');
      return b.before.self === v && b.before.dep === v ? b : undefined;
    },
    { timeoutMs: 30_000, message: `both modules at ${v}` },
  );
}

describe('a request in flight across a reload (--watch, real HTTP)', { timeout: 60_000 }, () => {
  it('the reload waits for it: old values only, then the next request sees only the new', async () => {
    const s = await startWatched({ drainTimeoutMs: 60_000, files: files('v1') });
    let flight: Awaited<ReturnType<typeof startInFlight>> | undefined;
    try {
      assert.deepEqual(((await (await s.fetch('/gen/check')).json()) as Json).after, all('v1'));
      flight = await startInFlight(s, 'gate-a');
      await s.write('gen/dep.ts', dep('v2'));
      await s.write('gen/index.ts', main('v2'));
      // The reload has begun: it waits for the in-flight request (or, were the code lock
      // broken, it has already evaluated; then the values below tell).
      await waitFor(
        async () => {
          const app = await appInfo(s, 'gen');
          const dep = app?.modules.find((m: Json) => m.file.endsWith('/dep.ts'));
          return app?.reloadPending === true || dep?.evaluations > 1;
        },
        { message: 'the reload to wait for the in-flight request' },
      );
      await flight.open();
      const old = await flight.inflight;
      assert.equal(old.status, 200);
      assert.deepEqual(old.body, { before: all('v1'), after: all('v1') });
      const next = await untilNew(s, 'v2');
      assert.deepEqual(next, { before: all('v2'), after: all('v2') });
    } finally {
      await flight?.open();
      await flight?.inflight.catch(() => {});
      await s.close();
    }
  });

  it('past the drain timeout the swap goes ahead; the request still ends on its generation', async () => {
    const s = await startWatched({ drainTimeoutMs: 200, files: files('v1') });
    let flight: Awaited<ReturnType<typeof startInFlight>> | undefined;
    try {
      assert.equal((await s.fetch('/gen/check')).status, 200);
      flight = await startInFlight(s, 'gate-b');
      await s.write('gen/dep.ts', dep('v2'));
      await s.write('gen/index.ts', main('v2'));
      // New requests see the new generation while the old request is still suspended.
      const next = await untilNew(s, 'v2');
      assert.deepEqual(next, { before: all('v2'), after: all('v2') });
      await flight.open();
      const old = await flight.inflight;
      assert.equal(old.status, 200);
      // The code it runs is its own generation's, module and import alike. (hot.data is
      // shared by design: past the drain timeout a reload may rewrite it, docs/concurrency.md.)
      assert.deepEqual(
        [old.body.before.self, old.body.before.dep, old.body.after.self, old.body.after.dep],
        ['v1', 'v1', 'v1', 'v1'],
      );
    } finally {
      await flight?.open();
      await flight?.inflight.catch(() => {});
      await s.close();
    }
  });
});
