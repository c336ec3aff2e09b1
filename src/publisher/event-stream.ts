/**
 * Server-sent events: the values an `async function*` yields, written as an event stream
 * (`text/event-stream`) until it returns or the client goes away; then its `return()`
 * runs (its `finally` blocks), after the `await` it is in settles. Comments keep idle
 * connections open through proxies. The publisher keeps every open stream, so a shutdown
 * can end them instead of waiting for them. `sseEvent()`, which app modules import, is in
 * app-api.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServerSentEvent, sseEvent } from '../app-api.js';

function dataLines(data: unknown): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  if (text === undefined) return '';
  return `data: ${text.split(/\r\n|\r|\n/).join('\ndata: ')}\n`;
}

/** The wire text of one yielded value, or '' for nothing to send (undefined). */
export function formatEvent(value: unknown): string {
  if (!(value instanceof ServerSentEvent))
    return value === undefined ? '' : `${dataLines(value)}\n`;
  const f = value.fields;
  let out = f.comment !== undefined ? `: ${f.comment}\n` : '';
  if (f.event !== undefined) out += `event: ${f.event}\n`;
  if (f.id !== undefined) out += `id: ${f.id}\n`;
  if (f.retry !== undefined) out += `retry: ${f.retry}\n`;
  if (f.data !== undefined) out += dataLines(f.data);
  return out === '' ? '' : `${out}\n`;
}

/** True for an async generator object (what calling an `async function*` returns). */
export function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncGenerator)[Symbol.asyncIterator] === 'function' &&
    typeof (value as AsyncGenerator).next === 'function' &&
    typeof (value as AsyncGenerator).return === 'function'
  );
}

/** True when the request accepts an event stream (no `Accept`, or one that allows it). */
export function acceptsEventStream(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  if (accept === undefined || accept === '') return true;
  return /(^|,)\s*(text\/event-stream|text\/\*|\*\/\*)\s*(;|,|$)/i.test(accept);
}

/** What the publisher does when a stream's generator throws. */
export interface StreamFailure {
  /** The `data` of the `error` event sent before the stream ends (the error JSON body). */
  body(err: unknown): unknown;
  /** Logs the failure. */
  log(err: unknown): void;
}

/** Every open event stream of a publisher. */
export class EventStreams {
  private readonly open = new Set<ServerResponse>();

  /** How many streams are open. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Streams the events `gen` yields on `res` (headers sent at once, so the client sees the
   * stream open before the first event). Resolves when the generator is done: it returned,
   * threw, or finished its `return()` after the client went away.
   */
  async run(
    req: IncomingMessage,
    res: ServerResponse,
    gen: AsyncGenerator<unknown, unknown>,
    keepAliveMs: number,
    failure: StreamFailure,
  ): Promise<void> {
    res.statusCode = 200;
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('x-accel-buffering', 'no'); // nginx: do not buffer the stream
    if (req.method === 'HEAD') {
      res.end();
      await gen.return(undefined);
      return;
    }
    res.flushHeaders();
    this.open.add(res);
    let closed = false;
    let ended: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onClose = () => {
      closed = true;
      this.open.delete(res);
      if (timer) clearInterval(timer);
      // Queued behind the pending next(): the generator's finally runs once it settles.
      ended = gen.return(undefined).then(
        () => {},
        (err) => failure.log(err),
      );
    };
    res.once('close', onClose);
    if (keepAliveMs > 0) {
      timer = setInterval(() => {
        if (!closed) res.write(': keep-alive\n\n');
      }, keepAliveMs);
    }
    try {
      for (;;) {
        const step = await gen.next();
        if (closed || step.done) break;
        const text = formatEvent(step.value);
        if (text !== '' && !res.write(text)) await drained(res);
      }
    } catch (err) {
      if (!closed) {
        failure.log(err);
        res.write(formatEvent(sseEvent({ event: 'error', data: failure.body(err) })));
      }
    } finally {
      if (timer) clearInterval(timer);
      this.open.delete(res);
      if (!closed) {
        res.off('close', onClose);
        res.end();
      }
    }
    await ended;
  }

  /** Ends every open stream (at shutdown): each generator's `return()` runs. */
  closeAll(): void {
    for (const res of [...this.open]) res.destroy();
  }
}

/** Resolves when `res` can take more data, or is closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
