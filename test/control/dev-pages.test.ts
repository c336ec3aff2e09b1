// Under --dev: / lists the apps, a browser gets errors as HTML pages with the code frame
// (JSON clients keep JSON), stale code is flagged; stacks are source-mapped in the log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { json } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { type ControlServer, startControl } from './helpers.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

// Type-only lines shift the generated code: an unmapped frame would name another line.
const THROWS = `interface Note {
  id: number;
  title: string;
}

function check(note: Note): Note {
  if (note.id < 0) throw new Error('negative id ' + note.id);
  return note;
}

export function index(): Note {
  return check({ id: -1, title: 'x' });
}
`;

describe('--dev pages', () => {
  let s: ControlServer;
  before(async () => {
    s = await startControl(
      {
        'site/index.ts': 'export function index() { return "home"; }\n',
        'site/boom.ts': THROWS,
        'site/broken.ts': 'export function index() { return 1 +; }\n',
        'api/app.json': JSON.stringify({ mount: '/api/:tenant' }),
        'api/index.ts': 'export function index() { return "api"; }\n',
      },
      { dev: true, watch: true, log: { level: 'info', requests: false, pretty: true } },
    );
  });
  after(() => s.close());

  it('/ lists the apps with links, a patterned mount as its pattern, and the dashboard', async () => {
    const r = await s.fetch('/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    const html = await r.text();
    assert.match(html, /<li data-app="site"><strong>site<\/strong> <a href="\/site">/);
    assert.match(html, /<li data-app="api"><strong>api<\/strong> <code>\/api\/:tenant<\/code>/);
    assert.match(html, /href="\/-\/"/);
    assert.equal((await s.fetch('/nothing-here')).status, 404, 'only / itself');
  });

  it('answers a browser an HTML error page with the message, the code frame and the stack', async () => {
    const r = await s.fetch('/site/broken', { headers: { ...HTML, 'x-request-id': 'page-req-7' } });
    assert.equal(r.status, 500);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    const html = await r.text();
    assert.match(html, /page-req-7/, 'the page names the request, as its log lines do');
    assert.match(html, /Unexpected &quot;;&quot;|Unexpected ";"/);
    assert.match(html, /broken\.ts/);
    assert.match(html, /id="stack-frames"|Stack Trace/);
    const text = html.replace(/<[^>]+>/g, '');
    assert.match(text, /export function index\(\) \{ return 1 \+; \}/, 'the source line is shown');
  });

  it('keeps JSON for Accept: application/json and fetch()', async () => {
    for (const accept of ['application/json', '*/*', 'application/json, text/html']) {
      const r = await s.fetch('/site/broken', { headers: { accept } });
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/, accept);
      assert.equal((await json(r)).error.code, 'HOTPUB_E_MODULE_SYNTAX');
    }
  });

  it('maps every frame of a runtime error, in the page, the JSON and the log', async () => {
    const r = await s.fetch('/site/boom', { headers: { accept: 'application/json' } });
    const stack: string = (await json(r)).error.stack;
    assert.match(stack, /at check .*boom\.ts:7:26\)/);
    assert.match(stack, /at (Object\.)?index .*boom\.ts:12:10\)/);
    const page = await (await s.fetch('/site/boom', { headers: HTML })).text();
    assert.match(page.replace(/<[^>]+>/g, ''), /throw new Error\('negative id ' \+ note\.id\)/);
    const logged = await waitFor(() => s.lines.find((l) => l.includes('negative id')), {
      message: 'the error in the log',
    });
    assert.match(logged, /boom\.ts:7:26/);
    await s.fetch('/site/broken');
    const syntax = await waitFor(
      () => s.lines.find((l) => l.includes('GET /site/broken') && l.includes('ModuleLoadError')),
      { message: 'the syntax error of a request in the log' },
    );
    assert.doesNotMatch(syntax, /esbuild/, "esbuild's own frames are left out");
  });

  it('flags a broken save while the last good code serves: x-hotpub-stale and a banner', async () => {
    assert.equal(await (await s.fetch('/site')).text(), 'home');
    assert.equal((await s.fetch('/site')).headers.get('x-hotpub-stale'), null);
    await s.write('site/index.ts', 'export function index() {\n  return "home" +;\n}\n');
    const stale = await waitFor(
      async () => (await s.fetch('/site')).headers.get('x-hotpub-stale'),
      {
        message: 'the stale header',
      },
    );
    assert.equal(stale, 'site/index.ts:2');
    const r = await s.fetch('/site', { headers: HTML });
    assert.equal(await r.text(), 'home', 'no error page: the last good code serves');
    assert.match(await (await s.fetch('/')).text(), /id="hotpub-stale"[\s\S]*site\/index\.ts:2/);
    const err = await (await s.fetch('/site/broken', { headers: HTML })).text();
    assert.match(err, /id="hotpub-stale"/, 'the error pages show the banner too');
    await s.write('site/index.ts', 'export function index() { return "fixed"; }\n');
    await waitFor(async () => (await (await s.fetch('/site')).text()) === 'fixed', {
      message: 'the fix',
    });
    assert.equal((await s.fetch('/site')).headers.get('x-hotpub-stale'), null);
  });
});

describe('without --dev', () => {
  let s: ControlServer;
  before(async () => {
    s = await startControl({ 'site/index.ts': 'export function index() { return 1 +; }\n' });
  });
  after(() => s.close());

  it('keeps the JSON 404 at / and JSON errors for browsers', async () => {
    const home = await s.fetch('/', { headers: HTML });
    assert.equal(home.status, 404);
    assert.match(home.headers.get('content-type') ?? '', /^application\/json/);
    const r = await s.fetch('/site', { headers: HTML });
    assert.equal(r.status, 500);
    assert.deepEqual(await json(r), {
      error: {
        status: 500,
        code: 'HOTPUB_E_INTERNAL',
        message: 'Internal Server Error',
        requestId: r.headers.get('x-request-id'),
      },
    });
  });
});
