// Harness side of the deploy part's load generator (release-load-worker.mjs).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const workerPath = fileURLToPath(new URL('./release-load-worker.mjs', import.meta.url));

/** A checking load generator: start(url), now(), waitFor(n), stop() -> the records. */
export function createReleaseLoad() {
  const child = fork(workerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const pending = new Map();
  child.on('message', (msg) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    p(msg.result);
  });
  const call = (msg) =>
    new Promise((resolve) => {
      const id = ++seq;
      pending.set(id, resolve);
      child.send({ ...msg, id });
    });
  return {
    start: (url, connections = 50) => call({ cmd: 'start', url, connections }),
    /** The load process's clock (epoch ms, sub-ms), the one its records use. */
    now: () => call({ cmd: 'now' }),
    waitFor: (n, count = 200, timeoutMs = 30_000) => call({ cmd: 'waitFor', n, count, timeoutMs }),
    stop: () => call({ cmd: 'stop' }),
    close: () => child.kill(),
  };
}
