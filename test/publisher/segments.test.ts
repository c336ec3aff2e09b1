/**
 * Path splitting, segment validation, the candidate table and mount matching: the pure
 * parts of resolution (the e2e tests drive the same rules over HTTP).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileMount, MountTable } from '../../src/publisher/mounts.js';
import { candidates, nameSegments, splitPath } from '../../src/publisher/segments.js';

describe('splitPath', () => {
  it('splits, ignores one trailing slash, rejects empty middle segments', () => {
    assert.deepEqual(splitPath('/'), []);
    assert.deepEqual(splitPath('/blog'), ['blog']);
    assert.deepEqual(splitPath('/blog/'), ['blog']);
    assert.deepEqual(splitPath('/blog/posts/list'), ['blog', 'posts', 'list']);
    assert.equal(splitPath('/blog//posts'), undefined);
    assert.equal(splitPath('//blog'), undefined);
    assert.equal(splitPath('/blog//'), undefined);
    assert.equal(splitPath('blog'), undefined);
    assert.equal(splitPath(`/${'a'.repeat(5000)}`), undefined);
  });
});

describe('nameSegments', () => {
  it('decodes once and accepts only [A-Za-z0-9][A-Za-z0-9_-]*', () => {
    assert.deepEqual(nameSegments(['posts', 'a-b_c', '%70osts']), ['posts', 'a-b_c', 'posts']);
    for (const bad of [
      '..',
      '.x',
      '_x',
      '-x',
      'a.b',
      '%2e%2e',
      '%252e',
      'a%2fb',
      'a%5cb',
      'a\\b',
      '%00',
      'a%00',
      '%c0%ae',
      '%e0%80%ae',
      '%',
      '%zz',
      'a b',
      'node_modules',
      '',
      'é',
    ]) {
      assert.equal(nameSegments([bad]), undefined, bad);
    }
  });
});

describe('candidates', () => {
  it('is the SPEC table', () => {
    const c = (names: string[]) => candidates(names).map((x) => `${x.rel}#${x.name}`);
    assert.deepEqual(c([]), ['index#index']);
    assert.deepEqual(c(['posts']), ['posts#index', 'posts/index#index', 'index#posts']);
    assert.deepEqual(c(['posts', 'list']), [
      'posts/list#index',
      'posts/list/index#index',
      'posts#list',
      'posts/index#list',
    ]);
    assert.deepEqual(c(['admin', 'users', 'ban']), [
      'admin/users/ban#index',
      'admin/users/ban/index#index',
      'admin/users#ban',
      'admin/users/index#ban',
    ]);
  });
});

describe('mounts', () => {
  it('erases param names in the conflict key', () => {
    assert.equal(compileMount('/api/:a', 'f').key, compileMount('/api/:b', 'g').key);
    assert.notEqual(compileMount('/api/:a', 'f').key, compileMount('/api/x', 'g').key);
    assert.equal(compileMount('/blog/', 'f').key, compileMount('/blog', 'g').key);
  });

  it('matches literal mounts first, then patterns; the rest stays a segment list', () => {
    const apps = [
      { name: 'tenant', mount: compileMount('/:tenant', 'a') },
      { name: 'blog', mount: compileMount('/blog', 'b') },
      { name: 'api', mount: compileMount('/api/:v', 'c') },
    ];
    const t = new MountTable(apps);
    const m = (segs: string[]) => {
      const r = t.match(segs);
      return r && [r.app.name, r.consumed, { ...r.params }];
    };
    assert.deepEqual(m(['blog', 'posts']), ['blog', 1, {}]);
    assert.deepEqual(m(['api', 'v2', 'x']), ['api', 2, { v: 'v2' }]);
    assert.deepEqual(m(['acme', 'x']), ['tenant', 1, { tenant: 'acme' }]);
    assert.deepEqual(m(['api']), ['tenant', 1, { tenant: 'api' }]);
    assert.equal(m([]), undefined);
    assert.equal(m(['a%2fb']), undefined, 'a param may not hold an encoded slash');
  });

  it('optional groups match the longest prefix', () => {
    const t = new MountTable([{ name: 'v', mount: compileMount('/v{/:ver}', 'a') }]);
    assert.equal(t.match(['v', '2', 'x'])?.consumed, 2);
    assert.equal(t.match(['v'])?.consumed, 1);
  });
});
