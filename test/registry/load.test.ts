import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ModuleLoadError } from '../../src/registry/index.js';
import { call, type Harness, harness } from './helpers.js';

describe('registry: loading without watching', () => {
  let h: Harness;
  before(async () => {
    h = await harness(
      {
        'blog/index.ts': `import { title } from './_lib/meta';
export function index(): string { return 'blog:' + title; }
export const answer: number = 42;`,
        'blog/_lib/meta.ts': `export const title = 'Meta';`,
        'blog/posts/list.ts': `export async function index() { return [1, 2]; }`,
        'blog/posts.js': `export function list() { return 'js'; }`,
        'blog/posts.ts': `export function list() { return 'ts'; }`,
        'blog/public/x.ts': `export const no = 1;`,
        'blog/x.test.ts': `export const no = 1;`,
        'blog/types.d.ts': `export type X = 1;`,
        'blog/.hidden.ts': `export const no = 1;`,
        'blog/node_modules/p/index.ts': `export const no = 1;`,
        'shop/index.ts': `export function index() { return 'shop'; }`,
        '_shared/util.ts': `export const no = 1;`,
        'blog/reexport.ts': `export { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promises } from 'node:fs';
export const myJoin = join;
export const readFile = promises.readFile;
export { relay } from './_lib/relay.js';
export function own() { return 1; }`,
        'blog/_lib/relay.ts': `export { writeFileSync as relay } from 'node:fs';`,
        'blog/meta.ts': `export const url = import.meta.url;
export const filename = import.meta.filename;
export const dirname = import.meta.dirname;
export const hasHot = typeof import.meta.hot.dispose === 'function';`,
        'blog/usekeep.ts': `import { keep, version } from 'hotpub';
export const kept = keep('k', () => ({ created: Date.now() }));
export const v = version;`,
      },
      { hotpub: { version: 'test-1' } },
    );
  });
  after(() => h.close());

  it('indexes only addressable files, .ts before .js', () => {
    assert.equal(h.registry.findFile('blog', 'index'), h.file('blog/index.ts'));
    assert.equal(h.registry.findFile('blog', 'posts'), h.file('blog/posts.ts'));
    assert.equal(h.registry.findFile('blog', 'posts/list'), h.file('blog/posts/list.ts'));
    assert.equal(h.registry.findFile('shop', 'index'), h.file('shop/index.ts'));
    for (const rel of [
      '_lib/meta',
      'public/x',
      'x.test',
      'types.d',
      '.hidden',
      'node_modules/p/index',
    ]) {
      assert.equal(h.registry.findFile('blog', rel), undefined, rel);
    }
    assert.equal(h.registry.findFile('_shared', 'util'), undefined);
    const list = h.registry.listFiles('blog');
    assert.ok(list.includes(h.file('blog/posts.js')));
    assert.ok(!list.some((f) => f.includes('_lib') || f.includes('public')));
  });

  it('loads a module with its imports and keys two index.ts apart', async () => {
    const blog = h.file('blog/index.ts');
    const shop = h.file('shop/index.ts');
    await Promise.all([h.registry.ensureModule(blog), h.registry.ensureModule(shop)]);
    await h.withPin('blog', (pin) => {
      assert.equal(call(pin, blog, 'index'), 'blog:Meta');
      assert.equal(pin.exportsOf(blog)?.answer, 42);
      assert.equal(pin.exportsOf(shop), undefined, 'other app not visible through blog pin');
    });
    await h.withPin('shop', (pin) => assert.equal(call(pin, shop, 'index'), 'shop'));
    const info = h.registry.getModule(blog);
    assert.equal(info?.state, 'ready');
    assert.equal(info?.generation, 1);
    assert.equal(info?.evaluations, 1);
    assert.deepEqual(info?.imports, [h.file('blog/_lib/meta.ts')]);
  });

  it('acquire is synchronous when no reload is pending', () => {
    const pin = h.registry.tryAcquire('blog');
    assert.ok(pin, 'a pin without a Promise');
    assert.equal(pin.app, 'blog');
    pin.release();
    pin.release(); // idempotent
  });

  it('isForeign: functions taken from built-ins are foreign, own ones are not', async () => {
    const f = h.file('blog/reexport.ts');
    await h.registry.ensureModule(f);
    await h.withPin('blog', (pin) => {
      const exp = pin.exportsOf(f)!;
      assert.equal(typeof exp.readFileSync, 'function');
      assert.equal(pin.isForeign(f, exp.readFileSync), true);
      assert.equal(pin.isForeign(f, exp.myJoin), true);
      assert.equal(pin.isForeign(f, exp.readFile), true, 'nested: fs.promises.readFile');
      assert.equal(pin.isForeign(f, exp.relay), true, 'through an app module');
      assert.equal(pin.isForeign(f, exp.own), false);
      assert.equal(pin.isForeign(f, 'x'), false);
    });
  });

  it('import.meta.url/filename/dirname/hot are set per module', async () => {
    const f = h.file('blog/meta.ts');
    await h.registry.ensureModule(f);
    await h.withPin('blog', (pin) => {
      const exp = pin.exportsOf(f)!;
      assert.equal(exp.filename, f);
      assert.equal(exp.dirname, h.file('blog'));
      assert.equal(exp.url, `file://${f}`);
      assert.equal(exp.hasHot, true);
    });
  });

  it('resolves hotpub to options.hotpub with keep bound to the module', async () => {
    const f = h.file('blog/usekeep.ts');
    await h.registry.ensureModule(f);
    await h.withPin('blog', (pin) => {
      const exp = pin.exportsOf(f)!;
      assert.equal(exp.v, 'test-1');
      assert.equal(typeof (exp.kept as { created: number }).created, 'number');
    });
  });

  it('single flight: 200 concurrent cold loads evaluate once', async () => {
    const f = h.file('blog/posts/list.ts');
    await Promise.all(Array.from({ length: 200 }, () => h.registry.ensureModule(f)));
    assert.equal(h.registry.getModule(f)?.evaluations, 1);
  });

  it('a missing file rejects with a ModuleLoadError', async () => {
    await assert.rejects(h.registry.ensureModule(h.file('blog/nope.ts')), (err: unknown) => {
      assert.ok(err instanceof ModuleLoadError);
      assert.equal(err.code, 'HOTPUB_E_MODULE_READ');
      return true;
    });
    await assert.rejects(h.registry.ensureModule('/etc/passwd'), /not under the apps root/);
  });

  it('the registry shows exactly the ModuleRegistry surface at run time', () => {
    const surface = (o: object): string[] => {
      const names = new Set(Object.keys(o));
      for (
        let p = Object.getPrototypeOf(o);
        p && p !== Object.prototype;
        p = Object.getPrototypeOf(p)
      ) {
        for (const n of Object.getOwnPropertyNames(p)) if (n !== 'constructor') names.add(n);
      }
      return [...names].sort();
    };
    assert.deepEqual(surface(h.registry), [
      'acquire',
      'close',
      'ensureModule',
      'exportNames',
      'findFile',
      'freeze',
      'getModule',
      'hookFiles',
      'invalidateModule',
      'listFiles',
      'locateError',
      'mapStack',
      'on',
      'reloadAll',
      'root',
      'snapshot',
      'sourceOf',
      'start',
      'tryAcquire',
      'unfreeze',
    ]);
  });

  it('snapshot lists apps and loaded modules', () => {
    const snap = h.registry.snapshot();
    assert.equal(snap.root, h.root);
    const blog = snap.apps.find((a) => a.name === 'blog');
    assert.ok(blog);
    assert.ok(blog.generation >= 1);
    assert.equal(blog.reloadPending, false);
    assert.ok(blog.modules.some((m) => m.file === h.file('blog/index.ts')));
    assert.ok(snap.apps.some((a) => a.name === 'shop'));
  });
});
