/**
 * Issue 13, findings 3, 4 and 8: what a URL may run and call.
 * - #3: a module's export names are read before it is evaluated: a URL never runs the
 *   top-level code of a module that does not export the function it names;
 * - #4: a re-exported function keeps the guards of the module that defines it, and the
 *   guards of the module that serves the URL apply too;
 * - #8: native functions taken from globals are never published, nor listed by routes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';

const ran = (key: string) =>
  `(globalThis as Record<string, number>)['${key}'] = ((globalThis as Record<string, number>)['${key}'] ?? 0) + 1;`;
const count = (key: string) =>
  (globalThis as unknown as Record<string, number | undefined>)[key] ?? 0;

describe('export names, re-exported guards and native functions (issue 13 #3, #4, #8)', () => {
  let s: TestServer;

  before(async () => {
    s = await startServer({
      files: {
        't/seed.ts': `${ran('__h13_seed')}\nexport const rows = [1, 2, 3];\n`,
        't/nothing.ts': `${ran('__h13_nothing')}\nexport default 42;\n`,
        't/other.ts': `${ran('__h13_other')}\nexport function other() { return 'other'; }\n`,
        't/star.ts': `${ran('__h13_star')}\nexport * from './_impl.js';\n`,
        't/_impl.ts': `export function hello() { return 'hello from impl'; }\n`,
        't/fsstar.ts': `${ran('__h13_fsstar')}\nexport * from 'node:fs';\n`,
        't/admin.ts': `export function _auth(ctx: { req: { headers: Record<string, string> } }) {
  return ctx.req.headers.authorization === 'Bearer admin';
}
export function secret() { return 'the secret'; }
`,
        't/v2.ts': `export { secret } from './admin.js';\n`,
        't/v3.ts': `export { secret as renamed } from './v2.js';\n`,
        't/_open.ts': `export function open() { return 'open'; }\n`,
        't/closed.ts': `export function _access() { return false; }\nexport { open } from './_open.js';\n`,
        't/natives.ts': `export const tick = globalThis.setTimeout;
export const later = setImmediate;
export const nt = process.nextTick;
export const qm = queueMicrotask;
export const clone = structuredClone;
export const encode = btoa;
export function own() { return 'own'; }
`,
      },
    });
  });
  after(() => s.close());

  it('#3: a URL naming a module that publishes nothing does not run its top level', async () => {
    const r = await s.fetch('/t/seed');
    assert.equal(r.status, 404);
    assert.equal((await s.fetch('/t/seed/index')).status, 404);
    assert.equal((await s.fetch('/t/seed/missing')).status, 404);
    assert.equal(count('__h13_seed'), 0, 'seed.ts top-level code ran');
    assert.equal(s.server.registry.getModule(join(s.dir, 't', 'seed.ts'))?.evaluations ?? 0, 0);
  });

  it('#3: a URL naming a function a module does not export does not run it', async () => {
    assert.equal((await s.fetch('/t/other/missing')).status, 404);
    assert.equal(count('__h13_other'), 0, 'other.ts ran for a name it does not export');
    const r = await s.fetch('/t/other/other');
    assert.equal(await r.text(), 'other');
    assert.equal(count('__h13_other'), 1);
  });

  it('#3: names re-exported with export * come from the re-exported module', async () => {
    const r = await s.fetch('/t/star/hello');
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'hello from impl');
    assert.equal((await s.fetch('/t/fsstar/readFileSync')).status, 404);
    assert.equal(count('__h13_fsstar'), 0, 'a star re-export of a package publishes nothing');
  });

  it('#4: a re-exported function keeps the guard of the module that defines it', async () => {
    assert.equal((await s.fetch('/t/admin/secret')).status, 401);
    assert.equal((await s.fetch('/t/v2/secret')).status, 401);
    assert.equal((await s.fetch('/t/v3/renamed')).status, 401, 'through two re-exports');
    const ok = await s.fetch('/t/v2/secret', { headers: { authorization: 'Bearer admin' } });
    assert.equal(await ok.text(), 'the secret');
  });

  it("#4: the serving module's guards apply to a function it re-exports", async () => {
    assert.equal((await s.fetch('/t/closed/open')).status, 403);
  });

  it('#8: native functions from globals are not published, nor listed by routes', async () => {
    for (const name of ['tick', 'later', 'nt', 'qm', 'clone', 'encode']) {
      const r = await s.fetch(`/t/natives/${name}`);
      assert.equal(r.status, 404, name);
    }
    assert.equal(await (await s.fetch('/t/natives/own')).text(), 'own');
    const listed = (await s.server.publisher.routes()).map((r) => r.url);
    assert.ok(listed.includes('/t/natives/own'), JSON.stringify(listed));
    assert.ok(
      !listed.some((u) => /natives\/(tick|later|nt|qm|clone|encode)$/.test(u)),
      JSON.stringify(listed),
    );
  });

  it('#3: listing the routes does not run a module whose names publish nothing', async () => {
    await s.server.publisher.routes();
    assert.equal(count('__h13_nothing'), 0, 'nothing.ts top-level code ran for routes()');
    assert.equal(count('__h13_fsstar'), 0, 'fsstar.ts top-level code ran for routes()');
  });
});
