// Part 6: long-lived connections. WebSocket echo throughput against `ws` alone; message
// latency across reloads (none lost, none answered by a retired generation after the
// swap); reload time with 1,000 open event streams and with an open streamed body.
import http from 'node:http';
import path from 'node:path';
import { measureEdit } from '../lib/edits.mjs';
import { makeTempDir, writeFiles } from '../lib/fixtures.mjs';
import { quietRun } from '../lib/noise.mjs';
import { freePort, startServer } from '../lib/proc.mjs';
import { shortCommand } from '../lib/report.mjs';
import { fmt, fmtRange, quantile, summary } from '../lib/stats.mjs';
import { hotpubMissing, startHotpub, startScript } from '../lib/systems.mjs';
import { echoRate, probe } from '../lib/ws-load.mjs';

export const title = '6. Long-lived connections: WebSockets and event streams';

const EDITS = Number(process.env.BENCH_REALTIME_EDITS ?? 15);
const STREAMS = Number(process.env.BENCH_SSE_STREAMS ?? 1000);

const indexTs = (n) => `export function index(): string {\n  return 'tok-${n}';\n}\n`;
const socketTs = (v) => `export const VERSION = ${v};
export function echo(message: unknown) { return message; }
echo.websocket = true;
export function probe(message: { n: number }) { return { v: VERSION, n: message.n }; }
probe.websocket = true;
`;
const streamTs = `import { Readable } from 'node:stream';
export async function* events(_a: unknown, ctx: { signal: AbortSignal }) {
  while (!ctx.signal.aborted) {
    yield { at: Date.now() };
    await new Promise((r) => setTimeout(r, 1000));
  }
}
export function body(_a: unknown, ctx: { signal: AbortSignal }) {
  return new Readable({
    read() {
      if (ctx.signal.aborted) this.push(null);
      else setTimeout(() => this.push('chunk\\n'), 1000);
    },
  });
}
`;

async function appsDir() {
  const dir = await makeTempDir('realtime');
  const apps = path.join(dir, 'apps');
  await writeFiles(apps, {
    'bench/index.ts': indexTs(0),
    'bench/live.ts': socketTs(0),
    'bench/stream.ts': streamTs,
  });
  return apps;
}

/** Opens `n` long-lived GETs of `url` (one socket each); resolves a closer. */
async function openStreams(url, n, headers) {
  const reqs = [];
  for (let i = 0; i < n; i++) {
    await new Promise((resolve, reject) => {
      const req = http.get(url, { agent: false, headers }, (res) => {
        res.resume();
        resolve();
      });
      req.on('error', reject);
      reqs.push(req);
    });
  }
  return () => {
    for (const r of reqs) r.destroy();
  };
}

/**
 * Reload times with a streamed body opened fresh before each edit (a stream that outlived
 * one drain timeout would no longer be waited for by the next reload on the old code).
 */
async function reloadTimesWithBody(sys, base, edits) {
  const ms = [];
  for (let i = 0; i < edits; i++) {
    const close = await openStreams(`${base}/bench/stream/body`, 1);
    ms.push(await measureEdit(sys));
    close();
  }
  return ms;
}

/** Reload p50 over `edits` edits of bench/index.ts (each served before the next). */
async function reloadTimes(sys, edits) {
  const ms = [];
  for (let i = 0; i < edits; i++) ms.push(await measureEdit(sys));
  return ms;
}

async function echoPart({ runs, duration, log, commands }) {
  const apps = await appsDir();
  const hp = await startHotpub(apps, { readyPath: '/bench' });
  const ws = await startScript('ws-echo.mjs');
  commands.push(shortCommand(hp.proc.command), shortCommand(ws.proc.command));
  const systems = [
    { label: '`ws` alone (bench/servers/ws-echo.mjs)', url: `${ws.base.replace('http', 'ws')}/` },
    {
      label: 'hotpub serve, `fn.websocket` echo',
      url: `${hp.base.replace('http', 'ws')}/bench/live/echo`,
    },
  ];
  for (const s of systems) {
    s.samples = [];
    await echoRate(s.url, { seconds: 0.5 }); // warm-up
  }
  for (let r = 0; r < runs; r++) {
    for (const s of r % 2 === 0 ? systems : [...systems].reverse()) {
      const { result } = await quietRun(() => echoRate(s.url, { seconds: duration }));
      s.samples.push(result.rate);
      log(`echo run ${r + 1}/${runs} ${s.label}: ${fmt(result.rate)} msg/s`);
    }
  }
  await hp.proc.stop();
  await ws.proc.stop();
  for (const s of systems) s.rate = summary(s.samples);
  return systems;
}

