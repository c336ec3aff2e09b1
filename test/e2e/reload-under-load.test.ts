/**
 * Zero failed requests while 16 concurrent clients hit a module during 40 reloads (half
 * plain writes, half editor atomic saves). Each request reads the module's
 * `import.meta.hot.data` stamp before and after an await: only the code lock keeps a
 * reload's top level from rewriting it mid-request, and the handler fails (500) if it did.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { atomicWrite } from '../helpers/files.js';
import { moduleInfo, startWatched } from '../helpers/reload-server.js';
import { waitFor } from '../helpers/wait.js';

const RELOADS = 40;
const CLIENTS = 16;

const mod = (n: number) => `
import.meta.hot.data.stamp = ${n};
export async function index() {
  const before = import.meta.hot.data.stamp;
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 1));
  const after = import.meta.hot.data.stamp;
  if (before !== ${n} || after !== ${n}) throw new Error('mixed generations: ' + before + '/' + after + ' in ${n}');
  return 'token:${n}';
}
`;

describe('reloads under load (--watch, real HTTP)', { timeout: 60_000 }, () => {
  it(`${CLIENTS} clients, ${RELOADS} reloads: every answer 200, tokens never go back`, async () => {
    const s = await startWatched({ files: { 'load/index.ts': mod(0) } });
    let stop = false;
    const failures: string[] = [];
    const perClient: number[][] = Array.from({ length: CLIENTS }, () => []);
    const client = async (i: number) => {
      // Bounded even if the writer never stops us.
      const deadline = Date.now() + 55_000;
      while (!stop && Date.now() < deadline) {
        try {
          const r = await s.raw('/load');
          const m = /^token:(\d+)$/.exec(r.body);
          if (r.status !== 200 || !m) failures.push(`${r.status} ${r.body.slice(0, 200)}`);
          else perClient[i]?.push(Number(m[1]));
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
    try {
      await waitFor(() => perClient.every((t) => t.length > 0), { message: 'every client served' });
      for (let n = 1; n <= RELOADS; n++) {
        if (n % 2 === 0) await atomicWrite(join(s.dir, 'load/index.ts'), mod(n));
        else await s.write('load/index.ts', mod(n));
        // Each save must land as its own reload while the clients keep going.
        await waitFor(() => perClient.some((t) => t.at(-1) === n) || failures.length > 0, {
          timeoutMs: 20_000,
          message: `token ${n} served`,
        });
        assert.deepEqual(failures.slice(0, 5), [], `failed requests after save ${n}`);
      }
      // Every client sees the last token before we stop.
      await waitFor(() => perClient.every((t) => t.at(-1) === RELOADS) || failures.length > 0, {
        timeoutMs: 20_000,
        message: 'every client at the last token',
      });
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    try {
      assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failed requests`);
      for (const [i, tokens] of perClient.entries()) {
        for (let k = 1; k < tokens.length; k++) {
          const [a = 0, b = 0] = [tokens[k - 1], tokens[k]];
          assert.ok(b >= a, `client ${i} went back from ${a} to ${b}`);
        }
        assert.equal(tokens.at(-1), RELOADS, `client ${i} ends on the last token`);
      }
      const total = perClient.reduce((n, t) => n + t.length, 0);
      assert.ok(total > CLIENTS * 2, `${total} requests answered`);
      const info = await moduleInfo(s, 'load/index.ts');
      assert.equal(info.generation, RELOADS + 1, 'one generation per save');
      assert.equal(info.evaluations, RELOADS + 1, 'one evaluation per save');
      assert.equal(info.lastError, undefined);
    } finally {
      await s.close();
    }
  });
});
