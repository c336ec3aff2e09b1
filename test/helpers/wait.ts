/** Bounded polling for tests: wait for a condition, never for a fixed time. */

/** What {@link waitFor} resolves with: `T` without its falsy values. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Thrown by a check to end the wait at once: what it waits for can no longer happen. */
export class WaitAborted extends Error {}

/**
 * Calls `check` until it returns a truthy value (which is returned) or `timeoutMs`
 * passes (then throws with `message`). `check` may be async; errors count as "not yet",
 * except a {@link WaitAborted}, which ends the wait with that error.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  {
    timeoutMs = 10_000,
    intervalMs = 20,
    message = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as Truthy<T>;
    } catch (err) {
      if (err instanceof WaitAborted) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${message}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
