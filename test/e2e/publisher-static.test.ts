/**
 * Static files from each app's public/ at the app's mount, when no function matches.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';

describe('public/ static files', () => {
  let s: TestServer;
  let outside: string;
  before(async () => {
    outside = await mkdtemp(join(tmpdir(), 'hotpub-outside-'));
    await writeFile(join(outside, 'secret.txt'), 'outside public');
    s = await startServer({
      files: {
        'blog/index.ts':
          'export function index() { return "fn index"; }\nexport function about() { return "fn about"; }\n',
        'blog/public/style.css': 'body { color: red }',
        'blog/public/about': 'static about (shadowed by the function)',
        'blog/public/img/logo.svg': '<svg/>',
        'blog/public/docs/index.html': '<h1>docs</h1>',
        'blog/public/.env': 'SECRET=1',
        'blog/public/.well/x.txt': 'hidden dir',
        'blog/public/data.json': '{"static":true}',
        'blog/secret.txt': 'outside public',
        'blog/app.json': '{}',
        'api/app.json': JSON.stringify({ mount: '/api/:tenant' }),
        'api/public/robots.txt': 'robots',
        'nostatic/app.json': JSON.stringify({ static: false }),
        'nostatic/public/x.txt': 'not served',
        'outside.txt': 'top level file',
      },
    });
  });
  after(async () => {
    await s?.close();
    await rm(outside, { recursive: true, force: true });
  });

  it('serves files under public/ at the mount, with content types', async () => {
    const r = await s.fetch('/blog/style.css');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal(await r.text(), 'body { color: red }');
    assert.equal(await (await s.fetch('/blog/img/logo.svg')).text(), '<svg/>');
    assert.equal(await (await s.fetch('/blog/data.json')).text(), '{"static":true}');
    assert.equal(await (await s.fetch('/blog/docs/')).text(), '<h1>docs</h1>');
  });

  it('functions win over static files', async () => {
    assert.equal(await (await s.fetch('/blog/about')).text(), 'fn about');
  });

  it('HEAD works; other methods are not served', async () => {
    const h = await s.raw('/blog/style.css', { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.body, '');
    assert.equal((await s.raw('/blog/style.css', { method: 'POST' })).status, 404);
  });

  it('mounts with params serve static files too', async () => {
    assert.equal(await (await s.fetch('/api/acme/robots.txt')).text(), 'robots');
  });

  it('never serves dotfiles, files outside public/, or app.json', async () => {
    for (const p of [
      '/blog/.env',
      '/blog/%2eenv',
      '/blog/.well/x.txt',
      '/blog/../blog/secret.txt',
      '/blog/%2e%2e/secret.txt',
      '/blog/%2e%2e%2fsecret.txt',
      '/blog/..%2fsecret.txt',
      '/blog/..%5csecret.txt',
      '/blog/img/..%2f..%2fsecret.txt',
      '/blog/img/%2e%2e/%2e%2e/secret.txt',
      '/blog/secret.txt',
      '/blog/app.json',
      '/blog/index.ts',
      '/blog/public/style.css',
      '/blog/%2e%2e/%2e%2e/outside.txt',
      '/blog/style.css%00',
      '/nostatic/x.txt',
    ]) {
      const r = await s.raw(p);
      assert.equal(r.status, 404, p);
      assert.doesNotMatch(
        r.body,
        /SECRET|outside public|hidden dir|top level|not served|export function/,
        p,
      );
    }
  });

  it('never follows a symlink out of public/ (module source, outside files)', async () => {
    await symlink(join(s.dir, 'blog', 'index.ts'), join(s.dir, 'blog', 'public', 'leak.ts'));
    await symlink(outside, join(s.dir, 'blog', 'public', 'out'));
    await symlink(
      join(s.dir, 'blog', 'public', 'style.css'),
      join(s.dir, 'blog', 'public', 'inside.css'),
    );
    for (const p of ['/blog/leak.ts', '/blog/out/secret.txt', '/blog/out/']) {
      const r = await s.raw(p);
      assert.equal(r.status, 404, p);
      assert.doesNotMatch(r.body, /export function|outside public/, p);
    }
    assert.equal(
      await (await s.fetch('/blog/inside.css')).text(),
      'body { color: red }',
      'a symlink inside public/ is fine',
    );
  });

  it('a miss is the JSON 404', async () => {
    const r = await s.fetch('/blog/nothing.png');
    assert.equal(r.status, 404);
    assert.equal(
      ((await r.json()) as { error: { code: string } }).error.code,
      'HOTPUB_E_NOT_FOUND',
    );
  });
});
