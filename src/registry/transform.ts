/**
 * TypeScript/JavaScript -> CommonJS with esbuild, so app-to-app imports become synchronous
 * `require` calls the registry answers, and `import.meta.*` becomes per-module parameters.
 *
 * esbuild is imported at the first transform, not with the registry: a process pays
 * for it only once it loads a module. Transforms are async first (a load or reload reads
 * and transforms before it evaluates anything), so by the time an evaluation asks for
 * the sync variant esbuild is in memory.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import type * as Esbuild from 'esbuild';
import { errorInfo, RegistryErrorCode } from './errors.js';
import type { ModuleErrorInfo } from './types.js';

type EsbuildModule = typeof Esbuild;

let esbuild: EsbuildModule | undefined;
let loading: Promise<EsbuildModule> | undefined;

/** esbuild, imported once on first use. */
function loadEsbuild(): Promise<EsbuildModule> {
  loading ??= import('esbuild').then((m) => {
    esbuild = m;
    return m;
  });
  return loading;
}

/**
 * Starts loading esbuild and its service in the background, so the first request's
 * transform does not pay for them: called once the registry knows it has modules.
 * Nothing waits for it; a failure here surfaces at the first real transform.
 */
export function warmTransformer(): void {
  loadEsbuild()
    .then((esb) => esb.transform('', { loader: 'ts' }))
    .catch(() => {});
}

/** esbuild now: loaded by an earlier async transform, or (never first, in the registry) required. */
function esbuildSync(): EsbuildModule {
  esbuild ??= createRequire(import.meta.url)('esbuild') as EsbuildModule;
  return esbuild;
}

/** Names of the parameters every compiled module body receives, in order. */
export const MODULE_PARAMS = [
  'exports',
  'require',
  'module',
  '__filename',
  '__dirname',
  '__hotpub_hot',
  '__hotpub_url',
] as const;

/** One file's transformed code, keyed by the hash of its source. */
export interface Compiled {
  file: string;
  hash: string;
  source: string;
  code: string;
  /** JSON source map of `code`. */
  map: string;
  /** Specifiers the code `require`s (static and dynamic imports), for prefetching. */
  requires: string[];
}

/** The outcome of a transform: compiled code or the error it raised. */
export type TransformResult =
  | { ok: true; compiled: Compiled }
  | { ok: false; error: ModuleErrorInfo };

/** Hash of a file's content: equal hashes mean one save, not two. */
export function contentHash(source: string): string {
  return createHash('sha1').update(source).digest('base64url');
}

function loaderFor(file: string): Esbuild.Loader {
  const ext = extname(file);
  if (ext === '.tsx') return 'tsx';
  if (ext === '.jsx') return 'jsx';
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') return 'ts';
  return 'js';
}

function optionsFor(file: string): Esbuild.TransformOptions {
  return {
    loader: loaderFor(file),
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'external',
    sourcefile: file,
    // `import()` must become a `require` the registry answers, not Node's ESM loader.
    supported: { 'dynamic-import': false },
    define: {
      'import.meta.hot': '__hotpub_hot',
      'import.meta.url': '__hotpub_url',
      'import.meta.filename': '__filename',
      'import.meta.dirname': '__dirname',
    },
    logLevel: 'silent',
  };
}

const REQUIRE_CALL = /\brequire\("((?:[^"\\]|\\.)*)"\)/g;

function finish(file: string, source: string, hash: string, r: Esbuild.TransformResult): Compiled {
  const requires: string[] = [];
  for (const m of r.code.matchAll(REQUIRE_CALL)) requires.push(JSON.parse(`"${m[1]}"`));
  // Inline map too, so debuggers attached with --inspect show the .ts source.
  const inline = `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(r.map).toString('base64')}`;
  return { file, hash, source, code: r.code + inline, map: r.map, requires };
}

function failure(file: string, source: string, err: unknown, dev: boolean): ModuleErrorInfo {
  const first = (err as { errors?: Esbuild.Message[] }).errors?.[0];
  if (first) {
    const loc = first.location
      ? { file, line: first.location.line, column: first.location.column + 1 }
      : undefined;
    return errorInfo(RegistryErrorCode.syntax, first.text, err, loc, source, dev);
  }
  const msg = err instanceof Error ? err.message : String(err);
  return errorInfo(RegistryErrorCode.syntax, msg, err, undefined, source, dev);
}

/** Transforms `source` of `file` asynchronously (off the event loop, in esbuild's service). */
export async function transformModule(
  file: string,
  source: string,
  dev: boolean,
  hash = contentHash(source),
): Promise<TransformResult> {
  // Outside the try: esbuild failing to load is not the module's syntax error.
  const esb = await loadEsbuild();
  try {
    const r = await esb.transform(source, optionsFor(file));
    return { ok: true, compiled: finish(file, source, hash, r) };
  } catch (err) {
    return { ok: false, error: failure(file, source, err, dev) };
  }
}

/** Synchronous variant, for a `require` of an app module nobody prefetched. */
export function transformModuleSync(
  file: string,
  source: string,
  dev: boolean,
  hash = contentHash(source),
): TransformResult {
  const esb = esbuildSync();
  try {
    const r = esb.transformSync(source, optionsFor(file));
    return { ok: true, compiled: finish(file, source, hash, r) };
  } catch (err) {
    return { ok: false, error: failure(file, source, err, dev) };
  }
}
