/**
 * A change is one generation, however many files it spans (SPEC section 4), over real HTTP
 * with --watch: two files saved together are never served half old, half new under load;
 * a change with one broken file applies neither; the fix applies both, the files of the
 * refused change included.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { releaseLoad } from '../helpers/deploy-load.js';
import { moduleInfo, startWatched } from '../helpers/reload-server.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const index = (v: number | string) =>
  `import { b } from './_b.js';\nexport const a = '${v}';\nexport function index() { return a + ':' + b; }\n`;
const dep = (v: number | string) => `export const b = '${v}';\n`;

/** Both files written back to back, as "save all" or a checkout does. */
function saveBoth(s: TestServer, app: string, a: string, b: string): void {
  writeFileSync(join(s.dir, app, 'index.ts'), a);
  writeFileSync(join(s.dir, app, '_b.ts'), b);
}

const CLIENTS = 8;
const CHANGES = 20;

describe('one change, one generation (--watch, real HTTP)', { timeout: 120_000 }, () => {
  it(`${CLIENTS} clients, ${CHANGES} two-file changes: no response mixes them`, async () => {
    const s = await startWatched({ files: { 'probe/index.ts': index(0), 'probe/_b.ts': dep(0) } });
    const load = releaseLoad(`${s.url}/probe`, CLIENTS);
    try {
      await waitFor(() => load.served() > CLIENTS, { message: 'the clients to be served' });
      for (let n = 1; n <= CHANGES; n++) {
        saveBoth(s, 'probe', index(n), dep(n));
        await waitFor(() => load.latest() === n || load.failures.length > 0, {
          timeoutMs: 20_000,
          message: `change ${n} served`,
        });
      }
    } finally {
      await load.stop();
    }
    try {
      const { failures, mixed } = load;
      assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failed requests`);
      assert.deepEqual(
        mixed.slice(0, 5),
        [],
        `${mixed.length} of ${load.served()} responses mixed`,
      );
      const info = await moduleInfo(s, 'probe/index.ts');
      assert.equal(info.generation, CHANGES + 1, 'one generation per change');
      assert.equal(info.evaluations, CHANGES + 1, 'one evaluation per change');
      const b = await moduleInfo(s, 'probe/_b.ts');
      assert.equal(b.evaluations, CHANGES + 1, 'the imported file too: once per change');
    } finally {
      await s.close();
    }
  });

  it('one broken file of two: neither is applied; fixing it applies both', async () => {
    const s = await startWatched({
      files: {
        'two/index.ts': index(1),
        'two/_b.ts': dep(1),
        'two/other.ts': `export function index() { return 'o1'; }\n`,
      },
    });
    try {
      assert.equal((await s.raw('/two')).body, '1:1');
      assert.equal((await s.raw('/two/other')).body, 'o1');
      // A good index.ts and other.ts, a broken _b.ts: one change.
      writeFileSync(join(s.dir, 'two/index.ts'), index(2));
      writeFileSync(join(s.dir, 'two/other.ts'), `export function index() { return 'o2'; }\n`);
      writeFileSync(join(s.dir, 'two/_b.ts'), `export const b = ;\n`);
      const bad = await waitFor(
        async () => {
          const m = await moduleInfo(s, 'two/_b.ts');
          return m?.lastError ? m : undefined;
        },
        { message: 'the refused change in /-/registry' },
      );
      assert.equal(bad.lastError.code, 'HOTPUB_E_MODULE_SYNTAX');
      assert.equal(bad.lastError.location.file, join(s.dir, 'two/_b.ts'), 'names the file');
      for (let i = 0; i < 3; i++) {
        assert.equal((await s.raw('/two')).body, '1:1', 'neither file applied');
        assert.equal((await s.raw('/two/other')).body, 'o1', 'nor the unrelated one');
      }
      // The fix is a change of _b.ts alone: it applies what is on disk, index.ts included.
      writeFileSync(join(s.dir, 'two/_b.ts'), dep(2));
      await waitFor(async () => (await s.raw('/two')).body === '2:2', {
        message: 'both files applied',
      });
      assert.equal((await s.raw('/two/other')).body, 'o2', 'the earlier file too');
      const info = await moduleInfo(s, 'two/index.ts');
      assert.equal(info.state, 'ready');
      assert.equal(info.generation, 2, 'the refused change made no generation');
    } finally {
      await s.close();
    }
  });
});
