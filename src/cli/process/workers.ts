/**
 * `--workers N`: the node:cluster primary and the worker side of its protocol. Every
 * worker runs the same command line and builds its own registry and watcher; the primary
 * prints the ready line once, restarts a worker that crashes (with back-off, never giving
 * up: restart-delay.ts), and on SIGTERM/SIGINT asks
 * every worker to shut down gracefully and exits 0 once they have.
 */
import cluster, { type Worker } from 'node:cluster';
import { CRASH_WINDOW_MS, restartDelay } from './restart-delay.js';

/** What a worker tells the primary. */
export type WorkerMessage =
  | { type: 'hotpub:ready'; url: string }
  | { type: 'hotpub:fatal'; line: string; exitCode: number };

/** What the primary tells a worker. */
export type PrimaryMessage = { type: 'hotpub:shutdown' };

/** Options of {@link runPrimary}. */
export interface PrimaryOptions {
  workers: number;
  /** How long workers get to finish in-flight requests before they are killed. */
  shutdownTimeoutMs: number;
  /** Prints the ready line (once, when every worker listens). */
  ready(url: string): void;
  /** Prints a line about the workers (a crash, a restart). */
  notice(line: string): void;
  /** Prints the one line of a fatal error. */
  fatal(line: string): void;
}

/**
 * Runs the cluster primary until shutdown. Resolves with the exit status: 0 after a
 * signal, the worker's status (or 1) if one fails before the cluster is ready.
 */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  return new Promise((resolveExit) => {
    let ready = 0;
    let announced = false;
    let stopping = false;
    let killTimer: NodeJS.Timeout | undefined;
    const crashes: number[] = [];
    const pendingForks = new Set<NodeJS.Timeout>();
    const readyWorkers = new WeakSet<Worker>();

    const stop = (status: number) => {
      if (stopping) return;
      stopping = true;
      for (const t of pendingForks) clearTimeout(t);
      pendingForks.clear();
      for (const worker of Object.values(cluster.workers ?? {})) {
        // A worker that is exiting already has no channel: nothing to ask, no EPIPE.
        if (worker?.isConnected())
          worker.send({ type: 'hotpub:shutdown' } satisfies PrimaryMessage, () => {});
      }
      // Workers bound their own shutdown; this only catches one that hangs.
      killTimer = setTimeout(() => {
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      }, options.shutdownTimeoutMs + 2000);
      const check = () => {
        if (Object.keys(cluster.workers ?? {}).length === 0) {
          clearTimeout(killTimer);
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          resolveExit(status);
        }
      };
      cluster.on('exit', check);
      check();
    };
    const onSignal = () => (stopping ? process.exit(1) : stop(0));
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // SIGHUP reloads: every worker re-reads its apps (the primary has none).
    process.on('SIGHUP', () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGHUP');
    });

    cluster.on('message', (worker, message: WorkerMessage) => {
      if (message?.type === 'hotpub:ready') {
        readyWorkers.add(worker);
        ready++;
        if (!announced && ready >= options.workers) {
          announced = true;
          options.ready(message.url);
        }
      } else if (message?.type === 'hotpub:fatal' && !stopping) {
        // A worker that cannot start (port in use, bad config) fails the whole cluster.
        options.fatal(message.line);
        stop(message.exitCode);
      }
    });

    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      if (!readyWorkers.has(worker)) {
        // Its last message (why it failed) may still be in the IPC channel: decide once
        // the channel is drained and closed.
        const failed = () => {
          if (stopping) return;
          options.fatal(
            `worker ${worker.process.pid} exited before it was ready (${signal ?? `status ${code}`})`,
          );
          stop(1);
        };
        if (worker.isConnected()) worker.once('disconnect', failed);
        else failed();
        return;
      }
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
      const delay = restartDelay(crashes.length);
      const when = delay === 0 ? '' : ` in ${delay < 1000 ? `${delay} ms` : `${delay / 1000} s`}`;
      options.notice(
        `worker ${worker.process.pid} died (${signal ?? `status ${code}`}); starting a new one${when}`,
      );
      const timer = setTimeout(() => {
        pendingForks.delete(timer);
        if (!stopping) fork();
      }, delay);
      pendingForks.add(timer);
    });

    const fork = () => {
      // Channel errors (EPIPE from a dying worker) are not worth a crash of the primary.
      cluster.fork().on('error', () => {});
    };
    for (let i = 0; i < options.workers; i++) fork();
  });
}

/** In a worker: tells the primary this worker listens at `url`. */
export function reportReady(url: string): void {
  process.send?.({ type: 'hotpub:ready', url } satisfies WorkerMessage);
}

/**
 * In a worker: tells the primary why this worker cannot run (the primary prints it once).
 * Resolves once the message is sent, so the worker may exit right after.
 */
export function reportFatal(line: string, exitCode: number): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(
      { type: 'hotpub:fatal', line, exitCode } satisfies WorkerMessage,
      undefined,
      {},
      () => resolve(),
    );
  });
}

/**
 * In a worker: runs `stop` once when the primary asks for shutdown or goes away, or on
 * SIGTERM. SIGINT is left to the primary (a terminal's Ctrl-C reaches every process).
 */
export function onWorkerShutdown(stop: () => void): void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    stop();
  };
  process.on('message', (message: PrimaryMessage) => {
    if (message?.type === 'hotpub:shutdown') once();
  });
  process.on('disconnect', once);
  process.on('SIGTERM', once);
  process.on('SIGINT', () => {});
}
