import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HotpubError } from '../../src/errors/index.js';
import { parseSize, validateConfig } from '../../src/server/config.js';
import { loadConfig } from '../../src/server/load-config.js';

describe('parseSize', () => {
  it('reads bytes and 1024-based units', () => {
    assert.equal(parseSize('1048576'), 1048576);
    assert.equal(parseSize('1mb'), 1048576);
    assert.equal(parseSize('512KB'), 512 * 1024);
    assert.equal(parseSize('1.5k'), 1536);
    assert.equal(parseSize('2 gb'), 2 * 1024 ** 3);
    assert.equal(parseSize(100), 100);
  });
  it('refuses what is not a positive size', () => {
    for (const bad of ['', 'mb', '1tb', '-1', '0', '1e3', 'abc', 0, -5, 1.5, Number.NaN]) {
      assert.equal(parseSize(bad), undefined, String(bad));
    }
  });
});

describe('validateConfig', () => {
  it('accepts a full config', () => {
    const config = {
      apps: 'apps',
      port: 0,
      host: 'localhost',
      watch: true,
      dev: false,
      admin: true,
      workers: 2,
      drainTimeoutMs: 100,
      shutdownTimeoutMs: 100,
      requestTimeoutMs: 0,
      bodyLimit: '2mb',
      middleware: [(_req: unknown, _res: unknown, next: () => void) => next()],
      logger: { level: 'warn', requests: true, pretty: false },
    };
    assert.equal(validateConfig(config, 'hotpub.config.ts'), config);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['a non-object', 42, /hotpub\.config\.ts: the default export must be an object/],
    ['an unknown field', { prot: 1 }, /hotpub\.config\.ts: unknown field "prot"/],
    [
      'a bad port',
      { port: 'x' },
      /hotpub\.config\.ts: field "port" must be a whole number 0-65535/,
    ],
    ['a bad boolean', { watch: 'yes' }, /field "watch" must be true or false/],
    ['a bad body limit', { bodyLimit: 'huge' }, /field "bodyLimit"/],
    [
      'a non-function middleware',
      { middleware: [() => {}, 'cors'] },
      /field "middleware\[1\]" must be a \(req, res, next\) function, got "cors"/,
    ],
    ['middleware not an array', { middleware: () => {} }, /field "middleware" must be an array/],
    ['a bad log level', { logger: { level: 'loud' } }, /field "logger\.level" must be one of/],
    [
      'an unknown logger option',
      { logger: { colour: true } },
      /field "logger\.colour" is not a logger option/,
    ],
  ];
  for (const [what, value, message] of cases) {
    it(`names the file and the field for ${what}`, () => {
      assert.throws(
        () => validateConfig(value, 'hotpub.config.ts'),
        (err: unknown) =>
          err instanceof HotpubError && err.code === 'HOTPUB_E_CONFIG' && message.test(err.message),
      );
    });
  }
});

describe('loadConfig', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotpub-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function project(files: Record<string, string>): Promise<string> {
    const root = await mkdtemp(join(dir, 'p-'));
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(join(root, rel, '..'), { recursive: true });
      await writeFile(join(root, rel), content);
    }
    return root;
  }

  it('returns an empty config when there is no file', async () => {
    const root = await project({});
    assert.deepEqual(await loadConfig(root), { config: {} });
  });

  it('bundles a TypeScript config with its relative imports and the hotpub import, then removes the temp file', async () => {
    const root = await project({
      'hotpub.config.ts': `import { defineConfig } from 'hotpub';
import { limit } from './config/limit.js';
const port: number = 4321;
export default defineConfig({ port, bodyLimit: limit, middleware: [(req, res, next) => next()] });`,
      'config/limit.ts': `export const limit: string = '2mb';`,
    });
    const { file, config } = await loadConfig(root);
    assert.equal(file, join(root, 'hotpub.config.ts'));
    assert.equal(config.port, 4321);
    assert.equal(config.bodyLimit, '2mb');
    assert.equal(config.middleware?.length, 1);
    assert.deepEqual((await readdir(root)).sort(), ['config', 'hotpub.config.ts']);
  });

  it('loads a .mjs config and an explicit --config file', async () => {
    const root = await project({
      'hotpub.config.mjs': 'export default { host: "localhost" };',
      'other.mjs': 'export default { port: 1 };',
    });
    assert.equal((await loadConfig(root)).config.host, 'localhost');
    assert.equal((await loadConfig(root, 'other.mjs')).config.port, 1);
  });

  it('fails on a missing explicit file, naming it', async () => {
    const root = await project({});
    await assert.rejects(loadConfig(root, 'nope.ts'), /config file nope\.ts does not exist/);
  });

  it('names the file, line and column of a syntax error', async () => {
    const root = await project({ 'hotpub.config.ts': 'export default {\n  port: 3000,,\n};\n' });
    await assert.rejects(loadConfig(root), (err: unknown) => {
      assert.ok(err instanceof HotpubError);
      assert.match(err.message, /^hotpub\.config\.ts:2:\d+: /);
      return true;
    });
  });

  // This test process runs with source maps on (tsx), as `node --enable-source-maps` would.
  it('names the file and line:col of a throw at load time (source maps on or off), or a missing default export', async () => {
    const throwing = await project({
      'hotpub.config.ts':
        'const n: number = 1;\nif (n) throw new Error("boom");\nexport default {};',
    });
    await assert.rejects(
      loadConfig(throwing),
      /^HotpubError: hotpub\.config\.ts:2:14: failed to load: boom$/,
    );
    const noDefault = await project({ 'hotpub.config.ts': 'export const port = 1;' });
    await assert.rejects(loadConfig(noDefault), /hotpub\.config\.ts: no default export/);
    assert.deepEqual(await readdir(throwing), ['hotpub.config.ts']);
  });

  it('validates what it loaded', async () => {
    const root = await project({ 'hotpub.config.ts': 'export default { port: "80" };' });
    await assert.rejects(loadConfig(root), /hotpub\.config\.ts: field "port"/);
  });
});
