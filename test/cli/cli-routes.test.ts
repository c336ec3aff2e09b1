// The real bin/hotpub routes on a temp apps dir.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, tempProject } from '../helpers/cli-process.js';

describe('bin/hotpub routes', () => {
  it('prints every URL -> file#function with its methods, and nothing private', async () => {
    const p = await tempProject({
      'apps/blog/index.ts':
        'export function index() {}\nexport function about() {}\nexport const notAFunction = 1;',
      'apps/blog/posts.ts': `export function index() {}
export function list() {}
export function create() {}
create.methods = ['POST'];
export function _hidden() {}`,
      'apps/blog/_lib/db.ts': 'export function query() {}',
      'apps/blog/public/x.ts': 'export function nope() {}',
      'apps/shop/app.json': '{ "mount": "/store/:region" }',
      'apps/shop/index.ts': 'export function index() {}',
      'apps/shop/cart/items.ts': 'export function add() {}',
      'apps/_shared/util.ts': 'export function util() {}',
    });
    try {
      const r = await runCli(['routes', '--apps', 'apps'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const lines = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/\s+/g, ' '));
      assert.deepEqual(lines, [
        '/blog -> apps/blog/index.ts#index [GET, HEAD, POST]',
        '/blog/about -> apps/blog/index.ts#about [GET, HEAD, POST]',
        '/blog/posts -> apps/blog/posts.ts#index [GET, HEAD, POST]',
        '/blog/posts/create -> apps/blog/posts.ts#create [POST]',
        '/blog/posts/list -> apps/blog/posts.ts#list [GET, HEAD, POST]',
        '/store/:region -> apps/shop/index.ts#index [GET, HEAD, POST]',
        '/store/:region/cart/items/add -> apps/shop/cart/items.ts#add [GET, HEAD, POST]',
      ]);
    } finally {
      await p.remove();
    }
  });

  it('defaults to ./apps', async () => {
    const p = await tempProject({ 'apps/a/index.ts': 'export function index() {}' });
    try {
      const r = await runCli(['routes'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\/a\s+->\s+apps\/a\/index\.ts#index/);
    } finally {
      await p.remove();
    }
  });

  it('marks a shadowed function that no URL reaches', async () => {
    const p = await tempProject({
      'apps/a/posts.ts': 'export function index() {}',
      'apps/a/index.ts': 'export function posts() {}',
    });
    try {
      const r = await runCli(['routes'], { cwd: p.dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\/a\/posts\s+->\s+apps\/a\/posts\.ts#index\s+\[GET, HEAD, POST\]\n/);
      assert.match(
        r.stdout,
        /\/a\/posts\s+->\s+apps\/a\/index\.ts#posts\s+\[GET, HEAD, POST\] \(shadowed: never reached\)/,
      );
    } finally {
      await p.remove();
    }
  });

  it('lists a module that fails to load with its error, then exits 1 with one line', async () => {
    const p = await tempProject({
      'apps/a/index.ts': 'export function index() {}',
      'apps/a/broken.ts': 'export function x( {',
    });
    try {
      const r = await runCli(['routes'], { cwd: p.dir });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /\/a\/broken\s+->\s+apps\/a\/broken\.ts\s+failed to load: /);
      assert.match(r.stdout, /\/a\s+->\s+apps\/a\/index\.ts#index/);
      assert.equal(r.stderr, 'hotpub: 1 module(s) failed to load (listed above)\n');
    } finally {
      await p.remove();
    }
  });

  it('says so when there are no routes, and fails on a missing apps dir', async () => {
    const p = await tempProject({ 'apps/.keep': '' });
    try {
      const empty = await runCli(['routes'], { cwd: p.dir });
      assert.equal(empty.code, 0);
      assert.match(empty.stdout, /no routes/);
      const missing = await runCli(['routes', '--apps', 'gone'], { cwd: p.dir });
      assert.equal(missing.code, 1);
      assert.equal(
        missing.stderr,
        'hotpub: apps directory gone does not exist (pass --apps DIR, or create an app: hotpub new app NAME)\n',
      );
    } finally {
      await p.remove();
    }
  });
});
