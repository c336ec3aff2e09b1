/**
 * Helpers for registry tests: real temp directories with real files (from the on-disk
 * fixtures of test/fixtures/registry), a started registry on them, and one way to pin.
 * Polling is the shared `waitFor` of test/helpers/wait.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  ModuleRegistry,
  Pin,
  RegistryEvents,
  RegistryOptions,
} from '../../src/registry/index.js';
import { createRegistry } from '../../src/registry/index.js';
import { type Files, writeFiles } from '../helpers/files.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/registry/', import.meta.url));

/** A temp apps root with `files` (paths relative to the root). Remove with `rm`. */
export async function makeRoot(files: Files): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'hotpub-reg-'));
  await writeFiles(root, files);
  return root;
}

export interface Harness {
  root: string;
  registry: ModuleRegistry;
  events: Array<{ type: keyof RegistryEvents; event: unknown }>;
  file(rel: string): string;
  /** {@link withPin} on this registry. */
  withPin<T>(app: string, fn: (pin: Pin) => T | Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A started registry on a fresh temp root. */
export async function harness(
  files: Files,
  options: Partial<RegistryOptions> = {},
): Promise<Harness> {
  const root = await makeRoot(files);
  const events: Harness['events'] = [];
  const registry = createRegistry({ root, ...options });
  for (const type of ['swap', 'error', 'files', 'freeze'] as const) {
    registry.on(type, (event) => events.push({ type, event }));
  }
  await registry.start();
  const real = registry.root;
  return {
    root: real,
    registry,
    events,
    file: (rel) => join(real, rel),
    withPin: (app, fn) => withPin(registry, app, fn),
    async close() {
      await registry.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Pins `app` the way the publisher does (the sync hot path, else queued behind a pending
 * reload), runs `fn` with the pin, and releases it when `fn` has settled.
 */
export async function withPin<T>(
  registry: ModuleRegistry,
  app: string,
  fn: (pin: Pin) => T | Promise<T>,
): Promise<T> {
  const pin = registry.tryAcquire(app) ?? (await registry.acquire(app));
  try {
    return await fn(pin);
  } finally {
    pin.release();
  }
}

/** Calls the exported function `name` of `file` in the pin's generation. */
export function call(pin: Pin, file: string, name: string, ...args: unknown[]): unknown {
  const fn = pin.exportsOf(file)?.[name];
  if (typeof fn !== 'function') throw new Error(`${file}#${name} is not a function`);
  return fn(...args);
}

/** The files of the on-disk fixture `test/fixtures/registry/<name>`, to give `harness`. */
export async function fixture(name: string): Promise<Record<string, string>> {
  const dir = join(FIXTURES, name);
  const files: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const d of await readdir(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) await walk(r);
      else files[r] = await readFile(join(dir, r), 'utf8');
    }
  };
  await walk('');
  return files;
}

/** Rewrites `file` with `from` replaced by `to`: an edit of a fixture, as a user makes it. */
export async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  assert.ok(text.includes(from), `${file} contains ${from}`);
  await writeFile(file, text.replace(from, to));
}
