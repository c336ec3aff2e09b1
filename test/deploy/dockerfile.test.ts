/**
 * docs/deploy/Dockerfile. No container engine runs on this machine, so the image is never
 * built here; what is checked is the file and its commands: two stages, the first
 * installing production dependencies only, a non-root user, a HEALTHCHECK on /-/health.
 * Then each command is run as the image would run it: the first stage's `npm ci
 * --omit=dev` (offline) on the package files of a project made by `hotpub init`, the
 * final stage's CMD over the files it copies, and the HEALTHCHECK against it (exit 0 while
 * it serves, 1 once it is gone).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readyUrl, runCli, startCli, tempProject } from '../helpers/cli-process.js';
import { freePort } from '../helpers/nginx.js';

/** One instruction: its keyword and its argument text (continuations joined). */
interface Instruction {
  op: string;
  args: string;
}

function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    if (pending === '' && (raw.trim() === '' || raw.trim().startsWith('#'))) continue;
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const m = /^([A-Z]+)\s+(.*)$/.exec(full);
    assert.ok(m, `not an instruction: ${full}`);
    out.push({ op: m[1]!, args: m[2]! });
  }
  return out;
}

/** Runs `cmd` (offline npm, no tsx loader); resolves with status and output. */
function run(
  cmd: string,
  args: string[],
  cwd: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('Dockerfile (docs/deploy/Dockerfile)', { timeout: 240_000 }, () => {
  const steps = parseDockerfile(readFileSync('docs/deploy/Dockerfile', 'utf8'));
  const froms = steps.flatMap((s, i) => (s.op === 'FROM' ? [i] : []));
  const stage1 = steps.slice(froms[0], froms[1]);
  const stage2 = steps.slice(froms[1]);
  const json = (s: Instruction | undefined, prefix = '') =>
    JSON.parse((s?.args ?? '').slice(prefix.length).trim()) as string[];

  it('is multi-stage, production dependencies only, non-root, with a HEALTHCHECK', () => {
    assert.equal(froms.length, 2, 'two stages');
    assert.match(stage1[0]!.args, / AS deps$/);
    assert.ok(stage1.some((s) => s.op === 'RUN' && /^npm ci --omit=dev\b/.test(s.args)));
    assert.ok(stage2.some((s) => s.op === 'COPY' && s.args.startsWith('--from=deps ')));
    const user = stage2.find((s) => s.op === 'USER');
    assert.ok(user && !['root', '0'].includes(user.args), 'runs as a non-root user');
    assert.ok(
      stage2.findIndex((s) => s.op === 'USER') < stage2.findIndex((s) => s.op === 'CMD'),
      'USER before CMD',
    );
    const hc = stage2.find((s) => s.op === 'HEALTHCHECK')!;
    assert.match(hc.args, /CMD \[.*\/-\/health/);
  });

  it('its commands work: npm ci --omit=dev, the CMD, the HEALTHCHECK', async (t) => {
    const tmp = await tempProject({});
    try {
      // A project as `hotpub init` makes it, with its lock file.
      assert.equal((await runCli(['init', 'site'], { cwd: tmp.dir })).code, 0);
      const project = join(tmp.dir, 'site');
      const pkgFile = join(project, 'package.json');
      let installed = await run(
        'npm',
        ['install', '--offline', '--no-audit', '--no-fund'],
        project,
      );
      if (installed.code !== 0 && /ENOTCACHED/.test(installed.out)) {
        t.diagnostic('npm cache lacks the devDependencies; the project keeps hotpub alone');
        const pkg = JSON.parse(await readFile(pkgFile, 'utf8'));
        delete pkg.devDependencies;
        await writeFile(pkgFile, JSON.stringify(pkg, null, 2));
        installed = await run('npm', ['install', '--offline', '--no-audit', '--no-fund'], project);
      }
      assert.equal(installed.code, 0, installed.out);

      // Stage 1: COPY package.json package-lock.json, then its RUN (offline here).
      const deps = join(tmp.dir, 'deps');
      await mkdir(deps);
      for (const f of ['package.json', 'package-lock.json'])
        await cp(join(project, f), join(deps, f));
      const npmCi = stage1.find((s) => s.op === 'RUN')!.args.split(/\s+/);
      const ci = await run(npmCi[0]!, [...npmCi.slice(1), '--offline'], deps);
      assert.equal(ci.code, 0, ci.out);

      // Stage 2: the COPYs into WORKDIR, then the CMD on a free port.
      const app = join(tmp.dir, 'app');
      await mkdir(app);
      await cp(join(deps, 'node_modules'), join(app, 'node_modules'), {
        recursive: true,
        verbatimSymlinks: true,
      });
      await cp(join(project, 'package.json'), join(app, 'package.json'));
      await cp(join(project, 'apps'), join(app, 'apps'), { recursive: true });
      const port = await freePort();
      const cmd = json(stage2.find((s) => s.op === 'CMD')).map((a) =>
        a === '3000' ? String(port) : a,
      );
      assert.equal(cmd[0], 'node');
      const proc = startCli(cmd.slice(2), { cwd: app, bin: join(app, cmd[1]!) });
      const hc = stage2.find((s) => s.op === 'HEALTHCHECK')!;
      const check = json(hc, hc.args.slice(0, hc.args.indexOf('CMD ') + 4)).map((a) =>
        a.replace('127.0.0.1:3000', `127.0.0.1:${port}`),
      );
      assert.equal(check[0], 'node');
      try {
        await readyUrl(proc);
        const healthy = await run(process.execPath, check.slice(1), app);
        assert.equal(healthy.code, 0, `HEALTHCHECK while serving: ${healthy.out}`);
        proc.child.kill('SIGTERM');
        assert.deepEqual(await proc.exited, { code: 0, signal: null });
        const gone = await run(process.execPath, check.slice(1), app);
        assert.equal(gone.code, 1, 'HEALTHCHECK once it is gone');
      } finally {
        await proc.stop();
      }
    } finally {
      await tmp.remove();
    }
  });
});
