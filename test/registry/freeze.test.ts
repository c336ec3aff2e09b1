import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import { waitFor } from '../helpers/wait.js';
import { type Harness, harness } from './helpers.js';

const mod = (v: number) => `export const v = ${v};\n`;

describe('registry: freeze and unfreeze an app', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('holds changes while frozen (the old generation serves) and applies them on unfreeze', async () => {
    h = await harness({ 'a/index.ts': mod(1), 'b/index.ts': mod(1) });
    const fa = h.file('a/index.ts');
    const fb = h.file('b/index.ts');
    await h.registry.ensureModule(fa);
    await h.registry.ensureModule(fb);
    h.registry.freeze('a');
    h.registry.freeze('a'); // idempotent: one event
    await writeFile(fa, mod(2));
    await writeFile(fb, mod(2));
    const held = await h.registry.invalidateModule(fa);
    assert.deepEqual(held, { reloaded: [], held: true });
    assert.deepEqual((await h.registry.invalidateModule(fb)).reloaded, [fb], 'b is not frozen');
    await h.withPin('a', (p) => assert.equal(p.exportsOf(fa)?.v, 1, 'frozen: old code serves'));
    const app = h.registry.snapshot().apps.find((x) => x.name === 'a');
    assert.equal(app?.frozen, true);
    assert.deepEqual(app?.held, [fa]);
    assert.equal(h.registry.getModule(fa)?.evaluations, 1, 'nothing was evaluated');

    const results = await h.registry.unfreeze('a');
    assert.deepEqual(
      results.map((r) => r.reloaded),
      [[fa]],
    );
    await h.withPin('a', (p) => assert.equal(p.exportsOf(fa)?.v, 2));
    const after = h.registry.snapshot().apps.find((x) => x.name === 'a');
    assert.equal(after?.frozen, false);
    assert.deepEqual(after?.held, []);
    assert.deepEqual(await h.registry.unfreeze('a'), [], 'unfreezing twice applies nothing');
    const freezes = h.events.filter((e) => e.type === 'freeze').map((e) => e.event);
    assert.deepEqual(freezes, [
      { app: 'a', frozen: true, held: [] },
      { app: 'a', frozen: false, held: [fa] },
    ]);
  });

  it("holds the watcher's saves too, and a frozen app still cold-loads new modules", async () => {
    h = await harness({ 'a/index.ts': mod(1), 'a/other.ts': mod(7) }, { watch: true });
    const fa = h.file('a/index.ts');
    const other = h.file('a/other.ts');
    await h.registry.ensureModule(fa);
    h.registry.freeze('a');
    await writeFile(fa, mod(2));
    await waitFor(() => h?.registry.snapshot().apps.find((x) => x.name === 'a')?.held.length, {
      message: 'the watcher to hand the save to the frozen app',
    });
    await h.registry.ensureModule(other);
    await h.withPin('a', (p) => {
      assert.equal(p.exportsOf(fa)?.v, 1);
      assert.equal(p.exportsOf(other)?.v, 7);
    });
    await h.registry.unfreeze('a');
    await h.withPin('a', (p) => assert.equal(p.exportsOf(fa)?.v, 2));
  });

  it('reports how long a reload took on its swap event', async () => {
    h = await harness({ 'a/index.ts': mod(1) });
    const fa = h.file('a/index.ts');
    await h.registry.ensureModule(fa);
    await writeFile(fa, mod(2));
    await h.registry.invalidateModule(fa);
    const swaps = h.events.filter((e) => e.type === 'swap').map((e) => e.event as { ms?: number });
    assert.equal(swaps.length, 2, 'the cold load and the reload');
    for (const s of swaps) assert.ok(typeof s.ms === 'number' && s.ms >= 0, `ms: ${s.ms}`);
  });
});