async function latencyPart({ log }) {
  const apps = await appsDir();
  const hp = await startHotpub(apps, { watch: true, readyPath: '/bench' });
  const file = path.join(apps, 'bench', 'live.ts');
  const p = probe(`${hp.base.replace('http', 'ws')}/bench/live/probe`, {
    connections: 4,
    gapMs: 2,
  });
  await p.ready;
  const fs = await import('node:fs/promises');
  const swaps = [];
  for (let v = 1; v <= 10; v++) {
    await new Promise((r) => setTimeout(r, 150));
    swaps.push(performance.now());
    await fs.writeFile(file, socketTs(v));
  }
  await new Promise((r) => setTimeout(r, 300));
  const sent = await p.stop();
  await hp.proc.stop();
  const lost = sent.filter((m) => m.at === undefined).length;
  // Per connection, messages are answered in order: a version lower than one already
  // seen on that connection is an answer by a retired generation after the swap.
  let stale = 0;
  const seen = new Map();
  for (const m of sent) {
    if (m.v === undefined) continue;
    if ((seen.get(m.c) ?? -1) > m.v) stale++;
    seen.set(m.c, Math.max(seen.get(m.c) ?? -1, m.v));
  }
  const lat = sent.filter((m) => m.at !== undefined).map((m) => m.at - m.t);
  const near = sent
    .filter((m) => m.at !== undefined && swaps.some((t) => m.t >= t && m.t < t + 100))
    .map((m) => m.at - m.t);
  log(
    `latency: ${sent.length} messages, ${lost} lost, ${stale} stale, p50 ${fmt(quantile(lat, 0.5))} ms`,
  );
  return {
    count: sent.length,
    lost,
    stale,
    lat,
    near,
    versions: new Set(sent.map((m) => m.v)).size,
  };
}

async function ssePart({ log, commands }) {
  const apps = await appsDir();
  const hp = await startHotpub(apps, { watch: true, readyPath: '/bench' });
  commands.push(`${shortCommand(hp.proc.command)} (--watch)`);
  const sys = {
    n: 0,
    file: path.join(apps, 'bench', 'index.ts'),
    render: indexTs,
    url: `${hp.base}/bench`,
  };
  await reloadTimes(sys, 3); // warm-up
  const idle = await reloadTimes(sys, EDITS);
  log(`sse: idle reload p50 ${fmt(quantile(idle, 0.5))} ms`);
  const close = await openStreams(`${hp.base}/bench/stream/events`, STREAMS, {
    accept: 'text/event-stream',
  });
  const withStreams = await reloadTimes(sys, EDITS);
  close();
  log(`sse: ${STREAMS} streams reload p50 ${fmt(quantile(withStreams, 0.5))} ms`);
  const withBody = await reloadTimesWithBody(sys, hp.base, 5);
  await hp.proc.stop();
  return { idle, withStreams, withBody };
}

/** The same streamed-body reload on another build (BENCH_BEFORE_ROOT: a checkout with dist/). */
async function beforePart({ log, commands }) {
  const root = process.env.BENCH_BEFORE_ROOT;
  if (!root) return undefined;
  const apps = await appsDir();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const bin = path.join(root, 'bin', 'hotpub');
  const proc = await startServer(
    process.execPath,
    [bin, 'serve', '--apps', apps, '--port', String(port), '--watch'],
    {
      readyUrl: `${base}/bench`,
      cwd: root,
      name: 'hotpub-before',
      env: { NODE_ENV: 'production' },
    },
  );
  commands.push(`${shortCommand(proc.command)} (before)`);
  const sys = {
    n: 0,
    file: path.join(apps, 'bench', 'index.ts'),
    render: indexTs,
    url: `${base}/bench`,
  };
  await reloadTimes(sys, 2);
  const idle = await reloadTimes(sys, 5);
  const withBody = await reloadTimesWithBody(sys, base, 3);
  await proc.stop();
  log(`before: streamed-body reload p50 ${fmt(quantile(withBody, 0.5))} ms`);
  return { idle, withBody };
}

