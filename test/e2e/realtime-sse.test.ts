/**
 * Server-sent events (SPEC section 8): an exported `async function*` is published; with
 * `Accept: text/event-stream` each yielded value is an event (objects as JSON `data:`),
 * comments keep the connection alive, `return()` runs when the client goes away, and
 * `Last-Event-ID` reaches the function. An open stream never holds a reload back and
 * keeps the generation it started on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventReader } from '../helpers/realtime.js';
import { json, startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const SSE = { accept: 'text/event-stream' };

const feed = (version: number) => `
import { sseEvent } from 'hotpub';
const hot = import.meta.hot;
hot.data.finished ??= [];
export const finished = hot.data.finished;
export const version = ${version};
export async function* ticks(args: { n?: string }) {
  const n = Number(args.n ?? 3);
  for (let i = 1; i <= n; i++) yield { i, v: ${version} };
}
export async function* kinds(_args: unknown, ctx: { lastEventId: string | undefined }) {
  yield 'plain text';
  yield 'two\\nlines';
  yield sseEvent({ event: 'tick', id: '7', data: { n: 7 } });
  yield sseEvent({ comment: 'just a comment' });
  yield { lastEventId: ctx.lastEventId ?? null };
}
export async function* forever(args: { tag?: string }, ctx: { signal: AbortSignal }) {
  try {
    let i = 0;
    while (!ctx.signal.aborted) {
      yield { i: i++, v: ${version} };
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    hot.data.finished.push(args.tag ?? 'untagged');
  }
}
export async function* quiet(_args: unknown, ctx: { signal: AbortSignal }) {
  // Waits until the client goes away (ctx.signal), as a long wait in a stream should.
  await new Promise((r) => ctx.signal.addEventListener('abort', r));
  yield 'never';
}
quiet.keepAlive = 25;
export async function* broken() {
  yield 'first';
  throw Object.assign(new Error('gone wrong'), { status: 409 });
}
export function now() { return { v: ${version} }; }
`;

describe('server-sent events', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      watch: true,
      drainTimeoutMs: 60_000,
      files: { 'sse/feed.ts': feed(1) },
    });
  });
  after(() => s?.close());

  const finished = async (): Promise<string[]> => {
    const pin = s.server.registry.tryAcquire('sse') ?? (await s.server.registry.acquire('sse'));
    try {
      return [...((pin.exportsOf(`${s.dir}/sse/feed.ts`)?.finished as string[]) ?? [])];
    } finally {
      pin.release();
    }
  };

  it('each yielded value is an event, objects as JSON; the stream ends when the generator returns', async () => {
    const r = await s.fetch('/sse/feed/ticks?n=3', { headers: SSE });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), 'no-cache, no-transform');
    assert.ok(r.headers.get('x-request-id'));
    const body = await r.text();
    assert.equal(body, 'data: {"i":1,"v":1}\n\ndata: {"i":2,"v":1}\n\ndata: {"i":3,"v":1}\n\n');
  });

  it('strings, multi-line data, sseEvent ids and types, comments, and Last-Event-ID in ctx', async () => {
    const r = await s.fetch('/sse/feed/kinds', { headers: { ...SSE, 'last-event-id': '6' } });
    const ev = new EventReader(r);
    assert.deepEqual(await ev.next(), { data: 'plain text' });
    assert.deepEqual(await ev.next(), { data: 'two\nlines' });
    assert.deepEqual(await ev.next(), { event: 'tick', id: '7', data: '{"n":7}' });
    assert.deepEqual(await ev.next(), { comment: 'just a comment' });
    assert.deepEqual(await ev.next(), { data: '{"lastEventId":"6"}' });
    assert.equal(await ev.next(), undefined, 'ended');
  });

  it('keep-alive comments flow while the generator waits (fn.keepAlive ms)', async () => {
    const ac = new AbortController();
    const r = await s.fetch('/sse/feed/quiet', { headers: SSE, signal: ac.signal });
    const ev = new EventReader(r);
    assert.deepEqual(await ev.next(), { comment: 'keep-alive' });
    assert.deepEqual(await ev.next(), { comment: 'keep-alive' });
    ac.abort();
  });

  it('when the client goes away the generator’s return() runs (its finally)', async () => {
    const ac = new AbortController();
    const r = await s.fetch('/sse/feed/forever?tag=abort', { headers: SSE, signal: ac.signal });
    const ev = new EventReader(r);
    assert.equal(JSON.parse((await ev.nextEvent())?.data ?? '').i, 0);
    ac.abort();
    await waitFor(async () => (await finished()).includes('abort'), {
      message: 'the generator finished after the abort',
    });
    await waitFor(() => s.server.publisher.open.streams === 0, { message: 'no open stream' });
  });

  it('a generator that throws sends an error event with the error body, then ends', async () => {
    const r = await s.fetch('/sse/feed/broken', { headers: SSE });
    const ev = new EventReader(r);
    assert.deepEqual(await ev.next(), { data: 'first' });
    const e = await ev.next();
    assert.equal(e?.event, 'error');
    const body = JSON.parse(e?.data ?? '');
    assert.equal(body.status, 409);
    assert.equal(body.message, 'gone wrong');
    assert.equal(body.requestId, r.headers.get('x-request-id'));
    assert.equal(await ev.next(), undefined);
  });

  it('an Accept that excludes event streams is a 406; no Accept or */* streams', async () => {
    const r = await s.fetch('/sse/feed/ticks', { headers: { accept: 'application/json' } });
    assert.equal(r.status, 406);
    assert.equal((await json(r)).error.code, 'HOTPUB_E_NOT_ACCEPTABLE');
    const any = await s.fetch('/sse/feed/ticks?n=1', { headers: { accept: '*/*' } });
    assert.equal(any.status, 200);
    assert.equal(await any.text(), 'data: {"i":1,"v":1}\n\n');
  });

  it('an open stream never holds a reload back, and keeps the generation it started on', async () => {
    const ac = new AbortController();
    const r = await s.fetch('/sse/feed/forever?tag=reload', { headers: SSE, signal: ac.signal });
    const ev = new EventReader(r);
    assert.equal(JSON.parse((await ev.nextEvent())?.data ?? '').v, 1);
    let swapped = false;
    const off = s.server.registry.on('swap', (e) => {
      if (e.app === 'sse') swapped = true;
    });
    await s.write('sse/feed.ts', feed(2));
    // With the stream counted in flight the swap waits for the 60 s drain timeout.
    await waitFor(() => swapped, { message: 'the reload to swap while the stream is open' });
    off();
    assert.equal((await json(await s.fetch('/sse/feed/now'))).v, 2, 'new requests: new code');
    const later = JSON.parse((await ev.nextEvent())?.data ?? '');
    assert.equal(later.v, 1, 'the stream still runs the code it started on');
    ac.abort();
    await waitFor(async () => (await finished()).includes('reload'), {
      message: 'the old generator finished',
    });
    await s.write('sse/feed.ts', feed(1));
    await waitFor(async () => (await json(await s.fetch('/sse/feed/now'))).v === 1);
  });

  it('shutdown ends open streams instead of waiting for them', async () => {
    const t = await startServer({ files: { 'sse/feed.ts': feed(1) } });
    const r = await t.fetch('/sse/feed/forever', { headers: SSE });
    const ev = new EventReader(r);
    await ev.nextEvent();
    await t.close();
    await assert.rejects(async () => {
      for (;;) if ((await ev.next()) === undefined) throw new Error('ended');
    });
  });
});
