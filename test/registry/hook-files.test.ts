/**
 * `hookFiles`: the registry's file index knows each folder's `_hooks` module (private,
 * never addressable), outermost first, and tells the publisher when one comes or goes.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import { waitFor } from '../helpers/wait.js';
import { type Harness, harness } from './helpers.js';

const hook = `export function before() {}`;

describe('registry: hooks modules in the file index', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('lists the hooks of a folder and of every folder above it, outermost first', async () => {
    h = await harness({
      'blog/_hooks.ts': hook,
      'blog/_hooks.js': hook,
      'blog/admin/_hooks.js': hook,
      'blog/admin/users/_hooks.ts': hook,
      'blog/admin/users/ban.ts': `export function index() {}`,
      'blog/_lib/_hooks.ts': hook,
      'blog/public/_hooks.ts': hook,
      'blog/other/_hooks.mjs': hook,
      'blog/other/hooks.ts': hook,
      'shop/index.ts': `export function index() {}`,
    });
    const r = h.registry;
    assert.deepEqual(r.hookFiles('blog', 'admin/users'), [
      h.file('blog/_hooks.ts'),
      h.file('blog/admin/_hooks.js'),
      h.file('blog/admin/users/_hooks.ts'),
    ]);
    assert.deepEqual(r.hookFiles('blog', ''), [h.file('blog/_hooks.ts')]);
    assert.deepEqual(r.hookFiles('blog', 'other'), [h.file('blog/_hooks.ts')], 'only _hooks');
    assert.deepEqual(r.hookFiles('blog', 'public'), [h.file('blog/_hooks.ts')], 'not in public/');
    assert.deepEqual(r.hookFiles('shop', ''), []);
    assert.deepEqual(r.hookFiles('nope', 'x'), []);
    assert.equal(r.findFile('blog', '_hooks'), undefined, 'never addressable');
    assert.ok(!r.listFiles('blog').some((f) => f.includes('_hooks')), 'not a route');
  });

  it('a created or deleted _hooks module is a files event of its app', async () => {
    h = await harness({ 'blog/admin/index.ts': `export function index() {}` }, { watch: true });
    const f = h.file('blog/admin/_hooks.ts');
    await writeFile(f, hook);
    await waitFor(() => h?.registry.hookFiles('blog', 'admin').includes(f), {
      message: 'the new hooks module in the index',
    });
    assert.ok(
      h.events.some(
        (e) => e.type === 'files' && (e.event as { added: string[] }).added.includes(f),
      ),
      'added: the publisher drops the app routes cached without it',
    );
    await rm(f);
    await waitFor(() => h?.registry.hookFiles('blog', 'admin').length === 0, {
      message: 'the hooks module gone from the index',
    });
    assert.ok(
      h.events.some(
        (e) => e.type === 'files' && (e.event as { removed: string[] }).removed.includes(f),
      ),
    );
  });
});
