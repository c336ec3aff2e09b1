// The real bin/hotpub: the ready line lists every app, --workers says keep() is per
// process, --admin-token is checked, `routes` fails on unusable methods and schemas, and
// `openapi` writes the document.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startCli, tempProject } from '../helpers/cli-process.js';

const APPS = {
  'apps/site/index.ts': 'export function index() { return "site"; }\n',
  'apps/api/app.json': JSON.stringify({ mount: '/api/:tenant' }),
  'apps/api/todos.ts': 'export function list() { return []; }\n',
};

describe('bin/hotpub: first look', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    project = await tempProject(APPS);
  });
  after(() => project.remove());

  it('lists every app with its URL under the ready line (a pattern as written)', async () => {
    const proc = startCli(['serve', '--port', '0'], { cwd: project.dir });
    try {
      const m = await proc.printed(/ {2}site {2}(http:\/\/127\.0\.0\.1:\d+)\/site\n/);
      const url = m[1]!;
      assert.match(proc.stdout(), /^hotpub: serving apps at http:\/\/127\.0\.0\.1:\d+\n/);
      assert.ok(proc.stdout().includes(`  api   ${url}/api/:tenant\n`), proc.stdout());
      assert.doesNotMatch(proc.stdout(), /dashboard/, 'no dashboard in production');
    } finally {
      await proc.stop();
    }
  });

  it('links the dashboard under --dev', async () => {
    const proc = startCli(['dev', '--port', '0'], { cwd: project.dir });
    try {
      await proc.printed(/ {2}dashboard {2}http:\/\/127\.0\.0\.1:\d+\/-\/\n/);
    } finally {
      await proc.stop();
    }
  });

  it('says once that keep() is per process with --workers 2', async () => {
    const proc = startCli(['serve', '--port', '0', '--workers', '2'], { cwd: project.dir });
    try {
      await proc.printed(/keep\(\) and import\.meta\.hot\.data are per process/);
      await proc.printed(/ {2}site {2}http/);
      assert.equal(proc.stdout().match(/per process/g)?.length, 1);
      assert.match(proc.stdout(), /shared storage/);
    } finally {
      await proc.stop();
    }
  });

  it('refuses an admin token shorter than 16 characters (one line, exit 2)', async () => {
    const flag = await runCli(['serve', '--admin-token', 'short'], { cwd: project.dir });
    assert.equal(flag.code, 2);
    assert.equal(
      flag.stderr,
      'hotpub: --admin-token must be at least 16 characters (e.g. openssl rand -hex 16)\n',
    );
    const env = await runCli(['serve'], { cwd: project.dir, env: { HOTPUB_ADMIN_TOKEN: 'short' } });
    assert.equal(env.code, 2);
    assert.match(env.stderr, /^hotpub: HOTPUB_ADMIN_TOKEN must be at least 16/);
    assert.doesNotMatch(env.stderr + env.stdout, /short/, 'the token itself is never printed');
  });
});

describe('bin/hotpub routes as a CI check', () => {
  it('exits 1 naming the file and function of a misspelt method', async () => {
    const project = await tempProject({
      'apps/notes/index.ts':
        "export function index() { return 'ok'; }\nexport function save() { return 1; }\nsave.methods = ['GTE'];\n",
    });
    try {
      const r = await runCli(['routes'], { cwd: project.dir });
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        'hotpub: apps/notes/index.ts#save: fn.methods: "GTE" is not an HTTP method\n',
      );
      assert.match(r.stdout, /\/notes\/save +-> +apps\/notes\/index\.ts#save +invalid: /);
    } finally {
      await project.remove();
    }
  });

  it('exits 1 naming the file and function of a schema ajv refuses', async () => {
    const project = await tempProject({
      'apps/notes/index.ts':
        "export function add(a: unknown) { return a; }\nadd.schema = { type: 'object', requird: ['title'] };\n",
    });
    try {
      const r = await runCli(['routes'], { cwd: project.dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^hotpub: apps\/notes\/index\.ts#add: Invalid fn\.schema: .*requird/);
    } finally {
      await project.remove();
    }
  });
});

describe('bin/hotpub openapi', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    project = await tempProject(APPS);
  });
  after(() => project.remove());

  it('writes the document to --out, or prints it', async () => {
    const r = await runCli(['openapi', '--out', 'openapi.json'], { cwd: project.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hotpub: wrote openapi.json\n');
    const doc = JSON.parse(await readFile(join(project.dir, 'openapi.json'), 'utf8'));
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/api/{tenant}/todos/list', '/site']);
    const printed = await runCli(['openapi'], { cwd: project.dir });
    assert.deepEqual(JSON.parse(printed.stdout), doc);
  });

  it('fails without writing when a module does not load', async () => {
    const broken = await tempProject({ 'apps/x/index.ts': 'export const = ;\n' });
    try {
      const r = await runCli(['openapi', '--out', 'o.json'], { cwd: broken.dir });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^hotpub: apps\/x\/index\.ts failed to load: /);
      await assert.rejects(readFile(join(broken.dir, 'o.json')));
    } finally {
      await broken.remove();
    }
  });
});
