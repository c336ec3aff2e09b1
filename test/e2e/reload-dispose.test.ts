/**
 * `import.meta.hot.dispose` over real HTTP with --watch: it runs exactly once per retired
 * generation, and only after the last in-flight request of that generation has ended, even
 * when the drain timeout let the swap go ahead while that request was still running.
 * Observed through a log kept with `keep()` (one array for every generation).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startWatched } from '../helpers/reload-server.js';
import { waitFor } from '../helpers/wait.js';

const mod = (v: string) => `
import { existsSync } from 'node:fs';
import { keep } from 'hotpub';
const log = keep('log', () => [] as string[]);
log.push('eval ${v}');
import.meta.hot.dispose(() => { log.push('dispose ${v}'); });
export async function slow(args: { gate: string }) {
  log.push('start ${v}');
  const deadline = Date.now() + 60_000;
  while (!existsSync(args.gate) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  log.push('end ${v}');
  return '${v}';
}
export function index() { return '${v}'; }
export function events() { return log; }
`;

const count = (log: string[], entry: string) => log.filter((e) => e === entry).length;

describe('dispose over HTTP (--watch)', { timeout: 60_000 }, () => {
  it('runs once per retired generation, after its last in-flight request', async () => {
    const s = await startWatched({ drainTimeoutMs: 200, files: { 'disp/index.ts': mod('v1') } });
    const gate = join(s.dir, '..', 'gate');
    let inflight: Promise<string> | undefined;
    const events = async () => (await (await s.fetch('/disp/events')).json()) as string[];
    const serves = (v: string) =>
      waitFor(async () => (await s.raw('/disp')).body === v, {
        timeoutMs: 30_000,
        message: `/disp to serve ${v}`,
      });
    try {
      assert.equal((await s.raw('/disp')).body, 'v1');
      inflight = s.fetch(`/disp/slow?gate=${encodeURIComponent(gate)}`).then((r) => r.text());
      await waitFor(async () => (await events()).includes('start v1'), { message: 'start v1' });

      // Past the 200 ms drain the swap goes ahead while the v1 request is still running.
      await s.write('disp/index.ts', mod('v2'));
      await serves('v2');
      await s.write('disp/index.ts', mod('v3'));
      await serves('v3');
      let log = await events();
      assert.equal(count(log, 'end v1'), 0, 'the v1 request is still running');
      assert.equal(count(log, 'dispose v1'), 0, 'v1 is not disposed under its own request');

      await s.write('../gate', 'open');
      assert.equal(await inflight, 'v1', 'the request ended on its own generation');
      log = (await waitFor(
        async () => {
          const l = await events();
          return l.includes('dispose v1') && l.includes('dispose v2') ? l : false;
        },
        { message: 'v1 and v2 disposed' },
      )) as string[];
      assert.ok(log.indexOf('dispose v1') > log.indexOf('end v1'), `order: ${log.join(', ')}`);

      // One more reload: v3 is disposed once, and nothing earlier is disposed again.
      await s.write('disp/index.ts', mod('v4'));
      await serves('v4');
      log = (await waitFor(
        async () => {
          const l = await events();
          return l.includes('dispose v3') ? l : false;
        },
        { message: 'v3 disposed' },
      )) as string[];
      for (const v of ['v1', 'v2', 'v3'])
        assert.equal(count(log, `dispose ${v}`), 1, log.join(', '));
      assert.equal(count(log, 'dispose v4'), 0, 'the serving generation is not disposed');
      for (const v of ['v1', 'v2', 'v3', 'v4'])
        assert.equal(count(log, `eval ${v}`), 1, log.join(', '));
    } finally {
      await s.write('../gate', 'open');
      await inflight?.catch(() => {});
      await s.close();
    }
  });
});
