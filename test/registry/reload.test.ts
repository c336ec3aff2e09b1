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

  it('an importer whose code did not change is still a fresh evaluation on each reload', async () => {
    h = await harness({
      'a/_dep.ts': `export const d = 1;\n`,
      'a/index.ts': `import { d } from './_dep.js';\nlet calls = 0;\nconst made = {};\nexport function index() { return [d, ++calls]; }\nexport function identity() { return made; }\n`,
    });
    const idx = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    await h.registry.ensureModule(idx);
    const first = await h.withPin('a', (p) => {
      call(p, idx, 'index');
      return [call(p, idx, 'index'), call(p, idx, 'identity')] as const;
    });
    assert.deepEqual(first[0], [1, 2]);
    for (let d = 2; d <= 3; d++) {
      await edit(dep, `d = ${d - 1}`, `d = ${d}`);
      assert.equal((await h.registry.invalidateModule(dep)).error, undefined);
      // The same compiled body runs again, but its top-level bindings are new.
      await h.withPin('a', (p) => {
        assert.deepEqual(call(p, idx, 'index'), [d, 1], 'top-level state starts over');
        assert.notEqual(call(p, idx, 'identity'), first[1], 'new top-level objects');
      });
    }
    assert.equal(h.registry.getModule(idx)?.evaluations, 3);
  });

  it('a pin held across a change keeps the old generation; the next pin sees the new one', async () => {
    h = await harness(await fixture('importer-reload'), { drainTimeoutMs: 60_000 });
    const idx = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    await h.registry.ensureModule(idx);
    const p = h.registry.tryAcquire('a');
    assert.ok(p, 'no reload pending: the pin is taken synchronously');
    await edit(dep, "'d1'", "'d2'");
    await edit(idx, 'v1:', 'v2:');
    // Both files as one change (two invalidateModule calls would be two changes).
    const reloaded = h.registry.reloadAll();
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
    const [result] = await reloaded;
    assert.equal(result?.changed, true);
    assert.deepEqual(result?.reloaded.sort(), [dep, idx].sort(), 'one change, both files');
    const next = await queued;
    assert.equal(call(next, idx, 'index'), 'v2:d2');
    next.release();
  });
});
