import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HotpubError } from '../../src/errors/index.js';
import { initProject } from '../../src/scaffold/init-project.js';
import { newApp } from '../../src/scaffold/new-app.js';
import { newModule } from '../../src/scaffold/new-module.js';

let base: string;
before(async () => {
  base = await mkdtemp(join(tmpdir(), 'hotpub-scaffold-'));
});
after(async () => {
  await rm(base, { recursive: true, force: true });
});

const fresh = () => mkdtemp(join(base, 'p-'));

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

function scaffoldError(code: string, message: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof HotpubError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  };
}

const BAD_NAMES = [
  '_private',
  '-dash',
  '.hidden',
  'a.b',
  'a b',
  'a/b',
  '..',
  '',
  'é',
  'node_modules',
  'public',
];

describe('new app', () => {
  it('copies the basic template, filling in the app name', async () => {
    const cwd = await fresh();
    const { dir, files } = await newApp({ apps: 'apps', name: 'blog', cwd });
    assert.equal(dir, join(cwd, 'apps', 'blog'));
    assert.deepEqual(await listTree(dir), ['_lib/html.ts', 'index.ts', 'public/style.css']);
    assert.equal(files.length, 3);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      assert.doesNotMatch(text, /__APP__/, file);
    }
    assert.match(await readFile(join(dir, 'index.ts'), 'utf8'), /action="\/blog\/greet"/);
  });

  it('copies the api template', async () => {
    const cwd = await fresh();
    const { dir } = await newApp({ apps: 'apps', name: 'shop', template: 'api', cwd });
    assert.deepEqual(await listTree(dir), ['index.ts', 'items.ts']);
    assert.match(await readFile(join(dir, 'index.ts'), 'utf8'), /app: 'shop'/);
  });

  it('never overwrites a file: fails naming it and writes nothing', async () => {
    const cwd = await fresh();
    await mkdir(join(cwd, 'apps', 'blog'), { recursive: true });
    await writeFile(join(cwd, 'apps', 'blog', 'index.ts'), 'mine');
    await assert.rejects(
      newApp({ apps: 'apps', name: 'blog', cwd }),
      scaffoldError('HOTPUB_E_SCAFFOLD_EXISTS', /^apps\/blog\/index\.ts already exists/),
    );
    assert.equal(await readFile(join(cwd, 'apps', 'blog', 'index.ts'), 'utf8'), 'mine');
    assert.deepEqual(await listTree(join(cwd, 'apps')), ['blog/index.ts']);
  });

  for (const name of BAD_NAMES) {
    it(`rejects the name ${JSON.stringify(name)}`, async () => {
      const cwd = await fresh();
      await assert.rejects(
        newApp({ apps: 'apps', name, cwd }),
        scaffoldError('HOTPUB_E_SCAFFOLD_NAME', /app name/),
      );
      assert.equal(existsSync(join(cwd, 'apps')), false);
    });
  }

  it('rejects an unknown template, listing the known ones', async () => {
    const cwd = await fresh();
    await assert.rejects(
      newApp({ apps: 'apps', name: 'x', template: 'nope', cwd }),
      scaffoldError('HOTPUB_E_TEMPLATE', /unknown template "nope" \(templates: api, basic\)/),
    );
    await assert.rejects(
      newApp({ apps: 'apps', name: 'x', template: '../apps', cwd }),
      scaffoldError('HOTPUB_E_TEMPLATE', /unknown template/),
    );
  });
});

