import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSize, validateConfig } from '../../src/config/index.js';
import { HotpubError } from '../../src/errors/index.js';

describe('parseSize', () => {
  it('reads bytes and 1024-based units', () => {
    assert.equal(parseSize('1048576'), 1048576);
    assert.equal(parseSize('1mb'), 1048576);
    assert.equal(parseSize('512KB'), 512 * 1024);
    assert.equal(parseSize('1.5k'), 1536);
    assert.equal(parseSize('2 gb'), 2 * 1024 ** 3);
    assert.equal(parseSize(100), 100);
  });
  it('refuses what is not a positive size', () => {
    for (const bad of ['', 'mb', '1tb', '-1', '0', '1e3', 'abc', 0, -5, 1.5, Number.NaN]) {
      assert.equal(parseSize(bad), undefined, String(bad));
    }
  });
});

describe('validateConfig', () => {
  it('accepts a full config', () => {
    const config = {
      apps: 'apps',
      port: 0,
      host: 'localhost',
      watch: true,
      dev: false,
      admin: true,
      workers: 2,
      drainTimeoutMs: 100,
      shutdownTimeoutMs: 100,
      requestTimeoutMs: 0,
      bodyLimit: '2mb',
      middleware: [(_req: unknown, _res: unknown, next: () => void) => next()],
      logger: { level: 'warn', requests: true, pretty: false },
    };
    assert.equal(validateConfig(config, 'hotpub.config.ts'), config);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['a non-object', 42, /hotpub\.config\.ts: the default export must be an object/],
    ['an unknown field', { prot: 1 }, /hotpub\.config\.ts: unknown field "prot"/],
    [
      'a bad port',
      { port: 'x' },
      /hotpub\.config\.ts: field "port" must be a whole number 0-65535/,
    ],
    ['a bad boolean', { watch: 'yes' }, /field "watch" must be true or false/],
    ['a bad body limit', { bodyLimit: 'huge' }, /field "bodyLimit"/],
    [
      'a non-function middleware',
      { middleware: [() => {}, 'cors'] },
      /field "middleware\[1\]" must be a \(req, res, next\) function, got "cors"/,
    ],
    ['middleware not an array', { middleware: () => {} }, /field "middleware" must be an array/],
    ['a bad log level', { logger: { level: 'loud' } }, /field "logger\.level" must be one of/],
    [
      'an unknown logger option',
      { logger: { colour: true } },
      /field "logger\.colour" is not a logger option/,
    ],
  ];
  for (const [what, value, message] of cases) {
    it(`names the file and the field for ${what}`, () => {
      assert.throws(
        () => validateConfig(value, 'hotpub.config.ts'),
        (err: unknown) =>
          err instanceof HotpubError && err.code === 'HOTPUB_E_CONFIG' && message.test(err.message),
      );
    });
  }
});
