/**
 * Single flight over real HTTP with --watch: 200 concurrent cold requests evaluate a module
 * once, and a burst of 10 saves, written while the first reload waits for the code lock,
 * evaluates it at most twice more, ending on the last content.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appInfo, moduleInfo, startWatched } from '../helpers/reload-server.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

// A counter in the module's top level, on globalThis so it survives every generation;
// `hold` keeps a request (and its pin) in flight until the gate file exists.
const counted = (v: string) => `
import { existsSync } from 'node:fs';
const g = globalThis as { __e2eSingleFlightEvals?: number };
g.__e2eSingleFlightEvals = (g.__e2eSingleFlightEvals ?? 0) + 1;
export function index() { return '${v}'; }
export function evals() { return g.__e2eSingleFlightEvals; }
export async function hold(args: { gate: string }) {
  const deadline = Date.now() + 60_000; // bounded: a failing test never leaves it running
  while (!existsSync(args.gate) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return '${v}';
}
`;

describe('single flight over HTTP (--watch)', { timeout: 60_000 }, () => {
  let s: TestServer;
  before(async () => {
    // A drain timeout must not let the held reload go ahead before the burst is written.
    s = await startWatched({
      dev: true,
      drainTimeoutMs: 600_000,
      files: { 'sf/index.ts': counted('v0') },
    });
  });
  after(() => s?.close());

  const evaluations = async (): Promise<number> => {
    const mod = await moduleInfo(s, 'sf/index.ts');
    return mod?.evaluations ?? 0;
  };

  it('200 concurrent cold requests all answer 200 and evaluate the module once', async () => {
    assert.equal(await evaluations(), 0, 'the module is cold before the burst');
    const answers = await Promise.all(Array.from({ length: 200 }, () => s.raw('/sf')));
    assert.deepEqual(
      answers.map((a) => `${a.status} ${a.body}`),
      Array.from({ length: 200 }, () => '200 v0'),
    );
    assert.equal(await evaluations(), 1, '/-/registry counts one evaluation');
    assert.equal((await s.raw('/sf/evals')).body, '1', 'the top-level counter agrees');
  });

  it('a burst of 10 saves evaluates at most twice more and serves the last content', async () => {
    assert.equal((await s.raw('/sf')).body, 'v0');
    const before = await evaluations();
    // An in-flight request holds the first reload at the code lock while the other nine
    // saves land, so the burst is one burst however slowly a loaded machine writes it.
    const gate = join(s.dir, '..', 'sf-gate');
    const held = s.fetch(`/sf/hold?gate=${encodeURIComponent(gate)}`).then((r) => r.text());
    try {
      await waitFor(async () => (await appInfo(s, 'sf'))?.inflight === 1, {
        message: 'the request to hold its pin',
      });
      await s.write('sf/index.ts', counted('burst1'));
      await waitFor(async () => (await appInfo(s, 'sf'))?.reloadPending === true, {
        message: 'the first reload to wait for the lock',
      });
      for (let i = 2; i <= 10; i++) await s.write('sf/index.ts', counted(`burst${i}`));
    } finally {
      await writeFile(gate, 'open');
    }
    assert.equal(await held, 'v0', 'the held request finished on its generation');
    await waitFor(async () => (await s.raw('/sf')).body === 'burst10', {
      timeoutMs: 30_000,
      message: '/sf to serve the last save',
    });
    // Let any reload still in the pipeline land before counting.
    await waitFor(async () => (await appInfo(s, 'sf'))?.reloadPending === false, {
      message: 'no reload pending',
    });
    const added = (await evaluations()) - before;
    assert.ok(added >= 1 && added <= 2, `the burst evaluated ${added} times (1..2 allowed)`);
    const counter = Number((await s.raw('/sf/evals')).body);
    assert.equal(counter, await evaluations(), 'the top-level counter agrees with /-/registry');
    assert.equal((await s.raw('/sf')).body, 'burst10', 'still the last content');
  });
});