export async function run({ runs, duration, log }) {
  const missing = hotpubMissing('publisher/web-sockets.js');
  if (missing) throw new Error(missing);
  const commands = [];
  const echo = await echoPart({ runs, duration, log, commands });
  const latency = await latencyPart({ log });
  const sse = await ssePart({ log, commands });
  const before = await beforePart({ log, commands });
  const [wsAlone, hotpub] = echo;
  const ratio = hotpub.rate.median / wsAlone.rate.median;
  const p50 = (xs) => quantile(xs, 0.5);
  const sseRatio = p50(sse.withStreams) / p50(sse.idle);
  const ms = (x) => `${fmt(x)} ms`;
  const reloadRows = [
    ['hotpub, idle', ms(p50(sse.idle)), ms(Math.max(...sse.idle)), String(sse.idle.length)],
    [
      `hotpub, ${STREAMS} open event streams`,
      ms(p50(sse.withStreams)),
      ms(Math.max(...sse.withStreams)),
      String(sse.withStreams.length),
    ],
    [
      'hotpub, 1 open streamed body',
      ms(p50(sse.withBody)),
      ms(Math.max(...sse.withBody)),
      String(sse.withBody.length),
    ],
  ];
  if (before) {
    reloadRows.push(
      [
        'before (main), idle',
        ms(p50(before.idle)),
        ms(Math.max(...before.idle)),
        String(before.idle.length),
      ],
      [
        'before (main), 1 open streamed body',
        ms(p50(before.withBody)),
        ms(Math.max(...before.withBody)),
        String(before.withBody.length),
      ],
    );
  }
  return {
    title,
    description:
      `WebSocket echo: ${16} connections x 16 messages in flight from the harness (ws client, ` +
      `core 1), ${duration} s per run, ${runs} runs interleaved, against \`bin/hotpub serve\` and ` +
      '`ws` alone. Latency: 4 connections sending a numbered message every 2 ms each to ' +
      '`hotpub serve --watch` while the WebSocket module is saved 10 times, 150 ms apart; every ' +
      'reply names the module version that answered it. Reloads: an edit of bench/index.ts ' +
      'timed until GET /bench serves it, in the same app as the streams (one code lock), idle, ' +
      `with ${STREAMS} open event streams (one socket each), and with a streamed body opened ` +
      'just before each edit' +
      (before ? '; the last rows run the same on the build in BENCH_BEFORE_ROOT (main).' : '.'),
    tables: [
      {
        columns: ['system', 'messages/s median (min-max)', 'runs'],
        rows: echo.map((s) => [s.label, fmtRange(s.rate), String(s.rate.runs)]),
      },
      {
        columns: ['messages across 10 reloads', 'value'],
        rows: [
          ['messages sent', String(latency.count)],
          ['lost (never answered)', String(latency.lost)],
          ['answered by a retired generation after the swap', String(latency.stale)],
          ['versions seen', String(latency.versions)],
          [
            'latency p50 / p99 / max, all',
            `${ms(quantile(latency.lat, 0.5))} / ${ms(quantile(latency.lat, 0.99))} / ${ms(Math.max(...latency.lat))}`,
          ],
          [
            'latency p50 / p99 / max, sent < 100 ms after a save',
            `${ms(quantile(latency.near, 0.5))} / ${ms(quantile(latency.near, 0.99))} / ${ms(Math.max(...latency.near))}`,
          ],
        ],
      },
      {
        columns: ['reload (edit -> served)', 'p50', 'max', 'edits'],
        rows: reloadRows,
      },
    ],
    targets: [
      {
        name: 'WebSocket echo >= 0.6x `ws` alone',
        status: ratio >= 0.6 ? 'MET' : 'MISSED',
        detail: `${ratio.toFixed(2)}x (${fmt(hotpub.rate.median)} vs ${fmt(wsAlone.rate.median)} msg/s)`,
      },
      {
        name: 'no message lost or answered by a retired generation across reloads',
        status: latency.lost === 0 && latency.stale === 0 ? 'MET' : 'MISSED',
        detail: `${latency.lost} lost, ${latency.stale} stale of ${latency.count}`,
      },
      {
        name: `reload p50 with ${STREAMS} open event streams <= 2x idle`,
        status: sseRatio <= 2 ? 'MET' : 'MISSED',
        detail: `${sseRatio.toFixed(2)}x (${ms(p50(sse.withStreams))} vs ${ms(p50(sse.idle))})`,
      },
    ],
    notes: [
      'The WebSocket client load runs in the harness on core 1: on a shared, busy machine ' +
        'the absolute rates swing widely from run to run; read the ratio of medians.',
      'Before, a reload waited for an open streamed body until the drain timeout (5 s) and ' +
        'only then swapped; now the stream stops counting for the drain once it streams ' +
        '(it keeps its generation until it ends), so the reload takes as long as an idle one.',
    ],
    commands,
  };
}
