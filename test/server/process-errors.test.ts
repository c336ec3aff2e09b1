/**
 * createServer owns the process's error handlers only when asked (issue 13 #1): a
 * library user's process keeps its own, and the CLI's serve turns them on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startServer } from '../helpers/server.js';

const count = () =>
  process.listenerCount('unhandledRejection') + process.listenerCount('uncaughtException');

describe('createServer and the process error handlers', () => {
  it('installs none by default', async () => {
    const before = count();
    const s = await startServer({
      files: { 'a/index.ts': 'export function index() { return 1; }' },
    });
    try {
      assert.equal(count(), before);
      assert.equal(s.server.uncaught(), undefined);
    } finally {
      await s.close();
    }
  });

  it('with processErrors, installs them until close and counts from zero', async () => {
    const before = count();
    const s = await startServer({
      processErrors: true,
      files: { 'a/index.ts': 'export function index() { return 1; }' },
    });
    try {
      assert.equal(count(), before + 2);
      assert.deepEqual(s.server.uncaught(), { total: 0, byApp: {} });
    } finally {
      await s.close();
    }
    assert.equal(count(), before, 'removed on close');
  });
});
