// Edits and how long until they are served: one edit at a time, or a burst.
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { get } from './http.mjs';
import { tokenOf } from './reload-systems.mjs';

const EDIT_TIMEOUT_MS = 10000;
/** The burst: this many edits, this far apart. */
export const BURST = 40;
export const BURST_GAP_MS = 30;
/** An edit is missed if neither it nor a later edit is served within this long. */
export const MISSED_AFTER_MS = 1000;

/** Writes edit n+1 and polls until a response carries its token; resolves ms (NaN on timeout). */
export async function measureEdit(sys) {
  const n = ++sys.n;
  const t0 = performance.now();
  await fs.writeFile(sys.file, sys.render(n));
  while (performance.now() - t0 < EDIT_TIMEOUT_MS) {
    try {
      const r = await get(sys.url, { timeoutMs: 2000 });
      if (r.status === 200 && tokenOf(r.body) >= n) return performance.now() - t0;
    } catch {
      await sleep(1);
    }
  }
  return Number.NaN;
}

/** 40 edits 30 ms apart while one client polls back to back. */
export async function burst(sys) {
  const obs = [];
  let stop = false;
  const poller = (async () => {
    while (!stop) {
      try {
        const r = await get(sys.url, { timeoutMs: 2000 });
        obs.push({
          t: performance.now(),
          tok: r.status === 200 ? tokenOf(r.body) : -1,
          ok: r.status === 200,
        });
      } catch {
        obs.push({ t: performance.now(), tok: -1, ok: false });
        await sleep(1);
      }
    }
  })();
  const base = sys.n;
  const writes = [];
  const t0 = performance.now();
  for (let i = 1; i <= BURST; i++) {
    const wait = t0 + (i - 1) * BURST_GAP_MS - performance.now();
    if (wait > 0) await sleep(wait);
    writes.push(performance.now());
    await fs.writeFile(sys.file, sys.render(base + i));
  }
  sys.n = base + BURST;
  const last = writes.at(-1);
  const deadline = last + 5000;
  const servedLast = () => obs.find((o) => o.t > last && o.tok >= sys.n);
  while (performance.now() < deadline && !servedLast()) await sleep(10);
  stop = true;
  await poller;
  let missed = 0;
  let worst = 0;
  for (let i = 1; i <= BURST; i++) {
    const w = writes[i - 1];
    const seen = obs.find((o) => o.t > w && o.tok >= base + i);
    if (!seen || seen.t - w > MISSED_AFTER_MS) missed++;
    worst = Math.max(worst, seen ? seen.t - w : Number.POSITIVE_INFINITY);
  }
  const final = servedLast();
  const own = new Set(obs.map((o) => o.tok).filter((t) => t > base));
  return {
    missed,
    ownServed: own.size,
    worstMs: worst,
    finalMs: final ? final.t - last : Number.NaN,
    failedPolls: obs.filter((o) => !o.ok).length,
    polls: obs.length,
  };
}
