/**
 * Failed reloads, deletes and creates over real HTTP with --watch: a syntax error keeps the
 * last good version serving and shows file:line:col in `/-/registry`; fixing the file
 * recovers; a module that never loaded answers 500 (location and frame only under --dev);
 * a deleted module answers 404 once the change is seen, and serves again when re-created.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleInfo, startWatched } from '../helpers/reload-server.js';
import type { Json } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const good = (v: string) => `export function index() { return '${v}'; }\n`;
// Line 3, column 30: the stray ')' after the string.
const broken = `// v2, broken
export function index() {
  return 'v2 never served' );
}
`;

describe('failed reloads, deletes and creates (--watch, real HTTP)', { timeout: 60_000 }, () => {
  it('a syntax error keeps the last good version; fixing the file recovers', async () => {
    const s = await startWatched({ dev: true, files: { 'err/index.ts': good('v1') } });
    try {
      assert.equal((await s.raw('/err')).body, 'v1');
      await s.write('err/index.ts', broken);
      const info: Json = await waitFor(
        async () => {
          const m = await moduleInfo(s, 'err/index.ts');
          return m?.lastError ? m : undefined;
        },
        { timeoutMs: 30_000, message: 'the syntax error in /-/registry' },
      );
      assert.match(info.lastError.code, /^HOTPUB_E_/);
      assert.equal(info.lastError.location.file, `${s.dir}/err/index.ts`);
      assert.equal(info.lastError.location.line, 3);
      assert.equal(typeof info.lastError.location.column, 'number');
      assert.ok(info.lastError.location.column >= 1, JSON.stringify(info.lastError.location));
      assert.equal(info.generation, 1, 'no new generation from broken code');
      for (let i = 0; i < 5; i++) {
        const r = await s.raw('/err');
        assert.deepEqual([r.status, r.body], [200, 'v1'], 'the last good version serves');
      }
      await s.write('err/index.ts', good('v3'));
      await waitFor(async () => (await s.raw('/err')).body === 'v3', {
        timeoutMs: 30_000,
        message: 'the fixed file to serve',
      });
      const fixed = await moduleInfo(s, 'err/index.ts');
      assert.equal(fixed.state, 'ready');
      assert.equal(fixed.generation, 2);
    } finally {
      await s.close();
    }
  });

  for (const dev of [true, false]) {
    it(`a module that never loaded answers 500${dev ? ' with location and frame (--dev)' : ', no details'}`, async () => {
      const s = await startWatched({ dev, files: { 'never/index.ts': broken } });
      try {
        const r = await s.raw('/never');
        assert.equal(r.status, 500);
        if (!dev) assert.ok(!r.body.includes('never served'), `no source without --dev: ${r.body}`);
        const body: Json = JSON.parse(r.body);
        const e = body.error ?? body;
        if (dev) {
          assert.equal(e.location?.file, `${s.dir}/never/index.ts`, r.body);
          assert.equal(e.location?.line, 3);
          assert.equal(typeof e.frame, 'string');
          assert.match(e.frame, /\^/, 'the frame has a caret');
          assert.match(e.frame, /never served/, 'the frame shows the failing line');
        } else {
          assert.equal(e.location, undefined, r.body);
          assert.equal(e.frame, undefined, r.body);
          assert.ok(!r.body.includes('index.ts'), `no file names without --dev: ${r.body}`);
        }
        // Fixing it makes it load.
        await s.write('never/index.ts', good('loaded'));
        await waitFor(async () => (await s.raw('/never')).body === 'loaded', {
          timeoutMs: 30_000,
          message: 'the fixed module to load',
        });
      } finally {
        await s.close();
      }
    });
  }

  it('a deleted module answers 404 once seen; re-created, it is served again', async () => {
    const s = await startWatched({
      files: { 'del/index.ts': good('v1'), 'del/other.ts': good('o') },
    });
    try {
      assert.equal((await s.raw('/del')).body, 'v1');
      await s.remove('del/index.ts');
      await waitFor(async () => (await s.raw('/del')).status === 404, {
        timeoutMs: 30_000,
        message: '/del to be gone',
      });
      assert.equal((await s.raw('/del')).status, 404, 'and it stays gone');
      assert.equal((await s.raw('/del/other')).body, 'o', 'the rest of the app serves');
      await s.write('del/index.ts', good('v2'));
      await waitFor(async () => (await s.raw('/del')).body === 'v2', {
        timeoutMs: 30_000,
        message: '/del to be back',
      });
    } finally {
      await s.close();
    }
  });
});
