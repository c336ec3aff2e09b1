/**
 * Turns an error thrown while importing the bundled config (a temp `.mjs` next to it)
 * into one that names the user's file: the temp path is replaced by the config's, and
 * a line:col is added, mapped through the bundle's source map (a throw) or found in the
 * source (a package that cannot be found). For a plain JavaScript config, pass the
 * config itself as `temp` and `''` as `map`.
 */
import { SourceMap } from 'node:module';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A place in a source file; line and column 1-based. */
interface Place {
  file: string;
  line: number;
  column: number;
}

/** What failed to load, and how to tell it: `<name>[:line:col]: failed to load: <message>`. */
export function describeLoadError(
  err: unknown,
  temp: string,
  file: string,
  map: string,
  source: string,
): string {
  const raw = messageOf(err);
  const message = replaceAll(replaceAll(raw, pathToFileURL(temp).href, file), temp, file);
  const place = thrownAt(err, temp, map) ?? importedAt(raw, file, source);
  const where =
    place === undefined
      ? basename(file)
      : `${shown(place.file, file)}:${place.line}:${place.column}`;
  return `${where}: failed to load: ${message}`;
}

/** The config as its base name; a file it imports relative to the config's directory. */
function shown(path: string, file: string): string {
  if (path === file) return basename(file);
  const rel = relative(dirname(file), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function messageOf(err: unknown): string {
  try {
    const m = (err as { message?: unknown } | null)?.message;
    return typeof m === 'string' ? m : String(err);
  } catch {
    return 'unknown error';
  }
}

function replaceAll(text: string, from: string, to: string): string {
  return from === '' ? text : text.split(from).join(to);
}

/** The first stack frame in the temp bundle, mapped back to the original source. */
function thrownAt(err: unknown, temp: string, map: string): Place | undefined {
  const stack = (err as { stack?: unknown } | null)?.stack;
  if (typeof stack !== 'string') return undefined;
  const names = [pathToFileURL(temp).href, temp].map((s) =>
    s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  const frame = new RegExp(`(?:${names.join('|')}):(\\d+):(\\d+)`).exec(stack);
  if (!frame) return undefined;
  // No bundle: a plain JavaScript config ran as is, its frames are already right.
  if (map === '') return { file: temp, line: Number(frame[1]), column: Number(frame[2]) };
  const sourceMap = parseMap(map);
  if (!sourceMap) return undefined;
  const entry = sourceMap.findEntry(Number(frame[1]) - 1, Number(frame[2]) - 1) as {
    originalSource?: string;
    originalLine?: number;
    originalColumn?: number;
  };
  if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
  const src = entry.originalSource.startsWith('file:')
    ? fileURLToPath(entry.originalSource)
    : resolve(dirname(temp), entry.originalSource);
  return { file: src, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
}

function parseMap(map: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(map));
  } catch {
    return undefined;
  }
}

/** Where the config imports a package Node could not find (`Cannot find package 'x'`). */
function importedAt(message: string, file: string, source: string): Place | undefined {
  const m = /Cannot find (?:package|module) '([^']+)'/.exec(message);
  if (!m) return undefined;
  const name = m[1] as string;
  for (const quoted of [`'${name}'`, `"${name}"`, `'${name}/`, `"${name}/`]) {
    const at = source.indexOf(quoted);
    if (at === -1) continue;
    const before = source.slice(0, at).split('\n');
    return { file, line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
  }
  return undefined;
}
