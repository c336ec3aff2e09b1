/**
 * Real services for tests, started on free ports on 127.0.0.1 and stopped by the test:
 * Debian's `redis-server` and `nginx`. A test that needs one and does not find it skips
 * with one line naming the package (`serviceSkip`), except under CI=true, where a missing
 * service is a failure (.ci/run installs both).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

const TOOLS = {
  'redis-server': { pkg: 'redis-server', paths: ['/usr/bin/redis-server'] },
  nginx: { pkg: 'nginx', paths: ['/usr/sbin/nginx'] },
} as const;

type Tool = keyof typeof TOOLS;

/** Absolute path of `tool`, or undefined when it is not installed. */
export function findTool(tool: Tool): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
  });
  const path = found.stdout.trim();
  if (found.status === 0 && path !== '') return path;
  return undefined;
}

/**
 * `skip` option for a `describe` that needs `tools`: false when they are installed, else
 * the one line saying what to install. Under CI=true a missing tool throws instead.
 */
export function serviceSkip(...tools: Tool[]): false | string {
  const missing = tools.filter((t) => findTool(t) === undefined);
  if (missing.length === 0) return false;
  const pkgs = missing.map((t) => TOOLS[t].pkg).join(' ');
  const line = `${missing.join(' and ')} not installed: apt-get install -y ${pkgs}`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${line}`);
  return line;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A running service process. */
export interface Service {
  port: number;
  /** `redis://127.0.0.1:PORT` or `http://127.0.0.1:PORT`. */
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function track(child: ChildProcess): { output(): string; exited: Promise<void> } {
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { output: () => out, exited };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts a throw-away redis-server: no persistence, loopback only, a free port. */
export async function startRedis(): Promise<Service> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'hotpub-redis-'));
  const child = spawn(
    findTool('redis-server') ?? 'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { output, exited } = track(child);
  await waitFor(() => output().includes('Ready to accept connections') || child.exitCode !== null, {
    timeoutMs: 15_000,
    message: 'redis-server to start',
  });
  if (child.exitCode !== null) throw new Error(`redis-server failed: ${output()}`);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    child,
    output,
    async stop() {
      await stopChild(child, exited);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts nginx on a free port with the project's site configuration `siteFile` (an
 * http-level file: `upstream` + `server`), changing only what cannot be the same here:
 * the upstream servers become `upstreams` and `listen 80` the free port.
 */
export async function startNginx(siteFile: string, upstreams: string[]): Promise<Service> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'hotpub-nginx-'));
  await chmod(dir, 0o755);
  const site = (await readFile(siteFile, 'utf8'))
    .replace(/^\s*server\s+hotpub-\d+:\d+[^;]*;\s*$/gm, '')
    .replace(
      /upstream hotpub \{/,
      `upstream hotpub {\n${upstreams.map((u) => `  server ${u};`).join('\n')}`,
    )
    .replace(/listen 80;/, `listen 127.0.0.1:${port};`);
  for (const temp of ['body', 'proxy']) await mkdir(join(dir, temp), { mode: 0o777 });
  await writeFile(join(dir, 'site.conf'), site);
  await writeFile(
    join(dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      `  access_log off;`,
      `  client_body_temp_path ${join(dir, 'body')};`,
      `  proxy_temp_path ${join(dir, 'proxy')};`,
      `  include ${join(dir, 'site.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(
    findTool('nginx') ?? 'nginx',
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { output, exited } = track(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) return true;
      const res = await fetch(`${url}/-/nginx-probe`).catch(() => undefined);
      return res !== undefined;
    },
    { timeoutMs: 15_000, message: 'nginx to listen' },
  );
  if (child.exitCode !== null) {
    const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
    throw new Error(`nginx failed: ${output()} ${log}`);
  }
  return {
    port,
    url,
    child,
    output,
    async stop() {
      await stopChild(child, exited);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
