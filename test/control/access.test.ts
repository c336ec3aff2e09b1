// Who gets /-/: nobody in production (only /-/health), anyone under --dev, and with an
// admin token only requests that carry it; and the dashboard's feed holds no lock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DashboardState } from '../../src/control/index.js';
import { json } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { bearer, type ControlServer, readState, startControl, TOKEN } from './helpers.js';

const FILES = {
  'site/index.ts': 'export function index() { return "v1"; }\n',
};
const DATA = ['/-/state', '/-/openapi.json', '/-/events', '/-/registry', '/-/routes'];
const PAGES = ['/-/', '/-/docs'];

describe('control plane: production (no --dev, no token)', () => {
  let s: ControlServer;
  before(async () => {
    s = await startControl(FILES);
  });
  after(() => s.close());

  it('answers none of /-/ but /-/health', async () => {
    for (const path of [...DATA, ...PAGES, '/-/ui/dashboard.js', '/-/docs/swagger-ui-bundle.js']) {
      const r = await s.fetch(path);
      assert.equal(r.status, 404, path);
      assert.equal((await json(r)).error.code, 'HOTPUB_E_NOT_FOUND', path);
    }
    for (const path of ['/-/reload', '/-/apps/site/freeze']) {
      assert.equal((await s.fetch(path, { method: 'POST' })).status, 404, path);
    }
    assert.equal((await s.fetch('/-/health')).status, 200);
    assert.equal((await s.fetch('/')).status, 404, 'no home page either');
  });
});

