// `--drain-timeout` through the real bin/hotpub: a request that outlives the drain timeout
// does not hold back a reload (the edit is served meanwhile), and it still finishes with
// its own, old generation's value.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { get, readyUrl, startCli, TIMEOUT_MS, tempProject } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait.js';

/** The app module: `hold` marks that it started, then waits for the gate file. */
function source(version: string, dir: string): string {
  return `import { existsSync, writeFileSync } from 'node:fs';
const VERSION = ${JSON.stringify(version)};
export async function hold() {
  writeFileSync(${JSON.stringify(join(dir, 'started'))}, VERSION);
  while (!existsSync(${JSON.stringify(join(dir, 'gate'))})) await new Promise((r) => setTimeout(r, 20));
  return VERSION;
}
export function index() { return VERSION; }
`;
}

describe('--drain-timeout', () => {
  it('lets an edit be served past a long request, which ends on its own generation', async () => {
    const p = await tempProject({
      // Without the flag taking effect, this 10-minute drain would hold the reload back
      // for longer than any wait below.
      'hotpub.config.ts': 'export default { drainTimeoutMs: 600_000 };\n',
    });
    const file = join(p.dir, 'apps', 'w', 'index.ts');
    await mkdir(join(p.dir, 'apps', 'w'), { recursive: true });
    await writeFile(file, source('one', p.dir));
    const proc = startCli(['serve', '--port', '0', '--watch', '--drain-timeout', '300'], {
      cwd: p.dir,
    });
    let held: Promise<{ status: number; body: string }> | undefined;
    try {
      const url = await readyUrl(proc);
      assert.equal((await get(`${url}/w`)).body, 'one');
      held = get(`${url}/w/hold`);
      await waitFor(() => existsSync(join(p.dir, 'started')), {
        timeoutMs: TIMEOUT_MS,
        message: 'hold to start',
      });

      await writeFile(file, source('two', p.dir));
      await waitFor(async () => (await get(`${url}/w`)).body === 'two', {
        timeoutMs: TIMEOUT_MS,
        message: 'the edit served while the long request still holds the old code',
      });
      assert.equal(existsSync(join(p.dir, 'gate')), false, 'the long request is still running');

      await writeFile(join(p.dir, 'gate'), '');
      const answer = await held;
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'one', 'the held request finishes on its old generation');
      assert.equal((await get(`${url}/w`)).body, 'two');
    } finally {
      await writeFile(join(p.dir, 'gate'), '').catch(() => {});
      await held?.catch(() => {});
      await proc.stop();
      await p.remove();
    }
  });
});
