/** `hotpub new app NAME`: copies `templates/<T>/` into `<apps>/<NAME>`, filling in `__APP__`. */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ErrorCode, HotpubError } from '../errors/index.js';
import { checkSegment, listTemplates, TEMPLATES_DIR } from './names.js';
import { type NewFile, writeNewFiles } from './write-files.js';

/** The placeholder replaced by the app's name in template file names and contents. */
export const APP_PLACEHOLDER = '__APP__';

/** Options of {@link newApp}. */
export interface NewAppOptions {
  /** The apps directory (created if missing); relative paths resolve from `cwd`. */
  apps: string;
  /** The app's directory name: a URL segment. */
  name: string;
  /** Template name under `templatesDir`. Default `basic`. */
  template?: string;
  templatesDir?: string;
  cwd?: string;
}

/**
 * Creates the app. Throws a `HotpubError` for a bad name, an unknown template or a file
 * that already exists (nothing is written then). Returns the app directory and the files written.
 */
export async function newApp(options: NewAppOptions): Promise<{ dir: string; files: string[] }> {
  const cwd = options.cwd ?? process.cwd();
  const template = options.template ?? 'basic';
  const templatesDir = options.templatesDir ?? TEMPLATES_DIR;
  checkSegment(options.name, 'app name');
  const known = listTemplates(templatesDir);
  if (!known.includes(template)) {
    throw new HotpubError(
      ErrorCode.template,
      `unknown template "${template}" (templates: ${known.join(', ') || 'none found'})`,
    );
  }
  const dir = resolve(cwd, options.apps, options.name);
  const files = await templateFiles(join(templatesDir, template), dir, options.name);
  return { dir, files: await writeNewFiles(files, cwd) };
}

/** Every file of a template directory, as it will be written for app `name` under `dest`. */
export async function templateFiles(
  source: string,
  dest: string,
  name: string,
): Promise<NewFile[]> {
  const entries = await readdir(source, { recursive: true, withFileTypes: true });
  const out: NewFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const from = join(entry.parentPath, entry.name);
    const rel = from.slice(source.length + 1).replaceAll(APP_PLACEHOLDER, name);
    const bytes = await readFile(from);
    // Binary files (a NUL byte) are copied as they are.
    const content = bytes.includes(0)
      ? bytes
      : bytes.toString('utf8').replaceAll(APP_PLACEHOLDER, name);
    out.push({ path: join(dest, rel), content });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
