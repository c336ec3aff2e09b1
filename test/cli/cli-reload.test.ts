// SIGHUP to the real bin/hotpub serve: without --watch it re-reads the whole apps
// directory and applies every difference as one change per app, logging one line per app
// with its generation; it never kills the server (it used to exit 129). With --workers 2
// the primary forwards it to every worker.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { get, readyUrl, startCli, TIMEOUT_MS, tempProject } from '../helpers/cli-process.js';
import { type Truthy, waitFor } from '../helpers/wait.js';

/** The shared waitFor, bounded like every wait on a CLI process. */
function until<T>(check: () => T | Promise<T>, message: string): Promise<Truthy<T>> {
  return waitFor(check, { timeoutMs: TIMEOUT_MS, message });
}

const index = (v: string) =>
  `import { b } from './_b.js';\nexport function index() { return '${v}:' + b + ' ' + process.pid; }\n`;
const dep = (v: string) => `export const b = '${v}';\n`;

interface LogLine {
  msg: string;
  pid: number;
  app?: string;
  generation?: number;
  reload?: boolean;
}

/** The JSON log lines a reload wrote. */
function reloadLines(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.reload === true);
}

describe('SIGHUP', () => {
  it('without --watch: applies what changed on disk, one line per app, and keeps running', async () => {
    const p = await tempProject({
      'apps/a/index.ts': index('v1'),
      'apps/a/_b.ts': dep('v1'),
      'apps/c/index.ts': `export function index() { return 'c'; }\n`,
    });
    const proc = startCli(['serve', '--port', '0'], { cwd: p.dir });
    try {
      const url = await readyUrl(proc);
      assert.match((await get(`${url}/a`)).body, /^v1:v1 /);
      await writeFile(join(p.dir, 'apps/a/index.ts'), index('v2'));
      await writeFile(join(p.dir, 'apps/a/_b.ts'), dep('v2'));
      await mkdir(join(p.dir, 'apps/d'));
      await writeFile(join(p.dir, 'apps/d/index.ts'), `export function index() { return 'd'; }\n`);
      assert.match((await get(`${url}/a`)).body, /^v1:v1 /, 'nothing changes without a signal');

      proc.child.kill('SIGHUP');
      const lines = await until(() => {
        const l = reloadLines(proc.stdout());
        return l.length >= 3 ? l : undefined;
      }, 'one line per app');
      const byApp = new Map(lines.map((l) => [l.app, l]));
      assert.match(byApp.get('a')!.msg, /^a: generation 2 \(reloaded, 2 modules\)$/);
      assert.match(byApp.get('c')!.msg, /^c: generation 0 \(unchanged\)$/);
      assert.match(byApp.get('d')!.msg, /^d: generation \d+ /);
      assert.match((await get(`${url}/a`)).body, /^v2:v2 /, 'both files, one change');
      assert.equal((await get(`${url}/d`)).body, 'd', 'the new app is mounted');

      // A second SIGHUP with nothing new: the process is still there, nothing reloads.
      proc.child.kill('SIGHUP');
      await until(() => reloadLines(proc.stdout()).length >= 6, 'the second reload');
      const again = reloadLines(proc.stdout()).slice(3);
      assert.ok(
        again.every((l) => / \(unchanged\)$/.test(l.msg)),
        again.map((l) => l.msg).join('\n'),
      );
      assert.equal(proc.child.exitCode, null, 'SIGHUP does not kill the server');
      assert.match((await get(`${url}/a`)).body, /^v2:v2 /);
      proc.child.kill('SIGTERM');
      assert.deepEqual(await proc.exited, { code: 0, signal: null });
    } finally {
      await proc.stop();
      await p.remove();
    }
  });

  it('with --workers 2: the primary forwards it to every worker', async () => {
    const p = await tempProject({ 'apps/a/index.ts': index('v1'), 'apps/a/_b.ts': dep('v1') });
    const proc = startCli(['serve', '--port', '0', '--workers', '2'], { cwd: p.dir });
    try {
      const url = await readyUrl(proc);
      // Both workers load the app first: a reload re-reads what is loaded.
      const loaded = new Set<string>();
      await until(async () => {
        loaded.add((await get(`${url}/a`)).body.split(' ')[1]!);
        return loaded.size >= 2;
      }, 'both workers loaded the app');
      await writeFile(join(p.dir, 'apps/a/index.ts'), index('v2'));
      await writeFile(join(p.dir, 'apps/a/_b.ts'), dep('v2'));
      proc.child.kill('SIGHUP');
      const lines = await until(() => {
        const l = reloadLines(proc.stdout()).filter((x) => x.app === 'a');
        return new Set(l.map((x) => x.pid)).size >= 2 ? l : undefined;
      }, 'a reload line from each worker');
      const pids = new Set(lines.map((l) => l.pid));
      assert.equal(pids.size, 2);
      assert.ok(!pids.has(proc.child.pid!), 'the workers reloaded, not the primary');
      for (const l of lines) assert.match(l.msg, /^a: generation \d+ \(reloaded, 2 modules\)$/);
      // Fresh connections reach both workers: each serves the new code.
      const seen = new Set<string>();
      await until(async () => {
        const body = (await get(`${url}/a`)).body;
        assert.match(body, /^v2:v2 /, 'no worker serves the old code after its reload line');
        seen.add(body.split(' ')[1]!);
        return seen.size >= 2;
      }, 'both workers answering');
      assert.deepEqual([...seen].sort(), [...pids].map(String).sort());
      assert.equal(proc.child.exitCode, null);
      proc.child.kill('SIGTERM');
      assert.deepEqual(await proc.exited, { code: 0, signal: null });
    } finally {
      await proc.stop();
      await p.remove();
    }
  });
});
