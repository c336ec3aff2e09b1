/**
 * A fuzz test of the request path (issue 13): thousands of requests built by fast-check
 * from URL segments (names, private names, dot segments, encodings), mount params,
 * methods, headers and bodies, against one real server. Every answer must hold:
 * - no 5xx but the one app function that fails on purpose (503 APP_BOOM);
 * - a 2xx body is one of the published functions' or public/'s, never anything else
 *   (a private module, a dotfile, module source);
 * - every answer within a bound, and the server alive at the end.
 * The seed is printed on failure by fast-check; set HOTPUB_FUZZ_SEED to replay one.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startServer, type TestServer } from '../helpers/server.js';

const RUNS = 2500;
const SECRET = 'PRIVATE_MARKER_91c2';

const FILES: Record<string, string> = {
  'f/index.ts': `import { HttpError } from 'hotpub';
export function index() { return 'FN:f/index#index'; }
export function echo(args: Record<string, unknown>) { return { fn: 'FN:f/index#echo', keys: Object.keys(args).length }; }
export function boom() { throw new HttpError(503, 'boom', { code: 'APP_BOOM', expose: true }); }
export async function slowly() { await new Promise((r) => setTimeout(r, 1)); return 'FN:f/index#slowly'; }
export function guarded() { return 'FN:f/index#guarded'; }
guarded.auth = (ctx: { req: { headers: Record<string, string | undefined> } }) => ctx.req.headers['x-token'] === 'ok';
export function posted() { return 'FN:f/index#posted'; }
posted.methods = ['POST', 'PUT', 'DELETE'];
export function _hidden() { return '${SECRET}'; }
export const notFn = '${SECRET}';
`,
  'f/sub/deep.ts': `export function index() { return 'FN:f/sub/deep#index'; }
export function leaf() { return 'FN:f/sub/deep#leaf'; }
`,
  'f/_secret.ts': `export function index() { return '${SECRET}'; }\n`,
  'f/_lib/util.ts': `export function index() { return '${SECRET}'; }\n`,
  'f/.hidden.ts': `export function index() { return '${SECRET}'; }\n`,
  'f/x.test.ts': `export function index() { return '${SECRET}'; }\n`,
  'f/app.json': `{ "description": "${SECRET}" }`,
  'f/public/pub.txt': 'STATIC:pub',
  'f/public/.env': SECRET,
  't/app.json': JSON.stringify({ mount: '/t/:tenant', cors: { origin: 'https://ok.example' } }),
  't/index.ts': `export function index(a: { tenant: string }) { return 'FN:t/index#index'; }
export function list(a: { tenant: string }) {
  if (a.tenant === '.' || a.tenant === '..') return '${SECRET}';
  return 'FN:t/index#list';
}
`,
};

const PUBLISHED_BODIES = [
  'FN:f/index#index',
  'FN:f/index#slowly',
  'FN:f/index#guarded',
  'FN:f/index#posted',
  'FN:f/sub/deep#index',
  'FN:f/sub/deep#leaf',
  'FN:t/index#index',
  'FN:t/index#list',
  'STATIC:pub',
];

/** Names the apps publish or hold. */
const known = fc.constantFrom(
  'index',
  'echo',
  'boom',
  'slowly',
  'guarded',
  'posted',
  'sub',
  'deep',
  'leaf',
  'list',
  'pub.txt',
);

/** Names that must never reach anything, and encodings of separators and dots. */
const hostile = fc.constantFrom(
  '_secret',
  '_lib',
  'util',
  '.hidden',
  'x.test',
  'app.json',
  'app',
  '.env',
  'public',
  'node_modules',
  '_hidden',
  'notFn',
  'constructor',
  '__proto__',
  'toString',
  'default',
  '-',
  '.',
  '..',
  '%2e',
  '%2e%2e',
  '%2E%2e',
  '%2f',
  '%2F',
  '%5c',
  '%00',
  '%',
  '%zz',
  '%ff',
  '%c0%ae',
  '%5fsecret',
  '%255fsecret',
  'index%2ets',
  'pub%2etxt',
  '_secret%2f',
  '%E2%82%AC',
  '~',
  "'",
  '!',
  '*',
);

/** Segments: real names, hostile names, and random URL-safe text. */
const segment = fc.oneof(
  { weight: 5, arbitrary: known },
  { weight: 4, arbitrary: hostile },
  { weight: 1, arbitrary: fc.constantFrom('f', 't', 'acme') },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~%-]{0,12}$/) },
);

