/**
 * Issue 13, findings 6, 7 and 9: paths that must never reach a function or a file.
 * - #6: a mount param that is `.` or `..` after decoding never matches (404);
 * - #7: under --watch, a symlink to a module outside the apps directory that appears
 *   after start is never loaded (the start-up scan and the watcher share one check);
 * - #9: a static file is judged on its real path: a symlink in public/ to a dotfile is 404.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('mount params and static symlinks (issue 13 #6, #9)', () => {
  let s: TestServer;

  before(async () => {
    s = await startServer({
      files: {
        'api/app.json': JSON.stringify({ mount: '/api/:tenant' }),
        'api/users.ts':
          'export function list(a: { tenant: string }) { return { tenant: a.tenant }; }\n',
        'site/public/.env': 'SECRET=1',
        'site/public/ok.txt': 'ok',
        'site/.hidden/key.txt': 'KEY',
      },
    });
    await symlink('.env', join(s.dir, 'site', 'public', 'env.txt'));
    await symlink(join(s.dir, 'site', '.hidden'), join(s.dir, 'site', 'public', 'keys'));
  });
  after(() => s.close());

  it('#6: /api/../users/list and /api/%2e%2e/users/list are 404, never tenant ".."', async () => {
    assert.deepEqual(JSON.parse((await s.raw('/api/acme/users/list')).body), { tenant: 'acme' });
    for (const p of [
      '/api/../users/list',
      '/api/%2e%2e/users/list',
      '/api/%2E%2e/users/list',
      '/api/./users/list',
      '/api/%2e/users/list',
    ]) {
      const r = await s.raw(p);
      assert.equal(r.status, 404, `${p}: ${r.body}`);
    }
  });

  it('#9: a symlink in public/ to a dotfile is 404', async () => {
    assert.equal((await s.raw('/site/ok.txt')).body, 'ok');
    const r = await s.raw('/site/env.txt');
    assert.equal(r.status, 404, r.body);
    const dir = await s.raw('/site/keys/key.txt');
    assert.equal(dir.status, 404, dir.body);
  });
});

describe('--watch and symlinks created after start (issue 13 #7)', () => {
  let s: TestServer;
  let outside: string;

  before(async () => {
    outside = await mkdtemp(join(tmpdir(), 'hotpub-outside-'));
    await writeFile(
      join(outside, 'leak.ts'),
      "export function index() { return 'outside code'; }\n",
    );
    s = await startServer({
      watch: true,
      files: { 'a/index.ts': "export function index() { return 'home'; }\n" },
    });
  });
  after(async () => {
    await s.close();
    await rm(outside, { recursive: true, force: true });
  });

  it('#7: a symlink to a module outside the apps directory, created after start, is never served', async () => {
    const link = join(s.dir, 'a', 'leak.ts');
    await symlink(join(outside, 'leak.ts'), link);
    await s.write('a/control.ts', "export function index() { return 'control'; }\n");
    await waitFor(async () => (await s.fetch('/a/control')).status === 200, {
      message: 'control.ts served',
    });
    // The watcher has seen the link once the registry has a record of it.
    await waitFor(() => s.server.registry.getModule(link) !== undefined, {
      message: 'the watcher saw the symlink',
    });
    const r = await s.fetch('/a/leak');
    assert.equal(r.status, 404, await r.text());
  });
});
