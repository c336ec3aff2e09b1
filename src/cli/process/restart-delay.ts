/**
 * How long the `--workers` primary waits before replacing a worker that died: at once
 * for the first crash in a minute, then doubling from 100 ms up to 30 s while crashes
 * keep coming. It never gives up: a crash loop slows to one restart every 30 s, and
 * the service comes back by itself once what killed the workers is gone.
 */

/** Longest wait before a restart. */
export const MAX_RESTART_DELAY_MS = 30_000;
/** Crashes older than this no longer slow restarts down. */
export const CRASH_WINDOW_MS = 60_000;
const FIRST_DELAY_MS = 100;

/** The delay before the next restart, given the crashes within the last minute (this one included). */
export function restartDelay(recentCrashes: number): number {
  if (recentCrashes <= 1) return 0;
  return Math.min(MAX_RESTART_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(recentCrashes - 2, 20));
}
