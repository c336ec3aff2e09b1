// Part 6: deploying a new release of a 100-module app under 50 connections: hotpub's
// release switch (--watch and SIGHUP, 1 process and 2 workers) against PM2's cluster
// reload, a node:cluster rolling restart and a plain stop-and-start. Then hotpub's memory
// over 100 deploys, and the cost of larger changes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deploySystems } from '../lib/deploy-systems.mjs';
import { makeTempDir, ROOT, writeFiles } from '../lib/fixtures.mjs';
import { get } from '../lib/http.mjs';
import { hasTaskset, SERVER_CORE, startProcess, waitForHttp } from '../lib/proc.mjs';
import { createReleaseLoad } from '../lib/release-load.mjs';
import { MODULES, makeDeployDir } from '../lib/releases.mjs';
import { shortCommand } from '../lib/report.mjs';
import { fmt, quantile } from '../lib/stats.mjs';
import { HOTPUB_BIN } from '../lib/systems.mjs';

export const title = '6. Deploy: a new release under load';

const DEPLOYS = Number(process.env.BENCH_DEPLOYS ?? 20);
const RESTART_DEPLOYS = Number(process.env.BENCH_RESTART_DEPLOYS ?? 5);
const MEMORY_DEPLOYS = Number(process.env.BENCH_MEMORY_DEPLOYS ?? 100);
/** Steady time between a deploy's last old answer and the next deploy. */
const SPACING_MS = 1000;
const ms = (x) => (Number.isFinite(x) ? fmt(x, 1) : 'n/a');
const node = process.execPath;

/** Per deploy: when all answers were new, and the latencies inside and before it. */
function analyze(rec, marks) {
  const perDeploy = [];
  const during = [];
  const steady = [];
  const ends = rec.started.map((t, i) => t + rec.latency[i]);
  for (const [k, { n, t0 }] of marks.entries()) {
    const next = marks[k + 1]?.t0 ?? Number.POSITIVE_INFINITY;
    let lastOld = t0;
    let firstNew = Number.POSITIVE_INFINITY;
    for (let i = 0; i < ends.length; i++) {
      if (ends[i] < t0 || rec.started[i] >= next) continue;
      const r = rec.release[i];
      if (r === n) firstNew = Math.min(firstNew, ends[i]);
      else if (r !== 0) lastOld = Math.max(lastOld, ends[i]);
    }
    const allNew = Math.max(lastOld, firstNew) - t0;
    perDeploy.push(allNew);
    const windowEnd = t0 + allNew + 100;
    for (let i = 0; i < ends.length; i++) {
      const s = rec.started[i];
      if (rec.release[i] === 0) continue;
      if (s >= t0 && s <= windowEnd) during.push(rec.latency[i]);
      else if (s >= t0 - SPACING_MS + 100 && s < t0 - 50) steady.push(rec.latency[i]);
    }
  }
  return { perDeploy, during, steady };
}

