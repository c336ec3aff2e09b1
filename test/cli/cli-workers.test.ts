// The real bin/hotpub serve --workers 2: node:cluster workers, each with its own
// registry and watcher; one ready line; a crashed worker is replaced; SIGTERM exits 0.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { get, readyUrl, startCli, TIMEOUT_MS, tempProject } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait.js';

const APP = (version: string) => `export function index() { return '${version} ' + process.pid; }
export function crash() {
  setImmediate(() => process.exit(3));
  return 'bye';
}`;

/** Requests on fresh connections until `count` distinct workers answered `version`. */
async function workersServing(url: string, version: string, count: number): Promise<Set<string>> {
  const pids = new Set<string>();
  return waitFor(
    async () => {
      // A failed request (a worker restarting) is "not yet" to waitFor().
      const [v, pid] = (await get(`${url}/w`)).body.split(' ');
      if (v === version && pid) pids.add(pid);
      return pids.size >= count ? pids : undefined;
    },
    { timeoutMs: TIMEOUT_MS, message: `${count} workers serving ${version}` },
  );
}

describe('bin/hotpub serve --workers 2', () => {
  it('serves from two processes, reloads in each, replaces a crashed one, and exits 0 on SIGTERM', async () => {
    const p = await tempProject({ 'apps/w/index.ts': APP('v1') });
    const proc = startCli(['serve', '--port', '0', '--workers', '2', '--watch'], { cwd: p.dir });
    try {
      const url = await readyUrl(proc);
      assert.match(proc.stdout(), /\(watch, 2 workers\)/);

      const first = await workersServing(url, 'v1', 2);
      assert.ok(!first.has(String(proc.child.pid)), 'the primary serves nothing');

      await writeFile(join(p.dir, 'apps', 'w', 'index.ts'), APP('v2'));
      const reloaded = await workersServing(url, 'v2', 2);
      assert.deepEqual(
        [...reloaded].sort(),
        [...first].sort(),
        'reloaded in-process: same workers',
      );

      assert.equal((await get(`${url}/w/crash`)).body, 'bye');
      await proc.printed(/worker \d+ died \(status 3\); starting a new one/);
      const after = await waitFor(
        async () => {
          const pids = await workersServing(url, 'v2', 2);
          return [...pids].some((pid) => !first.has(pid)) ? pids : undefined;
        },
        { timeoutMs: TIMEOUT_MS, message: 'a replacement worker' },
      );
      assert.equal(after.size, 2);

      assert.equal(proc.stdout().match(/serving apps at/g)?.length, 1, 'one ready line');
      proc.child.kill('SIGTERM');
      assert.deepEqual(await proc.exited, { code: 0, signal: null });
      assert.equal(proc.stderr(), '');
    } finally {
      await proc.stop();
      await p.remove();
    }
  });
});
