/**
 * Helpers for registry tests: real temp directories with real files, a registry on them,
 * and bounded polling (never a fixed sleep that assumes speed).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
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
import { writeFiles } from '../helpers/files.js';

export { atomicWrite, writeFiles } from '../helpers/files.js';

export type Files = Record<string, string>;

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
  /** Acquires, runs `fn` with the pin, releases. */
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
  for (const type of ['swap', 'error', 'files'] as const) {
    registry.on(type, (event) => events.push({ type, event }));
  }
  await registry.start();
  const real = registry.root;
  return {
    root: real,
    registry,
    events,
    file: (rel) => join(real, rel),
    async withPin(app, fn) {
      const pin = registry.tryAcquire(app) ?? (await registry.acquire(app));
      try {
        return await fn(pin);
      } finally {
        pin.release();
      }
    },
    async close() {
      await registry.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Polls `cond` until true, at most `timeoutMs`; throws with `what` if it never holds. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  let delay = 5;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
}

/** Calls the exported function `name` of `file` in the pin's generation. */
export function call(pin: Pin, file: string, name: string, ...args: unknown[]): unknown {
  const fn = pin.exportsOf(file)?.[name];
  if (typeof fn !== 'function') throw new Error(`${file}#${name} is not a function`);
  return fn(...args);
}

/** The on-disk fixture `test/fixtures/registry/<name>` copied to a fresh temp root. */
export async function fixture(name: string): Promise<Files> {
  const dir = join(FIXTURES, name);
  const files: Files = {};
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
