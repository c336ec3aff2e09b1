// Part 1: dispatch throughput and p99 latency of a small text response, 50 connections.
import path from 'node:path';
import {
  hotpubManyFunctions,
  hotpubOneFunction,
  makeTempDir,
  writeFiles,
} from '../lib/fixtures.mjs';
import { get } from '../lib/http.mjs';
import { groupCpuSeconds, noiseCell, pctOfCore, quietRun, summarizeLoad } from '../lib/noise.mjs';
import { shortCommand } from '../lib/report.mjs';
import { fmt, fmtRange, fmtRatio } from '../lib/stats.mjs';
import { hotpubMissing, startHotpub, startScript } from '../lib/systems.mjs';

export const title = '1. Dispatch: small text response, 50 connections';

/** The systems, in the order they are interleaved. */
async function systems(dir) {
  const one = await hotpubOneFunction(path.join(dir, 'one'));
  const many = await hotpubManyFunctions(path.join(dir, 'many'));
  const oneW = await hotpubOneFunction(path.join(dir, 'one-watch'));
  await writeFiles(dir, {
    'hh/handler.mjs': "export function handler() {\n  return 'Hello World!';\n}\n",
  });
  const noServe = hotpubMissing('cli/main.js', 'server/serve.js');
  const noRouter = hotpubMissing('index.js');
  return [
    { key: 'raw', label: 'node:http (raw)', start: () => startScript('raw.mjs'), path: '/' },
    {
      key: 'express1',
      label: 'express 5, 1 route',
      start: () => startScript('express.mjs', { readyPath: '/r0' }),
      path: '/r0',
    },
    {
      key: 'express10k',
      label: 'express 5, 10,000 routes (last)',
      start: () => startScript('express.mjs', { env: { ROUTES: '10000' }, readyPath: '/r0' }),
      path: '/r9999',
    },
    {
      key: 'fastify1',
      label: 'fastify 5, 1 route',
      start: () => startScript('fastify.mjs', { readyPath: '/r0' }),
      path: '/r0',
    },
    {
      key: 'fastify10k',
      label: 'fastify 5, 10,000 routes (last)',
      start: () => startScript('fastify.mjs', { env: { ROUTES: '10000' }, readyPath: '/r0' }),
      path: '/r9999',
    },
    {
      key: 'hothook',
      label: 'express 5 + hot-hook (per-request import)',
      start: () =>
        startScript('hothook-express.mjs', { env: { HANDLER: path.join(dir, 'hh/handler.mjs') } }),
      path: '/',
    },
    {
      key: 'hotpub1',
      label: 'hotpub serve, 1 function',
      missing: noServe,
      start: () => startHotpub(one.apps, { readyPath: one.path }),
      path: one.path,
    },
    {
      key: 'hotpub10k',
      label: 'hotpub serve, 10,000 functions / 100 modules (last)',
      missing: noServe,
      start: () => startHotpub(many.apps, { readyPath: many.path }),
      path: many.path,
    },
    {
      key: 'hotpubWatch',
      label: 'hotpub serve --watch, 1 function',
      missing: noServe,
      start: () => startHotpub(oneW.apps, { watch: true, readyPath: oneW.path }),
      path: oneW.path,
    },
    {
      key: 'hpExpress1',
      label: 'express 5 + hotpub router, 1 function',
      missing: noRouter,
      start: () =>
        startScript('hotpub-express.mjs', { env: { APPS: one.apps }, readyPath: '/x' + one.path }),
      path: '/x' + one.path,
    },
    {
      key: 'hpExpress10k',
      label: 'express 5 + hotpub router, 10,000 functions (last)',
      missing: noRouter,
      start: () =>
        startScript('hotpub-express.mjs', {
          env: { APPS: many.apps },
          readyPath: '/x' + many.path,
        }),
      path: '/x' + many.path,
    },
  ];
}

