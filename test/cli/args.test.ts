import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../../src/cli/args.js';
import { HotpubError } from '../../src/errors/index.js';

function usage(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (err) {
    assert.ok(err instanceof HotpubError, `expected a HotpubError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    assert.equal(err.code, 'HOTPUB_E_USAGE');
    assert.doesNotMatch(err.message, /\n/);
    return err.message;
  }
  assert.fail(`expected ${argv.join(' ')} to be a usage error`);
}

describe('parseCommandLine', () => {
  it('reads every serve flag with its value', () => {
    const cmd = parseCommandLine([
      'serve',
      '--apps',
      'x',
      '--port',
      '8080',
      '--host',
      '0.0.0.0',
      '--watch',
      '--dev',
      '--admin',
      '--workers',
      '3',
      '--drain-timeout',
      '250',
      '--body-limit',
      '2mb',
      '--config',
      'c.ts',
    ]);
    assert.deepEqual(cmd, {
      kind: 'serve',
      name: 'serve',
      flags: {
        apps: 'x',
        port: 8080,
        host: '0.0.0.0',
        watch: true,
        dev: true,
        admin: true,
        workers: 3,
        drainTimeoutMs: 250,
        bodyLimit: 2 * 1024 * 1024,
        config: 'c.ts',
      },
    });
  });

  it('leaves absent flags undefined so the config can fill them', () => {
    assert.deepEqual(parseCommandLine(['serve']), { kind: 'serve', name: 'serve', flags: {} });
  });

  it('dev is serve --watch --dev', () => {
    assert.deepEqual(parseCommandLine(['dev', '--port=0']), {
      kind: 'serve',
      name: 'dev',
      flags: { port: 0, watch: true, dev: true },
    });
  });

  it('routes, new app, new module, init', () => {
    assert.deepEqual(parseCommandLine(['routes', '--apps', 'a']), {
      kind: 'routes',
      flags: { apps: 'a', config: undefined },
    });
    assert.deepEqual(parseCommandLine(['new', 'app', 'blog', '--template', 'api']), {
      kind: 'new-app',
      name: 'blog',
      apps: undefined,
      template: 'api',
    });
    assert.deepEqual(parseCommandLine(['new', 'app', 'blog']), {
      kind: 'new-app',
      name: 'blog',
      apps: undefined,
      template: 'basic',
    });
    assert.deepEqual(parseCommandLine(['new', 'module', 'blog/posts', '--apps', 'a']), {
      kind: 'new-module',
      target: 'blog/posts',
      apps: 'a',
    });
    assert.deepEqual(parseCommandLine(['init', 'proj']), { kind: 'init', dir: 'proj' });
  });

  it('help and version', () => {
    assert.deepEqual(parseCommandLine([]), { kind: 'help', topic: undefined });
    assert.deepEqual(parseCommandLine(['--help']), { kind: 'help', topic: undefined });
    assert.deepEqual(parseCommandLine(['serve', '--help']), { kind: 'help', topic: 'serve' });
    assert.deepEqual(parseCommandLine(['--version']), { kind: 'version' });
  });

  it('rejects unknown flags, naming them', () => {
    assert.match(usage(['serve', '--prot', '3000']), /--prot/);
    assert.match(usage(['routes', '--watch']), /--watch/);
  });

  it('rejects bad values, naming the flag and the value', () => {
    assert.match(usage(['serve', '--port', 'abc']), /--port.*"abc"/);
    assert.match(usage(['serve', '--port', '70000']), /--port.*70000/);
    assert.match(usage(['serve', '--port', '-1']), /--port/);
    assert.match(usage(['serve', '--port']), /--port/);
    assert.match(usage(['serve', '--workers', '0']), /--workers/);
    assert.match(usage(['serve', '--drain-timeout', '5s']), /--drain-timeout/);
    assert.match(usage(['serve', '--body-limit', 'lots']), /--body-limit.*lots/);
    assert.match(usage(['serve', '--watch=yes']), /--watch/);
    assert.match(usage(['serve', '--apps=']), /--apps/);
  });

  it('rejects unknown commands, stray arguments and missing ones', () => {
    assert.match(usage(['start']), /unknown command "start"/);
    assert.match(usage(['--port', '1']), /expected a command/);
    assert.match(usage(['serve', 'extra']), /extra/);
    assert.match(usage(['new', 'thing', 'x']), /"thing"/);
    assert.match(usage(['new', 'app']), /needs a name/);
    assert.match(usage(['init']), /needs a directory/);
    assert.match(usage(['init', 'a', 'b']), /"b"/);
  });
});
