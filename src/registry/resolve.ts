/**
 * Import resolution for app modules: relative and absolute specifiers name app files
 * (with TypeScript's `.ts`/`.js`/`index` rules); `hotpub` is the running framework;
 * everything else (packages, Node built-ins) is Node's, via `module.createRequire`.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';

/** Extensions the registry loads itself, in the order tried. */
export const MODULE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

const JS_TO_TS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

/** Where an import specifier leads. */
export type Resolution =
  | { kind: 'app'; file: string }
  | { kind: 'hotpub' }
  | { kind: 'node'; id: string }
  | { kind: 'missing' };

/** True for `./x`, `../x`, `/abs/x`, `.` and `..`: imports of files, not packages. */
function isFileSpecifier(spec: string): boolean {
  return (
    spec === '.' ||
    spec === '..' ||
    spec.startsWith('./') ||
    spec.startsWith('../') ||
    isAbsolute(spec)
  );
}

function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

function hasModuleExt(path: string): string | undefined {
  return MODULE_EXTENSIONS.find((e) => path.endsWith(e));
}

/** The file a file specifier names, before realpath, or undefined. */
function findModuleFile(base: string): string | undefined {
  const ext = hasModuleExt(base);
  if (ext && isFile(base)) return base;
  if (ext && JS_TO_TS[ext]) {
    const stem = base.slice(0, -ext.length);
    for (const alt of JS_TO_TS[ext]) if (isFile(stem + alt)) return stem + alt;
  }
  if (base.endsWith('.json') && isFile(base)) return base;
  for (const e of MODULE_EXTENSIONS) if (isFile(base + e)) return base + e;
  for (const e of MODULE_EXTENSIONS) {
    const index = `${base}${sep}index${e}`;
    if (isFile(index)) return index;
  }
  return undefined;
}

/** True when `file` (a real path) lies inside `root` (a real path). */
export function isInside(root: string, file: string): boolean {
  return file.startsWith(root + sep);
}

/**
 * The real path of module file `path` when it lies inside `root` (a real path); undefined
 * when it leads out of the apps directory (a symlink to elsewhere). A missing file is
 * judged on its own path (reading it fails later, with its own error). The one check of
 * the start-up scan, the watcher's reloads and cold loads: a module whose real path is
 * outside the apps directory is never loaded.
 */
export function realModulePath(root: string, path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    real = path;
  }
  return isInside(root, real) ? real : undefined;
}

/**
 * Resolves `spec` imported by `fromFile`. App files are returned by real path when they
 * are inside `root` and are JavaScript/TypeScript; JSON and files outside the root are
 * left to Node (they are never reloaded).
 */
export function resolveImport(root: string, fromFile: string, spec: string): Resolution {
  if (spec === 'hotpub') return { kind: 'hotpub' };
  if (!isFileSpecifier(spec)) return { kind: 'node', id: spec };
  const found = findModuleFile(resolve(dirname(fromFile), spec));
  if (!found) return { kind: 'missing' };
  const real = realpathSync(found);
  if (!hasModuleExt(real) || !isInside(root, real)) return { kind: 'node', id: real };
  return { kind: 'app', file: real };
}
