/**
 * App discovery and app.json validation on real temp directories: which directories are
 * apps, and errors that name the file and the field.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HotpubError } from '../../src/errors/index.js';
import { discoverApps } from '../../src/publisher/app-config.js';
import { tempApps } from '../helpers/server.js';

async function withApps<T>(files: Record<string, string>, fn: (dir: string) => T): Promise<T> {
  const t = await tempApps(files);
  try {
    return fn(t.dir);
  } finally {
    await t.cleanup();
  }
}

function configError(fn: () => unknown): HotpubError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof HotpubError, `expected a HotpubError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a HotpubError');
}

describe('discoverApps', () => {
  it('every direct subdirectory not starting with _ or . is an app, mounted at /<name>', async () => {
    const apps = await withApps(
      {
        'blog/index.ts': '',
        'shop/x.ts': '',
        '_shared/index.ts': '',
        '.git/config': '',
        'node_modules/x/index.js': '',
        'README.md': '',
      },
      discoverApps,
    );
    assert.deepEqual(
      apps.map((a) => [a.name, a.mount.pattern]),
      [
        ['blog', '/blog'],
        ['shop', '/shop'],
      ],
    );
  });

  it('reads the mount from app.json', async () => {
    const apps = await withApps(
      {
        'api/app.json':
          '{"mount": "/v1/:tenant", "description": "x", "bodyLimit": 10, "static": false}',
      },
      discoverApps,
    );
    assert.equal(apps[0]?.mount.pattern, '/v1/:tenant');
    assert.deepEqual(apps[0]?.mount.params, ['tenant']);
    assert.equal(apps[0]?.config.bodyLimit, 10);
  });

  it('a missing apps directory is HOTPUB_E_APPS_DIR', () => {
    const e = configError(() => discoverApps('/nonexistent/hotpub/apps'));
    assert.equal(e.code, 'HOTPUB_E_APPS_DIR');
    assert.match(e.message, /\/nonexistent\/hotpub\/apps/);
  });

  const bad: Array<[string, string, string | undefined, RegExp]> = [
    ['unknown field', '{"mount": "/x", "mountt": "/y"}', 'mountt', /unknown field "mountt"/],
    ['wrong type', '{"mount": 42}', 'mount', /field "mount" must be string/],
    [
      'wrong type of bodyLimit',
      '{"bodyLimit": "1mb"}',
      'bodyLimit',
      /field "bodyLimit" must be integer/,
    ],
    ['no leading slash', '{"mount": "api"}', 'mount', /field "mount" must match pattern/],
    [
      'bad pattern',
      '{"mount": "/api/(x"}',
      'mount',
      /field "mount" mount "\/api\/\(x" is not a valid path-to-regexp pattern/,
    ],
    ['unnamed param', '{"mount": "/api/:"}', 'mount', /not a valid path-to-regexp pattern/],
    ['wildcard', '{"mount": "/files/*rest"}', 'mount', /wildcard/],
    ['reserved', '{"mount": "/-/x"}', 'mount', /reserved/],
    ['not JSON', '{"mount": "/x",}', undefined, /not valid JSON/],
    ['not an object', '["/x"]', undefined, /must be object/],
  ];
  for (const [what, content, field, message] of bad) {
    it(`a bad app.json (${what}) names the file and the field`, async () => {
      await withApps({ 'api/app.json': content }, (dir) => {
        const e = configError(() => discoverApps(dir));
        assert.equal(e.code, 'HOTPUB_E_APP_CONFIG');
        assert.equal(e.file, join(dir, 'api/app.json'));
        assert.equal(e.field, field);
        assert.ok(e.message.startsWith(join(dir, 'api/app.json')), e.message);
        assert.match(e.message, message);
      });
    });
  }

  it('two apps on the same mount is an error naming both files', async () => {
    await withApps(
      {
        'a/app.json': '{"mount": "/api/:a"}',
        'b/app.json': '{"mount": "/api/:b"}',
      },
      (dir) => {
        const e = configError(() => discoverApps(dir));
        assert.equal(e.code, 'HOTPUB_E_MOUNT_CONFLICT');
        assert.match(
          e.message,
          new RegExp(`${join(dir, 'a/app.json')} and ${join(dir, 'b/app.json')}`),
        );
        assert.equal(e.field, 'mount');
      },
    );
  });

  it('an app.json mount that takes another app directory name conflicts too', async () => {
    await withApps({ 'blog/index.ts': '', 'news/app.json': '{"mount": "/blog"}' }, (dir) => {
      const e = configError(() => discoverApps(dir));
      assert.equal(e.code, 'HOTPUB_E_MOUNT_CONFLICT');
      assert.match(e.message, new RegExp(`${join(dir, 'blog')} and ${join(dir, 'news/app.json')}`));
    });
  });

  it('different literal text is not a conflict', async () => {
    const apps = await withApps(
      { 'a/app.json': '{"mount": "/api/:a"}', 'b/app.json': '{"mount": "/apx/:b"}' },
      discoverApps,
    );
    assert.equal(apps.length, 2);
  });
});
