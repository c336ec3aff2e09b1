// Part 2: write -> new code served, idle and under 50-connection load; failed requests
// under load; a burst of 40 edits 30 ms apart.
import { setTimeout as sleep } from 'node:timers/promises';
import { BURST, BURST_GAP_MS, burst, MISSED_AFTER_MS, measureEdit } from '../lib/edits.mjs';
import { makeTempDir } from '../lib/fixtures.mjs';
import { reloadSystems } from '../lib/reload-systems.mjs';
import { shortCommand } from '../lib/report.mjs';
import { fmt, quantile, summary } from '../lib/stats.mjs';

export const title = '2. Reload: write -> new code served';

/** Edits per phase for in-process systems, and for the restarters (each costs ~0.5 s). */
const EDITS = Number(process.env.BENCH_RELOAD_EDITS ?? 100);
const RESTART_EDITS = Number(process.env.BENCH_RESTART_EDITS ?? 15);
/** Quiet time after an edit was served before the next one, so edits stay separate saves. */
const SETTLE_MS = 50;
const p = (xs, q) => quantile(xs, q);
const ms = (x) => (Number.isFinite(x) ? fmt(x, 1) : 'n/a');

/** p50 of each consecutive chunk, for the min-max across runs. */
function chunkP50(xs, chunks) {
  const size = Math.ceil(xs.length / chunks);
  const out = [];
  for (let i = 0; i < xs.length; i += size) out.push(p(xs.slice(i, i + size), 0.5));
  return summary(out);
}

