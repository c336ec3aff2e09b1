/**
 * The code lock on its own: readers (requests) share it without a Promise, a writer
 * (a reload) is preferred over readers that arrive after it, and a drain timeout ends a
 * writer's wait for readers once, for good.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodeLock } from '../../src/registry/code-lock.js';

/** Lets every pending promise callback and timer-free continuation run. */
const settle = () => new Promise((r) => setImmediate(r));

/** A promise plus a flag saying whether it has resolved. */
function tracked<T>(p: Promise<T>): { promise: Promise<T>; done: () => boolean } {
  let resolved = false;
  const promise = p.then((v) => {
    resolved = true;
    return v;
  });
  return { promise, done: () => resolved };
}

describe('registry: the code lock', () => {
  it('sync fast path: with no writer, readers take the lock at once, without a Promise', () => {
    const lock = new CodeLock();
    const a = lock.tryAcquireShared();
    const b = lock.tryAcquireShared();
    assert.ok(a >= 0 && b >= 0, 'two readers share it');
    let got = -1;
    lock.waitShared((epoch) => {
      got = epoch;
    });
    assert.equal(got, a, 'waitShared calls back synchronously when no writer is pending');
    assert.equal(lock.pending, false);
    lock.releaseShared(a);
    lock.releaseShared(b);
    lock.releaseShared(got);
  });

  it('writer preference: readers arriving after a waiting writer queue until it releases', async () => {
    const lock = new CodeLock();
    const early = lock.tryAcquireShared();
    const writer = tracked(lock.acquireExclusive(60_000));
    assert.equal(lock.pending, true, 'the writer is pending at once');
    assert.equal(lock.tryAcquireShared(), -1, 'a later reader cannot take it');
    const order: string[] = [];
    lock.waitShared(() => order.push('late reader'));
    await settle();
    assert.equal(writer.done(), false, 'the writer waits for the early reader');
    assert.equal(order.length, 0, 'the late reader waits too');

    lock.releaseShared(early);
    const release = await writer.promise;
    order.push('writer');
    await settle();
    assert.deepEqual(order, ['writer'], 'the late reader still waits while the writer holds it');

    // A second writer that asks before the first releases goes before the queued reader.
    const second = tracked(lock.acquireExclusive(60_000));
    release();
    release(); // idempotent
    const release2 = await second.promise;
    order.push('second writer');
    assert.deepEqual(order, ['writer', 'second writer']);
    release2();
    assert.deepEqual(order, ['writer', 'second writer', 'late reader'], 'woken on release');
    assert.equal(lock.pending, false);
    assert.ok(lock.tryAcquireShared() >= 0, 'readers take it synchronously again');
  });

  it('drain timeout: the writer goes ahead past it, and no later writer waits for those stragglers', {
    timeout: 20_000,
  }, async () => {
    const lock = new CodeLock();
    const straggler = lock.tryAcquireShared();
    // Never released before the writers below: only the timeout can let the first through.
    const release = await lock.acquireExclusive(30);
    release();

    // A later writer with a long timeout must not wait for the straggler again.
    const second = tracked(lock.acquireExclusive(60_000));
    await settle();
    assert.equal(second.done(), true, 'the straggler is not waited for again');
    (await second.promise)();

    // A new reader is waited for; the straggler's late release must not count for it.
    const reader = lock.tryAcquireShared();
    const third = tracked(lock.acquireExclusive(60_000));
    lock.releaseShared(straggler);
    await settle();
    assert.equal(third.done(), false, 'the stale release did not end the wait for the new reader');
    lock.releaseShared(reader);
    (await third.promise)();
    assert.equal(lock.pending, false);
  });
});
