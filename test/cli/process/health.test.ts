// `/-/health` of runServer (what `hotpub serve` runs), over real HTTP: each mounted app's
// current generation, following a reload; 503 once shutdown has begun, answered on a
// connection that was busy when it began.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runServer } from '../../../src/cli/process/index.js';
import { rawRequest, tempApps } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';

const slow = `
import { existsSync } from 'node:fs';
let started = 0;
export async function slow(args: { gate: string }) {
  started++;
  const deadline = Date.now() + 30_000;
  while (!existsSync(args.gate) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return 'slow done';
}
export function index() { return 'v1'; }
export function count() { return started; }
`;

async function start(files: Record<string, string>) {
  const { dir, cleanup } = await tempApps(files);
  const server = await runServer({
    apps: dir,
    port: 0,
    host: '127.0.0.1',
    watch: false,
    dev: false,
    admin: false,
    drainTimeoutMs: 5000,
    shutdownTimeoutMs: 10_000,
    bodyLimit: 1024 * 1024,
    log: false,
  });
  return { server, dir, cleanup };
}

const healthOf = async (url: string) => {
  const r = await rawRequest(url, '/-/health');
  return { status: r.status, body: JSON.parse(r.body) };
};

describe('/-/health', () => {
  it("names each app's current generation, and follows a reload", async () => {
    const { server, dir, cleanup } = await start({
      'a/index.ts': slow,
      'b/index.ts': 'export function index() { return "b"; }',
      'b/app.json': '{ "mount": "/bee" }',
      '_lib/x.ts': 'export const x = 1;',
    });
    try {
      await rawRequest(server.url, '/a');
      assert.deepEqual(await healthOf(server.url), {
        status: 200,
        body: {
          ok: true,
          apps: [
            { name: 'a', mount: '/a', generation: 1 },
            { name: 'b', mount: '/bee', generation: 0 },
          ],
        },
      });
      await writeFile(join(dir, 'a/index.ts'), slow.replace("'v1'", "'v2'"));
      await server.reload();
      assert.equal((await rawRequest(server.url, '/a')).body, 'v2');
      const after = await healthOf(server.url);
      assert.equal(after.body.apps[0].generation, 2);
    } finally {
      await server.close();
      await cleanup();
    }
  });

  it('answers 503 once shutdown has begun', async () => {
    const { server, dir, cleanup } = await start({ 'a/index.ts': slow });
    const gate = join(dir, '..', 'gate');
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (c: string) => {
      received += c;
    });
    try {
      await new Promise((r) => socket.once('connect', r));
      const q = encodeURIComponent(gate);
      socket.write(`GET /a/slow?gate=${q} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await waitFor(async () => (await rawRequest(server.url, '/a/count')).body === '1', {
        message: 'the slow request in flight',
      });
      const closed = server.close();
      assert.equal(server.closing, true);
      // Same connection, busy, so still open: the next request on it sees the shutdown.
      socket.write('GET /-/health HTTP/1.1\r\nHost: x\r\n\r\n');
      await writeFile(gate, 'open');
      await waitFor(() => /HTTP\/1\.1 503/.test(received), { message: 'the 503' });
      assert.match(received, /^HTTP\/1\.1 200 OK[\s\S]*slow done/);
      assert.match(received, /HTTP\/1\.1 503[\s\S]*"status": "shutting down"/);
      await closed;
    } finally {
      socket.destroy();
      await writeFile(gate, 'open');
      await server.close();
      await cleanup();
    }
  });
});