export async function run({ runs, load, log }) {
  const dir = await makeTempDir('reload');
  const list = await reloadSystems(dir);
  const notes = [];
  const commands = [];
  for (const s of list) {
    if (s.missing) {
      notes.push(`${s.label}: not measured (${s.missing}).`);
      continue;
    }
    try {
      const { proc, url } = await s.start();
      Object.assign(s, {
        proc,
        url,
        idle: [],
        loaded: [],
        failed: 0,
        loadRequests: 0,
        loadEdits: 0,
      });
      commands.push(`${shortCommand(proc.command)}   # ${s.label}`);
    } catch (err) {
      s.missing = String(err.message).split('\n')[0];
      notes.push(`${s.label}: not measured (${s.missing}).`);
    }
  }
  const active = list.filter((s) => !s.missing);
  const editsOf = (s) => (s.restarts ? RESTART_EDITS : EDITS);

  // Idle: interleaved edit by edit (A B C D A B C D ...).
  const maxEdits = Math.max(...active.map(editsOf));
  for (let i = 0; i < maxEdits; i++) {
    for (const s of active) {
      if (i >= editsOf(s)) continue;
      s.idle.push(await measureEdit(s));
      await sleep(SETTLE_MS);
    }
    if (i % 20 === 19) log(`idle: ${i + 1} edits`);
  }

  // Under load: `runs` blocks per system, interleaved; the load targets the edited server.
  for (let b = 0; b < runs; b++) {
    for (const s of active) {
      const n = Math.floor(editsOf(s) / runs) + (b < editsOf(s) % runs ? 1 : 0);
      const stop = await load.start({ url: s.url, connections: 50 });
      await sleep(300);
      for (let i = 0; i < n; i++) {
        s.loaded.push(await measureEdit(s));
        await sleep(SETTLE_MS);
      }
      const res = await stop();
      s.failed += res.errors + res.non2xx + res.timeouts;
      s.loadRequests += res.total;
      s.loadEdits += n;
      log(
        `load block ${b + 1}/${runs} ${s.key}: p50 ${ms(p(s.loaded.slice(-n), 0.5))} ms, failed ${res.errors + res.non2xx + res.timeouts}`,
      );
    }
  }

  // Bursts, interleaved once per system.
  for (const s of active) {
    await sleep(500);
    s.burst = await burst(s);
    log(
      `burst ${s.key}: missed ${s.burst.missed}/${BURST}, last served after ${ms(s.burst.finalMs)} ms`,
    );
  }
  for (const s of active) await s.proc.stop();

  const lost = (xs) => xs.filter((x) => !Number.isFinite(x)).length;
  const rows = list.map((s) => {
    if (s.missing) return [s.label, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a'];
    const idleR = chunkP50(s.idle, runs);
    const loadR = chunkP50(s.loaded, runs);
    return [
      s.label,
      `${ms(p(s.idle, 0.5))} (${ms(idleR.min)}-${ms(idleR.max)})`,
      ms(p(s.idle, 0.99)),
      `${ms(p(s.loaded, 0.5))} (${ms(loadR.min)}-${ms(loadR.max)})`,
      ms(p(s.loaded, 0.99)),
      `${s.idle.length} / ${s.loaded.length}` +
        (lost(s.idle) + lost(s.loaded) ? ` (${lost(s.idle) + lost(s.loaded)} never served)` : ''),
      `${s.failed} during ${s.loadEdits} edits (${fmt(s.loadRequests, 0)} served)`,
      fmt(s.failed / s.loadEdits, 0),
    ];
  });
  const burstRows = list.map((s) =>
    s.missing
      ? [s.label, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']
      : [
          s.label,
          `${s.burst.missed} of ${BURST}`,
          `${s.burst.ownServed} of ${BURST}`,
          Number.isFinite(s.burst.worstMs) ? ms(s.burst.worstMs) : 'never',
          ms(s.burst.finalMs),
          `${s.burst.failedPolls} of ${s.burst.polls}`,
        ],
  );

  const targets = [];
  const hp = active.find((s) => s.key === 'hotpub');
  const hh = active.find((s) => s.key === 'hothook');
  if (!hp) {
    targets.push({
      name: 'hotpub reload targets',
      status: 'NOT MEASURED',
      detail: 'hotpub did not run',
    });
  } else {
    const idle50 = p(hp.idle, 0.5);
    const load50 = p(hp.loaded, 0.5);
    const lim = (name, v, max) =>
      targets.push({
        name,
        status: v <= max ? 'MET' : 'MISSED',
        detail: `${ms(v)} ms` + (v <= max ? '' : `, ${ms(v - max)} ms over`),
      });
    lim('hotpub p50 idle <= 10 ms', idle50, 10);
    lim('hotpub p50 under load <= 20 ms', load50, 20);
    targets.push({
      name: 'hotpub 0 failed requests under load',
      status: hp.failed === 0 ? 'MET' : 'MISSED',
      detail: `${hp.failed} failed during ${hp.loadEdits} edits`,
    });
    targets.push({
      name: `hotpub 0 missed edits (${BURST} edits ${BURST_GAP_MS} ms apart)`,
      status: hp.burst.missed === 0 ? 'MET' : 'MISSED',
      detail: `${hp.burst.missed} missed`,
    });
    for (const peer of [hh, active.find((s) => s.key === 'hothookTs')]) {
      if (!peer) continue;
      const peerIdle = p(peer.idle, 0.5);
      const peerLoad = p(peer.loaded, 0.5);
      const ok = idle50 <= peerIdle && load50 <= peerLoad;
      const over = [
        idle50 > peerIdle ? `idle ${ms(idle50 - peerIdle)} ms slower` : '',
        load50 > peerLoad ? `under load ${ms(load50 - peerLoad)} ms slower` : '',
      ].filter(Boolean);
      targets.push({
        name: `hotpub no slower than ${peer.label} (p50 idle and under load)`,
        status: ok ? 'MET' : 'MISSED',
        detail:
          `idle ${ms(idle50)} vs ${ms(peerIdle)} ms, load ${ms(load50)} vs ${ms(peerLoad)} ms` +
          (over.length ? ` (${over.join(', ')})` : ''),
      });
    }
  }
  notes.push(
    `In-process systems: ${EDITS} edits idle and ${EDITS} under load; restarters ${RESTART_EDITS} each ` +
      '(a restart costs ~0.5 s; with 100 the part would exceed its 2-minute bound), so their ' +
      `p99 over ${RESTART_EDITS} samples is close to their max. Set BENCH_RELOAD_EDITS / ` +
      'BENCH_RESTART_EDITS to change the counts.',
    `Missed edit: neither its content nor a later edit's was served within ${MISSED_AFTER_MS} ms of its write.`,
  );
  return {
    title,
    description:
      `Each edit is a plain \`fs.writeFile\` of the module with a new token; latency runs from just ` +
      `before the write until a response carries the new token (one client polling back to back). ` +
      `${SETTLE_MS} ms pause after each served edit. Idle edits are interleaved system by system; ` +
      `under load, autocannon keeps 50 connections on the edited server, in ${runs} blocks per system ` +
      `interleaved; failed = autocannon errors + non-2xx + timeouts over the whole block. ` +
      'p50 is over all edits, with the min-max of the per-block p50s.',
    tables: [
      {
        columns: [
          'system',
          'idle p50 ms (min-max)',
          'idle p99 ms',
          'load p50 ms (min-max)',
          'load p99 ms',
          'edits idle / load',
          'failed requests under load',
          'failed per edit',
        ],
        rows,
      },
      {
        caption: `Burst: ${BURST} edits ${BURST_GAP_MS} ms apart, no load.`,
        columns: [
          'system',
          'missed edits',
          'edits whose own content was served',
          'worst edit: write -> it (or a later one) served, ms',
          'last edit served after ms (n/a: not within 5 s)',
          'failed polls',
        ],
        rows: burstRows,
      },
    ],
    targets,
    notes,
    commands,
  };
}
