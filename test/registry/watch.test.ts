import assert from 'node:assert/strict';
import { open, rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, it } from 'node:test';
import { atomicWrite, writeFiles } from '../helpers/files.js';
import { waitFor } from '../helpers/wait.js';
import { call, edit, fixture, type Harness, harness } from './helpers.js';

const mod = (v: number | string) => `export const v = ${JSON.stringify(v)};
export function index() { return v; }
`;

function served(h: Harness, app: string, file: string): Promise<unknown> {
  return h.withPin(app, (pin) => pin.exportsOf(file)?.v);
}

describe('registry: watching files', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('a plain write is one evaluation; an atomic save too; later writes still seen', async () => {
    h = await harness({ 'a/index.ts': mod(1) }, { watch: true });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const evals = () => h!.registry.getModule(f)?.evaluations;
    assert.equal(evals(), 1);
    await writeFile(f, mod(2));
    await waitFor(async () => (await served(h!, 'a', f)) === 2, {
      message: 'plain write reloaded',
    });
    assert.equal(evals(), 2);
    await atomicWrite(f, mod(3));
    await waitFor(async () => (await served(h!, 'a', f)) === 3, {
      message: 'atomic save reloaded',
    });
    // Editors that save by rename leave a new inode: later plain writes must still be seen.
    await writeFile(f, mod(4));
    await waitFor(async () => (await served(h!, 'a', f)) === 4, {
      message: 'write after atomic save',
    });
    await atomicWrite(f, mod(5));
    await waitFor(async () => (await served(h!, 'a', f)) === 5, { message: 'second atomic save' });
    assert.equal(evals(), 5, 'one evaluation per save');
    assert.equal(h.registry.getModule(f)?.generation, 5);
  });

  it('a burst of 10 saves evaluates at most twice more and ends on the last content', async () => {
    h = await harness({ 'a/index.ts': mod(0) }, { watch: true, drainTimeoutMs: 600_000 });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    // A held pin keeps the first reload at the code lock while the other nine saves land:
    // one burst however slowly a loaded machine writes it.
    const held = h.registry.tryAcquire('a');
    assert.ok(held, 'no reload pending: the pin is taken synchronously');
    try {
      await writeFile(f, mod(1));
      const app = () => h!.registry.snapshot().apps.find((a) => a.name === 'a');
      await waitFor(() => app()?.reloadPending === true, {
        message: 'the first reload to wait for the lock',
      });
      for (let i = 2; i <= 10; i++) await writeFile(f, mod(i));
    } finally {
      held.release();
    }
    await waitFor(async () => (await served(h!, 'a', f)) === 10, { message: 'last save served' });
    const evals = h.registry.getModule(f)?.evaluations ?? 0;
    assert.ok(evals >= 2 && evals <= 3, `evaluations ${evals} within 1 + at most 2`);
  });

  it('saves that never pause are still applied while they go on (1 s cap), not only after the last', async () => {
    h = await harness({ 'a/index.ts': mod(0) }, { watch: true });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const seen = new Set<unknown>();
    const last = 100;
    for (let i = 1; i <= last; i++) {
      await writeFile(f, mod(i));
      seen.add(await served(h, 'a', f));
      await new Promise((r) => setTimeout(r, 25)); // under the 50 ms gap: one long burst
    }
    await waitFor(async () => (await served(h!, 'a', f)) === last, { message: 'last save served' });
    // Without the 1 s cap on a change's wait, nothing after the first save is served
    // until the burst (> 2.5 s) ends.
    const middle = [...seen].filter((v) => typeof v === 'number' && v > 0 && v < last);
    assert.ok(middle.length > 0, `served during the burst: ${[...seen].join(', ')}`);
    // About one per second of the burst (a loaded machine stretches the burst); a queue
    // of reloads would be one per save.
    const evals = h.registry.getModule(f)?.evaluations ?? 0;
    assert.ok(
      evals < last / 2,
      `a burst of ${last} saves coalesced, not queued: ${evals} evaluations`,
    );
  });

  it('a half-written file is never evaluated as the new module', async () => {
    h = await harness({ 'a/index.ts': mod(1) }, { watch: true });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const text = mod(2);
    const fh = await open(f, 'w'); // truncates: an empty read is a write in progress
    try {
      await fh.write(text.slice(0, 20)); // `export const v = "2` : unparsable
      await fh.sync();
      await new Promise((r) => setTimeout(r, 30));
      await fh.write(text.slice(20));
    } finally {
      await fh.close();
    }
    await waitFor(async () => (await served(h!, 'a', f)) === 2, {
      message: 'complete content served',
    });
    const info = h.registry.getModule(f);
    assert.equal(info?.evaluations, 2);
    assert.equal(info?.state, 'ready');
    assert.ok(
      !h.events.some((e) => e.type === 'error'),
      `no error event for the partial write: ${JSON.stringify(h.events)}`,
    );
  });

  it('delete: module gone from the next generation and the index; in-flight pin finishes; create adds it back', async () => {
    h = await harness({ 'a/index.ts': mod('x'), 'a/other.ts': mod('o') }, { watch: true });
    const f = h.file('a/other.ts');
    await h.registry.ensureModule(f);
    const held = h.registry.tryAcquire('a');
    assert.ok(held, 'no reload pending: the pin is taken synchronously');
    await rm(f);
    // The delete waits for the held request (drain), so release it once the reload is pending.
    await waitFor(
      () => h!.registry.snapshot().apps.find((a) => a.name === 'a')?.reloadPending === true,
      { message: 'delete waiting for the lock' },
    );
    assert.equal(held.exportsOf(f)?.v, 'o', 'in-flight request still sees its module');
    held.release();
    await waitFor(() => h!.registry.getModule(f)?.state === 'deleted', { message: 'delete seen' });
    assert.equal(h.registry.findFile('a', 'other'), undefined);
    assert.equal(await served(h, 'a', f), undefined);
    assert.ok(
      h.events.some(
        (e) => e.type === 'files' && (e.event as { removed: string[] }).removed.includes(f),
      ),
    );

    const created = h.file('a/new.ts');
    await writeFile(created, mod('n'));
    await waitFor(() => h!.registry.findFile('a', 'new') === created, { message: 'create seen' });
    assert.ok(
      h.events.some(
        (e) => e.type === 'files' && (e.event as { added: string[] }).added.includes(created),
      ),
    );
    await h.registry.ensureModule(created);
    assert.equal(await served(h, 'a', created), 'n');

    await writeFile(f, mod('back'));
    await waitFor(() => h!.registry.findFile('a', 'other') === f, { message: 're-create seen' });
    await h.registry.ensureModule(f);
    assert.equal(await served(h, 'a', f), 'back');
  });

  it('a dependency change reloads its importers; a syntax error keeps the old code until fixed', async () => {
    h = await harness(await fixture('importer-reload'), { watch: true });
    const f = h.file('a/index.ts');
    const dep = h.file('a/_dep.ts');
    const index = () => h!.withPin('a', (p) => call(p, f, 'index'));
    await h.registry.ensureModule(f);
    await edit(dep, "'d1'", "'d2'");
    await waitFor(async () => (await index()) === 'v1:d2', { message: 'importer reloaded' });
    await writeFile(dep, `export const d = ;\n`);
    await waitFor(() => h!.registry.getModule(dep)?.state === 'error', {
      message: 'syntax error seen',
    });
    assert.equal(h.registry.getModule(dep)?.lastError?.code, 'HOTPUB_E_MODULE_SYNTAX');
    assert.equal(h.registry.getModule(dep)?.lastError?.location?.line, 1);
    assert.equal(await index(), 'v1:d2');
    await writeFile(dep, `export function dep(): string {\n  return 'd3';\n}\n`);
    await waitFor(async () => (await index()) === 'v1:d3', { message: 'fixed' });
    assert.equal(h.registry.getModule(dep)?.state, 'ready');
  });

  it('editor temp and swap files never become routes or records', async () => {
    h = await harness({ 'a/index.ts': mod(1) }, { watch: true });
    const names = ['.index.ts.swp', 'index.ts~', '4913', '.#index.ts', 'x.ts.tmp'];
    for (const n of names) await writeFile(h.file(`a/${n}`), 'garbage(');
    // A real create after them: once it is seen, the temp files' events were seen too.
    await writeFile(h.file('a/real.ts'), mod(2));
    await waitFor(() => h!.registry.findFile('a', 'real') !== undefined, {
      message: 'real file indexed',
    });
    assert.deepEqual(h.registry.listFiles('a'), [h.file('a/index.ts'), h.file('a/real.ts')]);
    for (const n of names) assert.equal(h.registry.getModule(h.file(`a/${n}`)), undefined, n);
    assert.ok(!h.events.some((e) => e.type === 'error'));
  });

  it('new directories and new apps are watched; a removed directory removes its modules', async () => {
    h = await harness({ 'a/index.ts': mod(1) }, { watch: true });
    await writeFiles(h.root, { 'a/sub/deep/page.ts': mod('deep'), 'c/index.ts': mod('c') });
    await waitFor(
      () =>
        h!.registry.findFile('a', 'sub/deep/page') !== undefined &&
        h!.registry.findFile('c', 'index') !== undefined,
      { message: 'files in new directories indexed' },
    );
    const page = h.file('a/sub/deep/page.ts');
    await h.registry.ensureModule(page);
    await writeFile(page, mod('deep2'));
    await waitFor(async () => (await served(h!, 'a', page)) === 'deep2', {
      message: 'change in a new directory',
    });
    await rm(h.file('a/sub'), { recursive: true });
    await waitFor(() => h!.registry.getModule(page)?.state === 'deleted', {
      message: 'directory removal seen',
    });
    assert.equal(h.registry.findFile('a', 'sub/deep/page'), undefined);
  });
});
