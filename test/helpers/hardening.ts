/**
 * The adversarial server of the hardening tests: app `a` with modules, private files,
 * broken modules and odd exports that each carry {@link MARK}, plus a symlinked file and
 * directory in `a/public/` pointing outside it. Every request is bounded by
 * {@link BOUND_MS}, so a hang fails its test instead of the run.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type RawResponse, startServer, type TestServer } from './server.js';

/** Every module and app.json carries this marker: no response may ever contain it. */
export const MARK = 'SECRET_SOURCE_MARKER_7f3a';
/** Longest wait for any one answer or socket close. */
export const BOUND_MS = 10_000;

/** The apps directory of the hardening server. */
export const HARDENING_FILES: Record<string, string> = {
  'a/app.json': `{ "description": "${MARK}" }`,
  'a/index.ts': `// ${MARK}
import { keep } from 'hotpub';
const state = keep('state', () => ({ started: 0, aborted: 0 }));
export function index() { return 'home'; }
export function echo(args: Record<string, unknown>, ctx: { body: unknown }) {
  return {
    keys: Object.keys(args),
    nullProto: Object.getPrototypeOf(args) === null,
    polluted: ({} as Record<string, unknown>).polluted ?? null,
    bodyProto: ctx.body && typeof ctx.body === 'object' ? Object.keys(Object.getPrototypeOf(ctx.body) ?? {}) : null,
  };
}
export function hang(_args: unknown, ctx: { signal: AbortSignal }) {
  state.started++;
  ctx.signal.addEventListener('abort', () => { state.aborted++; });
  return new Promise(() => {});
}
export function status() { return state; }
`,
  'a/guarded.ts': `import { keep } from 'hotpub';
const state = keep('state', () => ({ aborted: 0 }));
export async function _auth() { return true; }
export function hang(_args: unknown, ctx: { signal: AbortSignal }) {
  ctx.signal.addEventListener('abort', () => { state.aborted++; });
  return new Promise(() => {});
}
export function status() { return state; }
`,
  'a/_secret.ts': `// ${MARK}\nexport function index() { return 'private'; }\n`,
  'a/_lib/util.ts': `// ${MARK}\nexport function index() { return 'private lib'; }\n`,
  'a/.hidden.ts': `// ${MARK}\nexport function index() { return 'hidden'; }\n`,
  'a/x.test.ts': `// ${MARK}\nexport function index() { return 'test file'; }\n`,
  'a/node_modules/m.ts': `// ${MARK}\nexport function index() { return 'nm'; }\n`,
  'a/broken.ts': `export function index( { return '${MARK}' }\n`,
  'a/throws.ts': `throw new Error('top level ${MARK}');\nexport function index() { return 1; }\n`,
  'a/public/ok.txt': 'static ok',
  'a/public/.env': MARK,
  'a/names.ts': `// ${MARK}
import fs from 'node:fs';
import { readFileSync as rfs } from './_lib/fsre.js';
export { readFileSync } from 'node:fs';
export { existsSync } from './_lib/fsre.js';
export class Klass {}
export function toString() { return 'toString'; }
export function call() { return 'call'; }
export const proxied = new Proxy(function proxied() { return 'proxy'; }, {});
export const boundBuiltin = fs.readFileSync.bind(fs);
export const nestedBuiltin = fs.promises.readFile;
export const globalEval = eval;
export const viaLocal = rfs;
export function* gen() { yield 1; }
export function ok() { return 'ok'; }
Object.defineProperty(module.exports, 'boom', { enumerable: true, get() { throw new Error('getter'); } });
`,
  'a/_lib/fsre.ts': `export { readFileSync, existsSync } from 'node:fs';\n`,
  'a/errors.ts': `
export function str() { throw 'a string with ${MARK}'; }
export function nul() { throw null; }
export function undef() { throw undefined; }
export function s999() { throw { status: 999, message: 'odd ${MARK}' }; }
export function s404str() { throw { status: '404', message: 'str status ${MARK}' }; }
export function nullProto() { throw Object.create(null); }
export function badMessage() { throw { get message() { throw new Error('nope'); } }; }
export function teapot() { throw Object.assign(new Error('short and stout'), { statusCode: 418 }); }
export function upstream() {
  // What an SDK error (status + the upstream response's headers) looks like when an app lets it through.
  throw Object.assign(new Error('401 from upstream'), { status: 401, headers: { 'set-cookie': 'upstream=1', 'transfer-encoding': 'chunked', 'content-length': '5' } });
}
export function hidden5xx() {
  throw Object.assign(new Error('db password ${MARK}'), { status: 503, headers: { 'x-internal': 'leak' } });
}
export async function rejectStr() { throw 'async ${MARK}'; }
`,
  'a/responses.ts': `
import { Readable } from 'node:stream';
export function both(_a: unknown, ctx: { res: import('node:http').ServerResponse }) {
  ctx.res.setHeader('content-type', 'text/plain');
  ctx.res.end('written');
  return { also: 'returned' };
}
export function bothPartial(_a: unknown, ctx: { res: import('node:http').ServerResponse }) {
  ctx.res.write('partial-');
  return 'returned';
}
export function midError() {
  let n = 0;
  return new Readable({
    read() {
      n++;
      if (n === 1) this.push('first-chunk;');
      else this.destroy(new Error('stream broke ${MARK}'));
    },
  });
}
export function circular() { const o: Record<string, unknown> = {}; o.self = o; return o; }
export function big() { return 10n; }
export function head() { return 'x'.repeat(100); }
`,
};

