import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { call, type Harness, harness, withPin } from './helpers.js';

// Type annotations and an interface shift the generated code's lines against the source.
const SOURCE = `interface Item {
  id: number;
  name: string;
}

function inner(item: Item): never {
  throw new Error('bad item ' + item.id);
}

function outer(id: number): string {
  const item: Item = { id, name: 'x' };
  return inner(item);
}

export function index(): string {
  return outer(7);
}
`;

/** What `index` of `file` throws when called under a pin. */
function thrownBy(h: Harness, file: string): Promise<unknown> {
  return withPin(h.registry, 'a', (p) => {
    try {
      call(p, file, 'index');
    } catch (e) {
      return e;
    }
    return undefined;
  });
}

describe('registry: mapStack', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('maps every frame in an app module to its .ts line, not only the first', async () => {
    h = await harness({ 'a/index.ts': SOURCE });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const err = await thrownBy(h, f);
    const stack = h.registry.mapStack(err) ?? '';
    const lines = stack.split('\n').filter((l) => l.includes(f));
    assert.match(lines[0] ?? '', /at (Object\.)?inner .*index\.ts:7:9\)$/);
    assert.match(lines[1] ?? '', /at (Object\.)?outer .*index\.ts:12:10\)$/);
    assert.match(lines[2] ?? '', /at (Object\.)?index .*index\.ts:16:10\)$/);
    // The raw stack points elsewhere for at least one of them: the mapping did something.
    assert.notEqual((err as Error).stack, stack);
    assert.equal(h.registry.sourceOf(f), SOURCE, 'the source the frames point into');
    assert.equal(h.registry.sourceOf(h.file('a/nothing.ts')), undefined);
  });

  it('leaves esbuild frames out, and a cause made only of them', async () => {
    h = await harness({ 'a/index.ts': 'export const v = ;\n' });
    const f = h.file('a/index.ts');
    const err = await h.registry.ensureModule(f).then(
      () => undefined,
      (e: unknown) => e,
    );
    const cause = (err as { cause?: { stack?: string } }).cause;
    assert.match(
      cause?.stack ?? '',
      /node_modules[\\/]esbuild/,
      'the raw cause has esbuild frames',
    );
    const stack = h.registry.mapStack(err) ?? '';
    assert.match(stack, /^ModuleLoadError: .*index\.ts:1:18: Unexpected ";"/);
    assert.doesNotMatch(stack, /esbuild/);
    assert.doesNotMatch(stack, /caused by/);
  });

  it('keeps causes with frames of their own, mapped; no stack gives undefined', async () => {
    h = await harness({ 'a/index.ts': SOURCE });
    const f = h.file('a/index.ts');
    await h.registry.ensureModule(f);
    const inner = await thrownBy(h, f);
    const outer = new Error('wrapped', { cause: inner });
    const stack = h.registry.mapStack(outer) ?? '';
    assert.match(stack, /\ncaused by: Error: bad item 7\n/);
    assert.match(stack, /index\.ts:7:9\)/);
    assert.equal(h.registry.mapStack('a string'), undefined);
    assert.equal(h.registry.mapStack({ stack: 42 }), undefined);
  });
});
