/**
 * An app's code lock: many requests hold it shared, a reload holds it exclusively.
 *
 * - Readers take it synchronously when no writer is pending: no Promise per request.
 * - A writer, once it asks, blocks every later reader (they queue behind it), so a
 *   steady stream of overlapping requests cannot starve a reload.
 * - Writers are serialized among themselves by an async-mutex `Mutex`.
 * - A writer waits for the current readers at most `drainTimeoutMs`; past that it goes
 *   ahead and those readers become stragglers that no later writer waits for again.
 */
import { Mutex } from 'async-mutex';

/** Releases an exclusive hold. Idempotent. */
export type ReleaseExclusive = () => void;

export class CodeLock {
  /** Readers of the current epoch (stragglers of a timed-out drain are not counted). */
  private readers = 0;
  private epoch = 0;
  /** Writers waiting for or holding the lock. */
  private writers = 0;
  private readonly writerMutex = new Mutex();
  private readonly queuedReaders: Array<() => void> = [];
  private drained: (() => void) | undefined;

  /** True while a writer waits or holds the lock: new readers queue. */
  get pending(): boolean {
    return this.writers > 0;
  }

  /**
   * Takes the lock shared if no writer is pending and returns the epoch token to pass to
   * {@link releaseShared}; returns -1 if the caller must queue with {@link waitShared}.
   */
  tryAcquireShared(): number {
    if (this.writers > 0) return -1;
    this.readers++;
    return this.epoch;
  }

  /**
   * Calls `onAcquired(epoch)` once the lock is held shared (synchronously from the
   * writer's release, so no other writer can slip in between).
   */
  waitShared(onAcquired: (epoch: number) => void): void {
    if (this.writers === 0) {
      this.readers++;
      onAcquired(this.epoch);
      return;
    }
    this.queuedReaders.push(() => {
      this.readers++;
      onAcquired(this.epoch);
    });
  }

  /** Ends a shared hold taken in `epoch`. */
  releaseShared(epoch: number): void {
    if (epoch !== this.epoch) return;
    this.readers--;
    if (this.readers === 0 && this.drained) {
      const done = this.drained;
      this.drained = undefined;
      done();
    }
  }

  /**
   * Takes the lock exclusively: queues behind earlier writers, blocks new readers at once,
   * then waits for current readers up to `drainTimeoutMs`.
   */
  async acquireExclusive(drainTimeoutMs: number): Promise<ReleaseExclusive> {
    this.writers++;
    let releaseMutex: () => void;
    try {
      releaseMutex = await this.writerMutex.acquire();
    } catch (err) {
      this.writers--;
      this.wakeReaders();
      throw err;
    }
    const timedOut = this.readers > 0 ? !(await this.drain(drainTimeoutMs)) : false;
    if (timedOut) {
      // The remaining readers finish on their pinned generation; nobody waits for them.
      this.epoch++;
      this.readers = 0;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.writers--;
      releaseMutex();
      this.wakeReaders();
    };
  }

  private drain(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.drained = undefined;
        resolve(false);
      }, timeoutMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  private wakeReaders(): void {
    if (this.writers > 0) return;
    const queued = this.queuedReaders.splice(0);
    for (const wake of queued) wake();
  }
}
