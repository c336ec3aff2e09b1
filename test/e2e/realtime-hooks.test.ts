/**
 * `_hooks.ts` (SPEC section 8): `before(ctx)` of the app and of each folder down to the
 * function, outermost first; a returned value answers; a throw answers the error; hooks
 * reload like any module and run on the generation the request is pinned to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json, startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const CTX =
  ': { state: Record<string, unknown>; req: { headers: Record<string, string | undefined> } }';

/** A hooks module that appends `label` to `ctx.state.trail` (`js`: no type annotation). */
const hook = (label: string, extra = '', js = false) => `
export function before(ctx${js ? '' : CTX}) {
  const trail = (ctx.state.trail ??= [])${js ? '' : ' as string[]'};
  trail.push('${label}');
  ${extra}
}`;

describe('_hooks.ts', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({
      watch: true,
      files: {
        'shop/_hooks.ts': hook(
          'app',
          `if (ctx.req.headers['x-stop'] === 'app') return { stoppedBy: 'app', trail };
  if (ctx.req.headers['x-throw'] !== undefined) throw Object.assign(new Error('no entry'), { status: 401 });`,
        ),
        'shop/admin/_hooks.ts': hook(
          'admin',
          `if (ctx.req.headers['x-stop'] === 'admin') return new Response('admin says no', { status: 403 });`,
        ),
        'shop/admin/users/_hooks.js': hook('users', '', true),
        'shop/admin/users/list.ts': `
export function index(_a: unknown, ctx: { state: { trail?: string[] } }) { return { trail: ctx.state.trail }; }`,
        'shop/admin/guarded.ts': `
export function _auth(ctx: { state: { trail?: string[] } }) { return ctx.state.trail?.includes('admin'); }
export function index(_a: unknown, ctx: { state: { trail?: string[] } }) { return { trail: ctx.state.trail }; }`,
        'shop/index.ts': `
export function index(_a: unknown, ctx: { state: { trail?: string[] } }) { return { trail: ctx.state.trail }; }
export function posted(args: { n?: number }, ctx: { state: { trail?: string[] } }) { return { trail: ctx.state.trail, n: args.n }; }`,
        'shop/_lib/_hooks.ts': `export function before() { throw new Error('private folders have no functions'); }`,
        'other/index.ts': `export function index(_a: unknown, ctx: { state: { trail?: string[] } }) { return { trail: ctx.state.trail ?? null }; }`,
        'bad/_hooks.ts': `export const before = 'not a function';`,
        'bad/index.ts': `export function index() { return 'should not run'; }`,
      },
    });
  });
  after(() => s?.close());

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await s.fetch(path, { headers });
    return {
      status: r.status,
      body: r.headers.get('content-type')?.includes('json') ? await json(r) : await r.text(),
    };
  };

  it('run outermost first, before the function, for every function below their folder', async () => {
    assert.deepEqual((await get('/shop/admin/users/list')).body, {
      trail: ['app', 'admin', 'users'],
    });
    assert.deepEqual((await get('/shop')).body, { trail: ['app'] });
    assert.deepEqual((await get('/other')).body, { trail: null }, 'another app has none');
  });

  it('run before the guards (a guard can read what a hook set) and before the body is read', async () => {
    assert.deepEqual((await get('/shop/admin/guarded')).body, { trail: ['app', 'admin'] });
    const r = await s.fetch('/shop/posted', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 5 }),
    });
    assert.deepEqual(await json(r), { trail: ['app'], n: 5 });
  });

  it('a returned value answers the request; the function and inner hooks do not run', async () => {
    assert.deepEqual(await get('/shop/admin/users/list', { 'x-stop': 'app' }), {
      status: 200,
      body: { stoppedBy: 'app', trail: ['app'] },
    });
    assert.deepEqual(await get('/shop/admin/users/list', { 'x-stop': 'admin' }), {
      status: 403,
      body: 'admin says no',
    });
  });

  it('a throw answers the error', async () => {
    const r = await get('/shop/admin/users/list', { 'x-throw': '1' });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.message, 'no entry');
  });

  it('a before that is not a function closes every route below it (500)', async () => {
    const r = await get('/bad');
    assert.equal(r.status, 500);
    assert.equal(r.body.error.code, 'HOTPUB_E_BAD_METADATA');
  });

  it('an edited hook applies to the next request; a new one applies, a deleted one stops', async () => {
    await s.write('shop/admin/_hooks.ts', hook('admin-v2'));
    await waitFor(
      async () =>
        JSON.stringify((await get('/shop/admin/users/list')).body.trail) ===
        '["app","admin-v2","users"]',
      { message: 'the edited hook' },
    );
    await s.write('shop/admin/users/more/_hooks.ts', hook('more'));
    await s.write(
      'shop/admin/users/more/list.ts',
      `export function index(_a: unknown, ctx: { state: { trail?: string[] } }) { return ctx.state.trail; }`,
    );
    await waitFor(
      async () =>
        JSON.stringify((await get('/shop/admin/users/more/list')).body) ===
        '["app","admin-v2","users","more"]',
      { message: 'a new folder with its hook' },
    );
    await s.write('shop/admin/users/_hooks.ts', hook('users-ts'));
    await waitFor(
      async () =>
        JSON.stringify((await get('/shop/admin/users/list')).body.trail) ===
        '["app","admin-v2","users-ts"]',
      { message: 'a created _hooks.ts (before the .js one) to apply to cached routes' },
    );
    await s.remove('shop/admin/_hooks.ts');
    await waitFor(
      async () =>
        JSON.stringify((await get('/shop/admin/users/list')).body.trail) === '["app","users-ts"]',
      { message: 'the deleted hook to stop' },
    );
  });
});
