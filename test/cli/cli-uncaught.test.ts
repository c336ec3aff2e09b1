/**
 * Issue 13, finding 1: a rejected promise nobody awaits, or a throw from a timer, in app
 * code is logged with its app and file, counted in /-/registry, and the server keeps
 * serving — alone and under --workers (where 11 of them used to stop the cluster).
 * Also finding 11's warning line for --dev on a non-loopback host.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { get, readyUrl, startCli, TIMEOUT_MS, tempProject } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait.js';

/** {@link waitFor} with the CLI tests' bound. */
const until = <T>(check: () => T | Promise<T>, message: string) =>
  waitFor(check, { timeoutMs: TIMEOUT_MS, message });

const FILES = {
  'apps/a/index.ts': `export function index() { return 'alive ' + process.pid; }
async function audit(): Promise<void> {
  await null;
  throw new Error('audit failed');
}
export function fire() {
  void audit();
  return 'fired';
}
export function timer() {
  setTimeout(() => { throw new Error('timer failed'); }, 1);
  return 'armed';
}
`,
  'apps/b/ticker.ts': `// Throws from a timer started at load time: no request is running then.
setTimeout(() => { throw new Error('ticker failed'); }, 1);
export function index() { return 'ticker loaded'; }
`,
};

interface LogLine {
  level: number;
  msg: string;
  app?: string;
  file?: string;
  code?: string;
}

function errorLines(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.code === 'HOTPUB_E_UNCAUGHT');
}

describe('bin/hotpub serve: errors nobody catches (issue 13 #1)', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    project = await tempProject(FILES);
  });
  after(() => project.remove());

  it('logs them with app and file, counts them in /-/registry and keeps serving', async () => {
    const proc = startCli(['serve', '--port', '0', '--admin'], { cwd: project.dir });
    try {
      const url = await readyUrl(proc);
      assert.equal((await get(`${url}/a/fire`)).body, 'fired');
      assert.equal((await get(`${url}/a/timer`)).body, 'armed');
      assert.equal((await get(`${url}/b/ticker`)).body, 'ticker loaded');
      const lines = await until(() => {
        const l = errorLines(proc.stdout());
        return l.length >= 3 ? l : undefined;
      }, 'three uncaught errors logged');
      const byMessage = (m: string) => lines.find((l) => l.msg.includes(m));
      assert.equal(byMessage('audit failed')?.app, 'a');
      assert.equal(byMessage('audit failed')?.file, 'a/index.ts');
      assert.equal(byMessage('timer failed')?.app, 'a');
      assert.equal(byMessage('ticker failed')?.app, 'b', 'outside a request: by the stack');
      assert.equal(byMessage('ticker failed')?.file, 'b/ticker.ts');
      assert.match((await get(`${url}/a`)).body, /^alive /);
      const registry = JSON.parse((await get(`${url}/-/registry`)).body);
      assert.equal(registry.uncaught.total, 3);
      const app = (name: string) => registry.apps.find((x: { name: string }) => x.name === name);
      assert.equal(app('a').uncaught, 2);
      assert.equal(app('b').uncaught, 1);
      assert.equal(proc.child.exitCode, null, 'still running');
    } finally {
      await proc.stop();
    }
  });

  it('under --workers, a stream of them never stops the cluster', async () => {
    const proc = startCli(['serve', '--port', '0', '--workers', '2'], { cwd: project.dir });
    try {
      const url = await readyUrl(proc);
      for (let i = 0; i < 12; i++) {
        await until(async () => (await get(`${url}/a/fire`)).body === 'fired', `request ${i}`);
      }
      assert.match((await get(`${url}/a`)).body, /^alive /);
      assert.equal(proc.child.exitCode, null, 'the primary still runs');
      assert.doesNotMatch(proc.stdout() + proc.stderr(), /giving up|died/);
    } finally {
      await proc.stop();
    }
  });
});

describe('bin/hotpub serve: a warning for --dev on a non-loopback host (issue 13 #11)', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    project = await tempProject({ 'apps/a/index.ts': "export function index() { return 'a'; }\n" });
  });
  after(() => project.remove());

  it('prints one warning line with --dev --host 0.0.0.0, none on loopback', async () => {
    const open = startCli(['serve', '--port', '0', '--dev', '--host', '0.0.0.0'], {
      cwd: project.dir,
    });
    try {
      await readyUrl(open);
      const warnings = open
        .stderr()
        .split('\n')
        .filter((l) => /warning/i.test(l));
      assert.equal(warnings.length, 1, open.stderr());
      assert.match(warnings[0]!, /--dev.*0\.0\.0\.0/);
    } finally {
      await open.stop();
    }
    const local = startCli(['serve', '--port', '0', '--dev'], { cwd: project.dir });
    try {
      await readyUrl(local);
      assert.equal(local.stderr(), '');
    } finally {
      await local.stop();
    }
  });
});
