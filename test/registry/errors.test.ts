import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import { ModuleLoadError } from '../../src/registry/index.js';
import { call, edit, fixture, type Harness, harness } from './helpers.js';

function loadError(err: unknown): ModuleLoadError {
  assert.ok(err instanceof ModuleLoadError, `expected ModuleLoadError, got ${String(err)}`);
  return err;
}

describe('registry: failed loads and reloads', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('syntax error on first load: rejects with code, file:line:col and a frame under dev', async () => {
    h = await harness(
      { 'a/index.ts': `export const a = 1;\nexport const b = ;\nexport const c = 3;\n` },
      { dev: true },
    );
    const f = h.file('a/index.ts');
    const err = loadError(await h.registry.ensureModule(f).catch((e) => e));
    assert.equal(err.code, 'HOTPUB_E_MODULE_SYNTAX');
    assert.equal(err.location?.file, f);
    assert.equal(err.location?.line, 2);
    assert.match(err.message, new RegExp(`${f}:2:\\d+`));
    assert.match(err.frame ?? '', /> 2 \| export const b = ;\n +\| +\^/);
    assert.equal(h.registry.getModule(f)?.state, 'error');
    assert.equal(h.registry.getModule(f)?.evaluations, 0, 'never evaluated');
    const errors = h.events.filter((e) => e.type === 'error');
    assert.deepEqual(
      errors.map((e) => {
        const ev = e.event as { file: string; error: { code: string } };
        return [ev.file, ev.error.code];
      }),
      [[f, 'HOTPUB_E_MODULE_SYNTAX']],
      'one error event, for the file',
    );
  });

  it('concurrent loads of a broken module evaluate it once and all reject', async () => {
    h = await harness({ 'a/index.ts': `throw new Error('broken');\n` });
    const f = h.file('a/index.ts');
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => h!.registry.ensureModule(f)),
    );
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.match(loadError((r as PromiseRejectedResult).reason).message, /broken/);
    }
    assert.equal(h.registry.getModule(f)?.evaluations, 1);
    // A later request (nothing changed, no watcher) tries again.
    await assert.rejects(h.registry.ensureModule(f), /broken/);
    assert.equal(h.registry.getModule(f)?.evaluations, 2);
  });

  it('a top-level throw is mapped through the source map to the .ts line', async () => {
    h = await harness({
      'a/index.ts': `interface A {\n  x: number;\n}\ntype B = A;\nconst b: B = { x: 1 };\nif (b.x) throw new Error('top-level boom');\nexport const z = 1;\n`,
    });
    const f = h.file('a/index.ts');
    const err = loadError(await h.registry.ensureModule(f).catch((e) => e));
    assert.equal(err.code, 'HOTPUB_E_MODULE_EVAL');
    assert.deepEqual(err.location, { file: f, line: 6, column: 16 });
    assert.match(err.message, /top-level boom/);
    assert.equal(err.frame, undefined, 'no frame without dev');
    assert.equal(h.registry.getModule(f)?.lastError?.location?.line, 6);
  });

  it('a missing import names the importing line', async () => {
    h = await harness(await fixture('failed-import'));
    const f = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    await rm(dep);
    const err = loadError(await h.registry.ensureModule(f).catch((e) => e));
    assert.equal(err.code, 'HOTPUB_E_MODULE_RESOLVE');
    assert.match(err.message, /_dep/);
    assert.equal(err.location?.line, 3);
    // Creating the missing module makes the next load succeed.
    await writeFile(dep, `export const d = 'seven';\n`);
    await h.registry.invalidateModule(dep);
    await h.registry.ensureModule(f);
    await h.withPin('a', (p) => assert.equal(p.exportsOf(f)?.v, 'i:SEVEN'));
  });

  it('a failed reload keeps the last good generation; fixing the file recovers', async () => {
    h = await harness(await fixture('failed-import'));
    const f = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    await h.registry.ensureModule(f);
    const gen = h.registry.getModule(dep)?.generation;

    for (const [bad, code] of [
      [`export const d = ;\n`, 'HOTPUB_E_MODULE_SYNTAX'],
      [`export const d = 'x';\nthrow new Error('nope');\n`, 'HOTPUB_E_MODULE_EVAL'],
      [`import { q } from './_missing';\nexport const d = q;\n`, 'HOTPUB_E_MODULE_RESOLVE'],
    ] as const) {
      await writeFile(dep, bad);
      const r = await h.registry.invalidateModule(dep);
      assert.equal(r.error?.code, code, bad);
      assert.ok(r.error?.location, 'location recorded');
      assert.equal(h.registry.getModule(dep)?.state, 'error');
      assert.equal(h.registry.getModule(dep)?.lastError?.code, code);
      assert.equal(h.registry.getModule(dep)?.generation, gen);
      await h.withPin('a', (p) => assert.equal(call(p, f, 'index'), 'good1'));
      assert.equal(await h.registry.ensureModule(f), undefined, 'still loaded');
    }
    await writeFile(dep, `export const d = 'good2';\n`);
    const r = await h.registry.invalidateModule(dep);
    assert.equal(r.error, undefined);
    assert.equal(h.registry.getModule(dep)?.state, 'ready');
    assert.equal(h.registry.getModule(dep)?.lastError, undefined);
    await h.withPin('a', (p) => assert.equal(call(p, f, 'index'), 'good2'));
  });

  it('an importer that breaks on a dependency change recovers when the importer is fixed', async () => {
    h = await harness(await fixture('failed-import'));
    const f = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    await h.registry.ensureModule(f);
    await writeFile(dep, `export const d = 2;\n`);
    const r = await h.registry.invalidateModule(dep);
    assert.equal(r.error?.code, 'HOTPUB_E_MODULE_EVAL');
    assert.equal(r.error?.location?.file, f);
    await h.withPin('a', (p) => assert.equal(p.exportsOf(f)?.v, 'i:GOOD1'));
    await edit(f, 'd.toUpperCase()', 'String(d)');
    const fixed = await h.registry.invalidateModule(f);
    assert.equal(fixed.error, undefined);
    await h.withPin('a', (p) =>
      assert.equal(p.exportsOf(f)?.v, 'i:2', 'new importer with new dependency'),
    );
    assert.equal(h.registry.getModule(dep)?.state, 'ready');
  });

  it('a module whose dependency fails to load rejects, and loads once the dependency is fixed', async () => {
    h = await harness(await fixture('failed-import'));
    const f = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    await writeFile(dep, `export const d = ;\n`);
    const err = loadError(await h.registry.ensureModule(f).catch((e) => e));
    assert.equal(err.file, dep);
    assert.equal(h.registry.getModule(f)?.state, 'error');
    await writeFile(dep, `export const d = 'ok';\n`);
    await h.registry.invalidateModule(dep);
    await h.registry.ensureModule(f);
    await h.withPin('a', (p) => assert.equal(p.exportsOf(f)?.v, 'i:OK'));
  });
});

