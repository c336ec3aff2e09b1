// Part 6: state beyond one process: sessions and storage, SQLite vs Redis, 1 vs 2 workers.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, writeFiles } from '../lib/fixtures.mjs';
import { groupCpuSeconds, noiseCell, pctOfCore, quietRun, summarizeLoad } from '../lib/noise.mjs';
import { freePort, startProcess } from '../lib/proc.mjs';
import { shortCommand } from '../lib/report.mjs';
import { fmt, fmtRange } from '../lib/stats.mjs';
import { hotpubMissing, startHotpub } from '../lib/systems.mjs';

export const title = '7. State: sessions and storage, SQLite vs Redis, 1 vs 2 workers';

const SECRET = 'bench-secret-bench-secret-bench-secret';

// One app: a plain function, a session read, a session read + storage write, a session write.
const APP = `import { storage, type Context } from 'hotpub';
export function plain() { return 'ok'; }
export function login(_: unknown, ctx: Context) { ctx.session.user = 'u' + process.pid + Math.random().toString(36).slice(2, 8); return 'ok'; }
export function read(_: unknown, ctx: Context) { return ctx.session.user ? 'ok' : 'no session'; }
let n = 0;
export async function write(_: unknown, ctx: Context) {
  const user = ctx.session.user;
  if (!user) return 'no session';
  n = (n + 1) % 100;
  await storage.setItem('hits:' + user + ':' + n, { n, at: Date.now() });
  return 'ok';
}
export function touch(_: unknown, ctx: Context) {
  if (!ctx.session.user) return 'no session';
  ctx.session.n = ((ctx.session.n as number) ?? 0) + 1;
  return 'ok';
}
`;

function hasRedis() {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
}

async function startRedis() {
  const port = await freePort();
  const proc = await startProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { name: 'redis-server' },
  );
  for (let i = 0; i < 500 && !proc.tail.some((l) => l.includes('Ready to accept')); i++) {
    await sleep(20);
  }
  if (!proc.tail.some((l) => l.includes('Ready to accept'))) {
    await proc.stop();
    throw new Error(`redis-server did not start: ${proc.tail.join('\n')}`);
  }
  return { proc, url: `redis://127.0.0.1:${port}` };
}

/** The session cookie a fresh login on `base` sets. */
async function login(base) {
  const res = await fetch(`${base}/bench/s/login`);
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0];
  if (res.status !== 200 || !cookie) throw new Error(`login on ${base}: ${res.status}`);
  return cookie;
}

