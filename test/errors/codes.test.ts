/**
 * The error table is the one place codes are written: every code and name is unique, and
 * no file of src/ outside src/errors/ spells a `HOTPUB_E_` string (not even in a comment),
 * nor do the example apps and templates, which throw `HttpError`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ERRORS,
  ErrorCode,
  errorSpec,
  HotpubError,
  HttpError,
  requestError,
} from '../../src/errors/index.js';

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('the error table', () => {
  it('holds each code once, every one in the HOTPUB_E_ space', () => {
    const codes = Object.values(ERRORS).map((s) => s.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.match(code, /^HOTPUB_E_[A-Z_]+$/);
    assert.equal(ErrorCode.appsDir, 'HOTPUB_E_APPS_DIR');
    assert.equal(errorSpec('HOTPUB_E_USAGE')?.exit, 2);
    assert.equal(errorSpec('E_MINE'), undefined);
  });

  it('gives HotpubError its status and exit status, and HttpError its status and code', () => {
    const notFound = requestError('notFound');
    assert.ok(notFound instanceof HttpError && notFound instanceof HotpubError);
    assert.equal(notFound.status, 404);
    assert.equal(notFound.code, 'HOTPUB_E_NOT_FOUND');
    assert.equal(notFound.message, 'Not Found');
    const usage = new HotpubError(ErrorCode.usage, 'bad flag');
    assert.equal(usage.exitCode, 2);
    assert.equal(usage.status, undefined);
    assert.equal(new HttpError(418, 'tea', { code: 'E_TEA' }).code, 'E_TEA');
    assert.equal(new HttpError(418).code, 'HOTPUB_E_HTTP');
  });

  it('is the only place in src/ that spells a code', () => {
    const offenders = files('src')
      .filter((f) => !f.startsWith(join('src', 'errors') + '/'))
      .filter((f) => readFileSync(f, 'utf8').includes('HOTPUB_E_'));
    assert.deepEqual(offenders, []);
  });

  it('the example apps and templates throw HttpError, not errors with a status bolted on', () => {
    const bolted = [...files('apps'), ...files('templates')].filter((f) =>
      /Object\.assign\(new Error|\.status\s*=|status:\s*4\d\d\s*}/.test(readFileSync(f, 'utf8')),
    );
    assert.deepEqual(bolted, []);
  });
});