describe('registry: delete and re-create of an imported module', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('importers keep serving after a dependency is deleted, and reload when it comes back', async () => {
    h = await harness(await fixture('failed-import'));
    const f = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    await h.registry.ensureModule(f);
    await rm(dep);
    const gone = await h.registry.invalidateModule(dep);
    assert.equal(
      gone.error?.code,
      'HOTPUB_E_MODULE_RESOLVE',
      'the importer cannot reload without it',
    );
    assert.equal(h.registry.getModule(dep)?.state, 'deleted');
    assert.equal(h.registry.getModule(f)?.state, 'error');
    await h.withPin('a', (p) => {
      assert.equal(p.exportsOf(dep), undefined);
      assert.equal(p.exportsOf(f)?.v, 'i:GOOD1', 'last good importer keeps serving');
    });
    await writeFile(dep, `export const d = 'two';\n`);
    const back = await h.registry.invalidateModule(dep);
    assert.equal(back.error, undefined);
    assert.deepEqual(back.reloaded.sort(), [dep, f].sort());
    await h.withPin('a', (p) => assert.equal(p.exportsOf(f)?.v, 'i:TWO'));
    assert.equal(h.registry.getModule(f)?.state, 'ready');
  });

  it('a dynamic import() goes through the registry', async () => {
    h = await harness(await fixture('dynamic-import'));
    const f = h.file('a/index.ts');
    const lazy = h.file('a/_lazy.ts');
    const named = h.file('a/_named.ts');
    await h.registry.ensureModule(f);
    assert.equal(h.registry.getModule(lazy)?.evaluations ?? 0, 0, 'not run up front');
    assert.equal(await h.withPin('a', (p) => call(p, f, 'get')), 'lazy');
    assert.equal(h.registry.getModule(lazy)?.state, 'ready');
    assert.deepEqual(h.registry.getModule(f)?.imports, [lazy]);
    // A computed specifier cannot be prefetched: read and transformed when required.
    assert.equal(h.registry.getModule(named), undefined, 'never seen before the call');
    assert.equal(await h.withPin('a', (p) => call(p, f, 'getNamed', 'named')), 'named');
    assert.equal(h.registry.getModule(named)?.state, 'ready');
    assert.deepEqual(h.registry.getModule(f)?.imports.sort(), [lazy, named].sort());
  });
});
