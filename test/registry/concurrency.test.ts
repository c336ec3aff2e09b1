import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import { waitFor } from '../helpers/wait.js';
import { call, edit, fixture, type Harness, harness } from './helpers.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A module whose top level records whether it ran while one of its requests was suspended. */
const observed = (v: number) => `const data = import.meta.hot.data;
data.active ??= 0;
data.violations ??= 0;
if (data.active > 0) data.violations++;
data.version = ${v};
export async function index() {
  data.active++;
  try {
    const seen = data.version;
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1));
      if (data.version !== seen) data.violations++;
    }
    return seen;
  } finally {
    data.active--;
  }
}
export const stats = () => data;
`;

async function hammerWhileReloading(codeLock: boolean): Promise<number> {
  const h = await harness({ 'a/index.ts': observed(0) }, { codeLock });
  try {
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    let done = false;
    const client = async () => {
      while (!done) {
        const pin = await h.registry.acquire('a');
        try {
          await call(pin, f, 'index');
        } finally {
          pin.release();
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    for (let v = 1; v <= 10; v++) {
      await tick(3);
      await writeFile(f, observed(v));
      await h.registry.invalidateModule(f);
    }
    done = true;
    await Promise.all(clients);
    const pin = await h.registry.acquire('a');
    const stats = call(pin, f, 'stats') as { violations: number; version: number };
    pin.release();
    assert.equal(stats.version, 10);
    return stats.violations;
  } finally {
    await h.close();
  }
}

describe('registry: the code lock', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('a reload never runs top-level code while a request of the app is suspended mid-flight', async () => {
    assert.equal(await hammerWhileReloading(true), 0);
    // The detector works: without the lock the same load sees reloads under requests.
    assert.ok((await hammerWhileReloading(false)) > 0, 'control run without the lock');
  });

  it('a steady stream of overlapping requests does not starve a reload', async () => {
    // A drain timeout would end any starvation: make it longer than the stream can last.
    h = await harness({ 'a/index.ts': `export const v = 1;` }, { drainTimeoutMs: 600_000 });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    let reloaded = false;
    let runningAtReload = 0;
    let started = 0;
    let running = 0;
    const inflight: Promise<void>[] = [];
    const request = async () => {
      started++;
      running++;
      const pin = await h!.registry.acquire('a');
      await tick(10);
      pin.release();
      running--;
    };
    // Keep requests overlapping: a new one every couple of ms, each holding its pin 10 ms.
    inflight.push(request());
    await writeFile(f, `export const v = 2;`);
    const reload = h.registry.invalidateModule(f).then(() => {
      reloaded = true;
      runningAtReload = running;
    });
    while (!reloaded && started < 3000) {
      inflight.push(request());
      await tick(2);
    }
    await reload;
    await Promise.all(inflight);
    assert.ok(started < 3000, 'the reload did not wait for the stream to end');
    // A reload that waited for a gap in the stream would find no request left running.
    assert.ok(runningAtReload > 0, `requests were still coming when the reload swapped`);
    const pin = await h.registry.acquire('a');
    assert.equal(pin.exportsOf(f)?.v, 2);
    pin.release();
  });

  it('a request longer than the drain timeout does not hold a reload back, and finishes on its generation', async () => {
    h = await harness({ 'a/index.ts': `export const v = 1;` }, { drainTimeoutMs: 100 });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const long = await h.registry.acquire('a');
    await writeFile(f, `export const v = 2;`);
    const r = await h.registry.invalidateModule(f); // resolves although `long` is still held
    assert.deepEqual(r.reloaded, [f]);
    const next = h.registry.tryAcquire('a');
    assert.ok(next, 'no reload pending any more');
    assert.equal(next.exportsOf(f)?.v, 2);
    next.release();
    await tick(5);
    assert.equal(long.exportsOf(f)?.v, 1, 'the long request stays on its old generation');
    // Another reload while the straggler is still running: it too goes ahead.
    await writeFile(f, `export const v = 3;`);
    await h.registry.invalidateModule(f);
    const third = await h.registry.acquire('a');
    assert.equal(third.exportsOf(f)?.v, 3);
    third.release();
    assert.equal(long.exportsOf(f)?.v, 1);
    long.release();
  });

  it('a pending reload of one app never delays another app’s requests', async () => {
    h = await harness(
      { 'a/index.ts': `export const v = 1;`, 'b/index.ts': `export const v = 'b1';` },
      { drainTimeoutMs: 60_000 },
    );
    const fa = h.file('a/index.ts');
    const fb = h.file('b/index.ts');
    await Promise.all([h.registry.ensureModule(fa), h.registry.ensureModule(fb)]);
    const held = await h.registry.acquire('a');
    await writeFile(fa, `export const v = 2;`);
    const ra = h.registry.invalidateModule(fa);
    await waitFor(
      () => h!.registry.snapshot().apps.find((x) => x.name === 'a')?.reloadPending === true,
      { message: 'a reload pending' },
    );
    assert.equal(h.registry.tryAcquire('a'), undefined, 'app a queues');
    const pb = h.registry.tryAcquire('b');
    assert.ok(pb, 'app b answers synchronously');
    assert.equal(pb.exportsOf(fb)?.v, 'b1');
    pb.release();
    await writeFile(fb, `export const v = 'b2';`);
    await h.registry.invalidateModule(fb); // b reloads while a's reload still waits
    const pb2 = await h.registry.acquire('b');
    assert.equal(pb2.exportsOf(fb)?.v, 'b2');
    pb2.release();
    held.release();
    await ra;
  });

  it('a module shared by two apps is one instance; its reload takes both apps’ locks', async () => {
    h = await harness(await fixture('shared-module'), { drainTimeoutMs: 60_000 });
    const fa = h.file('a/index.ts');
    const fb = h.file('b/index.ts');
    const shared = h.file('_shared/conf.ts');
    await Promise.all([h.registry.ensureModule(fa), h.registry.ensureModule(fb)]);
    const pa = await h.registry.acquire('a');
    const pb = await h.registry.acquire('b');
    assert.equal(pa.exportsOf(fa)?.c, pb.exportsOf(fb)?.c, 'one instance');
    assert.equal(h.registry.getModule(shared)?.evaluations, 1);
    await edit(shared, 'v: 1', 'v: 2');
    let done = false;
    const r = h.registry.invalidateModule(shared).then((x) => {
      done = true;
      return x;
    });
    await waitFor(
      () => h!.registry.snapshot().apps.find((x) => x.name === 'a')?.reloadPending === true,
      { message: 'reload waiting for a' },
    );
    pa.release();
    await waitFor(
      () => h!.registry.snapshot().apps.find((x) => x.name === 'b')?.reloadPending === true,
      { message: 'reload waiting for b' },
    );
    assert.equal(done, false, 'still waiting for b’s request');
    pb.release();
    const res = await r;
    assert.deepEqual(res.reloaded.sort(), [shared, fa, fb].sort());
    const na = await h.registry.acquire('a');
    const nb = await h.registry.acquire('b');
    assert.deepEqual(na.exportsOf(fa)?.c, { v: 2 });
    assert.equal(na.exportsOf(fa)?.c, nb.exportsOf(fb)?.c);
    na.release();
    nb.release();
  });
});
