/**
 * Storage and sessions cost nothing until an app uses them: with the real bin/hotpub and
 * the cold-start probe, unstorage and better-sqlite3 (and ioredis) are not loaded by
 * start-up or by requests that do not use them (even in a module that imports
 * `storage`), and arrive with the first request that does. (`cookie` is not in the list:
 * the publisher's `ctx.cookies` loads it at start-up.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliProcess, get, readyUrl, startCli, tempProject } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait.js';

const PROBE = join(import.meta.dirname, '..', 'fixtures', 'cold-start', 'report-packages.mjs');
const STATE = ['unstorage', 'better-sqlite3', 'ioredis'];

function report(proc: CliProcess, n: number): Promise<string[]> {
  return waitFor(() => [...proc.stderr().matchAll(/^packages: (.*)$/gm)][n - 1]?.[1]?.split(','), {
    message: `the probe's report of request ${n}`,
  });
}

describe('storage and sessions load on first use', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  let proc: CliProcess;
  let url: string;
  before(async () => {
    project = await tempProject({
      'apps/a/index.ts': `import { storage, type Context } from 'hotpub';
export function index() { return 'plain'; }
export async function put() { await storage.setItem('k', 1); return 'stored'; }
export function login(_: unknown, ctx: Context) { ctx.session.user = 'ann'; return 'in'; }
`,
    });
    proc = startCli(['serve', '--port', '0'], {
      cwd: project.dir,
      nodeArgs: ['--import', PROBE],
      env: { HOTPUB_SECRET: 'l'.repeat(32) },
    });
    url = await readyUrl(proc);
  });
  after(async () => {
    await proc.stop();
    await project.remove();
  });

  it('loads none of them for a request that uses neither', async () => {
    assert.equal((await get(`${url}/a`)).body, 'plain');
    assert.equal((await get(`${url}/a`)).body, 'plain');
    const second = await report(proc, 2);
    assert.ok(second.includes('path-to-regexp'), `the probe sees packages: ${second}`);
    assert.deepEqual(
      STATE.filter((p) => second.includes(p)),
      [],
    );
  });

  it('loads unstorage and the SQLite driver at the first storage call', async () => {
    assert.equal((await get(`${url}/a/put`)).body, 'stored');
    assert.equal((await get(`${url}/a/login`)).body, 'in');
    assert.equal((await get(`${url}/a`)).body, 'plain');
    const last = await report(proc, 5);
    assert.deepEqual(
      ['unstorage', 'better-sqlite3'].filter((p) => !last.includes(p)),
      [],
    );
    assert.ok(!last.includes('ioredis'), 'no Redis client without Redis');
  });
});