async function measureSystem(s, tmp, load, log) {
  const d = await makeDeployDir(path.join(tmp, s.key));
  await d.switchTo(1);
  const count = s.inProcess ? DEPLOYS : RESTART_DEPLOYS;
  for (let n = 2; n <= count + 1; n++) await d.ensure(n);
  const srv = await s.start(d);
  try {
    await load.start(srv.url, 50);
    await sleep(SPACING_MS);
    const marks = [];
    let timeouts = 0;
    for (let n = 2; n <= count + 1; n++) {
      const t0 = await load.now();
      await d.switchTo(n);
      await srv.deploy();
      if (!(await load.waitFor(n, 200, 30_000))) timeouts++;
      marks.push({ n, t0 });
      await sleep(SPACING_MS);
    }
    const rec = await load.stop();
    const a = analyze(rec, marks);
    if (rec.samples.length > 0) log(`${s.key}: failed answers, e.g. ${rec.samples.join(' | ')}`);
    if (process.env.BENCH_DEBUG && srv.proc) {
      for (const line of srv.proc.tail) if (/"level":50/.test(line)) log(line.slice(0, 1500));
    }
    log(
      `${s.key}: ${count} deploys, failed ${rec.failed}, mixed ${rec.mixed}, ` +
        `all new after p50 ${ms(quantile(a.perDeploy, 0.5))} / max ${ms(Math.max(...a.perDeploy))} ms`,
    );
    return {
      ...a,
      count,
      failed: rec.failed,
      mixed: rec.mixed,
      total: rec.started.length,
      timeouts,
      command: srv.command,
    };
  } finally {
    await srv.stop();
  }
}

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** hotpub, SIGHUP, one process: RSS after the 5th and after the last of many deploys. */
async function measureMemory(tmp, log) {
  const d = await makeDeployDir(path.join(tmp, 'memory'));
  await d.switchTo(1);
  for (let n = 2; n <= MEMORY_DEPLOYS + 1; n++) await d.ensure(n);
  const s = deploySystems().find((x) => x.key === 'hpHup1');
  const srv = await s.start(d);
  const rss = {};
  try {
    for (let n = 2; n <= MEMORY_DEPLOYS + 1; n++) {
      await d.switchTo(n);
      await srv.deploy();
      await waitForHttp(srv.url, { pred: (b) => b === `${n}:${n}`, timeoutMs: 30_000 });
      if (n === 6) rss.fifth = rssOf(srv.pid());
      if (n % 25 === 1)
        log(`memory: ${n - 1} deploys, RSS ${fmt(rssOf(srv.pid()) / 2 ** 20, 0)} MiB`);
    }
    await sleep(500);
    rss.last = rssOf(srv.pid());
  } finally {
    await srv.stop();
  }
  return rss;
}

/** `bin/hotpub serve --watch` on `apps`; resolves { proc, base }. */
async function startWatching(apps, readyPath) {
  const { freePort } = await import('../lib/proc.mjs');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = await startProcess(
    node,
    [HOTPUB_BIN, 'serve', '--apps', apps, '--port', String(port), '--watch'],
    { cwd: ROOT, env: { NODE_ENV: 'production' }, name: 'hotpub' },
  );
  await waitForHttp(base + readyPath, { proc, timeoutMs: 60_000 });
  return { proc, base };
}

/** Write -> served for `edits` changes; `write(k)` writes change k, `served(body, k)` checks. */
async function writeToServed(url, edits, write, served) {
  const times = [];
  for (let k = 1; k <= edits; k++) {
    const t0 = performance.now();
    await write(k);
    for (;;) {
      const r = await get(url).catch(() => undefined);
      if (r && r.status === 200 && served(r.body, k)) break;
      if (performance.now() - t0 > 10_000) throw new Error(`change ${k} not served in 10 s`);
    }
    times.push(performance.now() - t0);
    await sleep(100);
  }
  return times;
}

/** Write -> served with --watch: 1/10/100 files of a 100-module app; a shared module. */
async function measureChanges(tmp, log) {
  const rows = [];
  const edits = 10;
  {
    const apps = path.join(tmp, 'change-files', 'apps');
    const files = {};
    const imports = [];
    for (let i = 0; i < MODULES; i++) {
      files[`chg/_m${i}.ts`] = `export const t: string = 'tok-0';\n`;
      imports.push(`import { t as t${i} } from './_m${i}.js';`);
    }
    files['chg/index.ts'] =
      `${imports.join('\n')}\nexport function index(): string {\n  return [${[...Array(MODULES).keys()].map((i) => `t${i}`).join(', ')}].join(' ');\n}\n`;
    await writeFiles(apps, files);
    const { proc, base } = await startWatching(apps, '/chg');
    try {
      for (const count of [1, 10, 100]) {
        const times = await writeToServed(
          `${base}/chg`,
          edits,
          async (k) => {
            for (let i = 0; i < count; i++) {
              await fs.writeFile(
                path.join(apps, `chg/_m${i}.ts`),
                `export const t: string = 'tok-${count}-${k}';\n`,
              );
            }
          },
          (body, k) => body.split(`tok-${count}-${k}`).length - 1 === count,
        );
        rows.push([
          `${count} file${count === 1 ? '' : 's'} of a 100-module app`,
          ms(quantile(times, 0.5)),
          ms(quantile(times, 0.9)),
          ms(Math.max(...times)),
        ]);
        log(`change of ${count} files: p50 ${ms(quantile(times, 0.5))} ms`);
      }
    } finally {
      await proc.stop();
    }
  }
  for (const importers of [10, 100, 1000]) {
    const apps = path.join(tmp, `change-lib-${importers}`, 'apps');
    const files = { 'lib/_lib/shared.ts': `export const t: string = 'tok-0';\n` };
    for (let i = 0; i < importers; i++) {
      files[`lib/m${i}.ts`] =
        `import { t } from './_lib/shared.js';\nexport function index(): string {\n  return t;\n}\n`;
    }
    await writeFiles(apps, files);
    const { proc, base } = await startWatching(apps, '/lib/m0');
    try {
      for (let i = 0; i < importers; i++) await get(`${base}/lib/m${i}`);
      const times = await writeToServed(
        `${base}/lib/m${importers - 1}`,
        edits,
        (k) =>
          fs.writeFile(
            path.join(apps, 'lib/_lib/shared.ts'),
            `export const t: string = 'tok-${k}';\n`,
          ),
        (body, k) => body === `tok-${k}`,
      );
      rows.push([
        `shared _lib imported by ${importers} modules`,
        ms(quantile(times, 0.5)),
        ms(quantile(times, 0.9)),
        ms(Math.max(...times)),
      ]);
      log(`shared module, ${importers} importers: p50 ${ms(quantile(times, 0.5))} ms`);
    } finally {
      await proc.stop();
    }
  }
  return rows;
}