/** The hardening server of one test file, and bounded ways to talk to it. */
export interface HardeningServer {
  /** The running server (valid inside tests). */
  readonly server: TestServer;
  /** `server.raw`, failing if there is no answer within {@link BOUND_MS}. */
  raw(
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
  ): Promise<RawResponse>;
  /** Sends raw bytes on a fresh socket; resolves with everything received until close. */
  rawSocket(
    bytes: string | Buffer,
    options?: { end?: boolean; closeAfterMs?: number },
  ): Promise<string>;
  /** Asserts the server still answers `/a` with `home`. */
  stillAlive(): Promise<void>;
}

/**
 * Starts the hardening server in this file's `before` hook and stops it (and removes the
 * outside directory) in `after`.
 */
export function hardeningServer(): HardeningServer {
  let s: TestServer | undefined;
  let outside: string | undefined;
  const server = (): TestServer => {
    if (!s) throw new Error('the hardening server runs only inside tests');
    return s;
  };

  before(async () => {
    s = await startServer({ files: HARDENING_FILES, bodyLimit: 64 * 1024 });
    outside = await mkdtemp(join(tmpdir(), 'hotpub-outside-'));
    await writeFile(join(outside, 'secret.txt'), MARK);
    // A symlinked file and directory in public/ that point outside it.
    await symlink(join(s.dir, 'a', 'index.ts'), join(s.dir, 'a', 'public', 'leak.ts'));
    await symlink(outside, join(s.dir, 'a', 'public', 'out'));
    await mkdir(join(s.dir, 'a', 'public', 'sub'), { recursive: true });
  });

  after(async () => {
    await s?.close();
    if (outside) await rm(outside, { recursive: true, force: true });
  });

  const raw: HardeningServer['raw'] = async (path, init) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${BOUND_MS} ms: ${path}`)),
        BOUND_MS,
      );
    });
    try {
      return await Promise.race([server().raw(path, init), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    get server() {
      return server();
    },
    raw,
    rawSocket(bytes, { end = true, closeAfterMs } = {}) {
      const { port } = new URL(server().url);
      return new Promise((resolve, reject) => {
        const sock = connect(Number(port), '127.0.0.1');
        const chunks: Buffer[] = [];
        const timer = setTimeout(() => {
          sock.destroy();
          reject(new Error(`socket got no close within ${BOUND_MS} ms`));
        }, BOUND_MS);
        sock.on('data', (c: Buffer) => chunks.push(c));
        sock.on('error', () => {});
        sock.on('close', () => {
          clearTimeout(timer);
          resolve(Buffer.concat(chunks).toString('latin1'));
        });
        sock.write(bytes);
        if (end) sock.end();
        if (closeAfterMs !== undefined) setTimeout(() => sock.destroy(), closeAfterMs);
      });
    },
    async stillAlive() {
      const r = await raw('/a');
      assert.equal(r.status, 200, 'server still answers');
      assert.equal(r.body, 'home');
    },
  };
}

/** Asserts `r` does not contain {@link MARK}. */
export function noSource(r: RawResponse, what: string): void {
  assert.ok(
    !r.body.includes(MARK),
    `${what}: response leaks module source: ${r.body.slice(0, 200)}`,
  );
}
