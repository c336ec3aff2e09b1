/**
 * A module's export names, read from its source before it is evaluated: a URL must never
 * run the top-level code of a module that does not export the function it names.
 *
 * The names come from the CommonJS code esbuild already made of the module: esbuild ends
 * it with `0 && (module.exports = { a, b, ...require("./x") })` for Node's own export
 * detection, and cjs-module-lexer (the lexer Node uses for exactly that) reads it, and
 * also plain CommonJS (`exports.a = ...`). Names are parsed once per compiled content
 * (one hash); `export * from` an app module adds that module's names, followed with the
 * registry's own resolution. A star from a package adds nothing: a package's functions
 * are never published.
 */
import { initSync, parse } from 'cjs-module-lexer';
import { resolveImport } from './resolve.js';
import type { Compiled } from './transform.js';

/** What a module's own code says it exports. */
interface ParsedNames {
  names: readonly string[];
  /** Specifiers of `export * from '...'`. */
  stars: readonly string[];
}

/** What {@link exportNamesOf} needs of the registry. */
export interface ExportNamesHost {
  readonly root: string;
  /** The code of `file` a load would evaluate now, or undefined if it cannot be read or parsed. */
  codeToLoad(file: string): Promise<Compiled | undefined>;
}

let ready = false;
const parsed = new WeakMap<Compiled, ParsedNames>();

function namesIn(compiled: Compiled): ParsedNames {
  let got = parsed.get(compiled);
  if (got === undefined) {
    if (!ready) {
      initSync();
      ready = true;
    }
    const r = parse(compiled.code);
    got = { names: r.exports.filter((n) => n !== 'default'), stars: r.reexports };
    parsed.set(compiled, got);
  }
  return got;
}

/**
 * The export names of `file` (with those its `export *` re-exports bring), or undefined
 * when its code cannot be read or parsed (loading it then reports the error).
 */
export async function exportNamesOf(
  host: ExportNamesHost,
  file: string,
  seen = new Set<string>(),
): Promise<Set<string> | undefined> {
  seen.add(file);
  const compiled = await host.codeToLoad(file);
  if (compiled === undefined) return undefined;
  const { names, stars } = namesIn(compiled);
  const out = new Set(names);
  for (const spec of stars) {
    let r: ReturnType<typeof resolveImport>;
    try {
      r = resolveImport(host.root, file, spec);
    } catch {
      continue;
    }
    if (r.kind !== 'app' || seen.has(r.file)) continue;
    const more = await exportNamesOf(host, r.file, seen);
    for (const n of more ?? []) if (n !== 'default') out.add(n);
  }
  return out;
}