export async function run({ runs, duration, load, log }) {
  const missing = hotpubMissing('session/sessions.js', 'storage/open-storage.js');
  if (missing) throw new Error(missing);
  const dir = await makeTempDir('state');
  const apps = path.join(dir, 'apps');
  await writeFiles(apps, { 'bench/s.ts': APP });
  const notes = [
    'The machine has 2 cores: servers (and Redis) run on core 0, the load on core 1. With ' +
      '`--workers 2` both workers share core 0, so those rows show what sharing the store ' +
      'between processes costs (cluster hand-off, SQLite locking), not what a second core gains.',
  ];
  const commands = [];
  const redis = hasRedis() ? await startRedis() : undefined;
  if (redis) commands.push(shortCommand(redis.proc.command));
  else notes.push('redis-server is not installed: the Redis rows were not run.');

  const drivers = [{ key: 'sqlite', label: 'SQLite (default)', env: {} }];
  if (redis) drivers.push({ key: 'redis', label: 'Redis', env: { HOTPUB_STORAGE_URL: redis.url } });
  const servers = [];
  for (const d of drivers) {
    for (const workers of [1, 2]) {
      const cwd = await makeTempDir(`state-${d.key}${workers}`);
      const extra = workers > 1 ? ['--workers', String(workers)] : [];
      const { proc, base } = await startHotpub(apps, {
        readyPath: '/bench/s/plain',
        extra,
        env: { HOTPUB_SECRET: SECRET, ...d.env },
        cwd,
      });
      commands.push(
        `${shortCommand(proc.command)} (cwd $TMP, ${d.key === 'redis' ? 'HOTPUB_STORAGE_URL=redis://...' : 'default storage'})`,
      );
      servers.push({ driver: d, workers, proc, base, cookie: await login(base) });
    }
  }

  const systems = [];
  for (const s of servers) {
    const name = `${s.driver.label}, ${s.workers} worker${s.workers > 1 ? 's' : ''}`;
    const cpuGroups = [
      s.proc.child.pid,
      ...(s.driver.key === 'redis' ? [redis.proc.child.pid] : []),
    ];
    const add = (what, fn, cookie) =>
      systems.push({
        label: `${name}: ${what}`,
        driver: s.driver.key,
        workers: s.workers,
        what,
        url: `${s.base}/bench/s/${fn}`,
        headers: cookie ? { cookie: s.cookie } : {},
        cpuGroups,
        samples: [],
      });
    if (s.workers === 1) {
      add('plain request, no cookie', 'plain', false);
      add('plain request with a session cookie', 'plain', true);
      add('session read', 'read', true);
      add('session write (changes every request)', 'touch', true);
    }
    add('session read + storage write', 'write', true);
  }

  for (const s of systems) {
    const res = await fetch(s.url, { headers: s.headers });
    const body = await res.text();
    if (res.status !== 200 || body !== 'ok') throw new Error(`${s.label}: ${res.status} ${body}`);
    await load.run({ url: s.url, headers: s.headers, duration: 0.5 });
  }
  for (let r = 0; r < runs; r++) {
    for (const s of r % 2 === 0 ? systems : [...systems].reverse()) {
      const { result, noise } = await quietRun(async () => {
        const cpu = () => s.cpuGroups.reduce((sum, g) => sum + groupCpuSeconds(g), 0);
        const cpu0 = cpu();
        const x = await load.run({ url: s.url, headers: s.headers, duration });
        return { ...x, cpuUs: ((cpu() - cpu0) * 1e6) / x.total };
      });
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(`${s.label}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      }
      s.samples.push({ ...result, noise });
      log(`run ${r + 1}/${runs} ${s.label}: ${fmt(result.rps)} req/s (others ${pctOfCore(noise)})`);
    }
  }
  for (const s of servers) await s.proc.stop();
  if (redis) await redis.proc.stop();
  for (const s of systems) summarizeLoad(s);

  const costRows = [];
  for (const d of drivers) {
    const of = (what) =>
      systems.find((s) => s.driver === d.key && s.workers === 1 && s.what === what);
    const plain = of('plain request, no cookie');
    for (const what of [
      'plain request with a session cookie',
      'session read',
      'session write (changes every request)',
    ]) {
      const s = of(what);
      costRows.push([
        `${d.label}: ${what}`,
        `${((1 - s.rps.median / plain.rps.median) * 100).toFixed(0)}%`,
        `+${fmt(s.cpu.median - plain.cpu.median)} µs`,
      ]);
    }
  }
  return {
    title,
    description:
      'One app (bench/parts/state.mjs) served by `bin/hotpub serve` with `HOTPUB_SECRET`, each ' +
      'server in its own temp working directory (so the default storage is a fresh ' +
      '`.data/hotpub.sqlite`), or with `HOTPUB_STORAGE_URL` on a local redis-server (no ' +
      'persistence). Each request carries the cookie of a session made once before the runs. ' +
      '"session read + storage write" reads `ctx.session.user` and `storage.setItem`s one of ' +
      `100 keys per user. Systems interleaved, ${runs} runs of ${duration} s after a 0.5 s ` +
      'warm-up, 50 connections. Server CPU per request counts every hotpub process and, for ' +
      'Redis rows, the redis-server process.',
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
          fmtRange(s.cpu, 1),
          noiseCell(s),
        ]),
      },
      {
        columns: [
          'what a session costs over a plain request (1 worker)',
          'throughput',
          'server CPU per request',
        ],
        rows: costRows,
      },
    ],
    targets: [],
    notes,
    commands,
  };
}
