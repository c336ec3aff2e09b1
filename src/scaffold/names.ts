/**
 * What `new` accepts as names (each must be usable as a URL segment), the scaffold error,
 * and where the package's templates live.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, HotpubError } from '../errors/index.js';
import { SEGMENT_RE } from '../registry/index.js';

/** Names that are URL segments but still can never be a module's (`public/` is static files). */
const RESERVED = new Set(['node_modules', 'public']);

/** Throws the `scaffoldName` error unless `name` can be a URL segment. */
export function checkSegment(name: string, what: string): void {
  if (!SEGMENT_RE.test(name)) {
    throw new HotpubError(
      ErrorCode.scaffoldName,
      `${what} "${name}" cannot be a URL segment: use letters, digits, - and _, starting with a letter or digit`,
    );
  }
  if (RESERVED.has(name)) {
    throw new HotpubError(
      ErrorCode.scaffoldName,
      `${what} "${name}" is reserved (it is never addressable)`,
    );
  }
}

/** The hotpub package root (holds `package.json` and `templates/`), from src/ or dist/. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Directory of the app templates shipped with the package. */
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');

/** The templates `new app --template` accepts. */
export function listTemplates(dir: string = TEMPLATES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && SEGMENT_RE.test(d.name))
    .map((d) => d.name)
    .sort();
}

/** The version of the running hotpub package. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
