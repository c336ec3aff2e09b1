// The example apps in apps/ and the scaffolded ones (init, new app, new module) served by
// the real bin/hotpub, as a newcomer would use them.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type CliProcess,
  get,
  readyUrl,
  runCli,
  startCli,
  tempProject,
} from '../helpers/cli-process.js';
import { EventReader, openSocket, wsUrl } from '../helpers/realtime.js';

const REPO = join(import.meta.dirname, '..', '..');

function send(
  url: string,
  method: string,
  body?: { json?: unknown; form?: Record<string, string> },
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const payload =
    body?.json !== undefined
      ? JSON.stringify(body.json)
      : body?.form
        ? new URLSearchParams(body.form).toString()
        : '';
  const type = body?.json !== undefined ? 'application/json' : 'application/x-www-form-urlencoded';
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        // Explicit length: Node's client sends a DELETE body unframed otherwise.
        headers: payload
          ? { 'content-type': type, 'content-length': String(Buffer.byteLength(payload)) }
          : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => {
          text += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the example apps (npm start)', () => {
  let proc: CliProcess;
  let url: string;
  let cwd: string;
  before(async () => {
    // The api app keeps its todos in storage, .data/ under the cwd: a fresh one per run.
    cwd = await mkdtemp(join(tmpdir(), 'hotpub-examples-'));
    proc = startCli(['serve', '--apps', join(REPO, 'apps'), '--port', '0'], { cwd });
    url = await readyUrl(proc);
  });
  after(async () => {
    await proc.stop();
    await rm(cwd, { recursive: true, force: true });
  });

  it('site: the guestbook page, its form posting back, escaping, static CSS, JSON', async () => {
    const page = await get(`${url}/site`);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<form method="post" action="\/site">/);
    const posted = await send(`${url}/site`, 'POST', {
      form: { name: 'Ann', message: '<b>hi</b>' },
    });
    assert.equal(posted.status, 303);
    assert.equal(posted.headers.location, '/site');
    const after = await get(`${url}/site`);
    assert.match(after.body, /<strong>Ann<\/strong>/);
    assert.match(after.body, /&lt;b&gt;hi&lt;\/b&gt;/);
    const css = await get(`${url}/site/style.css`);
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    assert.equal((await get(`${url}/site/about`)).status, 200);
    assert.equal(JSON.parse((await get(`${url}/site/about/server`)).body).node, process.version);
    assert.equal((await get(`${url}/site/_lib/layout`)).status, 404);
  });

  it('api: tenants from the mount, schemas, methods, a store in storage', async () => {
    assert.equal(JSON.parse((await get(`${url}/api/acme`)).body).tenant, 'acme');
    const created = await send(`${url}/api/acme/todos/create`, 'POST', {
      json: { title: 'Write docs' },
    });
    assert.equal(created.status, 200);
    const todo = JSON.parse(created.body);
    assert.equal(todo.title, 'Write docs');
    const list = JSON.parse((await get(`${url}/api/acme/todos/list`)).body);
    assert.deepEqual(
      list.map((t: { id: number }) => t.id),
      [todo.id],
    );
    assert.deepEqual(JSON.parse((await get(`${url}/api/other/todos/list`)).body), []);
    assert.equal(
      JSON.parse((await get(`${url}/api/acme/todos/get?id=${todo.id}`)).body).id,
      todo.id,
    );
    assert.equal((await get(`${url}/api/acme/todos/get?id=abc`)).status, 400);
    assert.equal((await get(`${url}/api/acme/todos/get?id=999`)).status, 404);
    const wrongMethod = await get(`${url}/api/acme/todos/create`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, 'POST');
    assert.equal((await send(`${url}/api/acme/todos/create`, 'POST', { json: {} })).status, 400);
    const done = await send(`${url}/api/acme/todos/update`, 'POST', {
      json: { id: todo.id, done: true },
    });
    assert.equal(JSON.parse(done.body).done, true);
    assert.equal(
      (await send(`${url}/api/acme/todos/remove`, 'DELETE', { json: { id: todo.id } })).status,
      204,
    );
    assert.equal(JSON.parse((await get(`${url}/api/acme/todos/stats`)).body).todos, 0);
  });

  it('api: reads of unknown tenants store nothing (F11: no memory growth from anonymous GETs)', async () => {
    const tenants = async () => JSON.parse((await get(`${url}/api/t0/todos/stats`)).body).tenants;
    const before = await tenants();
    assert.equal(typeof before, 'number');
    for (let i = 0; i < 20; i++) {
      assert.deepEqual(JSON.parse((await get(`${url}/api/ghost${i}/todos/list`)).body), []);
      assert.equal((await get(`${url}/api/ghost${i}/todos/get?id=1`)).status, 404);
      assert.equal(JSON.parse((await get(`${url}/api/ghost${i}/todos/stats`)).body).todos, 0);
      assert.equal(
        (await send(`${url}/api/ghost${i}/todos/remove`, 'DELETE', { json: { id: 1 } })).status,
        404,
      );
    }
    assert.equal(await tenants(), before);
    // A write still creates the tenant's list.
    const made = await send(`${url}/api/newcomer/todos/create`, 'POST', { json: { title: 'x' } });
    assert.equal(made.status, 200);
    assert.equal(await tenants(), before + 1);
    assert.equal(JSON.parse((await get(`${url}/api/newcomer/todos/list`)).body).length, 1);
  });

  it('chat: the page, a WebSocket room two people talk in, the online count as events', async () => {
    const page = await get(`${url}/chat`);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /new WebSocket\(/);
    const ann = await openSocket(wsUrl(url, '/chat/room'));
    const welcome = JSON.parse(await ann.next());
    assert.equal(welcome.type, 'welcome');
    const ben = await openSocket(wsUrl(url, '/chat/room'));
    const benWelcome = JSON.parse(await ben.next());
    assert.deepEqual(JSON.parse(await ann.next()), { type: 'joined', name: benWelcome.name });
    const said = JSON.parse(await ann.ask({ text: 'hello ben' }));
    assert.deepEqual(said, { type: 'message', from: welcome.name, text: 'hello ben' });
    assert.deepEqual(JSON.parse(await ben.next()), said, 'published to the other socket');
    const online = await fetch(`${url}/chat/online`, { headers: { accept: 'text/event-stream' } });
    const events = new EventReader(online);
    assert.ok(JSON.parse((await events.nextEvent())?.data ?? '{}').online >= 2);
    await events.cancel();
    await ann.close();
    await ben.close();
  });
});

