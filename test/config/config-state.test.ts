// hotpub.config.ts `storage`, `secret` and `session`: accepted shapes and one message
// naming the file and the field for each bad one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import memoryDriver from 'unstorage/drivers/memory';
import { validateConfig } from '../../src/config/index.js';
import { HotpubError } from '../../src/errors/index.js';

const SECRET = 'k'.repeat(32);

describe('validateConfig: storage, secret, session', () => {
  it('accepts every documented shape', () => {
    const good: unknown[] = [
      { storage: { driver: 'sqlite' } },
      { storage: { driver: 'sqlite', path: 'var/state.sqlite' } },
      { storage: { driver: 'redis', url: 'redis://127.0.0.1:6379/2', maxRetriesPerRequest: 2 } },
      { storage: { driver: 'redis', url: 'rediss://u:p@host:6380', base: 'shop' } },
      { storage: { driver: 'memory' } },
      { storage: memoryDriver() },
      { secret: SECRET },
      { secret: [SECRET, 'o'.repeat(40)] },
      { session: { cookie: 'sid', maxAge: 3600, secure: true } },
      { session: { secure: 'auto' } },
    ];
    for (const config of good) assert.equal(validateConfig(config, 'hotpub.config.ts'), config);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['storage not an object', { storage: 'redis' }, /field "storage" must be \{ driver:/],
    [
      'an unknown driver',
      { storage: { driver: 'mongo' } },
      /field "storage\.driver" must be 'sqlite', 'redis' or 'memory'/,
    ],
    [
      'a bad redis url',
      { storage: { driver: 'redis', url: 'http://x' } },
      /field "storage\.url" must be a redis:\/\/ or rediss:\/\/ URL/,
    ],
    [
      'an unknown sqlite option',
      { storage: { driver: 'sqlite', file: 'x' } },
      /field "storage\.file" is not a sqlite option/,
    ],
    [
      'a short secret',
      { secret: 'short' },
      /field "secret" must be a string of at least 32 characters/,
    ],
    ['an empty secret list', { secret: [] }, /field "secret" must be/],
    ['a short secret in a list', { secret: [SECRET, 'x'] }, /field "secret" must be/],
    [
      'a bad cookie name',
      { session: { cookie: 'a b' } },
      /field "session\.cookie" must be a cookie name/,
    ],
    [
      'a bad maxAge',
      { session: { maxAge: 0 } },
      /field "session\.maxAge" must be a whole number of seconds/,
    ],
    [
      'a bad secure',
      { session: { secure: 'yes' } },
      /field "session\.secure" must be true, false or 'auto'/,
    ],
    [
      'an unknown session option',
      { session: { domain: 'x' } },
      /field "session\.domain" is not a session option/,
    ],
  ];
  for (const [what, value, message] of cases) {
    it(`names the file and the field for ${what}`, () => {
      assert.throws(
        () => validateConfig(value, 'hotpub.config.ts'),
        (err: unknown) =>
          err instanceof HotpubError &&
          err.code === 'HOTPUB_E_CONFIG' &&
          message.test(err.message) &&
          err.message.startsWith('hotpub.config.ts: '),
        `${what}`,
      );
    });
  }
});
