/**
 * WebSockets (SPEC section 8): `fn.websocket = true` answers upgrades at its URL, one call
 * per message on the generation current when it arrives; `ctx.socket` with data kept
 * across reloads, send, close, subscribe and publish; `fn.open`/`fn.close`; guards and
 * hooks apply to the upgrade; refusals are ordinary HTTP answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSocket, refusedUpgrade, wsUrl } from '../helpers/realtime.js';
import { json, startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const chat = (version: number) => `
import type { SocketContext } from 'hotpub';
const hot = import.meta.hot;
hot.data.closed ??= [];
export const closed = hot.data.closed;
export function echo(message: unknown, ctx: SocketContext) {
  ctx.socket.data.count = (ctx.socket.data.count ?? 0) + 1;
  return { v: ${version}, message, count: ctx.socket.data.count, id: ctx.socket.id };
}
echo.websocket = true;
echo.open = (ctx: SocketContext) => ({ hello: ctx.socket.id, v: ${version} });
echo.close = (ctx: SocketContext, code: number) => { hot.data.closed.push(code); };
export function room(message: { topic: string; text?: string; join?: boolean }, ctx: SocketContext) {
  if (message.join) { ctx.socket.subscribe(message.topic); return 'joined'; }
  return { sent: ctx.socket.publish(message.topic, { text: message.text, from: ctx.socket.id }) };
}
room.websocket = true;
export function plain() { return 'http only'; }
export function fails(message: string) {
  if (message === 'bad') throw Object.assign(new Error('nope'), { status: 422 });
  throw new Error('secret detail');
}
fails.websocket = true;
export function texts(message: unknown) { return typeof message + ':' + (Buffer.isBuffer(message) ? 'bytes' : String(message)); }
texts.websocket = true;
export async function slow(message: number) {
  await new Promise((r) => setTimeout(r, message));
  return message;
}
slow.websocket = true;
`;

describe('WebSockets', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      watch: true,
      drainTimeoutMs: 60_000,
      files: {
        'ws/chat.ts': chat(1),
        'guarded/index.ts': `
export function _auth(ctx: { req: { headers: Record<string, string | undefined> } }) {
  return ctx.req.headers.authorization === 'Bearer ok';
}
export function socket(message: unknown) { return message; }
socket.websocket = true;`,
        'hooked/_hooks.ts': `
export function before(ctx: { req: { headers: Record<string, string | undefined> }; state: Record<string, unknown> }) {
  if (ctx.req.headers['x-user'] === undefined) return new Response('who are you?', { status: 401 });
  ctx.state.user = ctx.req.headers['x-user'];
}`,
        'hooked/me.ts': `
export function index(_m: unknown, ctx: { state: { user?: string } }) { return { user: ctx.state.user }; }
index.websocket = true;`,
        'open/app.json': JSON.stringify({ cors: { origin: ['https://trusted.example'] } }),
        'open/index.ts': `export function index(m: unknown) { return m; }
index.websocket = true;`,
      },
    });
  });
  after(() => s?.close());

  it('echo: one call per message, JSON parsed when it parses, objects answered as JSON', async () => {
    const c = await openSocket(wsUrl(s.url, '/ws/chat/echo'));
    const hello = (await c.nextJson()) as { hello: string; v: number };
    assert.equal(hello.v, 1, 'fn.open ran and its value was sent');
    const a = JSON.parse(await c.ask({ n: 1 })) as Record<string, unknown>;
    assert.deepEqual(a.message, { n: 1 });
    assert.equal(a.count, 1);
    assert.equal(a.id, hello.hello, 'ctx.socket.id is stable');
    const b = JSON.parse(await c.ask('plain text')) as Record<string, unknown>;
    assert.equal(b.message, 'plain text');
    assert.equal(b.count, 2, 'ctx.socket.data is per connection');
    const other = await openSocket(wsUrl(s.url, '/ws/chat/echo'));
    await other.next();
    assert.equal((JSON.parse(await other.ask('x')) as { count: number }).count, 1);
    await other.close();
    await c.close();
  });

  it('the 101 response carries x-request-id, which is the socket id', async () => {
    const c = await openSocket(wsUrl(s.url, '/ws/chat/echo'), { 'x-request-id': 'ws-req-1' });
    const res = await c.opened;
    assert.equal(res.headers['x-request-id'], 'ws-req-1');
    assert.equal(((await c.nextJson()) as { hello: string }).hello, 'ws-req-1');
    await c.close();
  });

  it('text, JSON and binary messages; messages of one connection answer in order', async () => {
    const c = await openSocket(wsUrl(s.url, '/ws/chat/texts'));
    assert.equal(await c.ask('42'), 'number:42');
    assert.equal(await c.ask('"quoted"'), 'string:quoted');
    assert.equal(await c.ask('not json {'), 'string:not json {');
    c.ws.send(Buffer.from([1, 2, 3]));
    assert.equal(await c.next(), 'object:bytes');
    await c.close();
    const slow = await openSocket(wsUrl(s.url, '/ws/chat/slow'));
    slow.send(60);
    slow.send(1);
    assert.deepEqual([await slow.next(), await slow.next()], ['60', '1'], 'one at a time');
    await slow.close();
  });

  it('a save changes the next message’s code; the socket stays open and keeps its data', async () => {
    const c = await openSocket(wsUrl(s.url, '/ws/chat/echo'));
    await c.next();
    const first = JSON.parse(await c.ask('a')) as { v: number; count: number };
    assert.equal(first.v, 1);
    await s.write('ws/chat.ts', chat(2));
    await waitFor(
      async () => {
        const r = JSON.parse(await c.ask('probe')) as { v: number };
        return r.v === 2;
      },
      { message: 'the next message to run the new code' },
    );
    const after = JSON.parse(await c.ask('b')) as { v: number; count: number };
    assert.equal(after.v, 2);
    assert.ok(after.count > first.count, 'ctx.socket.data survived the reload');
    assert.equal(c.ws.readyState, c.ws.OPEN, 'never dropped');
    await s.write('ws/chat.ts', chat(1));
    await waitFor(async () => (JSON.parse(await c.ask('x')) as { v: number }).v === 1);
    await c.close();
  });

  it('fn.close runs with the close code', async () => {
    const c = await openSocket(wsUrl(s.url, '/ws/chat/echo'));
    await c.next();
    c.ws.close(4001, 'bye');
    await c.closed;
    const pin = s.server.registry.tryAcquire('ws');
    assert.ok(pin);
    try {
      const closed = pin.exportsOf(`${s.dir}/ws/chat.ts`)?.closed as number[];
      await waitFor(() => closed.includes(4001), { message: 'fn.close(ctx, 4001)' });
    } finally {
      pin.release();
    }
  });

  it('publish reaches the other subscribers of the topic, not the sender', async () => {
    const a = await openSocket(wsUrl(s.url, '/ws/chat/room'));
    const aId = (await a.opened).headers['x-request-id'];
    const b = await openSocket(wsUrl(s.url, '/ws/chat/room'));
    const c = await openSocket(wsUrl(s.url, '/ws/chat/room'));
    assert.equal(await a.ask({ topic: 't1', join: true }), 'joined');
    assert.equal(await b.ask({ topic: 't1', join: true }), 'joined');
    assert.equal(await c.ask({ topic: 'other', join: true }), 'joined');
    const sent = JSON.parse(await a.ask({ topic: 't1', text: 'hi' })) as { sent: number };
    assert.equal(sent.sent, 1, 'b only: not the sender, not another topic');
    assert.deepEqual(JSON.parse(await b.next()), { text: 'hi', from: aId });
    await b.close();
    assert.equal((JSON.parse(await a.ask({ topic: 't1', text: 'x' })) as { sent: number }).sent, 0);
    await a.close();
    await c.close();
  });

  it('a throwing call answers the error body and keeps the connection', async () => {
    const c = await openSocket(wsUrl(s.url, '/ws/chat/fails'));
    const e = JSON.parse(await c.ask('bad')) as { error: Record<string, unknown> };
    assert.equal(e.error.status, 422);
    assert.equal(e.error.message, 'nope');
    const hidden = JSON.parse(await c.ask('other')) as { error: Record<string, unknown> };
    assert.equal(hidden.error.status, 500);
    assert.equal(hidden.error.message, 'Internal Server Error', 'no detail leaves the server');
    assert.equal(c.ws.readyState, c.ws.OPEN);
    await c.close();
  });

  it('guards apply to the upgrade: refused with 401 and no connection', async () => {
    const r = await refusedUpgrade(wsUrl(s.url, '/guarded/socket'));
    assert.equal(r.status, 401);
    assert.equal(JSON.parse(r.body).error.code, 'HOTPUB_E_UNAUTHORIZED');
    assert.ok(r.headers['x-request-id'], 'refusals carry the request id too');
    const ok = await openSocket(wsUrl(s.url, '/guarded/socket'), { authorization: 'Bearer ok' });
    assert.equal(await ok.ask('hi'), 'hi');
    await ok.close();
  });

  it('hooks run on the upgrade: a returned value refuses it, ctx.state reaches the messages', async () => {
    const r = await refusedUpgrade(wsUrl(s.url, '/hooked/me'));
    assert.equal(r.status, 401);
    assert.equal(r.body, 'who are you?');
    const c = await openSocket(wsUrl(s.url, '/hooked/me'), { 'x-user': 'ada' });
    assert.deepEqual(JSON.parse(await c.ask('?')), { user: 'ada' });
    await c.close();
  });

  it('refusals: 404 for no function, 400 for a function that is not a WebSocket one, 426 over HTTP', async () => {
    assert.equal((await refusedUpgrade(wsUrl(s.url, '/ws/chat/nothing'))).status, 404);
    const notWs = await refusedUpgrade(wsUrl(s.url, '/ws/chat/plain'));
    assert.equal(notWs.status, 400);
    assert.equal(JSON.parse(notWs.body).error.code, 'HOTPUB_E_NOT_WEBSOCKET');
    const http = await s.fetch('/ws/chat/echo');
    assert.equal(http.status, 426);
    assert.equal(http.headers.get('upgrade'), 'websocket');
    assert.equal((await json(http)).error.code, 'HOTPUB_E_UPGRADE_REQUIRED');
    assert.equal((await s.fetch('/ws/chat/plain')).status, 200, 'HTTP functions are untouched');
  });

  it('a browser upgrade from another origin is refused unless the app trusts it', async () => {
    const other = await refusedUpgrade(wsUrl(s.url, '/ws/chat/echo'), {
      origin: 'https://evil.example',
    });
    assert.equal(other.status, 403);
    assert.equal(JSON.parse(other.body).error.code, 'HOTPUB_E_CROSS_ORIGIN');
    const same = await openSocket(wsUrl(s.url, '/ws/chat/echo'), { origin: s.url });
    await same.close();
    const trusted = await openSocket(wsUrl(s.url, '/open'), { origin: 'https://trusted.example' });
    assert.equal(await trusted.ask('t'), 't');
    await trusted.close();
    assert.equal(
      (await refusedUpgrade(wsUrl(s.url, '/open'), { origin: 'https://evil.example' })).status,
      403,
    );
  });

  it('sockets do not count as in flight: a reload never waits for an open connection', async () => {
    const c = await openSocket(wsUrl(s.url, '/ws/chat/echo'));
    await c.next();
    const app = () => s.server.registry.snapshot().apps.find((a) => a.name === 'ws');
    await waitFor(() => app()?.inflight === 0, { message: 'no pin held by an idle socket' });
    await c.close();
  });
});
