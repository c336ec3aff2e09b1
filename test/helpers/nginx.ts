/**
 * Debian's nginx, run unprivileged for a test: the site config of docs/deploy (its ports
 * mapped to free ones) inside a minimal main config with every path in a temp directory.
 * A test that needs nginx skips with one line naming the package when it is missing,
 * and fails instead under CI (`CI=true`), where .ci/run installs it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', 'nginx'];

/** The nginx binary, or undefined. */
export function findNginx(): string | undefined {
  for (const bin of CANDIDATES) {
    const r = spawnSync(bin, ['-v'], { stdio: 'ignore' });
    if (r.status === 0) return bin;
  }
  return undefined;
}

/** `skip` for node:test: false with nginx; the reason without it; throws under CI. */
export function skipWithoutNginx(): false | string {
  if (findNginx()) return false;
  const why =
    'nginx not installed: Debian package nginx (sudo apt-get install -y --no-install-recommends nginx)';
  if (process.env.CI === 'true') throw new Error(`${why}; CI must have it (.ci/run installs it)`);
  return why;
}

/** A free TCP port on 127.0.0.1 (closed again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A running nginx. */
export interface Nginx {
  url: string;
  child: ChildProcess;
  errors(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts nginx with `site` (a server/upstream config for the http context) on `port`. */
export async function startNginx(site: string, port: number): Promise<Nginx> {
  const bin = findNginx();
  if (!bin) throw new Error('nginx not installed');
  const dir = await mkdtemp(join(tmpdir(), 'hotpub-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'site.conf'), site);
  const main = `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`;
  await writeFile(join(dir, 'nginx.conf'), main);
  const child = spawn(
    bin,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const { readFile } = await import('node:fs/promises');
  const errors = () => readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}${await errors()}`);
        return (await fetch(`${url}/-/health`)).status > 0;
      },
      { timeoutMs: 15_000, message: 'nginx to answer' },
    );
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${(err as Error).message}\n${stderr}\n${await errors()}`);
  }
  return {
    url,
    child,
    errors,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
