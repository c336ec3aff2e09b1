// The default storage (SQLite under .data/ in the cwd) with the real bin/hotpub: shared by
// --workers 2, whole under concurrent writes from both, kept across a restart; the
// example API on it; and one clear line for a bad HOTPUB_SECRET or HOTPUB_STORAGE_URL.
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type CliProcess,
  get,
  readyUrl,
  runCli,
  startCli,
  TIMEOUT_MS,
  tempProject,
} from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait.js';

const REPO = join(import.meta.dirname, '..', '..');

const PROBE = `import { storage } from 'hotpub';
export async function put(args: { k: string }) {
  await storage.setItem('k:' + args.k, { k: args.k, pid: process.pid });
  // Every writer rewrites one key with a large value: a torn write would show.
  await storage.setItem('shared', { k: args.k, pad: args.k.repeat(5000) });
  return String(process.pid);
}
export async function count() { return (await storage.getKeys('k')).length; }
export async function shared() {
  const v = (await storage.getItem('shared')) as { k: string; pad: string };
  return v.pad === v.k.repeat(5000) ? 'whole' : 'torn';
}
`;

/** A POST with a JSON body on a fresh connection (so cluster workers take turns). */
function post(url: string, body: unknown): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `tasks` with at most `width` at a time. */
async function pool<T>(tasks: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

describe('the default storage under bin/hotpub serve --workers 2', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  let proc: CliProcess;
  let url: string;
  const N = 120;
  before(async () => {
    project = await tempProject({ 'apps/probe/kv.ts': PROBE });
    await cp(join(REPO, 'apps', 'api'), join(project.dir, 'apps', 'api'), { recursive: true });
    proc = startCli(['serve', '--port', '0', '--workers', '2'], { cwd: project.dir });
    url = await readyUrl(proc);
  });
  after(async () => {
    await proc.stop();
    await project.remove();
  });

  it('takes concurrent writes from both workers and keeps each one whole', async () => {
    const pids = await pool(
      Array.from(
        { length: N },
        (_, i) => async () => (await get(`${url}/probe/kv/put?k=${i}`)).body,
      ),
      12,
    );
    assert.ok(new Set(pids).size >= 2, `both workers wrote (pids: ${[...new Set(pids)]})`);
    assert.equal((await get(`${url}/probe/kv/count`)).body, String(N));
    assert.equal((await get(`${url}/probe/kv/shared`)).body, 'whole');
  });

  it('runs the example API right: todos made on both workers are one list', async () => {
    const made = await pool(
      Array.from(
        { length: 30 },
        (_, i) => () => post(`${url}/api/w/todos/create`, { title: `t${i}` }),
      ),
      6,
    );
    assert.deepEqual(
      made.map((r) => r.status),
      made.map(() => 200),
    );
    for (let i = 0; i < 4; i++) {
      // Any worker answers with all 30.
      const list = JSON.parse((await get(`${url}/api/w/todos/list`)).body) as Array<{ id: number }>;
      assert.equal(list.length, 30);
      assert.equal(new Set(list.map((t) => t.id)).size, 30);
    }
  });

  it('keeps everything across a restart (.data/ in the working directory)', async () => {
    proc.child.kill('SIGTERM');
    assert.equal((await proc.exited).code, 0);
    proc = startCli(['serve', '--port', '0'], { cwd: project.dir });
    url = await readyUrl(proc);
    assert.equal((await get(`${url}/probe/kv/count`)).body, String(N));
    assert.equal(JSON.parse((await get(`${url}/api/w/todos/list`)).body).length, 30);
  });
});

describe('bin/hotpub dev --workers 2 without a secret', () => {
  it('makes up one secret for all workers: a session made by one is read by the other', async () => {
    const project = await tempProject({
      'apps/s/cart.ts': `import type { Context } from 'hotpub';
export function add(_: unknown, ctx: Context) { ctx.session.n = 1; return String(process.pid); }
export function view(_: unknown, ctx: Context) { return process.pid + ' ' + (ctx.session.n ?? 'none'); }
`,
    });
    const env: Record<string, string> = { HOTPUB_SECRET: '' };
    const proc = startCli(['serve', '--dev', '--port', '0', '--workers', '2'], {
      cwd: project.dir,
      env,
    });
    try {
      const url = await readyUrl(proc);
      const made = await get(`${url}/s/cart/add`);
      const cookie = String((made.headers['set-cookie'] as string[])[0]).split(';')[0]!;
      const seen = new Map<string, string>();
      await waitFor(
        async () => {
          const [pid, n] = (await get(`${url}/s/cart/view`, { cookie })).body.split(' ');
          seen.set(pid!, n!);
          return seen.size >= 2;
        },
        { timeoutMs: TIMEOUT_MS, message: 'both workers to answer' },
      );
      assert.deepEqual([...seen.values()], ['1', '1']);
      assert.ok(seen.has(made.body), 'one of them made it');
    } finally {
      await proc.stop();
      await project.remove();
    }
  });
});

describe('bin/hotpub serve with a bad secret or storage URL', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    project = await tempProject({ 'apps/a/index.ts': 'export function index() { return 1; }' });
  });
  after(() => project.remove());

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'a short HOTPUB_SECRET',
      { HOTPUB_SECRET: 'short' },
      /^hotpub: HOTPUB_SECRET: the secret is 5 characters; use at least 32/,
    ],
    [
      'a second secret that is too short',
      { HOTPUB_SECRET: `${'a'.repeat(32)},b` },
      /^hotpub: HOTPUB_SECRET: secret 2 of 2 is 1 characters/,
    ],
    [
      'a HOTPUB_STORAGE_URL that is not redis://',
      { HOTPUB_STORAGE_URL: 'http://user:pw@example/x' },
      /^hotpub: HOTPUB_STORAGE_URL must be a redis:\/\/ or rediss:\/\/ URL .*"http:\/\/\*\*\*@example\/x"$/,
    ],
  ];
  for (const [what, env, pattern] of cases) {
    it(`exits 1 with one line on ${what}`, async () => {
      const r = await runCli(['serve', '--port', '0'], { cwd: project.dir, env });
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, pattern);
    });
  }
});
