/** The warning line for --dev or --admin on a host other than loopback (issue 13 #11). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exposureWarning, isLoopbackHost } from '../../src/cli/exposure-warning.js';

describe('exposureWarning', () => {
  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST']) {
      assert.ok(isLoopbackHost(h), h);
    }
    for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '128.0.0.1', '127.evil.com']) {
      assert.ok(!isLoopbackHost(h), h);
    }
  });

  it('warns for --dev, --admin or an admin token on a non-loopback host only', () => {
    const token = 'x'.repeat(16);
    assert.match(
      exposureWarning({ host: '0.0.0.0', dev: false, admin: false, adminToken: token }) ?? '',
      /an admin token on host 0\.0\.0\.0/,
    );
    assert.equal(
      exposureWarning({ host: 'localhost', dev: false, admin: false, adminToken: token }),
      undefined,
    );
    assert.equal(exposureWarning({ host: '127.0.0.1', dev: true, admin: true }), undefined);
    assert.equal(exposureWarning({ host: '0.0.0.0', dev: false, admin: false }), undefined);
    assert.match(
      exposureWarning({ host: '0.0.0.0', dev: true, admin: false }) ?? '',
      /--dev on host 0\.0\.0\.0/,
    );
    assert.match(
      exposureWarning({ host: '::', dev: false, admin: true }) ?? '',
      /--admin on host ::/,
    );
  });
});
