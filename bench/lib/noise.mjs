// Measures CPU used by processes that are not the bench's own (other work on the
// machine), so disturbed runs can be repeated and the rest reported with their noise.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, summary } from './stats.mjs';

const own = new Set();
let available = true;

/** Counts the process group `pgid` (a server and its children) as the bench's own. */
export function addOwnGroup(pgid) {
  own.add(pgid);
}

function statFields(text) {
  // "pid (comm) state ppid pgrp ..." -- comm may hold spaces and parentheses.
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function selfPgrp() {
  return Number(statFields(readFileSync('/proc/self/stat', 'utf8'))[2]);
}

/** CPU jiffies: machine busy/total and the bench's own busy, now. */
function snapshot() {
  const cpu = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu;
  const busy = user + nice + system + irq + softirq + steal;
  const groups = new Set([...own, selfPgrp()]);
  let mine = 0;
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    try {
      const f = statFields(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (groups.has(Number(f[2]))) mine += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return { busy, total: busy + idle + iowait, mine };
}

/**
 * Starts a measurement window; `end()` returns the share of the machine's CPU used by
 * other processes during it (0..1; 0.5 = one of two cores), or NaN without /proc.
 */
export function startWindow() {
  if (!available) return { end: () => Number.NaN };
  let a;
  try {
    a = snapshot();
  } catch {
    available = false;
    return { end: () => Number.NaN };
  }
  return {
    end() {
      const b = snapshot();
      const total = b.total - a.total;
      if (total <= 0) return 0;
      return Math.max(0, (b.busy - a.busy - (b.mine - a.mine)) / total);
    },
  };
}

/** Waits (up to `maxMs`) for a 1 s window in which other processes use < `limit` of the CPU. */
export async function waitForQuiet({ limit = 0.05, maxMs = 30000, log } = {}) {
  const start = Date.now();
  let noise = Number.NaN;
  while (Date.now() - start < maxMs) {
    const w = startWindow();
    await sleep(1000);
    noise = w.end();
    if (!(noise >= limit)) return noise;
    log?.(`machine busy (${pctOfCore(noise)} of a core used by other processes); waiting`);
  }
  return noise;
}

let retryDeadline = Number.POSITIVE_INFINITY;

/** No repeats after this time (ms since epoch), so a part stays within its time bound. */
export function setRetryDeadline(t) {
  retryDeadline = t;
}

/** Noise above which a throughput run is repeated (5% of the machine = 10% of a core). */
export const NOISE_LIMIT = 0.05;

/**
 * Runs `fn` (a measurement) in a noise window; repeats it while other processes used
 * more than NOISE_LIMIT, up to `tries` times, keeping the least disturbed result.
 * Resolves { result, noise, tries }.
 */
export async function quietRun(fn, { tries = 3 } = {}) {
  let best;
  for (let i = 1; i <= tries; i++) {
    if (i > 1 && Date.now() > retryDeadline) break;
    const w = startWindow();
    const result = await fn();
    const noise = w.end();
    if (!best || noise < best.noise) best = { result, noise, tries: i };
    if (!(noise > NOISE_LIMIT)) break;
    if (Date.now() > retryDeadline) break;
    await waitForQuiet({ limit: NOISE_LIMIT, maxMs: 5000 });
  }
  return best;
}

/** A noise share as "% of one core" text (0.05 on 2 cores -> "10%"). */
export function pctOfCore(x) {
  return Number.isFinite(x) ? `${(x * os.cpus().length * 100).toFixed(0)}%` : 'n/a';
}

/**
 * The runs to summarize: those no other process disturbed (noise <= NOISE_LIMIT) when
 * there are at least `min` of them, else all. `clean` tells which it was.
 */
export function cleanRuns(samples, min = 3) {
  const clean = samples.filter((x) => !(x.noise > NOISE_LIMIT));
  return clean.length >= min ? { runs: clean, clean: true } : { runs: samples, clean: false };
}

/**
 * Summarizes a system's load runs (`s.samples` of { rps, p99, cpuUs, noise }) in place:
 * `used`/`clean` from {@link cleanRuns}, and median/min/max of `rps`, `p99` and `cpu`.
 */
export function summarizeLoad(s) {
  const { runs: used, clean } = cleanRuns(s.samples);
  s.used = used;
  s.clean = clean;
  s.rps = summary(used.map((x) => x.rps));
  s.p99 = summary(used.map((x) => x.p99));
  s.cpu = summary(used.map((x) => x.cpuUs));
}

/** The report cell "other CPU (runs used)" of a system summarized by {@link summarizeLoad}. */
export function noiseCell(s) {
  return `${pctOfCore(median(s.used.map((x) => x.noise)))} (${s.used.length}${s.clean ? ' clean' : ' all'})`;
}

const CLK_TCK = 100; // Linux USER_HZ: /proc times are in 1/100 s

/** CPU seconds used so far by the live processes of process group `pgid` (NaN without /proc). */
export function groupCpuSeconds(pgid) {
  let ticks = 0;
  try {
    for (const name of readdirSync('/proc')) {
      if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
      try {
        const f = statFields(readFileSync(`/proc/${name}/stat`, 'utf8'));
        if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
      } catch {}
    }
  } catch {
    return Number.NaN;
  }
  return ticks / CLK_TCK;
}
