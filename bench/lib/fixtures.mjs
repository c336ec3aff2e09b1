// Generates the apps directories and peer projects the bench runs against, in temp dirs.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/../..). */
export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

const made = [];

/**
 * A new temp dir with `node_modules` linked to the repository's, so peers' scripts
 * resolve express, fastify, hot-hook as an installed project would.
 */
export async function makeTempDir(prefix) {
  const dir = await fs.realpath(
    await fs.mkdtemp(path.join(os.tmpdir(), `hotpub-bench-${prefix}-`)),
  );
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  await fs.writeFile(path.join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  made.push(dir);
  return dir;
}

/** Removes every temp dir made by this process. */
export async function cleanupTempDirs() {
  await Promise.all(made.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
}

/** Writes `files` (relative path -> content) under `dir`. */
export async function writeFiles(dir, files) {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

/** Apps dir with one app `bench` whose index.ts publishes `index` (URL /bench). */
export async function hotpubOneFunction(dir) {
  const apps = path.join(dir, 'apps');
  await writeFiles(apps, {
    'bench/index.ts': "export function index(): string {\n  return 'Hello World!';\n}\n",
  });
  return { apps, path: '/bench' };
}

/**
 * Apps dir with `modules` modules of `perModule` published functions each
 * (10,000 = 100 x 100); the returned path names the last function of the last module.
 */
export async function hotpubManyFunctions(dir, modules = 100, perModule = 100) {
  const apps = path.join(dir, 'apps');
  const files = {};
  for (let m = 0; m < modules; m++) {
    let src = '';
    for (let f = 0; f < perModule; f++) {
      src += `export function f${f}(): string {\n  return 'Hello World!';\n}\n`;
    }
    files[`bench/m${m}.ts`] = src;
  }
  await writeFiles(apps, files);
  return { apps, path: `/bench/m${modules - 1}/f${perModule - 1}` };
}

/** Apps dir with `modules` one-function modules (cold start); the path names the last. */
export async function hotpubModules(dir, modules) {
  const apps = path.join(dir, 'apps');
  const files = {};
  for (let m = 0; m < modules; m++) {
    files[`bench/m${m}.ts`] = `export function index(): string {\n  return 'module ${m}';\n}\n`;
  }
  await writeFiles(apps, files);
  return { apps, path: `/bench/m${modules - 1}` };
}
