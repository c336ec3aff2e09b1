/**
 * docs/deploy/nginx.conf and nginx-lb.conf, run by Debian's nginx in front of the real
 * bin/hotpub (only their ports mapped to free ones): release switches applied with SIGHUP
 * under keep-alive load through nginx fail no request and mix no response; behind the
 * load balancer config, one host can be switched and then shut down while the other
 * keeps serving, and nginx moves its requests over.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type CliProcess, readyUrl, startCli } from '../helpers/cli-process.js';
import { releaseLoad, siteRelease } from '../helpers/deploy-load.js';
import { freePort, type Nginx, skipWithoutNginx, startNginx } from '../helpers/nginx.js';
import { makeReleases, type Releases } from '../helpers/releases.js';
import { waitFor } from '../helpers/wait.js';

const skip = skipWithoutNginx();
const doc = (name: string) => readFileSync(`docs/deploy/${name}`, 'utf8');

/** A "host": a release directory and bin/hotpub serving `current`. */
async function host(): Promise<{ rel: Releases; proc: CliProcess; port: number }> {
  const rel = await makeReleases();
  for (let n = 1; n <= 3; n++) await rel.write(n, siteRelease(n));
  await rel.switchTo(1);
  const proc = startCli(['serve', '--apps', rel.current, '--port', '0'], { cwd: rel.base });
  const port = Number(new URL(await readyUrl(proc)).port);
  return { rel, proc, port };
}

describe('nginx in front (docs/deploy)', { skip, timeout: 120_000 }, () => {
  it('nginx.conf: release switches with SIGHUP under keep-alive load, 0 failed, 0 mixed', async () => {
    const h = await host();
    let nginx: Nginx | undefined;
    try {
      const port = await freePort();
      const site = doc('nginx.conf')
        .replace('server 127.0.0.1:3000;', `server 127.0.0.1:${h.port};`)
        .replace('listen 80;', `listen 127.0.0.1:${port};`);
      assert.ok(site.includes(`127.0.0.1:${h.port}`) && site.includes(`:${port};`), 'ports mapped');
      nginx = await startNginx(site, port);
      const load = releaseLoad(`${nginx.url}/site`, 16);
      try {
        await waitFor(() => load.served() > 16, { message: 'served through nginx' });
        for (let n = 2; n <= 3; n++) {
          await h.rel.switchTo(n);
          h.proc.child.kill('SIGHUP');
          await waitFor(() => load.latest() === n || load.failures.length > 0, {
            message: `release ${n} through nginx`,
          });
        }
      } finally {
        await load.stop();
      }
      assert.deepEqual(load.failures.slice(0, 5), [], `${load.failures.length} failed`);
      assert.deepEqual(load.mixed.slice(0, 5), [], `${load.mixed.length} mixed`);
      assert.doesNotMatch(await nginx.errors(), /upstream prematurely closed|\[error\]/);
    } finally {
      await nginx?.stop();
      await h.proc.stop();
      await h.rel.remove();
    }
  });

  it('nginx-lb.conf: two hosts switched one after the other, then one shut down', async () => {
    const a = await host();
    const b = await host();
    let nginx: Nginx | undefined;
    try {
      const port = await freePort();
      const site = doc('nginx-lb.conf')
        .replace('10.0.0.11:3000', `127.0.0.1:${a.port}`)
        .replace('10.0.0.12:3000', `127.0.0.1:${b.port}`)
        .replace('listen 80;', `listen 127.0.0.1:${port};`);
      nginx = await startNginx(site, port);
      const load = releaseLoad(`${nginx.url}/site`, 16);
      try {
        await waitFor(() => load.served() > 16, { message: 'served through the LB' });
        // The same switch on each host, as a deploy script does it.
        for (const h of [a, b]) {
          await h.rel.switchTo(2);
          h.proc.child.kill('SIGHUP');
        }
        await waitFor(() => load.latest() === 2 || load.failures.length > 0, {
          message: 'release 2 through the LB',
        });
        // Host a leaves (a restart, a new machine): nginx sends its requests to b.
        a.proc.child.kill('SIGTERM');
        assert.deepEqual(await a.proc.exited, { code: 0, signal: null });
        const before = load.served();
        await waitFor(() => load.served() > before + 50 || load.failures.length > 0, {
          message: 'served by the remaining host',
        });
      } finally {
        await load.stop();
      }
      assert.deepEqual(load.failures.slice(0, 5), [], `${load.failures.length} failed`);
      assert.deepEqual(load.mixed.slice(0, 5), [], `${load.mixed.length} mixed`);
    } finally {
      await nginx?.stop();
      await a.proc.stop();
      await b.proc.stop();
      await a.rel.remove();
      await b.rel.remove();
    }
  });
});
