/**
 * The registry across release switches and `reloadAll`, without a server: the configured
 * root is a `current` symlink; `reloadAll` applies the release it points at now as one
 * change per app, or refuses it whole when one module of it fails.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createRegistry, type ModuleRegistry } from '../../src/registry/index.js';
import { makeReleases, type Releases } from '../helpers/releases.js';
import { call, withPin } from './helpers.js';

const index = (n: number | string) => `
import { keep } from 'hotpub';
import { b } from './_b.js';
const counter = keep('counter', () => ({ n: 0 }));
import.meta.hot.data.loads = (import.meta.hot.data.loads ?? 0) + 1;
export function index() { counter.n++; return '${n}:' + b + ':' + counter.n + ':' + import.meta.hot.data.loads; }
`;
const dep = (n: number | string) => `export const b = '${n}';\n`;

describe('registry: release switches and reloadAll', () => {
  let rel: Releases | undefined;
  let registry: ModuleRegistry | undefined;
  afterEach(async () => {
    await registry?.close();
    await rel?.remove();
  });

  async function start(): Promise<{ r: ModuleRegistry; file: (n: number) => string }> {
    rel = await makeReleases();
    await rel.write(1, { 'a/index.ts': index(1), 'a/_b.ts': dep(1), 'c/index.ts': dep('c') });
    await rel.switchTo(1);
    registry = createRegistry({ root: rel.current });
    await registry.start();
    const r = registry;
    const file = (n: number) => `${rel!.appsOf(n)}/a/index.ts`;
    await r.ensureModule(file(1));
    return { r, file };
  }

  it('a switch applies the new release as one change; keep() and hot.data carry over', async () => {
    const { r, file } = await start();
    assert.equal(await withPin(r, 'a', (p) => call(p, file(1), 'index')), '1:1:1:1');
    await rel!.write(2, { 'a/index.ts': index(2), 'a/_b.ts': dep(2) });
    await rel!.switchTo(2);
    const results = await r.reloadAll();
    const a = results.find((x) => x.app === 'a');
    assert.equal(a?.error, undefined);
    assert.equal(a?.changed, true);
    assert.deepEqual(a?.reloaded.sort(), [`${rel!.appsOf(2)}/a/_b.ts`, file(2)].sort());
    assert.equal(r.root, rel!.appsOf(2));
    assert.equal(r.findFile('a', 'index'), file(2));
    assert.equal(r.findFile('c', 'index'), undefined, 'app c is not in release 2');
    await withPin(r, 'a', (p) => {
      assert.equal(p.exportsOf(file(1)), undefined, 'nothing of release 1 in the generation');
      // Same counter object (kept), hot.data seen twice (one load per release).
      assert.equal(call(p, file(2), 'index'), '2:2:2:2');
    });
    assert.equal(r.getModule(file(1)), undefined, 'release 1 forgotten');
    assert.equal(r.getModule(file(2))?.state, 'ready');
  });

  it('a release with one broken module is refused whole; the next good one applies', async () => {
    const { r, file } = await start();
    await rel!.write(2, { 'a/index.ts': index(2), 'a/_b.ts': 'export const b = ;\n' });
    await rel!.switchTo(2);
    const refused = (await r.reloadAll()).find((x) => x.app === 'a');
    assert.equal(refused?.error?.code, 'HOTPUB_E_MODULE_SYNTAX');
    assert.equal(refused?.error?.location?.file, `${rel!.appsOf(2)}/a/_b.ts`, 'names the file');
    assert.equal(refused?.changed, false);
    assert.equal(r.root, rel!.appsOf(1), 'the old release keeps serving');
    assert.equal(r.findFile('a', 'index'), file(1));
    assert.equal(await withPin(r, 'a', (p) => call(p, file(1), 'index')), '1:1:1:1');

    await rel!.write(3, { 'a/index.ts': index(3), 'a/_b.ts': dep(3) });
    await rel!.switchTo(3);
    const applied = (await r.reloadAll()).find((x) => x.app === 'a');
    assert.equal(applied?.error, undefined);
    assert.equal(await withPin(r, 'a', (p) => call(p, file(3), 'index')), '3:3:2:2');
  });

  it('a cold load overtaken by a switch never evaluates the old release against the new', async () => {
    rel = await makeReleases();
    const many = (n: number) => {
      const files: Record<string, string> = {};
      const names: string[] = [];
      for (let i = 0; i < 200; i++) {
        files[`a/_m${i}.ts`] = `export const r${i} = ${n};\n`;
        names.push(`import { r${i} } from './_m${i}.js';`);
      }
      files['a/index.ts'] = `${names.join('\n')}\nexport function index() { return ${n} + r0; }\n`;
      return files;
    };
    await rel.write(1, many(1));
    await rel.write(2, many(2));
    await rel.switchTo(1);
    registry = createRegistry({ root: rel.current });
    await registry.start();
    const r = registry;
    const old = `${rel.appsOf(1)}/a/index.ts`;
    // The load reads 201 files; the switch (nothing loaded yet) commits long before.
    const loading = r.ensureModule(old).then(
      () => 'loaded',
      (err: { code?: string }) => err.code,
    );
    await rel.switchTo(2);
    await r.reloadAll();
    const outcome = await loading;
    assert.ok(
      outcome === 'loaded' || outcome === 'HOTPUB_E_MODULE_OUTSIDE_ROOT',
      `the old load either won or stood down: ${outcome}`,
    );
    assert.deepEqual(
      r.snapshot().apps.map((a) => a.name),
      ['a'],
      'no lock domain made of an old path',
    );
    const fresh = `${rel.appsOf(2)}/a/index.ts`;
    await r.ensureModule(fresh);
    assert.equal(await withPin(r, 'a', (p) => call(p, fresh, 'index')), 4);
  });

  it('reloadAll without a switch: what changed on disk, one change per app', async () => {
    const { r, file } = await start();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file(1), index('1b'));
    await writeFile(`${rel!.appsOf(1)}/a/_b.ts`, dep('1b'));
    const results = await r.reloadAll();
    assert.deepEqual(
      results.map((x) => [x.app, x.changed, x.reloaded.length]),
      [
        ['a', true, 2],
        ['c', false, 0],
      ],
    );
    assert.equal(await withPin(r, 'a', (p) => call(p, file(1), 'index')), '1b:1b:1:2');
    const again = await r.reloadAll();
    assert.ok(again.every((x) => !x.changed && x.error === undefined));
  });
});
