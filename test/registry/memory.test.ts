import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { call, fixture, type Harness, harness } from './helpers.js';

const gc = (globalThis as { gc?: () => void }).gc;
const MiB = 1024 * 1024;

function settleRss(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().rss;
}

describe('registry: memory', () => {
  let h: Harness | undefined;
  after(() => h?.close());

  it('150 reloads of a module holding ~10 MiB keep RSS within 250 MiB of the 10th', {
    skip: !gc && 'needs --expose-gc',
  }, async () => {
    h = await harness(await fixture('memory'));
    const f = h.file('a/big.ts');
    const template = await readFile(f, 'utf8');
    await h.registry.ensureModule(f);
    let base = 0;
    for (let v = 1; v <= 150; v++) {
      await writeFile(f, template.replace('version = 0', `version = ${v}`));
      const r = await h.registry.invalidateModule(f);
      assert.equal(r.error, undefined);
      // A request per generation: pins and generations must not keep old code alive.
      assert.equal(await h.withPin('a', (pin) => call(pin, f, 'index')), v % 251);
      if (v === 10) base = settleRss();
    }
    const end = settleRss();
    const grown = (end - base) / MiB;
    assert.ok(
      grown < 250,
      `RSS grew ${grown.toFixed(0)} MiB after the 10th reload (leak ~1.4 GiB)`,
    );
    assert.equal(h.registry.getModule(f)?.generation, 151);
  });
});