describe('new module', () => {
  it('writes one module with an index function and reports its URL', async () => {
    const cwd = await fresh();
    await mkdir(join(cwd, 'apps', 'blog'), { recursive: true });
    const { file, url } = await newModule({ apps: 'apps', target: 'blog/admin/users', cwd });
    assert.equal(file, join(cwd, 'apps', 'blog', 'admin', 'users.ts'));
    assert.equal(url, '/blog/admin/users');
    assert.match(await readFile(file, 'utf8'), /export function index\(/);
    assert.equal((await newModule({ apps: 'apps', target: 'blog/index', cwd })).url, '/blog');
    assert.equal(
      (await newModule({ apps: 'apps', target: 'blog/posts.ts', cwd })).url,
      '/blog/posts',
    );
  });

  it("uses the app's mount from app.json", async () => {
    const cwd = await fresh();
    await mkdir(join(cwd, 'apps', 'api'), { recursive: true });
    await writeFile(join(cwd, 'apps', 'api', 'app.json'), '{ "mount": "/v1/:tenant" }');
    assert.equal(
      (await newModule({ apps: 'apps', target: 'api/users', cwd })).url,
      '/v1/:tenant/users',
    );
  });

  it('never overwrites PATH.ts, nor shadows PATH.js', async () => {
    const cwd = await fresh();
    await mkdir(join(cwd, 'apps', 'blog'), { recursive: true });
    await writeFile(join(cwd, 'apps', 'blog', 'posts.ts'), 'mine');
    await writeFile(join(cwd, 'apps', 'blog', 'feed.js'), 'mine');
    await assert.rejects(
      newModule({ apps: 'apps', target: 'blog/posts', cwd }),
      scaffoldError('HOTPUB_E_SCAFFOLD_EXISTS', /apps\/blog\/posts\.ts already exists/),
    );
    await assert.rejects(
      newModule({ apps: 'apps', target: 'blog/feed', cwd }),
      scaffoldError('HOTPUB_E_SCAFFOLD_EXISTS', /apps\/blog\/feed\.js already exists/),
    );
    assert.equal(await readFile(join(cwd, 'apps', 'blog', 'posts.ts'), 'utf8'), 'mine');
    assert.equal(existsSync(join(cwd, 'apps', 'blog', 'feed.ts')), false);
  });

  it('needs an existing app and APP/PATH made of URL segments', async () => {
    const cwd = await fresh();
    await mkdir(join(cwd, 'apps', 'blog'), { recursive: true });
    await assert.rejects(
      newModule({ apps: 'apps', target: 'shop/items', cwd }),
      scaffoldError('HOTPUB_E_SCAFFOLD_NO_APP', /app "shop" does not exist/),
    );
    await assert.rejects(
      newModule({ apps: 'apps', target: 'blog', cwd }),
      scaffoldError('HOTPUB_E_SCAFFOLD_NAME', /APP\/PATH/),
    );
    for (const target of [
      'blog/_db',
      'blog/../x',
      'blog/a.b',
      'blog//x',
      'blog/x/',
      'blog/public/x',
      '_x/y',
    ]) {
      await assert.rejects(
        newModule({ apps: 'apps', target, cwd }),
        scaffoldError('HOTPUB_E_SCAFFOLD_NAME', /./),
        target,
      );
    }
    assert.deepEqual(await listTree(join(cwd, 'apps')), []);
  });
});

describe('init', () => {
  it('makes a project that depends on hotpub, with an app from the basic template', async () => {
    const cwd = await fresh();
    const { dir } = await initProject({ dir: 'My Project', cwd, hotpubVersion: '^9.9.9' });
    assert.deepEqual(await listTree(dir), [
      '.gitignore',
      'README.md',
      'apps/site/_lib/html.ts',
      'apps/site/index.ts',
      'apps/site/public/style.css',
      'package.json',
      'tsconfig.json',
    ]);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'my-project');
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.dependencies.hotpub, '^9.9.9');
    assert.equal(pkg.scripts.dev, 'hotpub dev');
    const tsconfig = JSON.parse(await readFile(join(dir, 'tsconfig.json'), 'utf8'));
    assert.ok(tsconfig.compilerOptions.types.includes('hotpub'));
    assert.match(await readFile(join(dir, '.gitignore'), 'utf8'), /node_modules/);
    assert.match(await readFile(join(dir, 'apps', 'site', 'index.ts'), 'utf8'), /\/site\/greet/);
  });

  it('defaults the hotpub dependency to the running hotpub directory (not on npm)', async () => {
    const cwd = await fresh();
    const { dir } = await initProject({ dir: 'p', cwd });
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    const spec: string = pkg.dependencies.hotpub;
    assert.match(spec, /^file:/);
    const target = spec.slice('file:'.length);
    assert.ok(isAbsolute(target), spec);
    assert.equal(await realpath(target), await realpath(join(import.meta.dirname, '..', '..')));
    const theirs = JSON.parse(await readFile(join(target, 'package.json'), 'utf8'));
    assert.equal(theirs.name, 'hotpub');
    assert.ok(existsSync(join(target, 'bin', 'hotpub')));
  });

  it('never overwrites a file of an existing project', async () => {
    const cwd = await fresh();
    await mkdir(join(cwd, 'p'));
    await writeFile(join(cwd, 'p', 'package.json'), '{"name":"mine"}');
    await assert.rejects(
      initProject({ dir: 'p', cwd }),
      scaffoldError('HOTPUB_E_SCAFFOLD_EXISTS', /^p\/package\.json already exists/),
    );
    assert.deepEqual(await listTree(join(cwd, 'p')), ['package.json']);
  });
});
