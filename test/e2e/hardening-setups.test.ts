/**
 * Adversarial regression tests (QA) that need a server of their own: guards and
 * metadata that fail closed, --dev error pages, bodies pre-parsed by Express,
 * publisher() inside an Express app, clients that leave while queued behind a reload.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { MARK } from '../helpers/hardening.js';
import {
  rawRequest,
  startServer,
  type TestServer,
  tempApps,
  testLogger,
} from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('hardening: guards and metadata fail closed, failures are logged', () => {
  const lines: string[] = [];
  let g: TestServer;

  before(async () => {
    const dest = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    g = await startServer({
      logger: pino({ level: 'info' }, dest),
      files: {
        'g/a.ts': `
export function str() { return 'open'; }
str.auth = 'admin';
export function arr() { return 'open'; }
arr.access = [() => false];
export function cls() { return 'open'; }
cls.auth = class {};
export function gen() { return 'open'; }
gen.access = function* () { yield false; };
export function meth() { return 'posted'; }
meth.methods = ['GET', 5];
export function denied() { return 'open'; }
denied.auth = () => false;
`,
        'g/b.ts': `export const _auth = { check: () => false };\nexport function index() { return 'open'; }\n`,
        'g/c.ts': `import { Readable } from 'node:stream';
export function mid() {
  let n = 0;
  return new Readable({ read() { n++; if (n === 1) this.push('x'); else this.destroy(new Error('BROKE_NODE_STREAM')); } });
}
export function web() {
  return new Response(new ReadableStream({ pull(c) { c.error(new Error('BROKE_WEB_STREAM')); } }));
}
`,
      },
    });
  });

  after(() => g.close());

  it('a plain function guard that says no is a 401', async () => {
    assert.equal((await g.raw('/g/a/denied')).status, 401);
  });

  it('a guard that is set but is not a function (string, array, class, generator, object) denies: it never fails open', async () => {
    for (const p of ['/g/a/str', '/g/a/arr', '/g/a/cls', '/g/a/gen', '/g/b']) {
      const r = await g.raw(p);
      assert.ok(
        r.status === 401 || r.status === 403 || r.status === 500,
        `${p} -> ${r.status} ${r.body}`,
      );
      assert.notEqual(r.body, 'open', `${p} ran the function`);
    }
  });

  it('fn.methods with a non-string entry does not silently fall back to GET, HEAD, POST', async () => {
    const r = await g.raw('/g/a/meth', { method: 'POST' });
    assert.notEqual(r.status, 200, r.body);
  });

  it('a returned stream that fails mid-way is logged with its error (the client only sees a cut connection)', async () => {
    for (const p of ['/g/c/mid', '/g/c/web']) await g.raw(p).catch(() => undefined);
    await waitFor(() => lines.some((l) => l.includes('BROKE_NODE_STREAM')), {
      message: 'node stream error logged',
    });
    await waitFor(() => lines.some((l) => l.includes('BROKE_WEB_STREAM')), {
      message: 'web stream error logged',
    });
  });
});

describe('hardening: --dev error pages', () => {
  let d: TestServer;

  before(async () => {
    d = await startServer({
      dev: true,
      files: {
        // What a database driver does: the error is made in the driver's own callback (no
        // app frame in its stack) and its message quotes the client's input.
        'e/a.ts': `import { query } from 'fakedb';
export function find(args: { id: string }) { return query(args.id); }
`,
      },
    });
    const pkg = join(d.dir, '..', 'node_modules', 'fakedb');
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, 'index.js'),
      "exports.query = (v) => new Promise((_, reject) => setImmediate(() => reject(new Error('invalid input syntax for type integer: \"' + v + '\"'))));\n",
    );
    await writeFile(join(d.dir, '..', 'outside-secret.txt'), `${MARK}\n`);
  });
  after(() => d.close());

  it('an error message that quotes client input cannot make the code frame read a file outside the app modules', async () => {
    const id = `x\n    at q (${d.dir}/../outside-secret.txt:1:1)\n`;
    const r = await d.raw(`/e/a/find?id=${encodeURIComponent(id)}`);
    assert.equal(r.status, 500);
    assert.ok(
      !r.body.includes(MARK),
      `the dev error page read a file outside the apps: ${r.body.slice(0, 300)}`,
    );
  });
});

describe('hardening: bodies already parsed by Express middleware', () => {
  let x: TestServer;

  before(async () => {
    const { default: express } = await import('express');
    x = await startServer({
      middleware: [express.json() as never],
      files: {
        'e/a.ts': `export function echo(args: Record<string, Record<string, unknown>>) {
  return { keys: Object.keys(args), nestedProtoKey: args.n ? Object.hasOwn(args.n, '__proto__') : null, polluted: ({} as Record<string, unknown>).polluted ?? null };
}`,
      },
    });
  });
  after(() => x.close());

  it('top-level dangerous keys are dropped and nothing is polluted', async () => {
    const r = await x.raw('/e/a/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1,"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"n":{"b":2}}',
    });
    assert.equal(r.status, 200);
    const j = JSON.parse(r.body) as { keys: string[]; polluted: unknown };
    assert.deepEqual(j.keys.sort(), ['a', 'n']);
    assert.equal(j.polluted, null);
  });

  it('nested __proto__ keys are dropped too, as handlers.md promises for JSON bodies', async () => {
    const r = await x.raw('/e/a/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n":{"__proto__":{"polluted":1},"b":2}}',
    });
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as { nestedProtoKey: unknown }).nestedProtoKey, false);
  });
});

describe('hardening: publisher() inside an existing Express app', () => {
  it('traversal, hidden modules and source never pass through the router; misses reach the app', async () => {
    const { default: express } = await import('express');
    const { publisher } = await import('../../src/index.js');
    const apps = await tempApps({
      'a/index.ts': `// ${MARK}\nexport function index() { return 'home'; }\n`,
      'a/_p.ts': `// ${MARK}\nexport function index() { return 'private'; }\n`,
      'a/public/ok.txt': 'ok',
    });
    const hot = publisher({ apps: apps.dir, logger: testLogger() });
    const app = express();
    app.use('/x', hot);
    app.use((_req, res) => {
      res.status(404).send('not here');
    });
    const server = app.listen(0, '127.0.0.1');
    try {
      await once(server, 'listening');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      assert.equal((await rawRequest(base, '/x/a')).body, 'home');
      assert.equal((await rawRequest(base, '/x/a/ok.txt')).body, 'ok');
      for (const p of [
        '/x/../x/a/_p',
        '/x/a/_p',
        '/x%2fa',
        '/x/a/%2e%2e/_p',
        '/x/a/index.ts',
        '/x//a',
        '/x/-/registry',
      ]) {
        const r = await rawRequest(base, p);
        assert.equal(r.status, 404, p);
        assert.equal(r.body, 'not here', `${p} must fall through to the app`);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await hot.close();
      await apps.cleanup();
    }
  });
});

describe('hardening: clients that leave while queued behind a reload', () => {
  it('requests queued behind a pending reload whose clients leave hold no pin; the reload goes ahead', async () => {
    const w = await startServer({
      watch: true,
      drainTimeoutMs: 1500,
      files: {
        'a/index.ts':
          'export function hang() { return new Promise(() => {}); }\nexport function v() { return 1; }\n',
      },
    });
    const { port } = new URL(w.url);
    const sockets: ReturnType<typeof connect>[] = [];
    const open = (path: string) => {
      const c = connect(Number(port), '127.0.0.1');
      c.on('error', () => {});
      c.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      sockets.push(c);
      return c;
    };
    const app = () => w.server.registry.snapshot().apps.find((a) => a.name === 'a');
    try {
      assert.equal(await (await w.fetch('/a/v')).json(), 1);
      const hung = open('/a/hang');
      await waitFor(() => app()?.inflight === 1, { message: 'the hanging request pinned' });
      await w.write(
        'a/index.ts',
        'export function hang() { return new Promise(() => {}); }\nexport function v() { return 2; }\n',
      );
      await waitFor(() => app()?.reloadPending, { message: 'reload pending' });
      const queued = [open('/a/v'), open('/a/hang'), open('/a/v')];
      await waitFor(() => app()?.reloadPending, { message: 'still pending' });
      for (const q of queued) q.destroy();
      // Past the drain timeout the swap goes ahead; the hanging request keeps its old pin.
      await waitFor(async () => (await (await w.fetch('/a/v')).json()) === 2, {
        message: 'new generation serving',
      });
      hung.destroy();
      await waitFor(() => app()?.inflight === 0, { message: 'every pin released' });
    } finally {
      for (const c of sockets) c.destroy();
      await w.close();
    }
  });
});
