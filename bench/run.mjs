#!/usr/bin/env node
// `npm run bench [-- part... ] [--runs N] [--duration S] [--no-doc]`: runs the benchmark
// parts (dispatch, reload, memory, cold, lock, realtime, state), prints their tables and rewrites their
// sections of docs/benchmarks.md. The harness and the load generator run on core 1,
// every server on core 0 (taskset), so the two never share a core.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cleanupTempDirs, ROOT } from './lib/fixtures.mjs';
import { createLoad } from './lib/load.mjs';
import { NOISE_LIMIT, setRetryDeadline, waitForQuiet } from './lib/noise.mjs';
import { hasTaskset, LOAD_CORE, stopAll } from './lib/proc.mjs';
import { environment, printPart, writeDoc } from './lib/report.mjs';

const PARTS = ['dispatch', 'reload', 'memory', 'cold', 'lock', 'realtime', 'state'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '1.5' },
    'no-doc': { type: 'boolean', default: false },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run bench -- [${PARTS.join('|')} ...] [--runs N] [--duration S] [--no-doc]
  parts      which parts to run (default: all, in this order)
  --runs N   measured runs per system, interleaved A B A B (default 3, minimum 3 for the doc)
  --duration S  seconds per throughput run (default 1.5)
  --no-doc   print only; do not rewrite docs/benchmarks.md
  --only K,K dispatch only: measure just these systems (raw, express1, express10k, fastify1,
             fastify10k, hothook, hotpub1, hotpub10k, hotpubWatch, hpExpress1, hpExpress10k);
             implies --no-doc`);
  process.exit(0);
}

const parts = positionals.length ? positionals : PARTS;
for (const p of parts) {
  if (!PARTS.includes(p)) {
    console.error(`bench: unknown part "${p}" (expected one of ${PARTS.join(', ')})`);
    process.exit(2);
  }
}
const only = values.only?.split(',');
if (only) values['no-doc'] = true;
const runs = Number(values.runs);
const duration = Number(values.duration);
if (!Number.isInteger(runs) || runs < 1 || !(duration > 0)) {
  console.error('bench: --runs must be a positive integer and --duration a positive number');
  process.exit(2);
}

// Pin the harness (and, by inheritance, the load generator) to the load core.
if (!process.env.BENCH_PINNED && (await hasTaskset())) {
  const r = spawnSync(
    'taskset',
    ['-c', LOAD_CORE, process.execPath, '--expose-gc', ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } },
  );
  process.exit(r.status ?? 1);
}

if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
  console.warn(
    'bench: dist/ is missing or incomplete; run `npm run build` first (hotpub rows will fail)',
  );
}

const argv = process.argv.slice(2).join(' ');
const command = `npm run bench${argv ? ` -- ${argv}` : ''}`;
const env = environment();
const load = createLoad();
const results = [];

const shutdown = async () => {
  await stopAll();
  load.close();
  await cleanupTempDirs();
};
process.on('SIGINT', async () => {
  await shutdown();
  process.exit(130);
});

try {
  for (const name of parts) {
    const mod = await import(`./parts/${name}.mjs`);
    const log = (m) => console.log(`[${name}] ${m}`);
    const quiet = await waitForQuiet({ limit: NOISE_LIMIT, maxMs: 15000, log });
    // Repeats of disturbed runs stop 100 s into a part, to keep it under 2 minutes.
    setRetryDeadline(Date.now() + 100_000);
    const loadavg = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    const t0 = performance.now();
    let result;
    try {
      result = await mod.run({ runs, duration, load, log, only });
    } catch (err) {
      console.error(`[${name}] failed: ${err?.stack ?? err}`);
      result = {
        title: mod.title ?? name,
        tables: [],
        targets: [],
        notes: [`This part failed: ${String(err?.message ?? err).split('\n')[0]}`],
        commands: [],
      };
    }
    await stopAll();
    Object.assign(result, {
      name,
      env,
      command,
      loadavg,
      quietBefore: quiet,
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      seconds: (performance.now() - t0) / 1000,
    });
    printPart(result);
    results.push(result);
  }
} finally {
  await shutdown();
}

if (!values['no-doc']) {
  const { header } = await import('./lib/doc-header.mjs');
  const file = await writeDoc(results, { header: header(env), order: PARTS });
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}
