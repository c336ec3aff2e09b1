/** The --workers primary's back-off (issue 13 #1): never gives up, never waits past 30 s. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RESTART_DELAY_MS, restartDelay } from '../../../src/cli/process/restart-delay.js';

describe('restartDelay', () => {
  it('restarts the first crash at once, then doubles from 100 ms', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => restartDelay(n)),
      [0, 100, 200, 400, 800],
    );
  });

  it('is capped at 30 s and has no count past which it gives up', () => {
    for (const n of [11, 12, 50, 1000, 1e6]) {
      const d = restartDelay(n);
      assert.ok(Number.isFinite(d) && d > 0 && d <= MAX_RESTART_DELAY_MS, `${n}: ${d}`);
    }
    assert.equal(restartDelay(1000), MAX_RESTART_DELAY_MS);
  });
});
