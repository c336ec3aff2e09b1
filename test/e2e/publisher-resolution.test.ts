/**
 * URL -> function resolution (SPEC section 2) against a real server: every row of the
 * candidate table, candidate order, the published-export rules, hidden names, traversal
 * attempts and two apps with the same file names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, startServer, type TestServer } from '../helpers/server.js';

const fn = (name: string, body: string) =>
  `export function ${name}() { return ${JSON.stringify(body)}; }\n`;

describe('publisher resolution', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      files: {
        // /blog -> blog/index.ts#index
        'blog/index.ts':
          fn('index', 'blog index') + fn('about', 'index.ts#about') + fn('posts', 'index.ts#posts'),
        // /blog/posts: posts.ts#index wins over posts/index.ts#index and index.ts#posts
        'blog/posts.ts':
          fn('index', 'posts.ts#index') + fn('list', 'posts.ts#list') + fn('show', 'posts.ts#show'),
        'blog/posts/index.ts':
          fn('index', 'posts/index.ts#index') +
          fn('list', 'posts/index.ts#list') +
          fn('only', 'posts/index.ts#only'),
        // /blog/posts/list: posts/list.ts#index wins over everything
        'blog/posts/list.ts': fn('index', 'posts/list.ts#index'),
        // /blog/posts/show: posts/show/index.ts#index wins over posts.ts#show
        'blog/posts/show/index.ts': fn('index', 'posts/show/index.ts#index'),
        // /blog/docs: docs.ts exists but does not publish index -> docs/index.ts#index
        'blog/docs.ts': `export const index = 'not a function';\n${fn('intro', 'docs.ts#intro')}`,
        'blog/docs/index.ts': fn('index', 'docs/index.ts#index'),
        // /blog/tags: only index.ts#tags? no: tags.ts has no index, falls to index.ts... (not defined) -> 404
        'blog/tags.ts': fn('cloud', 'tags.ts#cloud'),
        // /blog/admin/users/ban -> admin/users.ts#ban
        'blog/admin/users.ts': fn('ban', 'admin/users.ts#ban'),
        // published-export rules
        'blog/rules.ts': [
          fn('ok', 'ok'),
          `export async function later() { return 'async ok'; }`,
          `export const arrow = () => 'arrow ok';`,
          `export function _private() { return 'private'; }`,
          `export function $dollar() { return 'dollar'; }`,
          `export const answer = 42;`,
          `export const obj = { inner() { return 'inner'; } };`,
          `export class Klass { static run() { return 'class'; } }`,
          `export default function () { return 'default'; }`,
          `export function* gen() { yield 1; }`,
          `function toString() { return 'toString'; }`,
          `function hasOwnProperty() { return 'hop'; }`,
          `function call() { return 'call'; }`,
          `function constructor() { return 'ctor'; }`,
          `export { toString, hasOwnProperty, call, constructor };`,
        ].join('\n'),
        // re-exported package / built-in functions are never published
        'blog/fsx.ts': `export { readFileSync } from 'node:fs';\nimport { join } from 'node:path';\nexport { join };\n${fn('own', 'own')}`,
        'blog/_lib/util.ts': `export { readdirSync } from 'node:fs';\nexport function helper() { return 'helper from _lib'; }\n`,
        'blog/reexport.ts': `export { readdirSync, helper } from './_lib/util.js';\n`,
        // native code reached without a re-export: never published
        'blog/native.ts': [
          "import fs from 'node:fs';",
          'export const bound = fs.readFileSync.bind(fs);',
          'export const nested = fs.promises.readFile;',
          'export const ev = eval;',
          "export const proxied = new Proxy(function proxied() { return 'proxy'; }, {});",
          "export const wrapped = (...a: unknown[]) => 'own wrapper';",
        ].join('\n'),
        // private and never-addressable files
        'blog/_hidden.ts': fn('index', 'hidden'),
        'blog/_lib/index.ts': fn('index', 'lib'),
        'blog/.dot/index.ts': fn('index', 'dot'),
        'blog/thing.test.ts': fn('index', 'test file'),
        'blog/types.d.ts': 'export declare function index(): string;\n',
        'blog/node_modules/pkg/index.js': fn('index', 'node_modules'),
        'blog/js.js': fn('index', 'plain js module'),
        'blog/a-b_c.ts': fn('index', 'dash and underscore'),
        // a second app with the same file names
        'shop/index.ts': fn('index', 'shop index') + fn('about', 'shop about'),
        'shop/posts.ts': fn('index', 'shop posts'),
        '_private/index.ts': fn('index', 'private app'),
        '.hidden/index.ts': fn('index', 'hidden app'),
      },
    });
  });
  after(() => s?.close());

  const text = async (path: string) => {
    const r = await s.raw(path);
    return `${r.status} ${r.status === 200 ? r.body : ''}`.trim();
  };

  it('row 1: /blog -> blog/index.ts#index', async () => {
    assert.equal(await text('/blog'), '200 blog index');
    assert.equal(await text('/blog/'), '200 blog index', 'one trailing slash is ignored');
  });

  it('row 2: /blog/x tries x.ts#index, x/index.ts#index, index.ts#x in that order', async () => {
    assert.equal(await text('/blog/posts'), '200 posts.ts#index');
    assert.equal(
      await text('/blog/docs'),
      '200 docs/index.ts#index',
      'docs.ts does not publish index',
    );
    assert.equal(await text('/blog/about'), '200 index.ts#about');
    assert.equal(await text('/blog/tags'), '404', 'tags.ts has no index and index.ts no tags');
  });

  it('row 3: /blog/x/y tries x/y.ts#index, x/y/index.ts#index, x.ts#y, x/index.ts#y', async () => {
    assert.equal(await text('/blog/posts/list'), '200 posts/list.ts#index');
    assert.equal(await text('/blog/posts/show'), '200 posts/show/index.ts#index');
    assert.equal(await text('/blog/docs/intro'), '200 docs.ts#intro');
    assert.equal(await text('/blog/posts/only'), '200 posts/index.ts#only');
    assert.equal(await text('/blog/admin/users/ban'), '200 admin/users.ts#ban');
    assert.equal(await text('/blog/tags/cloud'), '200 tags.ts#cloud');
  });

  it('no traversal past the function: extra segments are a 404', async () => {
    assert.equal(await text('/blog/posts/list/x'), '404');
    assert.equal(await text('/blog/docs/intro/x'), '404');
    assert.equal(await text('/blog/rules/obj/inner'), '404');
    assert.equal(await text('/blog/rules/Klass/run'), '404');
    assert.equal(await text('/blog/rules/ok/call'), '404');
  });

  it('publishes plain and async functions only', async () => {
    assert.equal(await text('/blog/rules/ok'), '200 ok');
    assert.equal(await text('/blog/rules/later'), '200 async ok');
    assert.equal(await text('/blog/rules/arrow'), '200 arrow ok');
    for (const name of [
      '_private',
      '$dollar',
      'answer',
      'obj',
      'Klass',
      'default',
      'gen',
      'toString',
      'hasOwnProperty',
      'call',
      'constructor',
      '__proto__',
      'valueOf',
      'missing',
    ]) {
      assert.equal(await text(`/blog/rules/${name}`), '404', name);
    }
  });

  it('never publishes functions re-exported from Node built-ins or packages', async () => {
    assert.equal(await text('/blog/fsx/own'), '200 own');
    assert.equal(await text('/blog/fsx/readFileSync'), '404');
    assert.equal(await text('/blog/fsx/join'), '404');
    assert.equal(await text('/blog/reexport/readdirSync'), '404', 'through an app module');
    assert.equal(
      await text('/blog/reexport/helper'),
      '200 helper from _lib',
      'an app function re-exported is published',
    );
  });

  it('never publishes native code: bound or nested built-ins, eval, callable Proxies', async () => {
    for (const name of ['bound', 'nested', 'ev', 'proxied']) {
      assert.equal(await text(`/blog/native/${name}`), '404', name);
    }
    assert.equal(await text('/blog/native/wrapped'), '200 own wrapper');
  });

  it('private files and folders, tests, declarations and node_modules are never addressable', async () => {
    for (const p of [
      '/blog/_hidden',
      '/blog/_lib',
      '/blog/_lib/util/helper',
      '/blog/.dot',
      '/blog/thing.test',
      '/blog/thing',
      '/blog/types.d',
      '/blog/types',
      '/blog/node_modules/pkg',
      '/_private',
      '/.hidden',
      '/blog/app',
    ]) {
      assert.equal(await text(p), '404', p);
    }
    assert.equal(await text('/blog/js'), '200 plain js module', '.js modules are addressable');
    assert.equal(await text('/blog/a-b_c'), '200 dash and underscore');
  });

  it('the extension never appears in the URL', async () => {
    assert.equal(await text('/blog/posts.ts'), '404');
    assert.equal(await text('/blog/js.js'), '404');
    assert.equal(await text('/blog/index.ts'), '404');
  });

  it('two apps each with an index.ts never collide', async () => {
    assert.equal(await text('/shop'), '200 shop index');
    assert.equal(await text('/shop/about'), '200 shop about');
    assert.equal(await text('/shop/posts'), '200 shop posts');
    assert.equal(await text('/blog/about'), '200 index.ts#about');
    assert.equal(await text('/shop/posts/list'), '404', "blog's posts/list.ts is not shop's");
  });

  it('rejects traversal and malformed segments (raw bytes on the wire)', async () => {
    const bad = [
      '/blog/..',
      '/blog/../shop',
      '/blog/%2e%2e/shop',
      '/blog/%252e%252e/shop',
      '/blog/posts%2flist',
      '/blog/posts%2Flist',
      '/blog/posts%5clist',
      '/blog/posts\\list',
      '/blog/%00',
      '/blog/posts%00',
      '/blog/%c0%ae%c0%ae/shop',
      '/blog/%c0%afposts',
      '/blog/%e0%80%ae',
      '/blog/%',
      '/blog/%zz',
      '/blog//posts',
      '//blog',
      '/blog/posts//',
      '/blog/.posts',
      '/blog/posts.',
      '/blog/%5fhidden',
      '/blog/%2e%64ot',
      `/blog/${'a'.repeat(3000)}`,
      `/blog${'/a'.repeat(500)}`,
      '/-/blog',
      '/-',
    ];
    for (const p of bad) {
      const r = await s.raw(p);
      assert.equal(r.status, 404, p);
      assert.doesNotMatch(r.body, /export function/, 'no module source in any response');
    }
  });

  it('decodes each segment exactly once', async () => {
    assert.equal(await text('/blog/%70osts'), '200 posts.ts#index', '%70 is "p"');
    assert.equal(await text('/blog/%2570osts'), '404', 'double-encoded stays encoded');
  });

  it('is case-sensitive', async () => {
    assert.equal(await text('/BLOG'), '404');
    assert.equal(await text('/blog/Posts'), '404');
  });
});

describe('mount params from app.json', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      files: {
        'api/app.json': JSON.stringify({ mount: '/api/:tenant' }),
        'api/index.ts':
          'export function index(args: Record<string, unknown>, ctx: { params: object }) { return { args, params: ctx.params }; }\n',
        'api/users.ts':
          'export function list(args: Record<string, unknown>) { return { tenant: args.tenant, page: args.page }; }\n',
        'site/index.ts': 'export function index() { return "site"; }\n',
      },
    });
  });
  after(() => s?.close());

  it('mounts the app at its pattern; params become args and ctx.params', async () => {
    const r = await s.fetch('/api/acme');
    assert.equal(r.status, 200);
    assert.deepEqual(await json(r), { args: { tenant: 'acme' }, params: { tenant: 'acme' } });
    const r2 = await s.fetch('/api/acme/users/list?page=2');
    assert.deepEqual(await json(r2), { tenant: 'acme', page: '2' });
  });

  it('params are decoded once and cannot be overridden by query or body', async () => {
    const r = await s.fetch('/api/a%20b/users/list?tenant=evil', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'evil2', page: 3 }),
    });
    assert.deepEqual(await json(r), { tenant: 'a b', page: 3 });
  });

  it('the directory name is not a mount when app.json says otherwise', async () => {
    assert.equal((await s.raw('/api')).status, 404);
    assert.equal(
      (await s.raw('/api/users/list')).status,
      404,
      '"users" is the tenant, "list" no module',
    );
    assert.equal((await s.raw('/site')).status, 200);
  });

  it('a param holding an encoded slash or NUL matches nothing', async () => {
    assert.equal((await s.raw('/api/a%2fb/users/list')).status, 404);
    assert.equal((await s.raw('/api/a%00b/users/list')).status, 404);
  });
});
