/**
 * A new user's path (QA): the code examples of README.md, docs/routing.md, docs/handlers.md
 * and docs/hot-reload.md, taken from
 * the Markdown as written, must behave as their comments say; editing, breaking and fixing
 * a module under --watch behaves as docs/hot-reload.md says.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { json, startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The first ```ts block of `doc` whose first line contains `marker`. */
function tsBlock(doc: string, marker: string): string {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  for (const m of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const code = m[1] as string;
    if ((code.split('\n')[0] as string).includes(marker)) return code;
  }
  throw new Error(`${doc}: no ts block starting with ${marker}`);
}

describe('newcomer: README example', () => {
  let s: TestServer;
  const readme = tsBlock('README.md', 'apps/blog/posts.ts');

  before(async () => {
    s = await startServer({ watch: true, files: { 'blog/posts.ts': readme } });
  });
  after(() => s.close());

  it('GET /blog/posts/list?tag=node answers the kept posts as JSON', async () => {
    const r = await s.fetch('/blog/posts/list?tag=node');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await json(r), [{ id: 1, title: 'Hello', tag: 'node' }]);
    const none = await s.fetch('/blog/posts/list?tag=rust');
    assert.deepEqual(await json(none), []);
  });

  it('edit, break and fix the module while it serves: the last good code serves in between', async () => {
    // Edit: a second published function appears; keep() still holds the same posts.
    await s.write('blog/posts.ts', `${readme}\nexport function count() { return posts.length; }\n`);
    await waitFor(async () => (await s.fetch('/blog/posts/count')).status === 200, {
      message: 'edit reloaded',
    });
    assert.equal(await json(await s.fetch('/blog/posts/count')), 1);
    // Break it: a syntax error leaves the last good generation serving.
    await s.write('blog/posts.ts', `${readme}\nexport function count( { return 2 }\n`);
    await waitFor(
      () => s.server.registry.snapshot().apps[0]?.modules.some((m) => m.state === 'error'),
      { message: 'broken save recorded' },
    );
    assert.equal(await json(await s.fetch('/blog/posts/count')), 1);
    // Fix it.
    await s.write(
      'blog/posts.ts',
      `${readme}\nexport function count() { return posts.length + 41; }\n`,
    );
    await waitFor(async () => (await json(await s.fetch('/blog/posts/count'))) === 42, {
      message: 'fix reloaded',
    });
  });

  it('the schema in the example coerces nothing wrong: ?tag= repeated is a 400', async () => {
    const r = await s.fetch('/blog/posts/list?tag=a&tag=b');
    assert.equal(r.status, 400);
    assert.equal((await json(r)).error.code, 'HOTPUB_E_VALIDATION');
  });
});

describe('newcomer: docs/routing.md "What is published" example', () => {
  let s: TestServer;

  before(async () => {
    s = await startServer({
      files: { 'blog/posts.ts': tsBlock('docs/routing.md', 'apps/blog/posts.ts') },
    });
  });
  after(() => s.close());

  it('each export answers as its comment says', async () => {
    for (const name of ['readFileSync', 'PAGE_SIZE', 'Post', '_slug']) {
      assert.equal((await s.fetch(`/blog/posts/${name}`)).status, 404, name);
    }
    assert.deepEqual(await json(await s.fetch('/blog/posts/list')), []);
    assert.deepEqual(await json(await s.fetch('/blog/posts/show?id=1')), { id: '1' });
  });

  it('trailing slash and empty segments behave as documented', async () => {
    assert.equal((await s.fetch('/blog/posts/list/')).status, 200);
    assert.equal((await s.raw('/blog//posts/list')).status, 404);
  });
});