/** The reload step alone (registry API, in a process on the server core). */
async function measureStep(importers) {
  const script = path.join(ROOT, 'bench', 'servers', 'reload-step.mjs');
  const pinned = await hasTaskset();
  const child = spawn(
    pinned ? 'taskset' : node,
    pinned ? ['-c', SERVER_CORE, node, script] : [script],
    {
      env: { ...process.env, IMPORTERS: String(importers), EDITS: '15' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`reload-step exited ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)).times;
}

export async function run({ log }) {
  const tmp = await makeTempDir('deploy');
  const load = createReleaseLoad();
  const results = [];
  const commands = [];
  const notes = [];
  try {
    for (const s of deploySystems()) {
      try {
        const r = await measureSystem(s, tmp, load, log);
        results.push({ s, r });
        commands.push(`${shortCommand(r.command)}   # ${s.label}`);
      } catch (err) {
        const why = String(err?.message ?? err).split('\n')[0];
        notes.push(`${s.label}: not measured (${why}).`);
        results.push({ s, r: undefined });
        await load.stop().catch(() => {});
      }
    }
  } finally {
    load.close();
  }
  const memory = await measureMemory(tmp, log);
  const changeRows = await measureChanges(tmp, log);
  const stepRows = [];
  const steps = {};
  for (const importers of [10, 100, 1000]) {
    const times = await measureStep(importers);
    steps[importers] = quantile(times, 0.5);
    stepRows.push([
      `${importers} importers`,
      ms(quantile(times, 0.5)),
      ms(quantile(times, 0.9)),
      ms(Math.min(...times)),
    ]);
    log(`reload step, ${importers} importers: p50 ${ms(steps[importers])} ms`);
  }

  const rows = results.map(({ s, r }) =>
    r
      ? [
          s.label,
          String(r.count),
          `${r.failed} of ${fmt(r.total, 0)}`,
          String(r.mixed),
          ms(quantile(r.steady, 0.99)),
          ms(quantile(r.during, 0.99)),
          `${fmt(quantile(r.during, 0.99) / quantile(r.steady, 0.99), 1)}x`,
          `${ms(quantile(r.perDeploy, 0.5))} / ${ms(Math.max(...r.perDeploy))}`,
        ]
      : [s.label, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a'],
  );

  const targets = [];
  for (const { s, r } of results.filter((x) => x.s.inProcess)) {
    if (!r) {
      targets.push({ name: `${s.label}: measured`, status: 'NOT MEASURED', detail: 'did not run' });
      continue;
    }
    const ok = (b) => (b ? 'MET' : 'MISSED');
    targets.push({
      name: `${s.label}: 0 failed and 0 mixed over ${r.count} deploys`,
      status: ok(r.failed === 0 && r.mixed === 0 && r.count >= 20),
      detail: `${r.failed} failed, ${r.mixed} mixed of ${fmt(r.total, 0)} answers`,
    });
    const ratio = quantile(r.during, 0.99) / quantile(r.steady, 0.99);
    targets.push({
      name: `${s.label}: p99 during the deploy <= 3x steady p99`,
      status: ok(ratio <= 3),
      detail: `${ms(quantile(r.during, 0.99))} vs ${ms(quantile(r.steady, 0.99))} ms (${fmt(ratio, 1)}x)`,
    });
    const worst = Math.max(...r.perDeploy);
    targets.push({
      name: `${s.label}: all answers new within 1 s of the switch`,
      status: ok(worst <= 1000 && r.timeouts === 0),
      detail: `worst ${ms(worst)} ms, p50 ${ms(quantile(r.perDeploy, 0.5))} ms`,
    });
  }
  const grown = (memory.last - memory.fifth) / 2 ** 20;
  targets.push({
    name: `hotpub memory after ${MEMORY_DEPLOYS} deploys within +50 MiB RSS of after the 5th`,
    status: Number.isFinite(grown) ? (grown <= 50 ? 'MET' : 'MISSED') : 'NOT MEASURED',
    detail: `${fmt(memory.fifth / 2 ** 20, 0)} -> ${fmt(memory.last / 2 ** 20, 0)} MiB (${grown >= 0 ? '+' : ''}${fmt(grown, 1)})`,
  });
  targets.push({
    name: 'reload of a shared module with 1,000 importers <= 50 ms (reload step)',
    status: steps[1000] <= 50 ? 'MET' : 'MISSED',
    detail: `p50 ${ms(steps[1000])} ms (10: ${ms(steps[10])}, 100: ${ms(steps[100])})`,
  });

  notes.push(
    `Deploys per system: ${DEPLOYS} for hotpub, ${RESTART_DEPLOYS} for the restarting peers (each takes seconds); ` +
      'BENCH_DEPLOYS / BENCH_RESTART_DEPLOYS / BENCH_MEMORY_DEPLOYS change them. Systems run one after another (one block each), not interleaved: each deploy needs its own steady time before it.',
    'A failed answer is a connection error, a timeout, a non-200 or a body that is not `<n>:<n>`; after one, that connection waits 10 ms before it asks again (as a client would), so a refused port does not count thousands of failures per second.',
    'Write -> served includes the 50 ms quiet window that makes a change one generation (SPEC section 4): a change is applied only once its app has had no file event for 50 ms.',
  );
  return {
    title,
    description:
      `Each release is ${MODULES} modules: an index importing 99 others, every one stamped with the release number; ` +
      'an answer is `<n>:<n>` when all agree and `<n>:X` when a response mixes releases. hotpub serves the TypeScript ' +
      'app; the peers serve the same app as plain ESM with node:http. A deploy switches `current` to the next ' +
      'release (`ln -s releases/<n> next && mv -T next current`), then: nothing more (hotpub --watch), `kill -HUP` ' +
      '(hotpub, node:cluster primary), `pm2 reload site`, or SIGTERM + start (stop and start). 50 keep-alive ' +
      'connections from a checking load generator (its own process, on the load core) run throughout. ' +
      '"All new after" runs from just before the switch until the last old answer (or the first new one, if later). ' +
      'p99 during a deploy: answers started from the switch until 100 ms after all were new; steady: answers started ' +
      'in the second before each deploy.',
    tables: [
      {
        columns: [
          'system',
          'deploys',
          'failed answers',
          'mixed answers',
          'steady p99 ms',
          'deploy p99 ms',
          'ratio',
          'all new after, ms (p50 / max)',
        ],
        rows,
      },
      {
        caption:
          'Cost of a larger change: write -> new code served, `hotpub serve --watch`, no load (10 edits each).',
        columns: ['change', 'p50 ms', 'p90 ms', 'max ms'],
        rows: changeRows,
      },
      {
        caption:
          'The reload step alone: `invalidateModule` of a shared `_lib` module (read, transform, re-evaluate it and every importer, swap), through the registry API in one process on the server core (15 edits each).',
        columns: ['importers', 'p50 ms', 'p90 ms', 'min ms'],
        rows: stepRows,
      },
    ],
    targets,
    notes,
    commands,
  };
}
