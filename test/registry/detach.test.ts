/**
 * `Pin.detach()`: a long-lived response (an event stream, a socket) stops holding a reload
 * back, yet keeps the generation it started on until it ends, and that generation's
 * disposers wait for its release.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import { waitFor } from '../helpers/wait.js';
import { type Harness, harness } from './helpers.js';

const mod = (v: number) => `const hot = import.meta.hot;
hot.data.disposed ??= [];
export const data = hot.data;
export const version = ${v};
hot.dispose((d) => { d.disposed.push(${v}); });
`;

/** A promise plus a flag saying whether it has settled. */
function tracked<T>(p: Promise<T>): { promise: Promise<T>; done: () => boolean } {
  let settled = false;
  const promise = p.finally(() => {
    settled = true;
  });
  return { promise, done: () => settled };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('registry: detached pins', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('an attached pin holds a reload back (the control)', async () => {
    h = await harness({ 'a/index.ts': mod(1) }, { drainTimeoutMs: 60_000 });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const pin = h.registry.tryAcquire('a');
    assert.ok(pin);
    await writeFile(f, mod(2));
    const reload = tracked(h.registry.invalidateModule(f));
    await waitFor(() => h?.registry.snapshot().apps.find((a) => a.name === 'a')?.reloadPending, {
      message: 'the reload waiting for the lock',
    });
    await settle();
    assert.equal(reload.done(), false, 'the reload drains the request first');
    pin.release();
    assert.equal((await reload.promise).error, undefined);
  });

  it('a detached pin does not hold a reload back and keeps its generation until released', async () => {
    h = await harness({ 'a/index.ts': mod(1) }, { drainTimeoutMs: 60_000 });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const pin = h.registry.tryAcquire('a');
    assert.ok(pin);
    const data = pin.exportsOf(f)?.data as { disposed: number[] };
    pin.detach();
    pin.detach(); // idempotent: must not release the lock twice

    await writeFile(f, mod(2));
    const reload = tracked(h.registry.invalidateModule(f));
    // Without detach this waits for the one-minute drain timeout.
    await waitFor(reload.done, { message: 'the reload to swap without draining' });
    assert.equal((await reload.promise).error, undefined);

    assert.equal(pin.exportsOf(f)?.version, 1, 'the stream still runs on its generation');
    await h.withPin('a', (p) => assert.equal(p.exportsOf(f)?.version, 2, 'new requests: new'));
    assert.deepEqual(data.disposed, [], 'the retired generation is not disposed while pinned');
    assert.equal(h.registry.snapshot().apps.find((a) => a.name === 'a')?.inflight, 1);

    // A second reload does not wait for it either (the lock never counted it again).
    await writeFile(f, mod(3));
    const again = tracked(h.registry.invalidateModule(f));
    await waitFor(again.done, { message: 'a second reload' });

    pin.release();
    assert.deepEqual(data.disposed, [1, 2], 'disposed once its last pin is released');
    pin.detach(); // after release: nothing
    await h.withPin('a', (p) => assert.equal(p.exportsOf(f)?.version, 3));
  });

  it('detaching while a reload already waits lets that reload go at once', async () => {
    h = await harness({ 'a/index.ts': mod(1) }, { drainTimeoutMs: 60_000 });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const pin = h.registry.tryAcquire('a');
    assert.ok(pin);
    await writeFile(f, mod(2));
    const reload = tracked(h.registry.invalidateModule(f));
    await waitFor(() => h?.registry.snapshot().apps.find((a) => a.name === 'a')?.reloadPending, {
      message: 'the reload waiting for the lock',
    });
    pin.detach();
    await waitFor(reload.done, { message: 'the reload once the pin detached' });
    assert.equal(pin.exportsOf(f)?.version, 1);
    pin.release();
  });
});