describe('a scaffolded project (init, new app, new module)', () => {
  let project: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    project = await tempProject({});
  });
  after(() => project.remove());

  it('is created, refuses to overwrite, and serves', async () => {
    const init = await runCli(['init', 'proj'], { cwd: project.dir });
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /created a hotpub project in proj:/);
    assert.match(init.stdout, /next: cd proj && npm install && npm run dev/);
    const cwd = join(project.dir, 'proj');
    const app = await runCli(['new', 'app', 'shop', '--template', 'api'], { cwd });
    assert.equal(app.code, 0, app.stderr);
    assert.match(app.stdout, /apps\/shop\/items\.ts/);
    const mod = await runCli(['new', 'module', 'site/hello'], { cwd });
    assert.equal(mod.code, 0, mod.stderr);
    assert.equal(
      mod.stdout,
      'created apps/site/hello.ts: GET /site/hello calls its index function\n',
    );

    const again = await runCli(['new', 'app', 'shop', '--template', 'api'], { cwd });
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'hotpub: apps/shop/index.ts already exists; not overwriting it\n');
    const initAgain = await runCli(['init', 'proj'], { cwd: project.dir });
    assert.equal(initAgain.code, 1);
    assert.match(
      initAgain.stderr,
      /^hotpub: proj\/package\.json already exists; not overwriting it\n$/,
    );

    const proc = startCli(['serve', '--port', '0'], { cwd });
    try {
      const url = await readyUrl(proc);
      const home = await get(`${url}/site`);
      assert.equal(home.status, 200);
      assert.match(home.body, /served 1 time/);
      assert.match((await get(`${url}/site`)).body, /served 2 time/);
      const greet = await send(`${url}/site/greet`, 'POST', { form: { name: '<Ann>' } });
      assert.equal(greet.status, 200);
      assert.match(greet.body, /Hello, &lt;Ann&gt;!/);
      assert.equal((await get(`${url}/site/greet`)).status, 405);
      assert.equal((await get(`${url}/site/style.css`)).status, 200);
      assert.equal((await get(`${url}/site/hello?name=Bo`)).body, 'Hello, Bo, from /site/hello');
      assert.equal(JSON.parse((await get(`${url}/shop`)).body).app, 'shop');
      const item = await send(`${url}/shop/items/create`, 'POST', { json: { title: 't' } });
      assert.equal(JSON.parse(item.body).id, 1);
      assert.equal((await get(`${url}/shop/items/get?id=2`)).status, 404);
    } finally {
      await proc.stop();
    }
  });
});
