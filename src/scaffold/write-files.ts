/**
 * Writes a set of new files, all or none: every target is checked before the first
 * write, and each write uses the `wx` flag, so an existing file is never overwritten.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { ErrorCode, HotpubError } from '../errors/index.js';

/** One file to create: absolute path and contents. */
export interface NewFile {
  path: string;
  content: string | Uint8Array;
}

/**
 * Creates `files`. Throws the `scaffoldExists` error naming the first file that already
 * exists (relative to `cwd`) before writing anything. Returns the paths written.
 */
export async function writeNewFiles(
  files: NewFile[],
  cwd: string = process.cwd(),
): Promise<string[]> {
  for (const file of files) {
    if (existsSync(file.path)) throw alreadyExists(file.path, cwd);
  }
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    try {
      await writeFile(file.path, file.content, { flag: 'wx' });
    } catch (err) {
      // Created by someone else between the check and the write.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyExists(file.path, cwd);
      throw err;
    }
  }
  return files.map((f) => f.path);
}

/** The `scaffoldExists` error for `path`, shown relative to `cwd`. */
export function alreadyExists(path: string, cwd: string): HotpubError {
  return new HotpubError(
    ErrorCode.scaffoldExists,
    `${display(path, cwd)} already exists; not overwriting it`,
  );
}

/** A path as the user would type it: relative to `cwd` unless that climbs out of it. */
export function display(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}
