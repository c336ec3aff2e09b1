import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import type { ReloadResult } from '../../src/registry/index.js';
import { call, type Harness, harness } from './helpers.js';

const counter = (v: number) => `import { keep } from 'hotpub';
const hot = import.meta.hot;
hot.data.count = (hot.data.count ?? 0) + 1;
hot.data.disposed ??= [];
export const lock = keep('lock', () => ({ created: ${v} }));
export const data = hot.data;
export const version = ${v};
hot.dispose((d) => { d.disposed.push(${v}); });
export function index() { return hot.data.count; }
`;

describe('registry: state across reloads', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('hot.data and keep() survive reloads (same instances); dispose runs once per retired generation', async () => {
    h = await harness({ 'a/index.ts': counter(1) });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const first = await h.withPin('a', (p) => p.exportsOf(f)!);
    for (let v = 2; v <= 4; v++) {
      await writeFile(f, counter(v));
      const r: ReloadResult = await h.registry.invalidateModule(f);
      assert.equal(r.error, undefined);
    }
    await h.withPin('a', (p) => {
      const exp = p.exportsOf(f)!;
      assert.equal(exp.version, 4);
      assert.equal(call(p, f, 'index'), 4, 'counter in hot.data counted every evaluation');
      assert.equal(exp.data, first.data, 'hot.data is the same object');
      assert.equal(exp.lock, first.lock, 'keep() gives the same instance');
      assert.deepEqual((exp.lock as { created: number }).created, 1);
      assert.deepEqual((exp.data as { disposed: number[] }).disposed, [1, 2, 3]);
    });
  });

  it('dispose waits for the retired generation’s last in-flight request', async () => {
    h = await harness({ 'a/index.ts': counter(1) }, { drainTimeoutMs: 50 });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const held = h.registry.tryAcquire('a');
    assert.ok(held, 'no reload pending: the pin is taken synchronously');
    const data = held.exportsOf(f)!.data as { disposed: number[] };
    await writeFile(f, counter(2));
    // Past the drain timeout the swap goes ahead while our request is still in flight.
    const r = await h.registry.invalidateModule(f);
    assert.equal(r.error, undefined);
    assert.equal(held.exportsOf(f)!.version, 1, 'the long request stays on its generation');
    await h.withPin('a', (p) => assert.equal(p.exportsOf(f)!.version, 2));
    assert.deepEqual(data.disposed, [], 'not disposed while a request of that generation runs');
    assert.equal(h.registry.getModule(f)?.inflight, 1, 'the old generation still holds it');
    assert.equal(h.registry.snapshot().apps.find((a) => a.name === 'a')?.inflight, 1);
    held.release();
    assert.deepEqual(data.disposed, [1], 'disposed right after its last request');
    held.release();
    assert.deepEqual(data.disposed, [1], 'once');
  });

  it('disposers registered by a generation that failed to load run at once', async () => {
    h = await harness({ 'a/index.ts': counter(1) });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const data = await h.withPin('a', (p) => p.exportsOf(f)!.data as { disposed: number[] });
    await writeFile(f, `${counter(2)}\nthrow new Error('after registering dispose');\n`);
    const r = await h.registry.invalidateModule(f);
    assert.equal(r.error?.code, 'HOTPUB_E_MODULE_EVAL');
    assert.deepEqual(
      data.disposed,
      [2],
      'the failed generation cleaned up; the serving one did not',
    );
    await h.withPin('a', (p) => assert.equal(p.exportsOf(f)?.version, 1));
  });

  it('close() runs pending and current disposers', async () => {
    h = await harness({ 'a/index.ts': counter(1) });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const data = await h.withPin('a', (p) => p.exportsOf(f)!.data as { disposed: number[] });
    await h.registry.close();
    assert.deepEqual(data.disposed, [1]);
    await assert.rejects(h.registry.ensureModule(f), /closed/);
  });

  it('keep imported from hotpub works inside functions called later', async () => {
    h = await harness({
      'a/index.ts': `import { keep } from 'hotpub';
export function get() { return keep('later', () => ({ n: Math.random() })); }`,
    });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const a = await h.withPin('a', (p) => call(p, f, 'get'));
    await writeFile(
      f,
      `import { keep } from 'hotpub';
export function get() { return keep('later', () => ({ n: -1 })); }
export const changed = true;`,
    );
    // Without a reload the same generation would hand back `a` whatever keep() does.
    assert.deepEqual((await h.registry.invalidateModule(f)).reloaded, [f]);
    const b = await h.withPin('a', (p) => call(p, f, 'get'));
    assert.equal(a, b);
    assert.notEqual((a as { n: number }).n, -1);
  });
});
