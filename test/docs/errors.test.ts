/**
 * docs/errors.md is the list of every HOTPUB_E_* code: a code added to src/ without a
 * line there, or a documented code that no longer exists, fails here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const CODE = /HOTPUB_E_[A-Z_]+/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function codesIn(text: string): Set<string> {
  return new Set(text.match(CODE) ?? []);
}

describe('docs/errors.md', () => {
  const inSource = new Set(
    sourceFiles('src').flatMap((f) => [...codesIn(readFileSync(f, 'utf8'))]),
  );
  const inDocs = codesIn(readFileSync('docs/errors.md', 'utf8'));

  it('documents every code the source uses', () => {
    assert.ok(inSource.size > 20, `expected the source to define codes, found ${inSource.size}`);
    const missing = [...inSource].filter((c) => !inDocs.has(c)).sort();
    assert.deepEqual(missing, [], 'codes used in src/ but not in docs/errors.md');
  });

  it('documents no code the source does not use', () => {
    const stale = [...inDocs].filter((c) => !inSource.has(c)).sort();
    assert.deepEqual(stale, [], 'codes in docs/errors.md that src/ never uses');
  });
});
