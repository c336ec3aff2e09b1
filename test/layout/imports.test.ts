/**
 * The shape of src/, read from its imports (TypeScript's own pre-parser: static, type-only
 * and dynamic imports and re-exports all count): no import cycle; a file reaches into
 * another folder only through that folder's index.ts or types.ts; src/index.ts only
 * re-exports and nothing imports it; a folder imports only the layers below it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

/** Every .ts file of src/, relative to it (`server/serve.ts`). */
function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(SRC, join(e.parentPath, e.name)))
    .sort();
}

/** The src/ files `file` imports (relative specifiers only, `.js` read as `.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(SRC, resolve(SRC, dirname(file), spec.replace(/\.js$/, '.ts'))));
}

const graph = new Map(sourceFiles().map((f) => [f, importsOf(f)]));

/** The import cycles of the graph, each as the list of files around it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') found.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const folderOf = (file: string) => dirname(file);

// Lowest first. The root's files are the package's entries: app-api.ts (what app modules
// import as 'hotpub') sits above the registry, index.ts above everything.
const LAYERS = [
  'errors',
  'storage',
  'session',
  'config',
  'registry',
  'app-api.ts',
  'publisher',
  'server',
  'control',
  'scaffold',
  'cli',
  'index.ts',
];
const layerOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : file);
const rank = (file: string) => {
  const i = LAYERS.indexOf(layerOf(file));
  assert.notEqual(i, -1, `${file} is in no layer: add its folder to LAYERS`);
  return i;
};
const isEntry = (file: string) => /(^|\/)(index|types)\.ts$/.test(file);

describe('src/ imports', () => {
  it('reads the graph (every import resolves to a file of src/)', () => {
    assert.ok(graph.size > 50, `only ${graph.size} files`);
    const missing = [...graph].flatMap(([f, deps]) =>
      deps.filter((d) => !graph.has(d)).map((d) => `${f} -> ${d}`),
    );
    assert.deepEqual(missing, []);
  });

  it('have no cycle', () => {
    assert.deepEqual(
      cycles().map((c) => c.join(' -> ')),
      [],
    );
  });

  it("cross folders only through the other folder's index.ts or types.ts", () => {
    const reaching = [...graph].flatMap(([file, deps]) =>
      deps
        .filter((dep) => folderOf(dep) !== folderOf(file) && !isEntry(dep))
        // The module app code gets as 'hotpub' is an entry of the package, like index.ts.
        .filter((dep) => dep !== 'app-api.ts')
        .map((dep) => `${file} -> ${dep}`),
    );
    assert.deepEqual(reaching, []);
  });

  it('src/index.ts only re-exports, and nothing in src/ imports it', () => {
    const text = readFileSync(join(SRC, 'index.ts'), 'utf8');
    const statements = ts.createSourceFile('index.ts', text, ts.ScriptTarget.ES2022).statements;
    assert.ok(statements.length > 0);
    for (const s of statements) assert.ok(ts.isExportDeclaration(s), text.slice(s.pos, s.end));
    const importers = [...graph].filter(([, deps]) => deps.includes('index.ts')).map(([f]) => f);
    assert.deepEqual(importers, []);
  });

  it('import only layers below their own: errors, config, registry, publisher, server, scaffold, cli', () => {
    const upwards = [...graph].flatMap(([file, deps]) =>
      deps
        .filter((dep) => layerOf(dep) !== layerOf(file) && rank(dep) > rank(file))
        .map((dep) => `${file} -> ${dep}`),
    );
    assert.deepEqual(upwards, []);
  });
});