/** Runs the part: start every server, warm each up, then `runs` interleaved rounds. */
export async function run({ runs, duration, load, log, only }) {
  const dir = await makeTempDir('dispatch');
  const list = (await systems(dir)).filter((s) => !only || only.includes(s.key));
  const notes = [];
  const commands = [];
  /** Starts every server not yet failed, together (start-up is not measured here). */
  const startAll = () =>
    Promise.all(
      list.map(async (s) => {
        if (s.missing) return;
        try {
          const { proc, base } = await s.start();
          s.proc = proc;
          s.url = base + s.path;
          const r = await get(s.url);
          if (r.status !== 200 || !r.body.includes('Hello World!')) {
            throw new Error(`${s.url} answered ${r.status} ${r.body.slice(0, 120)}`);
          }
        } catch (err) {
          s.missing = String(err.message).split('\n')[0];
          await s.proc?.stop();
        }
      }),
    );
  for (const s of list) s.samples = [];
  // Fresh processes every round: a process's JIT and heap decisions vary from one start
  // to the next (hotpub's 1-function server ran 25% slower in some processes), and that
  // variance belongs in the min-max, not in one system's every run.
  for (let r = 0; r < runs; r++) {
    await startAll();
    if (r === 0) {
      for (const s of list) {
        if (!s.missing) commands.push(`${shortCommand(s.proc.command)}   # ${s.label}`);
      }
    }
    for (const s of list) {
      if (s.missing) continue;
      await load.run({ url: s.url, duration: 0.5 });
      const {
        result: res,
        noise,
        tries,
      } = await quietRun(async () => {
        const cpu0 = groupCpuSeconds(s.proc.child.pid);
        const r = await load.run({ url: s.url, duration });
        return { ...r, cpuUs: ((groupCpuSeconds(s.proc.child.pid) - cpu0) * 1e6) / r.total };
      });
      s.samples.push({ ...res, noise });
      log(
        `run ${r + 1}/${runs} ${s.key}: ${fmt(res.rps)} req/s p99 ${res.p99} ms ${fmt(res.cpuUs)} µs/req` +
          ` (others ${pctOfCore(noise)} of a core${tries > 1 ? `, ${tries} tries` : ''})`,
      );
    }
    await Promise.all(list.map((s) => s.proc?.stop()));
  }
  for (const s of list) if (s.missing) notes.push(`${s.label}: not measured (${s.missing}).`);
  const active = list.filter((s) => !s.missing && s.samples.length > 0);

  const by = Object.fromEntries(active.map((s) => [s.key, s]));
  for (const s of active) {
    summarizeLoad(s);
    s.failed = s.samples.reduce((a, x) => a + x.errors + x.non2xx + x.timeouts, 0);
  }
  const raw = by.raw?.rps.median;
  const ex1 = by.express1?.rps.median;
  const rawCpu = by.raw?.cpu.median;
  const rows = list.map((s) =>
    s.missing
      ? [s.label, 'n/a', 'n/a', 'n/a', 'n/a', '', '', '', '']
      : [
          s.label,
          fmtRange(s.rps),
          fmtRatio(s.rps.median / raw),
          ex1 ? fmtRatio(s.rps.median / ex1) : 'n/a',
          fmtRange(s.p99, 0),
          s.failed ? String(s.failed) : '0',
          fmt(s.cpu.median, 1),
          fmtRatio(rawCpu / s.cpu.median),
          noiseCell(s),
        ],
  );
  const targets = [];
  const ratioTarget = (key, ref, refName, min) => {
    const s = by[key];
    const label = list.find((x) => x.key === key)?.label ?? key;
    if (!s || !by[ref]) {
      targets.push({
        name: `${label} >= ${min}x ${refName}`,
        status: 'NOT MEASURED',
        detail: 'n/a',
      });
      return;
    }
    const ratio = s.rps.median / by[ref].rps.median;
    const met = ratio >= min;
    targets.push({
      name: `${label} >= ${min}x ${refName}`,
      status: met ? 'MET' : 'MISSED',
      detail:
        `${fmtRatio(ratio)} (${fmt(s.rps.median)} vs ${fmt(by[ref].rps.median)} req/s)` +
        (met ? '' : `, short by ${((1 - ratio / min) * 100).toFixed(0)}%`),
    });
  };
  ratioTarget('hotpub1', 'raw', 'node:http', 0.6);
  ratioTarget('hotpub10k', 'raw', 'node:http', 0.6);
  ratioTarget('hotpubWatch', 'raw', 'node:http', 0.6);
  ratioTarget('hpExpress1', 'express1', 'express 1 route', 0.95);
  ratioTarget('hpExpress10k', 'express1', 'express 1 route', 0.95);
  return {
    title,
    description:
      `autocannon, 50 connections, ${duration} s per run, ${runs} runs per system interleaved ` +
      '(every system once per round, rounds repeated). Every round starts fresh server ' +
      "processes (all running, idle, during the others' runs) and warms each up for 0.5 s. " +
      'req/s = completed requests / duration; median (min-max) over the runs; ' +
      'ratios are of medians. ' +
      '"other CPU": median share of a core used by processes outside the bench during a run; ' +
      'a run disturbed by more than 10% of a core is repeated (up to 3 tries, least disturbed kept), ' +
      'and when at least 3 runs of a system were clean only those are summarized. ' +
      '"server CPU µs/req": CPU time (user+sys, from /proc) of the server\'s processes during a run ' +
      'divided by the requests it answered -- independent of the load generator, which on this ' +
      'machine (one core for autocannon) saturates before the fastest servers do; ' +
      '"x raw (CPU/req)" = raw\'s CPU per request / the system\'s, i.e. capacity relative to raw.',
    tables: [
      {
        columns: [
          'system',
          'req/s median (min-max)',
          'x raw',
          'x express-1',
          'p99 ms (min-max)',
          'failed',
          'server CPU µs/req',
          'x raw (CPU/req)',
          'other CPU (runs used)',
        ],
        rows,
      },
    ],
    targets,
    notes,
    commands,
  };
}
