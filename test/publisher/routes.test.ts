/**
 * `routes()` over a real registry: every URL -> file#function, shadowed candidates and
 * modules that fail to load.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createPublisher } from '../../src/publisher/create-publisher.js';
import { createRegistry } from '../../src/registry/index.js';
import { tempApps, testLogger } from '../helpers/server.js';

describe('publisher.routes()', () => {
  it('lists every URL with its file, function and methods', async () => {
    const t = await tempApps({
      'blog/index.ts':
        'export function index() {}\nexport function posts() {}\nexport const x = 1;\nexport { readFileSync } from "node:fs";\n',
      'blog/posts.ts':
        'export function index() {}\nexport function list() {}\nlist.methods = ["POST"];\nexport function _hidden() {}\n',
      'blog/admin/users.ts': 'export function ban() {}\n',
      'blog/broken.ts': 'export const = ;\n',
      'blog/_lib/db.ts': 'export function query() {}\n',
      'api/app.json': '{"mount": "/api/:tenant"}',
      'api/index.ts': 'export function index() {}\n',
    });
    const registry = createRegistry({ root: t.dir });
    try {
      await registry.start();
      const publisher = createPublisher({ registry, logger: testLogger() });
      const routes = await publisher.routes();
      const rows = routes.map((r) => [
        r.url,
        r.file.slice(t.dir.length + 1),
        r.name ?? null,
        r.methods.join(','),
        r.shadowed,
      ]);
      assert.deepEqual(rows, [
        ['/api/:tenant', 'api/index.ts', 'index', 'GET,HEAD,POST', false],
        ['/blog', 'blog/index.ts', 'index', 'GET,HEAD,POST', false],
        ['/blog/admin/users/ban', 'blog/admin/users.ts', 'ban', 'GET,HEAD,POST', false],
        ['/blog/broken', 'blog/broken.ts', null, '', false],
        ['/blog/posts', 'blog/posts.ts', 'index', 'GET,HEAD,POST', false],
        ['/blog/posts', 'blog/index.ts', 'posts', 'GET,HEAD,POST', true],
        ['/blog/posts/list', 'blog/posts.ts', 'list', 'POST', false],
      ]);
      assert.match(routes.find((r) => r.name === undefined)?.error ?? '', /broken\.ts/);
      assert.deepEqual(
        publisher.apps.map((a) => [a.name, a.mount, a.configFile]),
        [
          ['blog', '/blog', undefined],
          ['api', '/api/:tenant', join(t.dir, 'api/app.json')],
        ],
      );
    } finally {
      await registry.close();
      await t.cleanup();
    }
  });

  it('lists the methods the publisher accepts, not the raw declaration', async () => {
    const t = await tempApps({
      'shop/cart.ts': [
        'export function view() {}',
        'view.methods = "get";',
        'export function add() {}',
        'add.methods = ["post", "PUT"];',
        'export function typo() {}',
        'typo.methods = ["GE T"];',
        '',
      ].join('\n'),
    });
    const registry = createRegistry({ root: t.dir });
    try {
      await registry.start();
      const publisher = createPublisher({ registry, logger: testLogger() });
      const rows = (await publisher.routes()).map((r) => [r.url, r.methods.join(',')]);
      assert.deepEqual(rows, [
        ['/shop/cart/add', 'POST,PUT'],
        // A misdeclared list makes every request a 500: nothing is accepted.
        ['/shop/cart/typo', ''],
        ['/shop/cart/view', 'GET,HEAD'],
      ]);
    } finally {
      await registry.close();
      await t.cleanup();
    }
  });
});
