import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import { atomicWrite } from '../helpers/files.js';
import { waitFor } from '../helpers/wait.js';
import { call, edit, fixture, type Harness, harness } from './helpers.js';

describe('registry: scenarios from on-disk fixtures', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('circular imports load like CommonJS and reload without crashing or looping', async () => {
    h = await harness(await fixture('circular'));
    const idx = h.file('a/index.ts');
    const b = h.file('a/_b.ts');
    await h.registry.ensureModule(idx);
    let pin = await h.registry.acquire('a');
    assert.deepEqual(await call(pin, idx, 'index'), ['a1', 'b1', 'a1']);
    pin.release();
    assert.deepEqual(h.registry.getModule(idx)?.imports, [b]);
    assert.deepEqual(h.registry.getModule(b)?.imports, [idx]);

    await edit(b, "'b1'", "'b2'");
    const r = await h.registry.invalidateModule(b);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.reloaded.sort(), [b, idx].sort());
    pin = await h.registry.acquire('a');
    assert.deepEqual(await call(pin, idx, 'index'), ['a1', 'b2', 'a1']);
    pin.release();
    assert.equal(
      h.registry.getModule(b)?.evaluations,
      2,
      'each module of the cycle once per reload',
    );
    assert.equal(h.registry.getModule(idx)?.evaluations, 2);

    await edit(idx, "'a1'", "'a2'");
    assert.equal((await h.registry.invalidateModule(idx)).error, undefined);
    pin = await h.registry.acquire('a');
    assert.deepEqual(await call(pin, idx, 'index'), ['a2', 'b2', 'a2']);
    pin.release();
  });

  it('re-exports: one shared instance under concurrent cold loads; pinned requests keep the old binding', async () => {
    h = await harness(await fixture('reexport'));
    const x = h.file('a/x.ts');
    const y = h.file('a/y.ts');
    const impl = h.file('a/_impl.ts');
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => h!.registry.ensureModule(i % 2 ? x : y)),
    );
    assert.equal(h.registry.getModule(impl)?.evaluations, 1);
    const old = await h.registry.acquire('a');
    assert.equal(old.exportsOf(x)?.whoami, old.exportsOf(y)?.whoami, 'same instance behind both');
    assert.equal(old.exportsOf(x)?.more instanceof Function, true);
    const pending = call(old, x, 'whoami') as Promise<number>;

    await edit(impl, 'version = 1', 'version = 2');
    const drain = h.registry.invalidateModule(impl); // waits for `old`
    assert.equal(await pending, 1);
    assert.equal(old.exportsOf(x)?.version, 1);
    assert.equal(await call(old, y, 'whoami'), 1, 'still the old binding after awaits');
    old.release();
    const r = await drain;
    assert.deepEqual(r.reloaded.sort(), [impl, x, y].sort());
    const now = await h.registry.acquire('a');
    assert.equal(await call(now, x, 'whoami'), 2);
    assert.equal(await call(now, y, 'whoami'), 2);
    assert.equal(now.exportsOf(x)?.version, 2);
    now.release();
  });

  it('16 concurrent callers x 40 reloads (plain writes and atomic saves): zero failures', async () => {
    h = await harness(await fixture('stress'), { watch: true });
    const idx = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    await h.registry.ensureModule(idx);
    let done = false;
    let ok = 0;
    const failures: string[] = [];
    const seen = new Set<number>();
    const client = async () => {
      while (!done) {
        try {
          await h!.registry.ensureModule(idx);
          const pin = await h!.registry.acquire('a');
          try {
            const [atLoad, before, after] = (await call(pin, idx, 'index')) as number[];
            if (atLoad !== before || before !== after) {
              failures.push(`mixed generations: ${atLoad}/${before}/${after}`);
            }
            seen.add(after!);
            ok++;
          } finally {
            pin.release();
          }
        } catch (err) {
          failures.push(String(err));
        }
        await new Promise((r) => setImmediate(r));
      }
    };
    const clients = Array.from({ length: 16 }, client);
    for (let v = 1; v <= 40; v++) {
      const text = `export const version: number = ${v};\n`;
      if (v % 2) await writeFile(dep, text);
      else await atomicWrite(dep, text);
      await waitFor(() => h!.registry.getModule(dep)?.generation === v + 1, {
        message: `reload ${v}`,
        timeoutMs: 20_000,
      });
    }
    done = true;
    await Promise.all(clients);
    assert.deepEqual(failures, []);
    assert.ok(ok > 40, `${ok} calls`);
    assert.ok(seen.size > 10, `callers saw ${seen.size} generations`);
    assert.equal(h.registry.getModule(dep)?.evaluations, 41, 'one evaluation per save');
  });
});
