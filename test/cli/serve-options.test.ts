// How serve's settings are settled: flags over PORT over hotpub.config.ts over defaults.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveServeSettings } from '../../src/cli/serve-options.js';
import { HotpubError } from '../../src/errors/index.js';

describe('resolveServeSettings', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotpub-settings-'));
    await mkdir(join(dir, 'apps'));
    await mkdir(join(dir, 'conf', 'site-apps'), { recursive: true });
    await writeFile(
      join(dir, 'conf', 'hotpub.config.ts'),
      `export default { apps: 'site-apps', port: 4000, host: 'localhost', workers: 2, bodyLimit: '2kb',
        drainTimeoutMs: 10, shutdownTimeoutMs: 20, requestTimeoutMs: 700, admin: true, logger: { level: 'warn' },
        middleware: [(req: unknown, res: unknown, next: () => void) => next()] };`,
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('uses the defaults without flags, PORT or config', async () => {
    const s = await resolveServeSettings({}, dir, {});
    assert.deepEqual(s, {
      apps: join(dir, 'apps'),
      port: 3000,
      host: '127.0.0.1',
      watch: false,
      dev: false,
      admin: false,
      workers: 1,
      drainTimeoutMs: 5000,
      shutdownTimeoutMs: 10000,
      requestTimeoutMs: 30000,
      bodyLimit: 1048576,
      middleware: undefined,
      log: { level: 'info', requests: false, pretty: false },
      configFile: undefined,
    });
  });

  it('dev turns on the request log and readable lines', async () => {
    const s = await resolveServeSettings({ dev: true }, dir, {});
    assert.deepEqual(s.log, { level: 'info', requests: true, pretty: true });
  });

  it('takes the config, with apps relative to the config file', async () => {
    const s = await resolveServeSettings({ config: 'conf/hotpub.config.ts' }, dir, {});
    assert.equal(s.apps, join(dir, 'conf', 'site-apps'));
    assert.equal(s.port, 4000);
    assert.equal(s.host, 'localhost');
    assert.equal(s.workers, 2);
    assert.equal(s.bodyLimit, 2048);
    assert.equal(s.drainTimeoutMs, 10);
    assert.equal(s.shutdownTimeoutMs, 20);
    assert.equal(s.requestTimeoutMs, 700);
    assert.equal(s.admin, true);
    assert.equal(s.middleware?.length, 1);
    assert.deepEqual(s.log, { level: 'warn', requests: false, pretty: false });
    assert.equal(s.configFile, join(dir, 'conf', 'hotpub.config.ts'));
  });

  it('PORT beats the config; flags beat both', async () => {
    const config = 'conf/hotpub.config.ts';
    assert.equal((await resolveServeSettings({ config }, dir, { PORT: '5000' })).port, 5000);
    const s = await resolveServeSettings(
      {
        config,
        port: 6000,
        apps: 'apps',
        host: '0.0.0.0',
        workers: 1,
        bodyLimit: 10,
        drainTimeoutMs: 1,
      },
      dir,
      { PORT: '5000' },
    );
    assert.deepEqual(
      [s.port, s.apps, s.host, s.workers, s.bodyLimit, s.drainTimeoutMs],
      [6000, join(dir, 'apps'), '0.0.0.0', 1, 10, 1],
    );
  });

  it('fails with one precise line for a missing apps dir or a bad PORT', async () => {
    await assert.rejects(resolveServeSettings({ apps: 'nope' }, dir, {}), (err: unknown) => {
      assert.ok(err instanceof HotpubError);
      assert.equal(err.code, 'HOTPUB_E_APPS_DIR');
      assert.equal(err.exitCode, 1);
      return true;
    });
    await writeFile(join(dir, 'file'), '');
    await assert.rejects(
      resolveServeSettings({ apps: 'file' }, dir, {}),
      /apps directory file is not a directory/,
    );
    await assert.rejects(resolveServeSettings({}, dir, { PORT: '99999' }), (err: unknown) => {
      assert.ok(err instanceof HotpubError);
      assert.equal(err.exitCode, 2);
      assert.match(err.message, /PORT must be a port number/);
      return true;
    });
  });
});
