/**
 * createServer: listening, the middleware and reserved-path hooks, start-up errors and a
 * close() that lets in-flight requests finish.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HotpubError } from '../../src/errors/index.js';
import { createServer } from '../../src/server/serve.js';
import { startServer, tempApps, testLogger } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('createServer', () => {
  it('runs configured middleware (on Express) before the publisher', async () => {
    const s = await startServer({
      files: {
        'blog/index.ts':
          'export function index(_a: unknown, ctx: { req: { user?: string } }) { return { user: ctx.req.user ?? null }; }\n',
      },
      middleware: [
        (req, res, next) => {
          res.setHeader('x-mw', 'ran');
          (req as { user?: string }).user = 'ann';
          next();
        },
        (req, res, next) => {
          if (req.url === '/blocked') {
            res.statusCode = 451;
            res.end('blocked by middleware');
          } else next();
        },
      ],
    });
    try {
      const r = await s.fetch('/blog');
      assert.equal(r.headers.get('x-mw'), 'ran');
      assert.deepEqual(await r.json(), { user: 'ann' });
      assert.equal((await s.fetch('/blocked')).status, 451);
      const miss = await s.fetch('/nothing');
      assert.equal(miss.status, 404);
      assert.equal(
        ((await miss.json()) as { error: { code: string } }).error.code,
        'HOTPUB_E_NOT_FOUND',
      );
    } finally {
      await s.close();
    }
  });

  it('answers /-/ only through the reserved hook, on the lean path and on Express', async () => {
    for (const middleware of [
      undefined,
      [(_q: unknown, _r: unknown, next: () => void) => next()],
    ]) {
      const s = await startServer({
        files: { '-x/index.ts': 'export function index() { return "dash app"; }\n' },
        reserved: (req, res, next) => {
          if (req.url === '/-/hello') res.end('framework hello');
          else next();
        },
        ...(middleware ? { middleware } : {}),
      });
      try {
        assert.equal(await (await s.fetch('/-/hello')).text(), 'framework hello');
        assert.equal((await s.fetch('/-/other')).status, 404);
        assert.equal((await s.fetch('/-')).status, 404);
        assert.equal(await (await s.fetch('/-x')).text(), 'dash app', '/-x is an ordinary app');
      } finally {
        await s.close();
      }
    }
  });

  it('rejects a missing apps directory and a bad app.json, leaving nothing running', async () => {
    await assert.rejects(
      createServer({ apps: '/nonexistent/apps', port: 0, logger: testLogger() }),
      (err: unknown) => {
        assert.ok(err instanceof HotpubError);
        return true;
      },
    );
    const t = await tempApps({ 'api/app.json': '{"mount": 1}' });
    try {
      await assert.rejects(
        createServer({ apps: t.dir, port: 0, logger: testLogger() }),
        (err: unknown) => {
          assert.ok(err instanceof HotpubError);
          assert.equal(err.file, join(t.dir, 'api/app.json'));
          assert.equal(err.field, 'mount');
          return true;
        },
      );
    } finally {
      await t.cleanup();
    }
  });

  it('rejects a port in use with EADDRINUSE', async () => {
    const s = await startServer({
      files: { 'a/index.ts': 'export function index() { return 1; }\n' },
    });
    try {
      await assert.rejects(
        createServer({ apps: s.dir, port: s.server.port, host: '127.0.0.1', logger: testLogger() }),
        {
          code: 'EADDRINUSE',
        },
      );
    } finally {
      await s.close();
    }
  });

  it('close() stops accepting and lets an in-flight request finish', async () => {
    const s = await startServer({
      files: {
        'slow/index.ts': `
import { existsSync } from 'node:fs';
let started = false;
export async function wait(args: { gate: string }) {
  started = true;
  const deadline = Date.now() + 60_000;
  while (!existsSync(args.gate) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return 'finished';
}
export function isStarted() { return started; }
`,
      },
    });
    const gate = join(s.dir, '..', 'gate');
    const inflight = s.fetch(`/slow/wait?gate=${encodeURIComponent(gate)}`).then((r) => r.text());
    let closed = false;
    try {
      await waitFor(async () => (await (await s.fetch('/slow/isStarted')).text()) === 'true', {
        message: 'started',
      });
      const closing = s.server.close().then(() => {
        closed = true;
      });
      await waitFor(() => !s.server.server.listening, { message: 'not listening' });
      await assert.rejects(fetch(`${s.url}/slow/isStarted`), 'no new connections');
      assert.equal(closed, false, 'close() waits for the in-flight request');
      await s.write('../gate', 'open');
      assert.equal(await inflight, 'finished');
      await closing;
      assert.equal(closed, true);
    } finally {
      await s.write('../gate', 'open').catch(() => {});
      await s.close();
    }
  });
});
