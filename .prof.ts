import { Agent, request } from 'node:http';
import { startServer } from './test/helpers/server.js';

const s = await startServer({
  storage: { driver: 'sqlite', path: '/tmp/i12-prof/db.sqlite' },
  secret: 'p'.repeat(32),
  files: {
    'b/s.ts': `import { storage, type Context } from 'hotpub';
export function plain() { return 'ok'; }
export function login(_: unknown, ctx: Context) { ctx.session.user = 'u1'; return 'ok'; }
export function read(_: unknown, ctx: Context) { return ctx.session.user ? 'ok' : 'no'; }
`,
  },
});
const cookie = (await s.fetch('/b/s/login')).headers.getSetCookie()[0]!.split(';')[0]!;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const one = (path: string, headers: Record<string, string>) =>
  new Promise<void>((res, rej) => {
    const r = request(s.url + path, { agent, headers }, (x) => {
      x.resume();
      x.on('end', res);
    });
    r.on('error', rej);
    r.end();
  });
async function run(path: string, headers: Record<string, string>, n: number) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i += 8)
    await Promise.all(Array.from({ length: 8 }, () => one(path, headers)));
  const c = process.cpuUsage(c0);
  return {
    path,
    usPerReq: ((c.user + c.system) / n).toFixed(1),
    ms: (performance.now() - t0).toFixed(0),
  };
}
for (let k = 0; k < 3; k++) {
  console.log(await run('/b/s/plain', {}, 4000));
  console.log(await run('/b/s/plain', { cookie }, 4000));
  console.log(await run('/b/s/read', { cookie }, 4000));
}
await s.close();
agent.destroy();
