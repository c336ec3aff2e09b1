// The systems of the deploy part: how each starts on a deploy directory and how it
// deploys release `n` (always after `current` was switched to it).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './fixtures.mjs';
import { freePort, hasTaskset, SERVER_CORE, startProcess, waitForHttp } from './proc.mjs';
import { HOTPUB_BIN } from './systems.mjs';

const node = process.execPath;
const PM2 = path.join(ROOT, 'node_modules', 'pm2', 'bin', 'pm2');

/** Runs `node args` to completion on the server core; rejects on a non-zero exit. */
async function runNode(args, env) {
  const pinned = await hasTaskset();
  const child = spawn(
    pinned ? 'taskset' : node,
    pinned ? ['-c', SERVER_CORE, node, ...args] : args,
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    out += c;
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${out.slice(-2000)}`);
  return out;
}

function hotpub(key, label, { watch, workers }) {
  return {
    key,
    label,
    inProcess: true,
    async start(d) {
      const port = await freePort();
      const args = [HOTPUB_BIN, 'serve', '--apps', d.apps, '--port', String(port)];
      if (watch) args.push('--watch');
      if (workers > 1) args.push('--workers', String(workers));
      const proc = await startProcess(node, args, {
        cwd: d.dir,
        env: { NODE_ENV: 'production' },
        name: key,
      });
      const url = `http://127.0.0.1:${port}/site`;
      await waitForHttp(url, { proc, timeoutMs: 60_000 });
      return {
        proc,
        url,
        command: proc.command,
        pid: () => proc.child.pid,
        async deploy() {
          if (!watch) process.kill(proc.child.pid, 'SIGHUP');
        },
        stop: () => proc.stop(),
      };
    },
  };
}

/** Every system, hotpub's four first. */
export function deploySystems() {
  return [
    hotpub('hpWatch1', 'hotpub release switch, --watch, 1 process', { watch: true, workers: 1 }),
    hotpub('hpHup1', 'hotpub release switch + SIGHUP, 1 process', { watch: false, workers: 1 }),
    hotpub('hpWatch2', 'hotpub release switch, --watch, 2 workers', { watch: true, workers: 2 }),
    hotpub('hpHup2', 'hotpub release switch + SIGHUP, 2 workers', { watch: false, workers: 2 }),
    {
      key: 'pm2',
      label: 'PM2 reload, cluster mode, 2 instances',
      inProcess: false,
      async start(d) {
        const port = await freePort();
        const home = path.join(d.dir, '.pm2');
        const eco = path.join(d.dir, 'ecosystem.config.cjs');
        await fs.writeFile(
          eco,
          `module.exports = { apps: [{ name: 'site', script: ${JSON.stringify(d.main)},
  exec_mode: 'cluster', instances: 2, wait_ready: true, listen_timeout: 10000,
  kill_timeout: 5000, autorestart: true, env: { PORT: '${port}', NODE_ENV: 'production' } }] };\n`,
        );
        const env = { PM2_HOME: home };
        await runNode([PM2, 'start', eco], env);
        const url = `http://127.0.0.1:${port}/site`;
        await waitForHttp(url, { timeoutMs: 60_000 });
        return {
          url,
          command: `PM2_HOME=$TMP/.pm2 node node_modules/pm2/bin/pm2 start ecosystem.config.cjs; pm2 reload site`,
          pid: () => undefined,
          deploy: () => runNode([PM2, 'reload', 'site'], env),
          stop: () => runNode([PM2, 'kill'], env).catch(() => {}),
        };
      },
    },
    {
      key: 'cluster',
      label: 'node:cluster rolling restart, 2 workers',
      inProcess: false,
      async start(d) {
        const port = await freePort();
        const script = path.join(ROOT, 'bench', 'servers', 'cluster-rolling.mjs');
        const proc = await startProcess(node, [script], {
          cwd: d.dir,
          env: { NODE_ENV: 'production', PORT: String(port), MAIN: d.main, WORKERS: '2' },
          name: 'cluster',
        });
        const url = `http://127.0.0.1:${port}/site`;
        await waitForHttp(url, { proc, timeoutMs: 60_000 });
        return {
          proc,
          url,
          command: proc.command,
          pid: () => proc.child.pid,
          async deploy() {
            process.kill(proc.child.pid, 'SIGHUP');
          },
          stop: () => proc.stop(),
        };
      },
    },
    {
      key: 'restart',
      label: 'stop and start (one process)',
      inProcess: false,
      async start(d) {
        const port = await freePort();
        const url = `http://127.0.0.1:${port}/site`;
        const launch = () =>
          startProcess(node, [d.main], {
            cwd: d.dir,
            env: { NODE_ENV: 'production', PORT: String(port) },
            name: 'restart',
          });
        let proc = await launch();
        await waitForHttp(url, { proc, timeoutMs: 60_000 });
        return {
          url,
          command: proc.command,
          pid: () => proc.child.pid,
          async deploy() {
            await proc.stop();
            proc = await launch();
          },
          stop: () => proc.stop(),
        };
      },
    },
  ];
}
