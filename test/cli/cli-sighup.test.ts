// SIGHUP through the real bin/hotpub: it must not end the server (Node's default action
// is exit 129, without draining); it re-reads the apps, so a server without --watch picks
// up an edited file, and it logs one line per app with the new generation.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { get, readyUrl, startCli, TIMEOUT_MS, tempProject } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait.js';

const mod = (v: string) => `export function index() { return ${JSON.stringify(v)}; }\n`;

describe('SIGHUP', () => {
  it('keeps serving and applies the edited files, without --watch', async () => {
    const p = await tempProject({});
    const file = join(p.dir, 'apps', 'w', 'index.ts');
    await mkdir(join(p.dir, 'apps', 'w'), { recursive: true });
    await writeFile(file, mod('one'));
    const proc = startCli(['serve', '--port', '0'], { cwd: p.dir });
    try {
      const url = await readyUrl(proc);
      assert.equal((await get(`${url}/w`)).body, 'one');
      await writeFile(file, mod('two'));
      assert.equal((await get(`${url}/w`)).body, 'one', 'no --watch: the edit waits for SIGHUP');
      proc.child.kill('SIGHUP');
      await proc.printed(/w: generation 2 \(reloaded, 1 module\)/);
      await waitFor(async () => (await get(`${url}/w`)).body === 'two', {
        timeoutMs: TIMEOUT_MS,
        message: 'the edit served after SIGHUP',
      });
      proc.child.kill('SIGHUP');
      assert.equal((await get(`${url}/w`)).status, 200, 'a second SIGHUP leaves it serving');
      assert.equal(proc.child.exitCode, null, 'still running after two SIGHUPs');
    } finally {
      await proc.stop();
      await p.remove();
    }
  });
});
