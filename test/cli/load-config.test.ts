/**
 * loadConfig (what `hotpub serve` reads first): finding the file, bundling a TypeScript
 * config, and errors that name the user's file, field, line and column.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/cli/load-config.js';
import { HotpubError } from '../../src/errors/index.js';
import { writeFiles } from '../helpers/files.js';

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
    await writeFiles(root, files);
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
