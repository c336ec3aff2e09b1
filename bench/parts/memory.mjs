// Part 3: memory over 1,000 reloads of a module holding 1 MiB, heap and RSS after GC.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, ROOT } from '../lib/fixtures.mjs';
import { hasTaskset, SERVER_CORE } from '../lib/proc.mjs';
import { shortCommand } from '../lib/report.mjs';
import { fmt, mib, summary } from '../lib/stats.mjs';
import { hotpubMissing } from '../lib/systems.mjs';

export const title = '3. Memory: 1,000 reloads of a module holding 1 MiB';

const RELOADS = 1000;
const VARIANTS = [
  {
    key: 'hotpub',
    label: 'hotpub registry (createRegistry + invalidateModule)',
    script: 'hotpub.mjs',
  },
  { key: 'esm', label: "Node ESM import('?v=N')", script: 'esm.mjs' },
  { key: 'hothook', label: 'hot-hook (in-process reload)', script: 'hothook.mjs' },
];

/** Runs one child on the server core; resolves its JSON result. */
async function runChild(script, dir) {
  const args = [
    '--expose-gc',
    '--max-old-space-size=4096',
    path.join(ROOT, 'bench/memory', script),
    dir,
    String(RELOADS),
  ];
  const pinned = await hasTaskset();
  const file = pinned ? 'taskset' : process.execPath;
  const argv = pinned ? ['-c', SERVER_CORE, process.execPath, ...args] : args;
  const child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0)
    throw new Error(`${script} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`);
  return {
    ...JSON.parse(out.trim().split('\n').at(-1)),
    command: shortCommand([file, ...argv].join(' ')),
  };
}

export async function run({ runs, log }) {
  const notes = [];
  const commands = [];
  const missing = hotpubMissing('registry/index.js');
  for (const v of VARIANTS) {
    v.runs = [];
    if (v.key === 'hotpub' && missing) v.missing = missing;
  }
  for (let r = 0; r < runs; r++) {
    for (const v of VARIANTS) {
      if (v.missing) continue;
      const dir = await makeTempDir(`memory-${v.key}`);
      await fs.mkdir(path.join(dir, 'apps', 'bench'), { recursive: true });
      try {
        const res = await runChild(v.script, dir);
        v.runs.push(res);
        if (r === 0) commands.push(res.command.replace(dir, '$TMP/memory'));
        const [a, b] = [res.samples[0], res.samples.at(-1)];
        log(
          `run ${r + 1}/${runs} ${v.key}: heap +${mib(b.heapUsed - a.heapUsed)} MiB, rss +${mib(b.rss - a.rss)} MiB`,
        );
      } catch (err) {
        v.missing = String(err.message).split('\n')[0];
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    }
  }
  const rows = [];
  const series = [];
  for (const v of VARIANTS) {
    if (v.missing || v.runs.length === 0) {
      notes.push(`${v.label}: not measured (${v.missing ?? 'no run'}).`);
      rows.push([v.label, 'n/a', 'n/a', 'n/a', 'n/a']);
      continue;
    }
    const growth = (k) => v.runs.map((x) => x.samples.at(-1)[k] - x.samples[0][k]);
    v.heap = summary(growth('heapUsed'));
    v.rss = summary(growth('rss'));
    const range = (s) => `+${mib(s.median)} (${mib(s.min)}-${mib(s.max)})`;
    rows.push([
      v.label,
      `${mib(v.runs[0].samples[0].heapUsed)} / ${mib(v.runs[0].samples[0].rss)}`,
      range(v.heap),
      range(v.rss),
      fmt(summary(v.runs.map((x) => x.msPerReload)).median, 2),
    ]);
    const mid = v.runs.toSorted((a, b) => a.samples.at(-1).heapUsed - b.samples.at(-1).heapUsed)[
      Math.floor(v.runs.length / 2)
    ];
    series.push([v.label, ...mid.samples.map((s) => `${mib(s.heapUsed)} / ${mib(s.rss)}`)]);
  }
  const hp = VARIANTS[0];
  const targets = [];
  if (hp.heap) {
    const t = (name, s, max) =>
      targets.push({
        name,
        status: s.median < max ? 'MET' : 'MISSED',
        detail:
          `+${mib(s.median)} MiB (median of ${s.runs}; ${mib(s.min)}-${mib(s.max)})` +
          (s.median < max ? '' : `, ${mib(s.median - max)} MiB over`),
      });
    t('hotpub heap growth < 5 MiB over 1,000 reloads', hp.heap, 5 * 1048576);
    t('hotpub RSS growth < 40 MiB over 1,000 reloads', hp.rss, 40 * 1048576);
  } else {
    targets.push({
      name: 'hotpub memory targets',
      status: 'NOT MEASURED',
      detail: hp.missing ?? 'n/a',
    });
  }
  const cols = ['system', ...(series[0]?.slice(1).map((_, i) => `after ${i * 100}`) ?? [])];
  return {
    title,
    description:
      `Each variant runs in its own process (\`node --expose-gc\`, pinned to core 0), ${runs} runs ` +
      'interleaved. The module exports a fresh 1 MiB array (131,072 slots) per reload and a ' +
      '`token()` that each reload checks, so a reload that did not happen fails the run. ' +
      'heapUsed and RSS are read after two `global.gc()` calls, after the first load and after ' +
      'every 100th reload; growth = last sample - first sample.',
    tables: [
      {
        columns: [
          'system',
          'after first load heap / RSS MiB',
          'heap growth MiB median (min-max)',
          'RSS growth MiB median (min-max)',
          'ms per reload',
        ],
        rows,
      },
      {
        caption: 'heap / RSS in MiB every 100 reloads (the run with the median final heap):',
        columns: cols,
        rows: series,
      },
    ],
    targets,
    notes: [
      ...notes,
      'hot-hook runs with `watch: false` and receives its change messages the way an external ' +
        'watcher sends them (the reload path is the same; its own watcher would only add latency).',
    ],
    commands,
  };
}
