// `import { storage } from 'hotpub'` in app modules, against a real server: one namespace
// per app, kept across a restart, the same storage across reloads.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { storage as unbound } from '../../src/index.js';
import { json, startServer, type TestServer } from '../helpers/server.js';

const KV = `import { storage } from 'hotpub';
export async function put(args: { k: string; v: string }) { await storage.setItem(args.k, { v: args.v }); return null; }
export async function get(args: { k: string }) { return storage.getItem(args.k); }
export async function keys() { return (await storage.getKeys()).sort(); }
export async function clear() { await storage.clear(); return null; }
export async function dispose() { await storage.dispose(); return null; }
`;

// Records every storage object its evaluations were given.
const SAME = (edit: string) => `import { storage } from 'hotpub';
const seen = ((globalThis as any).__hotpubSeen ??= []);
seen.push(storage);
export function check() { return { loads: seen.length, same: seen.every((x: unknown) => x === seen[0]) }; }
// ${edit}
`;

describe('storage in app modules', () => {
  let dir: string;
  let s: TestServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotpub-storage-'));
    s = await startServer({
      storage: { driver: 'sqlite', path: join(dir, 'db.sqlite') },
      files: { 'a/kv.ts': KV, 'b/kv.ts': KV, 'a/same.ts': SAME('first') },
    });
  });
  after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives each app its own namespace: b never sees a's keys", async () => {
    await s.fetch('/a/kv/put?k=x&v=from-a');
    await s.fetch('/a/kv/put?k=only-a&v=1');
    await s.fetch('/b/kv/put?k=x&v=from-b');
    assert.deepEqual(await json(await s.fetch('/a/kv/get?k=x')), { v: 'from-a' });
    assert.deepEqual(await json(await s.fetch('/b/kv/get?k=x')), { v: 'from-b' });
    assert.equal(await json(await s.fetch('/b/kv/get?k=only-a')), null);
    assert.deepEqual(await json(await s.fetch('/a/kv/keys')), ['only-a', 'x']);
    assert.deepEqual(await json(await s.fetch('/b/kv/keys')), ['x']);
    // Where they are: under app:<name>: in the server's storage.
    assert.deepEqual((await s.server.storage.root.getKeys('app')).sort(), [
      'app:a:only-a',
      'app:a:x',
      'app:b:x',
    ]);
  });

  it("clears only its own keys, and cannot close the server's storage", async () => {
    assert.equal((await s.fetch('/a/kv/dispose')).status, 200);
    assert.equal((await s.fetch('/a/kv/clear')).status, 200);
    assert.deepEqual(await json(await s.fetch('/a/kv/keys')), []);
    assert.deepEqual(await json(await s.fetch('/b/kv/keys')), ['x']);
  });

  it('is the same storage after a reload: a reload opens nothing', async () => {
    assert.deepEqual(await json(await s.fetch('/a/same/check')), { loads: 1, same: true });
    await s.write('a/same.ts', SAME('second'));
    await s.server.registry.invalidateModule(join(s.dir, 'a/same.ts'));
    assert.deepEqual(await json(await s.fetch('/a/same/check')), { loads: 2, same: true });
  });
});

describe('the default storage across a restart', () => {
  it('keeps what a server wrote for the next one on the same file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hotpub-restart-'));
    const storage = { driver: 'sqlite', path: join(dir, 'db.sqlite') } as const;
    try {
      const first = await startServer({ storage, files: { 'a/kv.ts': KV } });
      await first.fetch('/a/kv/put?k=kept&v=1');
      await first.close();
      const second = await startServer({ storage, files: { 'a/kv.ts': KV } });
      try {
        assert.deepEqual(await json(await second.fetch('/a/kv/get?k=kept')), { v: '1' });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('storage outside app modules', () => {
  it('throws a clear error naming the rule', async () => {
    await assert.rejects(
      async () => unbound.getItem('x'),
      (err: Error & { code?: string }) =>
        err.code === 'HOTPUB_E_STORAGE_OUTSIDE_MODULE' &&
        /storage\.getItem\(\) called outside an app module/.test(err.message),
    );
  });
});
