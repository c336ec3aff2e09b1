// Part 5: the cost of safety: throughput with the code lock on vs off.
import path from 'node:path';
import { hotpubOneFunction, makeTempDir } from '../lib/fixtures.mjs';
import { get } from '../lib/http.mjs';
import {
  cleanRuns,
  groupCpuSeconds,
  noiseCell,
  pctOfCore,
  quietRun,
  summarizeLoad,
} from '../lib/noise.mjs';
import { freePort } from '../lib/proc.mjs';
import { shortCommand } from '../lib/report.mjs';
import { fmt, fmtRange, summary } from '../lib/stats.mjs';
import { hotpubMissing, startScript } from '../lib/systems.mjs';

export const title = '5. Cost of safety: code lock on vs off';

/** Rounds: at least 12, since the difference sought (5%) is near the run-to-run noise. */
export async function run({ runs, duration, load, log }) {
  const missing = hotpubMissing('server/serve.js');
  if (missing) throw new Error(missing);
  const dir = await makeTempDir('lock');
  const app = await hotpubOneFunction(path.join(dir, 'a'));
  const rounds = Math.max(runs, 12);
  const systems = [
    { key: 'on', label: 'hotpub, code lock on (default)' },
    { key: 'off', label: 'hotpub, code lock off (codeLock: false)' },
  ];
  const commands = [];
  for (const s of systems) s.samples = [];
  for (let r = 0; r < rounds; r++) {
    // A fresh process each round, serving both variants: per-process JIT and heap
    // decisions (which move throughput by up to 25% here) hit both sides of a pair alike.
    const port2 = await freePort();
    const { proc, base } = await startScript('hotpub-lock.mjs', {
      env: { APPS: app.apps, PORT2: String(port2) },
      readyPath: app.path,
    });
    systems[0].url = base + app.path;
    systems[1].url = `http://127.0.0.1:${port2}${app.path}`;
    if (r === 0) commands.push(`${shortCommand(proc.command)} (PORT2=${port2})`);
    for (const s of systems) {
      const res = await get(s.url);
      if (res.status !== 200 || !res.body.includes('Hello World!')) {
        throw new Error(`${s.label}: ${res.status} ${res.body.slice(0, 100)}`);
      }
      await load.run({ url: s.url, duration: 0.5 });
    }
    const order = r % 2 === 0 ? systems : [...systems].reverse();
    for (const s of order) {
      const { result: res, noise } = await quietRun(async () => {
        const cpu0 = groupCpuSeconds(proc.child.pid);
        const x = await load.run({ url: s.url, duration });
        return { ...x, cpuUs: ((groupCpuSeconds(proc.child.pid) - cpu0) * 1e6) / x.total };
      });
      s.samples.push({ ...res, noise });
      log(
        `run ${r + 1}/${rounds} lock ${s.key}: ${fmt(res.rps)} req/s ${fmt(res.cpuUs)} µs/req (others ${pctOfCore(noise)})`,
      );
    }
    await proc.stop();
  }
  for (const s of systems) {
    summarizeLoad(s);
  }
  const [on, off] = systems;
  const cost = 1 - on.rps.median / off.rps.median;
  // Paired per round: the same round's on/off runs are closest in time. Rounds where
  // either run was disturbed are left out when at least 3 clean rounds remain.
  const pairs = on.samples.map((x, i) => ({
    x,
    y: off.samples[i],
    noise: Math.max(x.noise, off.samples[i].noise),
  }));
  const { runs: usedPairs } = cleanRuns(pairs);
  const paired = summary(usedPairs.map((p) => 1 - p.x.rps / p.y.rps));
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  // Capacity cost: extra server CPU per request (immune to a saturated load generator).
  const cpuCost = 1 - off.cpu.median / on.cpu.median;
  const pairedCpu = summary(usedPairs.map((p) => 1 - p.y.cpuUs / p.x.cpuUs));
  const worst = Math.max(paired.median, pairedCpu.median);
  return {
    title,
    description:
      'One process (bench/servers/hotpub-lock.mjs) runs two `createServer` instances on one ' +
      '1-function app, identical but for `codeLock`, on two ports; a fresh process every ' +
      `round, ${rounds} rounds alternating A B / B A, ${duration} s each after a 0.5 s warm-up, ` +
      '50 connections. Throughput cost = 1 - (lock-on req/s / lock-off req/s); CPU cost = ' +
      '1 - (lock-off CPU per request / lock-on CPU per request), from /proc. The target is ' +
      'judged on the larger of the two paired medians.',
    tables: [
      {
        columns: [
          'system',
          'req/s median (min-max)',
          'p99 ms (min-max)',
          'server CPU µs/req (min-max)',
          'other CPU (runs used)',
        ],
        rows: systems.map((s) => [
          s.label,
          fmtRange(s.rps),
          fmtRange(s.p99, 0),
          fmtRange(s.cpu, 2),
          noiseCell(s),
        ]),
      },
      {
        columns: ['cost of the lock', 'value'],
        rows: [
          ['throughput, from medians', pct(cost)],
          [
            'throughput, paired per round, median (min-max)',
            `${pct(paired.median)} (${pct(paired.min)} to ${pct(paired.max)})`,
          ],
          ['server CPU per request, from medians', pct(cpuCost)],
          [
            'server CPU per request, paired per round, median (min-max)',
            `${pct(pairedCpu.median)} (${pct(pairedCpu.min)} to ${pct(pairedCpu.max)})`,
          ],
        ],
      },
    ],
    targets: [
      {
        name: 'code lock costs <= 5% throughput',
        status: worst <= 0.05 ? 'MET' : 'MISSED',
        detail:
          `throughput ${pct(paired.median)} (paired median of ${usedPairs.length} rounds; ` +
          `${fmt(on.rps.median)} vs ${fmt(off.rps.median)} req/s), server CPU per request ` +
          `${pct(pairedCpu.median)}` +
          (worst <= 0.05 ? '' : `; the larger is ${pct(worst - 0.05)} over`),
      },
    ],
    notes: [],
    commands,
  };
}
