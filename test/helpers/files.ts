/** Real files for tests: write a tree, or save like an editor does. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** File contents by path relative to a directory. */
export type Files = Record<string, string | Uint8Array>;

/** Writes `files` under `dir`, creating directories. */
export async function writeFiles(dir: string, files: Files): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = join(dir, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** Writes like an editor's atomic save: a temp file renamed over the target. */
export async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`);
  await writeFile(tmp, text);
  await rename(tmp, path);
}
