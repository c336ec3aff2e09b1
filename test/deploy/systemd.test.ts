/**
 * docs/deploy/hotpub.service, run as systemd would run it (systemd itself is not here):
 * its ExecStart in the release layout it describes (`/srv/site` mapped to a temp
 * directory, `/usr/bin/node` to this node, PORT to a free port), a release switch applied
 * by its ExecReload (`/bin/kill -HUP $MAINPID`) under load with 0 failed and 0 mixed, then
 * its KillSignal stopping it with exit 0.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readyUrl, startCli } from '../helpers/cli-process.js';
import { releaseLoad, siteRelease } from '../helpers/deploy-load.js';
import { makeReleases } from '../helpers/releases.js';
import { waitFor } from '../helpers/wait.js';

const REPO = join(import.meta.dirname, '..', '..');

/** The `[Service]` keys of a unit file (repeated keys, like Environment, in order). */
function serviceOf(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of unit.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (section !== 'Service' || eq < 0) continue;
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

describe('systemd unit (docs/deploy/hotpub.service)', { timeout: 120_000 }, () => {
  it('ExecStart serves the release layout; ExecReload switches it; KillSignal stops it', async () => {
    const service = serviceOf(readFileSync('docs/deploy/hotpub.service', 'utf8'));
    assert.deepEqual(service.get('ExecReload'), ['/bin/kill -HUP $MAINPID']);
    assert.deepEqual(service.get('KillSignal'), ['SIGTERM']);
    assert.equal(service.get('Type')?.[0], 'simple', 'the main process is the one to signal');
    assert.ok(service.get('User')?.[0] && service.get('User')?.[0] !== 'root', 'not root');

    const rel = await makeReleases('release');
    try {
      for (let n = 1; n <= 2; n++) {
        await rel.write(n, siteRelease(n));
        await mkdir(join(rel.appsOf(n), '..', 'node_modules'), { recursive: true });
        await symlink(REPO, join(rel.appsOf(n), '..', 'node_modules', 'hotpub'));
      }
      await rel.switchTo(1);
      const site = (s: string) => s.replaceAll('/srv/site', rel.base);
      const [node, bin, ...args] = site(service.get('ExecStart')![0]!).split(/\s+/);
      assert.equal(node, '/usr/bin/node');
      const env: Record<string, string> = {};
      for (const e of service.get('Environment') ?? []) {
        const [k, v] = e.split('=') as [string, string];
        env[k] = v;
      }
      assert.equal(env.PORT, '3000');
      env.PORT = '0';
      const proc = startCli(args, { cwd: site(service.get('WorkingDirectory')![0]!), env, bin });
      try {
        const url = await readyUrl(proc);
        assert.match(proc.stdout(), /\(2 workers\)/);
        const load = releaseLoad(`${url}/site`, 8);
        try {
          await waitFor(() => load.served() > 8, { message: 'served' });
          await rel.switchTo(2);
          const [kill, ...killArgs] = service
            .get('ExecReload')![0]!
            .replace('$MAINPID', String(proc.child.pid))
            .split(' ');
          const r = spawnSync(kill!, killArgs);
          assert.equal(r.status, 0, String(r.stderr));
          await waitFor(() => load.latest() === 2 || load.failures.length > 0, {
            message: 'release 2 after ExecReload',
          });
        } finally {
          await load.stop();
        }
        assert.deepEqual(load.failures.slice(0, 5), [], `${load.failures.length} failed`);
        assert.deepEqual(load.mixed.slice(0, 5), [], `${load.mixed.length} mixed`);
        proc.child.kill(service.get('KillSignal')![0] as NodeJS.Signals);
        assert.deepEqual(await proc.exited, { code: 0, signal: null });
      } finally {
        await proc.stop();
      }
    } finally {
      await rel.remove();
    }
  });
});
