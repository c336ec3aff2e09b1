/**
 * Load for deploy tests: `clients` keep-alive loops of GET on one path, each answer
 * checked to be `<release>:<release>` (an index and the module it imports agree, i.e. no
 * response mixes two releases).
 */
import { Agent, request } from 'node:http';

/** What the clients saw. */
export interface ReleaseLoad {
  failures: string[];
  mixed: string[];
  /** Highest release served so far. */
  latest(): number;
  served(): number;
  stop(): Promise<void>;
}

function get(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(20_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Starts the clients against `url` (keep-alive connections, like a browser or an LB). */
export function releaseLoad(url: string, clients: number): ReleaseLoad {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const failures: string[] = [];
  const mixed: string[] = [];
  let latest = 0;
  let served = 0;
  let stop = false;
  const client = async () => {
    const deadline = Date.now() + 110_000;
    while (!stop && Date.now() < deadline) {
      try {
        const r = await get(agent, url);
        const m = /^(\d+):(\d+)$/.exec(r.body);
        if (r.status !== 200 || !m) failures.push(`${r.status} ${r.body.slice(0, 200)}`);
        else if (m[1] !== m[2]) mixed.push(r.body);
        else {
          served++;
          latest = Math.max(latest, Number(m[1]));
        }
      } catch (err) {
        failures.push(String(err));
      }
    }
  };
  const all = Array.from({ length: clients }, client);
  return {
    failures,
    mixed,
    latest: () => latest,
    served: () => served,
    async stop() {
      stop = true;
      await Promise.all(all);
      agent.destroy();
    },
  };
}

/** Release `n` of a one-app site: `site/index.ts` answers `<n>:<what _b.ts says>`. */
export function siteRelease(n: number): Record<string, string> {
  return {
    'site/index.ts': `import { b } from './_b.js';\nexport function index() { return '${n}:' + b; }\n`,
    'site/_b.ts': `export const b = ${n};\n`,
  };
}
