// The control plane in a real headless browser (Debian's chromium driven by playwright-
// core): the dashboard follows an edit on disk live, its reload and freeze buttons work,
// /-/docs lists a function, a broken page under --dev is the HTML error with the code
// frame, the token form opens a token-protected dashboard, and nothing is loaded from
// another host. With HOTPUB_SCREENSHOTS=1 it saves docs/images/dashboard.png and
// docs/images/dev-error.png.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// Functions passed to page.evaluate run in the browser, where these exist.
declare const window: { innerWidth: number } & Record<string, unknown>;
declare const document: {
  querySelector(s: string): { textContent: string | null } | null;
  querySelectorAll(s: string): { length: number };
  documentElement: { scrollWidth: number };
};

import type { BrowserContext, Page } from 'playwright-core';
import { bearer, type ControlServer, startControl, TOKEN } from '../control/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const MISSING = `chromium is missing: the Debian package chromium (apt-get install -y chromium)`;
const SHOTS = process.env.HOTPUB_SCREENSHOTS === '1';
const IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));

// Without the browser the test skips in one line, except in CI, where it must run.
const skip = existsSync(CHROMIUM) || process.env.CI === 'true' ? false : MISSING;

const INDEX = (n: number) => `import { keep } from 'hotpub';
const visits = keep('visits', () => ({ n: 0 }));
export function index() { visits.n++; return 'site v${n}'; }
export function hello(args: { name?: string }) { return { hello: args.name ?? 'world' }; }
hello.schema = { type: 'object', properties: { name: { type: 'string' } } };
`;

