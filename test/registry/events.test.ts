import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import type { RegistryEvents } from '../../src/registry/index.js';
import { type Harness, harness } from './helpers.js';

const mod = (v: number) => `export const v = ${v};\n`;

describe('registry: events through on()', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('every listener hears every event until it unsubscribes; a throwing listener breaks nothing', async () => {
    h = await harness({ 'a/index.ts': mod(1) });
    const f = h.file('a/index.ts');
    const { registry } = h;
    let thrown = 0;
    registry.on('swap', () => {
      thrown++;
      throw new Error('a listener bug');
    });
    const first: number[] = [];
    const second: number[] = [];
    const off = registry.on('swap', (e) => first.push(e.generation));
    registry.on('swap', (e) => second.push(e.generation));

    await registry.ensureModule(f);
    await writeFile(f, mod(2));
    const r = await registry.invalidateModule(f);
    assert.equal(r.error, undefined, 'the throwing listener did not fail the reload');
    assert.deepEqual(r.reloaded, [f]);
    assert.equal(thrown, 2);
    assert.deepEqual(first, [1, 2], 'listeners after the throwing one still heard both swaps');
    assert.deepEqual(second, [1, 2]);

    off();
    off(); // idempotent
    await writeFile(f, mod(3));
    await registry.invalidateModule(f);
    assert.deepEqual(first, [1, 2], 'no event after unsubscribing');
    assert.deepEqual(second, [1, 2, 3]);
    await h.withPin('a', (p) => assert.equal(p.exportsOf(f)?.v, 3));
  });

  it('one function subscribed twice hears twice; each unsubscribe ends one subscription', async () => {
    h = await harness({ 'a/index.ts': mod(1) });
    const f = h.file('a/index.ts');
    const heard: Array<RegistryEvents['error']> = [];
    const listener = (e: RegistryEvents['error']) => heard.push(e);
    const off1 = h.registry.on('error', listener);
    h.registry.on('error', listener);
    await writeFile(f, 'export const v = ;\n');
    await assert.rejects(h.registry.ensureModule(f), { code: 'HOTPUB_E_MODULE_SYNTAX' });
    assert.equal(heard.length, 2);
    assert.equal(heard[0]?.file, f);
    assert.equal(heard[0]?.error.code, 'HOTPUB_E_MODULE_SYNTAX');
    off1();
    await writeFile(f, 'export const v = ;;\n');
    await assert.rejects(h.registry.ensureModule(f), { code: 'HOTPUB_E_MODULE_SYNTAX' });
    assert.equal(heard.length, 3, 'the other subscription of the same function remains');
  });

  it('on() refuses a listener that is not a function', async () => {
    h = await harness({ 'a/index.ts': mod(1) });
    assert.throws(
      () => h!.registry.on('swap', 'nope' as unknown as () => void),
      /listener must be a function/,
    );
  });
});
