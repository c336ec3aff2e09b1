// The real bin/hotpub: every failure is one `hotpub: ...` line on stderr and a
// non-zero status (2 for usage, 1 at run time), never a stack trace.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempProject } from '../helpers/cli-process.js';

function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${stderr}`);
  assert.match(lines[0]!, /^hotpub: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('bin/hotpub errors', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    project = await tempProject({
      'apps/blog/index.ts': 'export function index() { return "hi"; }',
    });
  });
  after(() => project.remove());

  const usage: Array<[string[], RegExp]> = [
    [['serve', '--prot', '3000'], /unknown option '--prot'/],
    [['serve', '--port', 'eighty'], /--port must be a port number 0-65535, got "eighty"/],
    [['serve', '--workers', 'many'], /--workers/],
    [['dev', '--body-limit', 'big'], /--body-limit/],
    [['launch'], /unknown command "launch"/],
    [['new', 'app', '_private'], /app name "_private" cannot be a URL segment/],
    [['new', 'app', 'x', '--template', 'nope'], /unknown template "nope"/],
  ];
  for (const [args, pattern] of usage) {
    it(`exits 2 on: hotpub ${args.join(' ')}`, async () => {
      const r = await runCli(args, { cwd: project.dir });
      assert.equal(r.code, 2, r.stderr);
      assertOneLine(r.stderr, pattern);
      assert.equal(r.stdout, '');
    });
  }

  it('exits 2 on a bad PORT variable, naming it', async () => {
    const r = await runCli(['serve'], { cwd: project.dir, env: { PORT: 'abc' } });
    assert.equal(r.code, 2);
    assertOneLine(r.stderr, /PORT must be a port number/);
  });

  it('exits 1 when the apps directory is missing, naming it', async () => {
    const r = await runCli(['serve', '--apps', 'nowhere', '--port', '0'], { cwd: project.dir });
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, /apps directory nowhere does not exist/);
  });

  it('exits 1 when the default ./apps is missing', async () => {
    const empty = await tempProject({});
    try {
      const r = await runCli(['serve', '--port', '0'], { cwd: empty.dir });
      assert.equal(r.code, 1);
      assertOneLine(r.stderr, /apps directory apps does not exist/);
    } finally {
      await empty.remove();
    }
  });

  describe('port in use', () => {
    let blocker: Server;
    let port: number;
    before(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      port = (blocker.address() as { port: number }).port;
    });
    after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

    it('exits 1 with one line naming the port', async () => {
      const r = await runCli(['serve', '--port', String(port)], { cwd: project.dir });
      assert.equal(r.code, 1);
      assertOneLine(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    });

    it('exits 1 with one line under --workers 2 too', async () => {
      const r = await runCli(['serve', '--port', String(port), '--workers', '2'], {
        cwd: project.dir,
      });
      assert.equal(r.code, 1);
      assertOneLine(r.stderr, new RegExp(`port ${port} .* already in use`));
    });
  });

  const configs: Array<[string, string, RegExp]> = [
    ['a bad field', 'export default { port: "80" };', /hotpub\.config\.ts: field "port" must be/],
    [
      'an unknown field',
      'export default { prot: 80 };',
      /hotpub\.config\.ts: unknown field "prot"/,
    ],
    ['a syntax error', 'export default {\n  port: 80,,\n};', /hotpub\.config\.ts:2:\d+: /],
    [
      'a throw',
      'throw new Error("no db");\nexport default {};',
      /hotpub\.config\.ts:1:7: failed to load: no db/,
    ],
    [
      'a throw in a file it imports',
      "import { port } from './lib/port.js';\nexport default { port: port() };",
      /hotpub: lib[\\/]port\.ts:2:9: failed to load: no port$/,
    ],
    [
      'a package that is not installed',
      "import cors from 'hotpub-test-no-such-package';\nexport default { middleware: [cors()] };",
      /^hotpub: hotpub\.config\.ts:1:18: failed to load: Cannot find package 'hotpub-test-no-such-package' imported from [^\n]*[\\/]hotpub\.config\.ts$/,
    ],
    ['bad middleware', 'export default { middleware: ["cors"] };', /field "middleware\[0\]"/],
  ];
  for (const [what, source, pattern] of configs) {
    it(`exits 1 on a config with ${what}, naming the file and field`, async () => {
      const p = await tempProject({
        'apps/a/index.ts': 'export function index() {}',
        'hotpub.config.ts': source,
        'lib/port.ts': 'export function port(): number {\n  throw new Error("no port");\n}\n',
      });
      try {
        const r = await runCli(['serve', '--port', '0'], { cwd: p.dir });
        assert.equal(r.code, 1);
        assertOneLine(r.stderr, pattern);
        // The temp bundle is neither named nor left behind.
        assert.doesNotMatch(r.stderr, /\.mjs/);
        assert.deepEqual(
          (await readdir(p.dir)).filter((n) => n.endsWith('.mjs')),
          [],
        );
      } finally {
        await p.remove();
      }
    });
  }

  it('exits 1 naming app.json when an app config is bad', async () => {
    const p = await tempProject({
      'apps/a/index.ts': 'export function index() {}',
      'apps/a/app.json': '{ "mount": 5 }',
    });
    try {
      const r = await runCli(['serve', '--port', '0'], { cwd: p.dir });
      assert.equal(r.code, 1);
      assertOneLine(r.stderr, /app\.json/);
    } finally {
      await p.remove();
    }
  });

  it('--help and --version exit 0 on stdout', async () => {
    const help = await runCli(['--help'], { cwd: project.dir });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: hotpub <command>/);
    assert.equal(help.stderr, '');
    const serveHelp = await runCli(['serve', '--help'], { cwd: project.dir });
    assert.match(serveHelp.stdout, /--drain-timeout MS/);
    const version = await runCli(['--version'], { cwd: project.dir });
    const pkg = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
    );
    assert.equal(version.stdout.trim(), pkg.version);
  });
});