async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${MISSING}; CI=true needs it`);
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(join(tmpdir(), 'hotpub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 860 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Every host the page asked for anything. */
function hostsOf(page: Page): Set<string> {
  const hosts = new Set<string>();
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol === 'http:' || url.protocol === 'https:') hosts.add(url.host);
  });
  return hosts;
}

describe('the control plane in a browser', { skip }, () => {
  let s: ControlServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => {
    s = await startControl(
      {
        'site/index.ts': INDEX(1),
        'site/broken.ts': 'export function index() {\n  return 1 +;\n}\n',
        'api/app.json': JSON.stringify({ mount: '/api/:tenant' }),
        'api/todos.ts': 'export function list() { return []; }\n',
      },
      { dev: true, watch: true },
    );
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('follows an edit on disk live; reload and freeze buttons work', async () => {
    assert.equal(await (await s.fetch('/site')).text(), 'site v1');
    const page = await browser.context.newPage();
    const hosts = hostsOf(page);
    await page.goto(`${s.url}/-/`);
    const site = page.locator('[data-app="site"]');
    const generation = site.locator('dl [data-field="generation"]');
    await page.locator('#connection[data-state="live"]').waitFor();
    const before = Number(await generation.textContent());
    assert.ok(before >= 1);
    await page.evaluate(() => {
      window.hotpubMarker = 'same page';
    });

    const swaps = page.locator('#log li[data-kind="swap"][data-app="site"]');
    const swapsBefore = await swaps.count();
    await s.write('site/index.ts', INDEX(2));
    await page.waitForFunction(
      (n) =>
        Number(
          document.querySelector('[data-app="site"] dl [data-field="generation"]')?.textContent,
        ) > n,
      before,
    );
    await page.waitForFunction(
      (n) => document.querySelectorAll('#log li[data-kind="swap"][data-app="site"]').length > n,
      swapsBefore,
    );
    assert.match((await swaps.first().textContent()) ?? '', /site\/index\.ts.* ms/);
    assert.equal(await page.evaluate(() => window.hotpubMarker), 'same page', 'no page reload');
    assert.equal(await (await s.fetch('/site')).text(), 'site v2');

    await page.locator('button[data-action="reload"]').click();
    await page.locator('#notice', { hasText: /Reloaded \d+ module/ }).waitFor();
    await page.locator('#log li[data-kind="reload"]').first().waitFor();

    await site.locator('button[data-action="freeze"]').click();
    await site.locator('dl [data-field="state"]', { hasText: 'frozen' }).waitFor();
    const frozenAt = await generation.textContent();
    await s.write('site/index.ts', INDEX(3));
    await site.locator('[data-field="held"]', { hasText: 'site/index.ts' }).waitFor();
    assert.equal(await generation.textContent(), frozenAt, 'frozen: no new generation');
    assert.equal(await (await s.fetch('/site')).text(), 'site v2', 'frozen: the old code serves');
    await site.locator('button[data-action="unfreeze"]').click();
    await site.locator('dl [data-field="state"]', { hasText: 'ready' }).waitFor();
    await page.waitForFunction(
      (g) =>
        document.querySelector('[data-app="site"] dl [data-field="generation"]')?.textContent !== g,
      frozenAt,
    );
    assert.equal(await (await s.fetch('/site')).text(), 'site v3');

    // A failed load shows its error and code frame on the dashboard.
    await s.fetch('/site/broken');
    const broken = site.locator('tr[data-module="site/broken.ts"] [data-field="error"]');
    await broken.waitFor();
    assert.match((await broken.textContent()) ?? '', /HOTPUB_E_MODULE_SYNTAX/);
    await site.locator('summary', { hasText: 'Dependency graph' }).click();
    if (SHOTS) {
      await mkdir(IMAGES, { recursive: true });
      await page.screenshot({ path: join(IMAGES, 'dashboard.png'), fullPage: true });
    }
    assert.deepEqual([...hosts], [new URL(s.url).host], 'nothing from another host');
    await page.close();
  });

  it('fits a phone screen', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${s.url}/-/`);
    await page.locator('#connection[data-state="live"]').waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await page.close();
  });

  it('/-/docs lists the published functions', async () => {
    const page = await browser.context.newPage();
    const hosts = hostsOf(page);
    await page.goto(`${s.url}/-/docs`);
    await page.locator('.opblock-summary-path', { hasText: '/site/hello' }).first().waitFor();
    await page
      .locator('.opblock-summary-path', { hasText: '/api/{tenant}/todos/list' })
      .first()
      .waitFor();
    assert.deepEqual([...hosts], [new URL(s.url).host], 'nothing from another host');
    await page.close();
  });

  it('shows a broken page as the HTML error with the code frame', async () => {
    const page = await browser.context.newPage();
    const res = await page.goto(`${s.url}/site/broken`);
    assert.equal(res?.status(), 500);
    await page.locator('#error-message', { hasText: 'Unexpected ";"' }).waitFor();
    // biome-ignore lint/performance/useDomNodeTextContent: what the page shows, not its scripts
    const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
    assert.match(text, /site\/broken\.ts/);
    assert.match(text, /return 1 \+;/, 'the code frame');
    if (SHOTS) await page.screenshot({ path: join(IMAGES, 'dev-error.png'), fullPage: false });
    await page.close();
  });
});

describe('a token-protected dashboard in a browser', { skip }, () => {
  let s: ControlServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  before(async () => {
    s = await startControl({ 'site/index.ts': INDEX(1) }, { adminToken: TOKEN });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('asks for the token, then goes live; the token never appears in a URL', async () => {
    const page = await browser.context.newPage();
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    const res = await page.goto(`${s.url}/-/`);
    assert.equal(res?.status(), 401);
    await page.locator('#token-form:not([hidden])').waitFor();
    await page.locator('#token').fill('wrong-token-0123456789');
    await page.locator('#token-form button[type="submit"]').click();
    await page
      .locator('#token-form [data-field="token-message"]', { hasText: 'refused' })
      .waitFor();
    await page.locator('#token').fill(TOKEN);
    await page.locator('#token-form button[type="submit"]').click();
    await page.locator('#connection[data-state="live"]').waitFor();
    await page.locator('[data-app="site"]').waitFor();
    assert.equal(
      urls.some((u) => u.includes(TOKEN)),
      false,
    );
    assert.equal((await s.fetch('/-/state', { headers: bearer(TOKEN) })).status, 200);
    await page.close();
  });
});
