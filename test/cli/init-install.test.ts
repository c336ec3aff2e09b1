// `hotpub init` makes a project a newcomer can `npm install` and run: hotpub is not on the
// npm registry, so the project depends on this hotpub's directory (`file:`), and the
// project's own `hotpub` executable (node_modules/.bin, what `npx hotpub` runs) serves it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { get, readyUrl, runCli, startCli, tempProject } from '../helpers/cli-process.js';

const REPO = join(import.meta.dirname, '..', '..');

/** Runs npm (offline: nothing is fetched) in `cwd`; resolves with its status and output. */
function npmInstall(cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // tsx's loader must not reach npm
    const child = spawn('npm', ['install', '--offline', '--no-audit', '--no-fund'], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    // Bounded: npm hanging must fail the test, not hold it.
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('init + npm install', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    project = await tempProject({});
  });
  after(() => project.remove());

  it('depends on this hotpub, installs offline, and its own hotpub serves the app', async (t) => {
    const init = await runCli(['init', 'fresh'], { cwd: project.dir });
    assert.equal(init.code, 0, init.stderr);
    const cwd = join(project.dir, 'fresh');
    const pkgFile = join(cwd, 'package.json');
    const pkg = JSON.parse(await readFile(pkgFile, 'utf8'));
    assert.equal(pkg.dependencies.hotpub, `file:${await realpath(REPO)}`);

    let installed = await npmInstall(cwd);
    if (installed.code !== 0 && /ENOTCACHED/.test(installed.output)) {
      // The dev tools (typescript, @types/node) are not in this machine's npm cache: the
      // hotpub dependency is what this test is about, so install without them.
      t.diagnostic('npm cache lacks the devDependencies; installing hotpub alone');
      delete pkg.devDependencies;
      await writeFile(pkgFile, JSON.stringify(pkg, null, 2));
      installed = await npmInstall(cwd);
    }
    assert.equal(installed.code, 0, installed.output);
    const linked = join(cwd, 'node_modules', 'hotpub');
    assert.equal(await realpath(linked), await realpath(REPO));
    assert.equal(JSON.parse(await readFile(join(linked, 'package.json'), 'utf8')).name, 'hotpub');

    const proc = startCli(['serve', '--port', '0'], {
      cwd,
      bin: join(cwd, 'node_modules', '.bin', 'hotpub'),
    });
    try {
      const url = await readyUrl(proc);
      const home = await get(`${url}/site`);
      assert.equal(home.status, 200, home.body);
      assert.match(home.body, /served 1 time/);
    } finally {
      await proc.stop();
    }
  });
});
