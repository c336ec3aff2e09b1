// The real bin/hotpub with a hotpub.config.ts that sets middleware: the server runs an
// Express 5 app, middleware first, then the /-/ endpoints and the publisher.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type CliProcess, get, readyUrl, startCli, tempProject } from '../helpers/cli-process.js';

const CONFIG = `import { defineConfig } from 'hotpub';
import { tag } from './config/tag.js';

export default defineConfig({
  middleware: [
    (req, res, next) => {
      res.setHeader('x-mw', tag);
      next();
    },
    (req, res, next) => {
      if (req.url === '/mw-only') res.end('from middleware');
      else next();
    },
    (req, res, next) => {
      if (req.url === '/teapot') next(Object.assign(new Error('short and stout'), { status: 418 }));
      else if (req.url === '/boom') next(new Error('secret detail'));
      else next();
    },
  ],
});
`;

function post(url: string, json: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(json));
  });
}

describe('bin/hotpub serve with config middleware (Express path)', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  let proc: CliProcess;
  let url: string;
  before(async () => {
    project = await tempProject({
      'hotpub.config.ts': CONFIG,
      'config/tag.ts': "export const tag: string = 'one';",
      'apps/a/index.ts': `export function index() { return 'publisher'; }
export function echo(args: { n: number }) { return { n: args.n }; }
echo.methods = ['POST'];`,
    });
    proc = startCli(['serve', '--port', '0'], { cwd: project.dir });
    url = await readyUrl(proc);
  });
  after(async () => {
    await proc.stop();
    await project.remove();
  });

  it('says so in the ready line', () => {
    assert.match(proc.stdout(), /\(express\)/);
  });

  it('runs the middleware before the publisher', async () => {
    const res = await get(`${url}/a`);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'publisher');
    assert.equal(res.headers['x-mw'], 'one');
    assert.equal(res.headers['x-powered-by'], undefined);
  });

  it('lets middleware answer on its own', async () => {
    const res = await get(`${url}/mw-only`);
    assert.equal(res.body, 'from middleware');
  });

  it("answers next(err) with the publisher's JSON errors: status kept, 5xx details hidden", async () => {
    const teapot = await get(`${url}/teapot`);
    assert.equal(teapot.status, 418);
    assert.equal(JSON.parse(teapot.body).error.message, 'short and stout');
    const boom = await get(`${url}/boom`);
    assert.equal(boom.status, 500);
    assert.doesNotMatch(boom.body, /secret detail/);
    assert.doesNotMatch(boom.body, /at .*\.ts/);
  });

  it('still parses bodies, answers /-/health and 404s', async () => {
    assert.deepEqual(await post(`${url}/a/echo`, { n: 7 }), { status: 200, body: '{"n":7}' });
    const health = await get(`${url}/-/health`);
    assert.equal(health.status, 200);
    assert.equal(health.headers['x-mw'], 'one');
    assert.equal((await get(`${url}/-/registry`)).status, 404);
    assert.equal((await get(`${url}/nothing`)).status, 404);
  });
});