describe('newcomer: docs/handlers.md examples', () => {
  let s: TestServer;

  before(async () => {
    s = await startServer({
      files: {
        'blog/posts.ts': tsBlock('docs/handlers.md', 'apps/blog/posts.ts'),
        'blog/drafts.ts': tsBlock('docs/handlers.md', 'apps/blog/drafts.ts'),
        'admin/posts.ts': tsBlock('docs/handlers.md', 'apps/admin/posts.ts'),
      },
    });
  });
  after(() => s.close());

  it('the first example: show finds a post, 404s a missing one, checks id, GET only', async () => {
    const found = await s.fetch('/blog/posts/show?id=1');
    assert.equal(found.status, 200);
    assert.deepEqual(await json(found), { id: 1, title: 'Hello' });
    const missing = await s.fetch('/blog/posts/show?id=7');
    assert.equal(missing.status, 404);
    // The error body shown right below the example in handlers.md.
    const id = missing.headers.get('x-request-id');
    assert.deepEqual(await json(missing), {
      error: { status: 404, code: 'HOTPUB_E_HTTP', message: 'no post 7', requestId: id },
    });
    assert.equal((await s.fetch('/blog/posts/show?id=x')).status, 400);
    assert.equal((await s.fetch('/blog/posts/show?id=1', { method: 'POST' })).status, 405);
  });

  it('the guards example: _auth (401) before remove.access (403)', async () => {
    const post = (headers: Record<string, string>) =>
      s.fetch('/admin/posts/remove?id=3', { method: 'POST', headers });
    const token = process.env.TOKEN;
    process.env.TOKEN = 'sesame';
    try {
      assert.equal((await post({})).status, 401);
      assert.equal((await post({ authorization: 'Bearer sesame' })).status, 403);
      const ok = await post({ authorization: 'Bearer sesame', 'x-role': 'admin' });
      assert.equal(ok.status, 200);
      assert.deepEqual(await json(ok), { removed: '3' });
    } finally {
      if (token === undefined) delete process.env.TOKEN;
      else process.env.TOKEN = token;
    }
  });

  it('the HttpError example answers each documented status', async () => {
    const taken = await s.fetch('/blog/drafts/create?id=taken');
    assert.equal(taken.status, 409);
    assert.deepEqual(await json(taken), {
      error: {
        status: 409,
        code: 'POST_EXISTS',
        message: 'already exists',
        details: { id: 'taken' },
        requestId: taken.headers.get('x-request-id'),
      },
    });
    const down = await s.fetch('/blog/drafts/create?id=db');
    assert.equal(down.status, 503);
    assert.equal((await json(down)).error.message, 'Service Unavailable');
    assert.equal((await s.fetch('/blog/drafts/create?id=old')).status, 410);
    assert.deepEqual(await json(await s.fetch('/blog/drafts/create?id=new')), { id: 'new' });
  });
});

describe('newcomer: docs/hot-reload.md state example', () => {
  let s: TestServer;
  const example = tsBlock('docs/hot-reload.md', 'apps/stats/index.ts');

  before(async () => {
    s = await startServer({ watch: true, files: { 'stats/index.ts': example } });
  });
  after(() => s.close());

  it('keep() and hot.data survive an edit of the module', async () => {
    assert.deepEqual(await json(await s.fetch('/stats?page=a')), { hits: 1, page: 1 });
    assert.deepEqual(await json(await s.fetch('/stats?page=a')), { hits: 2, page: 2 });
    await s.write('stats/index.ts', `${example}\nexport function edited() { return true; }\n`);
    await waitFor(async () => (await s.fetch('/stats/edited')).status === 200, {
      message: 'the edit reloaded',
    });
    assert.deepEqual(await json(await s.fetch('/stats?page=a')), { hits: 3, page: 3 });
  });
});

describe('newcomer: README links', () => {
  it('links every docs/*.md page, and every page it links to exists', () => {
    const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const linked = [...text.matchAll(/\]\(((?:docs\/)?[\w.-]+\.md)\)/g)].map((m) => m[1] as string);
    const pages = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
    assert.ok(pages.length > 0, 'docs/ has pages');
    const unlinked = pages.filter((name) => !linked.includes(`docs/${name}`));
    assert.deepEqual(unlinked, [], 'docs pages the README does not link to');
    const missing = linked.filter((link) => !existsSync(join(ROOT, link)));
    assert.deepEqual(missing, [], 'README links to pages that do not exist');
  });
});
