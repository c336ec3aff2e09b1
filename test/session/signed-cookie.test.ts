import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSecrets, secretsFromEnv } from '../../src/session/secrets.js';
import { newSessionId, sign, unsign } from '../../src/session/signed-cookie.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('signed session cookies', () => {
  it('round-trips an id under the secret that signed it', () => {
    const id = newSessionId();
    assert.match(id, /^[A-Za-z0-9_-]{32}$/);
    assert.deepEqual(unsign(sign(id, A), [A]), { value: id, secret: 0 });
  });

  it('refuses a changed id, a changed mac, no mac and another secret', () => {
    const signed = sign('abc', A);
    const mac = signed.slice(4);
    assert.equal(unsign(`abd.${mac}`, [A]), undefined);
    assert.equal(unsign(`abc.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, [A]), undefined);
    assert.equal(unsign(`abc.${mac.slice(0, 20)}`, [A]), undefined);
    assert.equal(unsign('abc', [A]), undefined);
    assert.equal(unsign('.abc', [A]), undefined);
    assert.equal(unsign(signed, [B]), undefined);
  });

  it('verifies with any listed secret and says which (rotation)', () => {
    assert.deepEqual(unsign(sign('abc', A), [B, A]), { value: 'abc', secret: 1 });
    assert.deepEqual(unsign(sign('abc', B), [B, A]), { value: 'abc', secret: 0 });
  });
});

describe('secrets', () => {
  it('reads HOTPUB_SECRET as a comma-separated list, first signs', () => {
    assert.equal(secretsFromEnv(undefined), undefined);
    assert.equal(secretsFromEnv(' '), undefined);
    assert.deepEqual(secretsFromEnv(`${A}, ${B}`), [A, B]);
  });

  it('refuses short secrets with a message naming where they came from', () => {
    assert.deepEqual(checkSecrets(A, 'secret'), [A]);
    assert.throws(
      () => checkSecrets('short', 'HOTPUB_SECRET'),
      (err: Error & { code?: string }) =>
        err.code === 'HOTPUB_E_CONFIG' &&
        /^HOTPUB_SECRET: the secret is 5 characters; use at least 32/.test(err.message),
    );
    assert.throws(() => checkSecrets([A, 'x'], 'secret'), /secret 2 of 2 is 1 characters/);
    assert.throws(() => checkSecrets([], 'secret'), /at least one secret/);
  });
});
