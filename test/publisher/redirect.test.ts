// Redirects as a newcomer writes them: redirect() from hotpub, and Response.redirect with
// a relative URL (Node's throws "Failed to parse URL"), resolved against the request URL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redirect } from '../../src/index.js';
import { resolveLocation } from '../../src/publisher/redirect.js';
import { startServer, type TestServer } from '../helpers/server.js';

const NOTES = `import { redirect } from 'hotpub';
export function create() { return redirect('/notes', 303); }
create.methods = ['POST'];
export function relative() { return Response.redirect('list?x=1', 303); }
export function rooted() { return Response.redirect('/notes', 303); }
export function absolute() { return Response.redirect('https://example.com/a', 301); }
export function plain() { return redirect('../up'); }
export function badStatus() { return Response.redirect('/notes', 200); }
`;

describe('redirects', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ files: { 'notes/edit.ts': NOTES } });
  });
  after(() => s.close());

  const go = (path: string, init: RequestInit = {}) =>
    s.fetch(path, { ...init, redirect: 'manual' });

  it('redirect(location, status) answers that status and Location', async () => {
    const r = await go('/notes/edit/create', { method: 'POST' });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/notes');
    const p = await go('/notes/edit/plain');
    assert.equal(p.status, 302, 'the default status');
    assert.equal(p.headers.get('location'), '/notes/up');
  });

  it('Response.redirect takes a relative URL, resolved against the request URL', async () => {
    const r = await go('/notes/edit/relative');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/notes/edit/list?x=1');
    assert.equal((await go('/notes/edit/rooted')).headers.get('location'), '/notes');
    const abs = await go('/notes/edit/absolute');
    assert.equal(abs.status, 301);
    assert.equal(abs.headers.get('location'), 'https://example.com/a');
  });

  it('a status that is not a redirect is still the RangeError it always was (500)', async () => {
    assert.equal((await go('/notes/edit/badStatus')).status, 500);
    assert.throws(() => redirect('/x', 200), RangeError);
    assert.throws(() => Response.redirect('/x', 200 as 302), RangeError);
    assert.throws(() => Response.redirect('http://[bad', 302), TypeError, 'a bad absolute URL');
  });
});

describe('resolveLocation', () => {
  it('resolves relative references against the request path, keeps absolute URLs', () => {
    assert.equal(resolveLocation('b', '/a/x?q=1'), '/a/b');
    assert.equal(resolveLocation('../c#h', '/a/b/x'), '/a/c#h');
    assert.equal(resolveLocation('?page=2', '/list?page=1'), '/list?page=2');
    assert.equal(resolveLocation('https://x.test/p', '/a'), 'https://x.test/p');
    assert.equal(resolveLocation('//cdn.test/p', '/a'), '//cdn.test/p');
    assert.equal(resolveLocation('mailto:a@b.test', '/a'), 'mailto:a@b.test');
  });
});
