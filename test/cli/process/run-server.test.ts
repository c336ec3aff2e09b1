// runServer (what `hotpub serve` runs) in-process: the request log, registry events in
// the log with file:line:col, and the /-/ endpoints on and off.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  type RunningServer,
  type RunServerOptions,
  runServer,
} from '../../../src/cli/process/index.js';
import { rawRequest, tempApps } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';

const FILES = {
  'a/index.ts':
    'export function index() { return "a"; }\nexport async function slow() { return "s"; }\nexport function boom() { throw new Error("kaput"); }',
};

async function start(
  options: Partial<RunServerOptions>,
): Promise<{ server: RunningServer; dir: string; lines: string[]; close(): Promise<void> }> {
  const { dir, cleanup } = await tempApps(FILES);
  const lines: string[] = [];
  const server = await runServer({
    apps: dir,
    port: 0,
    host: '127.0.0.1',
    watch: false,
    dev: false,
    admin: false,
    drainTimeoutMs: 5000,
    shutdownTimeoutMs: 5000,
    bodyLimit: 1024 * 1024,
    log: { level: 'info', requests: false, pretty: false },
    logDest: { write: (line: string) => lines.push(line) },
    ...options,
  });
  return {
    server,
    dir,
    lines,
    async close() {
      await server.close();
      await cleanup();
    },
  };
}

const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('runServer logging', () => {
  it('logs one JSON line per request when asked, with method, URL, status and ms', async () => {
    const s = await start({ log: { level: 'info', requests: true, pretty: false } });
    try {
      const a = await rawRequest(s.server.url, '/a?x=1');
      await rawRequest(s.server.url, '/missing');
      const requests = (await waitFor(() => {
        const found = parsed(s.lines).filter((l) => l.method !== undefined);
        return found.length === 2 ? found : undefined;
      }))!;
      assert.deepEqual(
        requests.map((l) => [l.level, l.method, l.url, l.status, typeof l.ms]),
        [
          [30, 'GET', '/a?x=1', 200, 'number'],
          [30, 'GET', '/missing', 404, 'number'],
        ],
      );
      assert.match(String(requests[0]!.msg), /^GET \/a\?x=1 200 [\d.]+ms$/);
      assert.equal(requests[0]!.reqId, a.headers['x-request-id'], 'the line names the request');
    } finally {
      await s.close();
    }
  });

  it('logs no request lines by default, but logs swaps', async () => {
    const s = await start({});
    try {
      await rawRequest(s.server.url, '/a');
      const swap = (await waitFor(() => parsed(s.lines).find((l) => l.generation !== undefined)))!;
      assert.equal(swap.app, 'a');
      assert.equal(swap.msg, 'a: generation 1 (a/index.ts)');
      assert.equal(parsed(s.lines).filter((l) => l.method !== undefined).length, 0);
    } finally {
      await s.close();
    }
  });

  it('writes readable lines when pretty', async () => {
    const s = await start({ log: { level: 'info', requests: true, pretty: true } });
    try {
      await rawRequest(s.server.url, '/a');
      const line = (await waitFor(() => s.lines.find((l) => l.includes('GET /a'))))!;
      assert.match(line, /^\d\d:\d\d:\d\d INFO {2}GET \/a 200 [\d.]+ms\n$/);
    } finally {
      await s.close();
    }
  });

  it('prints an error with its stack on lines of their own when pretty', async () => {
    const s = await start({ dev: true, log: { level: 'info', requests: false, pretty: true } });
    try {
      assert.equal((await rawRequest(s.server.url, '/a/boom')).status, 500);
      const line = (await waitFor(() => s.lines.find((l) => l.includes('ERROR'))))!;
      assert.match(line, /^\d\d:\d\d:\d\d ERROR .*kaput.*\nError: kaput\n\s+at /);
    } finally {
      await s.close();
    }
  });

  it('logs a failed reload with file:line:col and, under dev, the code frame', async () => {
    const s = await start({
      watch: true,
      dev: true,
      log: { level: 'info', requests: false, pretty: false },
    });
    try {
      assert.equal((await rawRequest(s.server.url, '/a')).body, 'a');
      await writeFile(
        join(s.dir, 'a', 'index.ts'),
        'export function index() {\n  return "b" +;\n}\n',
      );
      const error = (await waitFor(() => parsed(s.lines).find((l) => l.level === 50)))!;
      assert.match(String(error.msg), /^a\/index\.ts:2:\d+: /);
      assert.ok(!String(error.msg).includes(s.dir), `location said once: ${error.msg}`);
      assert.equal(error.file, String(error.msg).split(': ')[0]);
      assert.match(String(error.code), /^HOTPUB_E_/);
      assert.match(String(error.frame), /return "b" \+;/);
      assert.equal((await rawRequest(s.server.url, '/a')).body, 'a', 'the last good code serves');
    } finally {
      await s.close();
    }
  });

  it('logs nothing at all with log: false', async () => {
    const s = await start({ log: false });
    try {
      await rawRequest(s.server.url, '/a');
      await rawRequest(s.server.url, '/missing');
      assert.deepEqual(s.lines, []);
    } finally {
      await s.close();
    }
  });
});

describe('runServer /-/ endpoints', () => {
  it('without dev or admin: only /-/health', async () => {
    const s = await start({});
    try {
      const health = await rawRequest(s.server.url, '/-/health');
      assert.equal(health.status, 200);
      assert.deepEqual(JSON.parse(health.body), { ok: true });
      for (const path of ['/-/registry', '/-/routes', '/-/', '/-', '/-/health/x']) {
        const res = await rawRequest(s.server.url, path);
        assert.equal(res.status, 404, path);
        assert.equal(JSON.parse(res.body).error.code, 'HOTPUB_E_NOT_FOUND');
      }
    } finally {
      await s.close();
    }
  });

  it('with admin: the registry snapshot and the routes, GET and HEAD only', async () => {
    const s = await start({ admin: true });
    try {
      await rawRequest(s.server.url, '/a');
      const registry = await rawRequest(s.server.url, '/-/registry?x=1');
      assert.equal(registry.status, 200);
      assert.equal(registry.headers['cache-control'], 'no-store');
      const snapshot = JSON.parse(registry.body);
      assert.equal(snapshot.root, s.dir);
      assert.equal(snapshot.apps[0].name, 'a');
      assert.equal(snapshot.apps[0].modules[0].evaluations, 1);
      const routes = JSON.parse((await rawRequest(s.server.url, '/-/routes')).body);
      assert.deepEqual(
        routes.map((r: { url: string; name: string }) => `${r.url}#${r.name}`),
        ['/a#index', '/a/boom#boom', '/a/slow#slow'],
      );
      const post = await rawRequest(s.server.url, '/-/registry', { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.allow, 'GET, HEAD');
      // The same error response as any request: the publisher's body and headers.
      assert.deepEqual(JSON.parse(post.body), {
        error: {
          status: 405,
          code: 'HOTPUB_E_METHOD_NOT_ALLOWED',
          message: 'Method Not Allowed',
          requestId: post.headers['x-request-id'],
        },
      });
      assert.equal(post.body, JSON.stringify(JSON.parse(post.body)));
      const head = await rawRequest(s.server.url, '/-/health', { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.body, '');
    } finally {
      await s.close();
    }
  });
});
