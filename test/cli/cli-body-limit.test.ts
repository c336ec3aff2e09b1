/**
 * Issue 13 #5 and issue 11: a body over the limit is a 413 that Node's fetch can read.
 * The server runs in its own process (bin/hotpub), as in production: in one process the
 * client and the server share an event loop and the reset never shows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CliProcess, readyUrl, startCli, tempProject } from '../helpers/cli-process.js';

describe('bin/hotpub serve: 413 that every client can read', () => {
  let proc: CliProcess;
  let project: { dir: string; remove(): Promise<void> };
  let url: string;

  before(async () => {
    project = await tempProject({ 'apps/t/up.ts': 'export function index() { return 1; }\n' });
    proc = startCli(['serve', '--port', '0'], { cwd: project.dir });
    url = await readyUrl(proc);
  });
  after(async () => {
    await proc.stop();
    await project.remove();
  });

  // 8 MiB reset 12 of 20 tries before the fix (2 MiB none, on loopback): 10 tries suffice.
  for (const [mib, tries] of [
    [2, 20],
    [8, 10],
  ] as const) {
    it(`a ${mib} MiB JSON posted with fetch ${tries} times gets 413 every time, never a reset`, async () => {
      const big = JSON.stringify({ data: 'x'.repeat(mib * 1024 * 1024) });
      const outcomes: string[] = [];
      for (let i = 0; i < tries; i++) {
        try {
          const r = await fetch(`${url}/t/up`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: big,
          });
          const body = (await r.json()) as { error?: { code?: string } };
          outcomes.push(`${r.status} ${body.error?.code}`);
        } catch (err) {
          const e = err as Error & { cause?: { code?: string } };
          outcomes.push(`failed: ${e.cause?.code ?? e.message}`);
        }
      }
      assert.deepEqual(outcomes, Array(tries).fill('413 HOTPUB_E_BODY_TOO_LARGE'));
      const ok = await fetch(`${url}/t/up`);
      assert.equal(ok.status, 200, 'the server still serves');
    });
  }
});
