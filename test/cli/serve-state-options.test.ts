// serve's storage, secret and session settings: HOTPUB_STORAGE_URL and HOTPUB_SECRET win
// over hotpub.config.ts, as PORT does; unset, they are left out.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveServeSettings } from '../../src/cli/serve-options.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('resolveServeSettings: storage, secret, session', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotpub-state-settings-'));
    await mkdir(join(dir, 'apps'));
    await writeFile(
      join(dir, 'hotpub.config.ts'),
      `export default { storage: { driver: 'sqlite', path: 'db/x.sqlite' }, secret: '${A}', session: { maxAge: 60 } };`,
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('takes them from the config file', async () => {
    const s = await resolveServeSettings({}, dir, {});
    assert.deepEqual(s.storage, { driver: 'sqlite', path: 'db/x.sqlite' });
    assert.equal(s.secret, A);
    assert.deepEqual(s.session, { maxAge: 60 });
  });

  it('lets HOTPUB_STORAGE_URL and HOTPUB_SECRET (a list) win over it', async () => {
    const s = await resolveServeSettings({}, dir, {
      HOTPUB_STORAGE_URL: 'redis://127.0.0.1:6390/1',
      HOTPUB_SECRET: `${B},${A}`,
    });
    assert.deepEqual(s.storage, { driver: 'redis', url: 'redis://127.0.0.1:6390/1' });
    assert.deepEqual(s.secret, [B, A]);
  });

  it('leaves them out when nothing sets them', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'hotpub-state-bare-'));
    try {
      await mkdir(join(bare, 'apps'));
      const s = await resolveServeSettings({}, bare, { HOTPUB_SECRET: '', HOTPUB_STORAGE_URL: '' });
      assert.ok(!('storage' in s) && !('secret' in s) && !('session' in s));
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });
});
