// A node:cluster rolling restart, as one would write it by hand: the primary forks
// WORKERS workers running MAIN (through the `current` link, so each fork loads the release
// current at that moment); on SIGHUP it replaces them one at a time: fork a new one, wait
// until it listens, then disconnect the old one (it stops accepting, finishes, exits).
import cluster from 'node:cluster';
import { once } from 'node:events';

const workers = Number(process.env.WORKERS ?? 2);
cluster.setupPrimary({ exec: process.env.MAIN });
for (let i = 0; i < workers; i++) cluster.fork();

let rolling = false;
process.on('SIGHUP', async () => {
  if (rolling) return;
  rolling = true;
  for (const old of Object.values(cluster.workers ?? {})) {
    const fresh = cluster.fork();
    await once(fresh, 'listening');
    old.disconnect();
    await once(old, 'exit');
  }
  rolling = false;
});

const stop = () => {
  for (const w of Object.values(cluster.workers ?? {})) w.disconnect();
  setTimeout(() => process.exit(0), 3000).unref();
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
