import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { waitFor } from '../helpers/wait.js';
import { call, edit, fixture, type Harness, harness } from './helpers.js';

describe('registry: reload through invalidateModule', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('reloads the changed module and its importers; unrelated modules keep their instance', async () => {
    h = await harness(await fixture('importer-reload'));
    const idx = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    const other = h.file('a/other.ts');
    await h.registry.ensureModule(idx);
    await h.registry.ensureModule(other);
    const otherBefore = await h.withPin('a', (p) => p.exportsOf(other)?.id);
    const old = h.registry.tryAcquire('a');
    assert.ok(old, 'no reload pending: the pin is taken synchronously');
    const gen0 = old.generation;
    old.release();

    await edit(dep, "'d1'", "'d2'");
    const res = await h.registry.invalidateModule(dep);
    assert.deepEqual(res.reloaded.sort(), [dep, idx].sort());
    await h.withPin('a', (p) => {
      assert.ok(p.generation > gen0);
      assert.equal(call(p, idx, 'index'), 'v1:d2');
      assert.equal(p.exportsOf(other)?.id, otherBefore, 'unrelated module not re-evaluated');
    });
    assert.equal(h.registry.getModule(dep)?.generation, 2);
    assert.equal(h.registry.getModule(idx)?.generation, 2);
    assert.equal(h.registry.getModule(other)?.generation, 1);

    const again = await h.registry.invalidateModule(dep);
    assert.deepEqual(again.reloaded, [], 'same content is no reload');
    assert.equal(h.registry.getModule(dep)?.evaluations, 2);
  });

  it('a pin held across a reload keeps the old generation; the next pin sees the new one', async () => {
    h = await harness(await fixture('importer-reload'), { drainTimeoutMs: 60_000 });
    const idx = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    await h.registry.ensureModule(idx);
    const p = h.registry.tryAcquire('a');
    assert.ok(p, 'no reload pending: the pin is taken synchronously');
    await edit(dep, "'d1'", "'d2'");
    await edit(idx, 'v1:', 'v2:');
    const r1 = h.registry.invalidateModule(dep);
    const r2 = h.registry.invalidateModule(idx);
    // The reload waits for our pin: the app reports it pending and new pins queue.
    const app = () => h!.registry.snapshot().apps.find((a) => a.name === 'a');
    await waitFor(() => app()?.reloadPending === true, {
      message: 'the reload to wait for the lock',
    });
    assert.equal(h.registry.tryAcquire('a'), undefined, 'no pin while a reload is pending');
    let granted = false;
    const queued = h.registry.acquire('a').then((pin) => {
      granted = true;
      return pin;
    });
    assert.equal(call(p, idx, 'index'), 'v1:d1');
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(call(p, idx, 'index'), 'v1:d1', 'still the old generation after awaits');
    assert.equal(granted, false, 'requests queue behind a pending reload');
    p.release();
    await Promise.all([r1, r2]);
    const next = await queued;
    assert.equal(call(next, idx, 'index'), 'v2:d2');
    next.release();
  });
});
