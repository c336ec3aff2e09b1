// Harness side of the load generator (see load-worker.mjs).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const workerPath = fileURLToPath(new URL('./load-worker.mjs', import.meta.url));

/**
 * Starts the autocannon process. The harness is already pinned to the load core, and
 * a forked child inherits the affinity, so the load never shares the server's core.
 */
export function createLoad() {
  const child = fork(workerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const pending = new Map();
  child.on('message', (msg) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error));
    else p.resolve(msg.result);
  });
  child.on('exit', () => {
    for (const p of pending.values()) p.reject(new Error('load generator exited'));
    pending.clear();
  });
  const call = (msg) =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve, reject });
      child.send({ ...msg, id });
    });
  let stopId = 0;
  return {
    /** One timed run: { url, connections, duration } -> summary. */
    run: (opts) => call({ cmd: 'run', opts }),
    /** Starts open-ended load; returns a function that stops it and resolves the summary. */
    async start(opts) {
      stopId = ++seq;
      const myStop = stopId;
      const result = new Promise((resolve, reject) => pending.set(myStop, { resolve, reject }));
      await call({ cmd: 'start', opts, stopId: myStop });
      return async () => {
        child.send({ cmd: 'stop', id: ++seq });
        return result;
      };
    },
    close() {
      child.kill();
    },
  };
}