describe('control plane: --admin-token', () => {
  let s: ControlServer;
  before(async () => {
    s = await startControl(FILES, { adminToken: TOKEN });
  });
  after(() => s.close());

  it('refuses a missing or wrong token with 401 on every data path and control', async () => {
    for (const headers of [
      {},
      bearer('wrong-token-0123456789abcdef'),
      bearer(TOKEN.slice(0, -1)),
    ]) {
      for (const path of DATA) {
        const r = await s.fetch(path, { headers });
        assert.equal(r.status, 401, path);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="hotpub"');
        assert.equal((await json(r)).error.code, 'HOTPUB_E_ADMIN_TOKEN', path);
      }
      const post = await s.fetch('/-/reload', { method: 'POST', headers });
      assert.equal(post.status, 401);
      const freeze = await s.fetch('/-/apps/site/freeze', { method: 'POST', headers });
      assert.equal(freeze.status, 401);
    }
    const app = (await json(await s.fetch('/-/state', { headers: bearer(TOKEN) }))).apps[0];
    assert.equal(app.frozen, false, 'the refused freeze did nothing');
  });

  it('answers the pages with 401 and the page itself (it asks for the token), 200 with it', async () => {
    for (const path of PAGES) {
      const r = await s.fetch(path);
      assert.equal(r.status, 401, path);
      assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(await r.text(), /id="token-form"/);
      const ok = await s.fetch(path, { headers: bearer(TOKEN) });
      assert.equal(ok.status, 200, path);
    }
    // The page's own files hold no data: the browser loads them without a header.
    assert.equal((await s.fetch('/-/ui/dashboard.js')).status, 200);
    assert.equal((await s.fetch('/-/docs/swagger-ui-bundle.js')).status, 200);
    assert.equal((await s.fetch('/-/ui/nothing.js')).status, 404);
  });

  it('answers everything with the token, and never takes it from the URL', async () => {
    const state = await s.fetch('/-/state', { headers: bearer(TOKEN) });
    assert.equal(state.status, 200);
    assert.deepEqual(
      (await json(state)).apps.map((a: { name: string }) => a.name),
      ['site'],
    );
    assert.equal((await s.fetch('/-/registry', { headers: bearer(TOKEN) })).status, 200);
    assert.equal((await s.fetch(`/-/state?token=${TOKEN}`)).status, 401);
    assert.equal((await s.fetch(`/-/state?access_token=${TOKEN}`)).status, 401);
    const reload = await s.fetch('/-/reload', { method: 'POST', headers: bearer(TOKEN) });
    assert.equal(reload.status, 200);
    assert.equal(s.lines.join('\n').includes(TOKEN), false, 'the token is never logged');
  });

  it('refuses a control sent from another site, and a GET of it', async () => {
    const cross = await s.fetch('/-/reload', {
      method: 'POST',
      headers: { ...bearer(TOKEN), 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(cross.status, 403);
    assert.equal((await json(cross)).error.code, 'HOTPUB_E_CROSS_ORIGIN');
    const get = await s.fetch('/-/reload', { headers: bearer(TOKEN) });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const missing = await s.fetch('/-/apps/nope/freeze', {
      method: 'POST',
      headers: bearer(TOKEN),
    });
    assert.equal(missing.status, 404);
  });
});

describe('control plane: --dev', () => {
  let s: ControlServer;
  before(async () => {
    // A drain timeout far above the test's own: a reload that waited for a lock the feed
    // held would fail the test by timing out, not pass by luck.
    s = await startControl(FILES, { dev: true, watch: true, drainTimeoutMs: 120_000 });
  });
  after(() => s.close());

  it('opens /-/ without a token', async () => {
    for (const path of ['/-/', '/-/docs', '/-/state', '/-/openapi.json']) {
      assert.equal((await s.fetch(path)).status, 200, path);
    }
  });

  it('streams the state live; an open stream holds no lock and never delays a reload', async () => {
    assert.equal(await (await s.fetch('/site')).text(), 'v1');
    const state = await readState<DashboardState>(
      `${s.url}/-/events`,
      {},
      (st) => st.apps.some((a) => a.modules.some((m) => m.generation === 2)),
      async () => {
        await s.write('site/index.ts', 'export function index() { return "v2"; }\n');
        // The stream is open while the reload runs: the new code serves all the same.
        await waitFor(async () => (await (await s.fetch('/site')).text()) === 'v2', {
          message: 'the reload with the dashboard feed open',
        });
      },
    );
    const site = state.apps.find((a) => a.name === 'site');
    assert.equal(site?.modules[0]?.file, 'site/index.ts');
    const swaps = state.log.filter((e) => e.kind === 'swap' && e.app === 'site');
    assert.ok(swaps.length >= 2, 'the load and the reload are in the log');
    assert.equal(typeof swaps.at(-1)?.ms, 'number', 'with its timing');
  });

  it('freezes and unfreezes an app: saves wait, then apply', async () => {
    const freeze = await s.fetch('/-/apps/site/freeze', { method: 'POST' });
    assert.deepEqual(await json(freeze), { app: 'site', frozen: true });
    await s.write('site/index.ts', 'export function index() { return "v3"; }\n');
    const held = await waitFor(
      async () => {
        const list = (await json(await s.fetch('/-/state'))).apps[0].held as string[];
        return list.length > 0 && list;
      },
      { message: 'the save to be held' },
    );
    assert.deepEqual(held, ['site/index.ts']);
    assert.equal(await (await s.fetch('/site')).text(), 'v2', 'frozen: the old code serves');
    const unfreeze = await s.fetch('/-/apps/site/unfreeze', { method: 'POST' });
    assert.equal((await json(unfreeze)).frozen, false);
    // Applied by the unfreeze, or by a watcher event of the same save that arrived just as
    // the app thawed (then the unfreeze found the bytes applied already): v3 either way.
    await waitFor(async () => (await (await s.fetch('/site')).text()) === 'v3', {
      message: 'the held save to apply',
    });
  });
});

describe('control plane: POST /-/reload without --watch', () => {
  let s: ControlServer;
  before(async () => {
    s = await startControl(FILES, { adminToken: TOKEN });
  });
  after(() => s.close());

  it('applies what is on disk, as SIGHUP does, and logs it', async () => {
    assert.equal(await (await s.fetch('/site')).text(), 'v1');
    await s.write('site/index.ts', 'export function index() { return "v2"; }\n');
    assert.equal(await (await s.fetch('/site')).text(), 'v1', 'not watching: nothing changes yet');
    const r = await s.fetch('/-/reload', { method: 'POST', headers: bearer(TOKEN) });
    const body = await json(r);
    assert.deepEqual(body.reloaded, ['site/index.ts']);
    assert.deepEqual(body.errors, []);
    assert.equal(await (await s.fetch('/site')).text(), 'v2');
    const state = await json(await s.fetch('/-/state', { headers: bearer(TOKEN) }));
    const last = state.log.at(-1);
    assert.equal(last.kind, 'reload');
    assert.deepEqual(last.files, ['site/index.ts']);
  });
});