/** Segments after a mount: mostly within an app, sometimes anywhere. */
const segments = fc.oneof(
  fc.tuple(fc.constant('f'), fc.array(segment, { maxLength: 4 })).map(([a, r]) => [a, ...r]),
  fc
    .tuple(
      fc.constant('t'),
      fc.oneof(hostile, fc.constant('acme')),
      fc.array(segment, { maxLength: 3 }),
    )
    .map(([a, tenant, r]) => [a, tenant, ...r]),
  fc.array(segment, { maxLength: 6 }),
);

const path = fc
  .record({
    segments,
    trailing: fc.boolean(),
    query: fc.option(fc.stringMatching(/^[A-Za-z0-9=&%_.[\]-]{0,30}$/), { nil: undefined }),
  })
  .map(({ segments, trailing, query }) => {
    let p = `/${segments.join('/')}`;
    if (trailing && p !== '/') p += '/';
    return query === undefined ? p : `${p}?${query}`;
  });

const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=zz',
      'multipart/form-data',
      'text/plain',
      'application/vnd.x+json',
      'application/json; charset=latin1',
    ),
    'sec-fetch-site': fc.constantFrom('cross-site', 'same-site', 'same-origin', 'none', 'bogus'),
    origin: fc.constantFrom(
      'https://evil.example',
      'https://ok.example',
      'null',
      'http://127.0.0.1',
    ),
    'content-encoding': fc.constantFrom('gzip', 'identity', 'br'),
    'x-token': fc.constantFrom('ok', 'no'),
    accept: fc.constantFrom('text/html', 'application/json', '*/*'),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom(
    '{"__proto__":{"polluted":1},"a":1}',
    '{"constructor":{"prototype":{"x":1}}}',
    'a=1&__proto__[x]=1&b=2',
    '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--zz--\r\n',
    '--zz\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n',
    '{"unterminated":',
    'x'.repeat(600),
  ),
  fc.string({ maxLength: 80 }),
);

const method = fc.constantFrom(
  'GET',
  'GET',
  'GET',
  'HEAD',
  'POST',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
);

interface Answer {
  status: number;
  body: string;
}

function send(
  s: TestServer,
  agent: Agent,
  req: { method: string; path: string; headers: Record<string, string>; body: string | undefined },
): Promise<Answer> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const hs: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) hs['content-length'] = String(Buffer.byteLength(req.body));
    const r = request(
      { host: '127.0.0.1', port, path: req.path, method: req.method, headers: hs, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    r.setTimeout(10_000, () =>
      r.destroy(new Error(`no answer within 10 s: ${req.method} ${req.path}`)),
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

describe('fuzz: the request path', () => {
  let s: TestServer;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });

  before(async () => {
    s = await startServer({ files: FILES, bodyLimit: 512 });
  });
  after(async () => {
    agent.destroy();
    await s.close();
  });

  it(`${RUNS} requests: no 5xx but the app's own, nothing answered outside published functions and public/`, async () => {
    const seed = process.env.HOTPUB_FUZZ_SEED ? Number(process.env.HOTPUB_FUZZ_SEED) : undefined;
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, async (m, p, h, b) => {
        const withBody = m !== 'GET' && m !== 'HEAD' ? b : undefined;
        const a = await send(s, agent, { method: m, path: p, headers: h, body: withBody });
        const what = `${m} ${p} ${JSON.stringify(h)} -> ${a.status} ${a.body.slice(0, 200)}`;
        assert.ok(!a.body.includes(SECRET), `private content answered: ${what}`);
        if (a.status >= 500) {
          assert.equal(a.status, 503, `framework 5xx: ${what}`);
          if (m !== 'HEAD') {
            assert.equal(JSON.parse(a.body).error.code, 'APP_BOOM', `framework 5xx: ${what}`);
          } else assert.match(p, /^\/f\/boom\/?(\?|$)/, `framework 5xx: ${what}`);
        }
        if (a.status >= 200 && a.status < 300 && m !== 'HEAD' && a.body !== '') {
          const known =
            PUBLISHED_BODIES.includes(a.body) || a.body.startsWith('{"fn":"FN:f/index#echo"');
          assert.ok(known, `answered by something not published: ${what}`);
        }
      }),
      { numRuns: RUNS, seed, endOnFailure: true },
    );
    const alive = await s.fetch('/f');
    assert.equal(await alive.text(), 'FN:f/index#index', 'the server is alive at the end');
  });
});
