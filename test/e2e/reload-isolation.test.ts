/**
 * Each app has its own code lock: a reload of app A pending behind A's in-flight request
 * never delays app B. Asserted by ordering, not time: B loads, answers and even reloads
 * while `/-/registry` still shows A's reload pending and A's queued request unanswered.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appInfo, startWatched } from '../helpers/reload-server.js';
import { waitFor } from '../helpers/wait.js';

const alpha = (v: string) => `
import { existsSync } from 'node:fs';
const g = globalThis as { __e2eAlphaStarted?: boolean };
export async function slow(args: { gate: string }) {
  g.__e2eAlphaStarted = true;
  const deadline = Date.now() + 60_000;
  while (!existsSync(args.gate) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return '${v}';
}
export function index() { return '${v}'; }
`;
/** A failing run ends with a message instead of hanging until the suite times out. */
async function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in 20 s: ${what}`)), 20_000);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

const beta = (v: string) => `
export function index() { return '${v}'; }
export function started() { return (globalThis as { __e2eAlphaStarted?: boolean }).__e2eAlphaStarted === true; }
`;

describe('apps do not block each other (--watch, real HTTP)', { timeout: 60_000 }, () => {
  it("a pending reload of app A never delays app B's requests or reloads", async () => {
    const s = await startWatched({
      drainTimeoutMs: 60_000,
      files: { 'alpha/index.ts': alpha('a1'), 'beta/index.ts': beta('b1') },
    });
    const gate = join(s.dir, '..', 'gate');
    let holding: Promise<string> | undefined;
    let queued: Promise<string> | undefined;
    try {
      assert.equal((await s.raw('/alpha')).body, 'a1');
      holding = s.fetch(`/alpha/slow?gate=${encodeURIComponent(gate)}`).then((r) => r.text());
      await waitFor(async () => (await s.raw('/beta/started')).body === 'true', {
        message: 'the alpha request to hold the lock',
      });
      await s.write('alpha/index.ts', alpha('a2'));
      await waitFor(async () => (await appInfo(s, 'alpha'))?.reloadPending === true, {
        timeoutMs: 30_000,
        message: "alpha's reload to be pending",
      });
      let queuedDone = false;
      queued = s.fetch('/alpha').then(async (r) => {
        queuedDone = true;
        return r.text();
      });

      // Beta answers (its first evaluation was the 'started' probe), many at once.
      const answers = await bounded(
        Promise.all(Array.from({ length: 20 }, () => s.raw('/beta'))),
        "beta's requests (queued behind alpha's reload?)",
      );
      assert.deepEqual(new Set(answers.map((a) => `${a.status} ${a.body}`)), new Set(['200 b1']));
      // Beta reloads too, while alpha's reload still waits.
      await s.write('beta/index.ts', beta('b2'));
      await waitFor(async () => (await s.raw('/beta')).body === 'b2', {
        timeoutMs: 30_000,
        message: 'beta to reload',
      });
      const a = await appInfo(s, 'alpha');
      assert.equal(a.reloadPending, true, "alpha's reload is still pending after beta answered");
      assert.equal(queuedDone, false, "alpha's new request still queues behind its reload");
      assert.equal((await appInfo(s, 'beta')).reloadPending, false);

      await s.write('../gate', 'open');
      assert.equal(await holding, 'a1', 'the holding request ends on its generation');
      assert.equal(await queued, 'a2', 'the queued request runs on the new one');
    } finally {
      await s.write('../gate', 'open');
      await holding?.catch(() => {});
      await queued?.catch(() => {});
      await s.close();
    }
  });
});
