/**
 * Cold start: `hotpub serve` loads a heavy dependency only when something needs it.
 * A preload reports, as each request starts, the CommonJS packages loaded so far: before
 * the first request there is no ajv (no schema, no app.json yet), busboy (no multipart
 * body), serve-static (no static file) or express (no middleware). The same probe then
 * sees each of them arrive when a request needs it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliProcess, get, readyUrl, startCli, tempProject } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait.js';

const PROBE = join(import.meta.dirname, '..', 'fixtures', 'cold-start', 'report-packages.mjs');
const LAZY = ['ajv', 'busboy', 'serve-static', 'express'];

/**
 * The packages the probe reported as request `n` (1-based) started. Waited for: stderr
 * may reach this process after the response does.
 */
function report(proc: CliProcess, n: number): Promise<string[]> {
  return waitFor(() => [...proc.stderr().matchAll(/^packages: (.*)$/gm)][n - 1]?.[1]?.split(','), {
    message: `the probe's report of request ${n}`,
  });
}

async function multipart(url: string): Promise<number> {
  const body = new FormData();
  body.set('n', '1');
  return (await fetch(url, { method: 'POST', body })).status;
}

describe('cold start', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    project = await tempProject({
      'apps/a/index.ts': `export function index() { return 'a'; }
export function form(args: { n?: number }) { return args; }
form.schema = { type: 'object', properties: { n: { type: 'integer' } } };`,
      'apps/a/public/style.css': 'body {}',
      'with-json/b/index.ts': `export function index() { return 'b'; }`,
      'with-json/b/app.json': '{ "mount": "/b" }',
    });
  });
  after(() => project.remove());

  it('loads ajv, busboy, serve-static and express only at the first request that needs them', async () => {
    const proc = startCli(['serve', '--port', '0'], {
      cwd: project.dir,
      nodeArgs: ['--import', PROBE],
    });
    try {
      const url = await readyUrl(proc);
      assert.equal((await get(`${url}/a`)).status, 200);
      const first = await report(proc, 1);
      assert.ok(first.includes('path-to-regexp'), `the probe sees packages: ${first}`);
      assert.deepEqual(
        LAZY.filter((p) => first.includes(p)),
        [],
        'loaded before the first request',
      );
      assert.equal((await get(`${url}/a/form?n=2`)).status, 200);
      assert.equal((await get(`${url}/a/style.css`)).status, 200);
      assert.equal(await multipart(`${url}/a/form`), 200);
      assert.equal((await get(`${url}/a`)).status, 200);
      const last = await report(proc, 5);
      assert.deepEqual(
        ['ajv', 'busboy', 'serve-static'].filter((p) => !last.includes(p)),
        [],
        'loaded once a request needed them',
      );
    } finally {
      await proc.stop();
    }
  });

  it('loads ajv at start-up when an app has an app.json to validate', async () => {
    const proc = startCli(['serve', '--port', '0', '--apps', 'with-json'], {
      cwd: project.dir,
      nodeArgs: ['--import', PROBE],
    });
    try {
      const url = await readyUrl(proc);
      assert.equal((await get(`${url}/b`)).status, 200);
      assert.ok((await report(proc, 1)).includes('ajv'), proc.stderr());
    } finally {
      await proc.stop();
    }
  });
});
