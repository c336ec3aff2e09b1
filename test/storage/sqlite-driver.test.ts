import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { createStorage, type Storage } from 'unstorage';
import { sqliteDriver } from '../../src/storage/sqlite-driver.js';
import { waitFor } from '../helpers/wait.js';

const WRITER = join(import.meta.dirname, '..', 'fixtures', 'storage', 'sqlite-writer.ts');

describe('the SQLite storage driver', () => {
  let dir: string;
  let storage: Storage;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hotpub-sqlite-'));
    storage = createStorage({ driver: sqliteDriver({ path: join(dir, 'sub', 'db.sqlite') }) });
  });
  after(async () => {
    await storage.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('sets, gets, checks and removes values through unstorage', async () => {
    await storage.setItem('a:1', { x: 1 });
    await storage.setItem('a:2', 'text');
    assert.deepEqual(await storage.getItem('a:1'), { x: 1 });
    assert.equal(await storage.getItem('a:2'), 'text');
    assert.equal(await storage.hasItem('a:1'), true);
    await storage.removeItem('a:1');
    assert.equal(await storage.hasItem('a:1'), false);
    assert.equal(await storage.getItem('a:1'), null);
  });

  it('lists keys by exact prefix, case and all', async () => {
    for (const key of ['p:x', 'p:y:z', 'P:x', 'p;x', 'px', 'q:x']) await storage.setItem(key, 1);
    assert.deepEqual((await storage.getKeys('p')).sort(), ['p:x', 'p:y:z']);
    assert.deepEqual(await storage.getKeys('p:y'), ['p:y:z']);
    // The driver's own clear: unstorage 1.x's clear(base) skips a root mount (unjs/unstorage#336).
    await storage.getMount('').driver.clear!('p:', {});
    assert.deepEqual((await storage.getKeys('p')).sort(), []);
    assert.equal(await storage.hasItem('P:x'), true);
    assert.equal(await storage.hasItem('px'), true);
  });

  it('forgets a value once its time to live is over', async () => {
    await storage.setItem('ttl:short', 1, { ttl: 0.05 });
    await storage.setItem('ttl:long', 1, { ttl: 3600 });
    await waitFor(async () => !(await storage.hasItem('ttl:short')), { message: 'expiry' });
    assert.equal(await storage.getItem('ttl:short'), null);
    assert.deepEqual(await storage.getKeys('ttl'), ['ttl:long']);
  });

  it('survives closing and opening the file again', async () => {
    const path = join(dir, 'again.sqlite');
    const first = createStorage({ driver: sqliteDriver({ path }) });
    await first.setItem('kept', { v: 1 });
    await first.dispose();
    const second = createStorage({ driver: sqliteDriver({ path }) });
    assert.deepEqual(await second.getItem('kept'), { v: 1 });
    await second.dispose();
  });

  it('keeps every write whole when two processes write at once', async () => {
    const path = join(dir, 'race.sqlite');
    const count = 400;
    const writers = ['w1', 'w2'].map((name) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', WRITER, path, name, String(count)],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
      });
      child.stderr.setEncoding('utf8').on('data', (c: string) => {
        out += c;
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      return { child, out: () => out, exited };
    });
    await waitFor(() => writers.every((w) => w.out().includes('ready')), {
      timeoutMs: 30_000,
      message: 'both writers to open the file',
    });
    for (const w of writers) w.child.stdin.write('go\n');
    const codes = await Promise.all(writers.map((w) => w.exited));
    assert.deepEqual(codes, [0, 0], writers.map((w) => w.out()).join('\n'));

    const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
    const check = createStorage({ driver: sqliteDriver({ path }) });
    try {
      for (const name of ['w1', 'w2']) {
        assert.equal((await check.getKeys(name)).length, count, `${name}'s keys`);
      }
      const shared = (await check.getItem('shared')) as { name: string; i: number; pad: string };
      assert.equal(shared.i, count - 1);
      assert.equal(shared.pad, shared.name.repeat(2000), 'the last write is whole');
    } finally {
      await check.dispose();
    }
  });
});
