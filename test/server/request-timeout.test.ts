/**
 * requestTimeoutMs (QA F10): a client that stops sending its body gets a 408 (or a closed
 * connection) promptly instead of holding the request for Node's 5-minute default, on
 * the lean path and on the Express path, and the server keeps serving.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** Sends a POST announcing 1000 bytes, sends 5, then nothing; records what comes back. */
function stalledPost(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const state = { data: '', closed: false };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    state.data += chunk;
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    state.closed = true;
  });
  socket.write(
    'POST /blog/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
  );
  return { state, socket };
}

const files = {
  'blog/index.ts':
    'export function index() { return "up"; }\nexport function echo(args: unknown) { return args; }\n',
};

describe('requestTimeoutMs', () => {
  for (const path of ['lean', 'express'] as const) {
    it(`answers 408 to a stalled body and keeps serving (${path} path)`, async () => {
      const s = await startServer({
        files,
        requestTimeoutMs: 500,
        ...(path === 'express'
          ? { middleware: [(_q: unknown, _r: unknown, next: () => void) => next()] }
          : {}),
      });
      const { state, socket } = stalledPost(s.url);
      try {
        // Node's default would hold it for 300 s; the bound here is far below that.
        await waitFor(() => state.data.startsWith('HTTP/1.1 408') || state.closed, {
          timeoutMs: 15_000,
          message: 'a 408 or a closed connection for the stalled request',
        });
        if (state.data !== '') assert.match(state.data, /^HTTP\/1\.1 408 /);
        await waitFor(() => state.closed, { timeoutMs: 15_000, message: 'the socket closed' });
        const r = await s.fetch('/blog');
        assert.equal(r.status, 200);
        assert.equal(await r.text(), 'up');
      } finally {
        socket.destroy();
        await s.close();
      }
    });
  }

  it('lets a request that is merely slow within the timeout through', async () => {
    const s = await startServer({ files, requestTimeoutMs: 20_000 });
    const { hostname, port } = new URL(s.url);
    const socket = connect(Number(port), hostname);
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => {
      data += c;
    });
    try {
      const body = '{"a":1}';
      socket.write(
        `POST /blog/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n{"a":`,
      );
      await new Promise((r) => setTimeout(r, 100));
      socket.write('1}');
      await waitFor(() => data.includes('{"a":1}'), { message: 'the echoed body' });
      assert.match(data, /^HTTP\/1\.1 200 /);
    } finally {
      socket.destroy();
      await s.close();
    }
  });
});
