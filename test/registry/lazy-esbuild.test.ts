/**
 * Cold start: esbuild is imported at the first module transform, not with the registry.
 * Runs the built registry (`npm run build`, as the CLI tests do) in a plain node process:
 * under tsx, esbuild is always loaded by tsx itself.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fixture, makeRoot } from './helpers.js';

const DIST = join(import.meta.dirname, '..', '..', 'dist', 'registry', 'index.js');

/** Prints whether esbuild is loaded after each step, as one JSON line. */
const SCRIPT = `
import { createRequire } from 'node:module';
const [dist, root, named] = process.argv.slice(1);
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => /[\\\\/]esbuild[\\\\/]/.test(k));
const { createRegistry } = await import(dist);
const registry = createRegistry({ root });
await registry.start();
const afterStart = loaded();
const index = registry.findFile('a', 'index');
await registry.ensureModule(index);
const afterLoad = loaded();
const pin = await registry.acquire('a');
const value = await pin.exportsOf(index).getNamed('named');
pin.release();
const state = registry.getModule(named).state;
await registry.close();
console.log(JSON.stringify({ afterStart, afterLoad, value, state }));
`;

describe('registry: esbuild loads lazily', () => {
  it('not imported by start(); imported by the first load; a late import() transforms synchronously', async () => {
    const root = realpathSync(await makeRoot(await fixture('dynamic-import')));
    try {
      const named = join(root, 'a', '_named.ts');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', SCRIPT, DIST, root, named],
        { timeout: 30_000 },
      );
      const out = JSON.parse(stdout) as Record<string, unknown>;
      assert.equal(out.afterStart, false, 'esbuild is not loaded by creating and starting');
      assert.equal(out.afterLoad, true, 'the first load imported it');
      // A computed import() is never prefetched: its code came from the sync transform.
      assert.equal(out.value, 'named');
      assert.equal(out.state, 'ready');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
