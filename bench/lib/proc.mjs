// Child processes for the bench: servers pinned to core 0, clean stop by process group.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { get } from './http.mjs';
import { addOwnGroup } from './noise.mjs';

const live = new Set();

/** The core servers run on; the harness and the load generator run on the other one. */
export const SERVER_CORE = process.env.BENCH_SERVER_CORE ?? '0';
export const LOAD_CORE = process.env.BENCH_LOAD_CORE ?? '1';

/** Whether `taskset` can be used (Linux with util-linux). */
let tasksetOk;
export async function hasTaskset() {
  if (tasksetOk === undefined) {
    tasksetOk = await new Promise((resolve) => {
      const c = spawn('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
      c.on('error', () => resolve(false));
      c.on('exit', (code) => resolve(code === 0));
    });
  }
  return tasksetOk;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  srv.close();
  await once(srv, 'close');
  return port;
}

/**
 * Starts `cmd args` pinned to `core` in its own process group (so a watcher and the
 * server it restarts are stopped together). Keeps the last lines of output for errors.
 */
export async function startProcess(cmd, args, { cwd, env, core = SERVER_CORE, name } = {}) {
  const pinned = core !== null && (await hasTaskset());
  const file = pinned ? 'taskset' : cmd;
  const argv = pinned ? ['-c', String(core), cmd, ...args] : args;
  const child = spawn(file, argv, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const tail = [];
  const handle = {};
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  live.add(handle);
  addOwnGroup(child.pid);
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  Object.assign(handle, {
    child,
    name: name ?? cmd,
    tail,
    exited,
    command: [file, ...argv].join(' '),
    /** Stops the whole process group: SIGTERM, then SIGKILL after 3 s. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {}
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {}
        }, 3000);
        await exited;
        clearTimeout(timer);
      }
      // The group may outlive its leader (a watcher's child): make sure it is gone.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      live.delete(handle);
    },
  });
  return handle;
}

/** Stops every process this harness started and has not stopped yet. */
export async function stopAll() {
  await Promise.all([...live].map((p) => p.stop()));
}

/** Polls `url` until it answers 200 (and `pred(body)` if given), or throws after `timeoutMs`. */
export async function waitForHttp(url, { timeoutMs = 30000, pred, proc } = {}) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeoutMs) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`${proc.name} exited early:\n${proc.tail.join('\n')}`);
    }
    try {
      const r = await get(url);
      last = `${r.status} ${r.body.slice(0, 200)}`;
      if (r.status === 200 && (!pred || pred(r.body))) return r;
    } catch (err) {
      last = err.code ?? err.message;
    }
    await sleep(20);
  }
  throw new Error(
    `timeout waiting for ${url} (last: ${last})` + (proc ? `\n${proc.tail.join('\n')}` : ''),
  );
}

/** Starts a server process and waits until `url` answers 200. */
export async function startServer(cmd, args, opts) {
  const proc = await startProcess(cmd, args, opts);
  try {
    await waitForHttp(opts.readyUrl, { proc, timeoutMs: opts.timeoutMs ?? 60000 });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc;
}
