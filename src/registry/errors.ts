/**
 * Registry errors: its codes, {@link ModuleLoadError}, and mapping of runtime
 * positions in generated code back to the `.ts` source through its source map.
 */
import { SourceMap } from 'node:module';
import { ErrorCode, type HotpubCode, HotpubError } from '../errors/index.js';
import type { ModuleErrorInfo, SourceLocation } from './types.js';

/**
 * The registry's names for its codes in the central table (src/errors/codes.ts says what
 * each means).
 */
export const RegistryErrorCode = {
  read: ErrorCode.moduleRead,
  syntax: ErrorCode.moduleSyntax,
  resolve: ErrorCode.moduleResolve,
  evaluate: ErrorCode.moduleEval,
  outsideRoot: ErrorCode.moduleOutsideRoot,
  keepOutside: ErrorCode.keepOutsideModule,
  dispose: ErrorCode.dispose,
  watch: ErrorCode.watch,
  closed: ErrorCode.registryClosed,
} as const;

/** Thrown (or rejected) when a module cannot be loaded; carries the registry's error info. */
export class ModuleLoadError extends HotpubError {
  declare readonly file: string;
  readonly location?: SourceLocation;
  readonly frame?: string;

  constructor(file: string, info: ModuleErrorInfo) {
    super(info.code as HotpubCode, info.message, { cause: info.cause, file });
    this.name = 'ModuleLoadError';
    if (info.location) this.location = info.location;
    if (info.frame) this.frame = info.frame;
  }

  /** The plain info (without `cause`) as recorded on the module. */
  toInfo(): ModuleErrorInfo {
    const info: ModuleErrorInfo = { code: this.code, message: this.message };
    if (this.location) info.location = this.location;
    if (this.frame) info.frame = this.frame;
    if (this.cause !== undefined) info.cause = this.cause;
    return info;
  }
}

/** A few lines of `source` around a 1-based line/column, with a caret under the column. */
export function codeFrame(source: string, line: number, column: number, context = 2): string {
  const lines = source.split(/\r?\n/);
  const from = Math.max(1, line - context);
  const to = Math.min(lines.length, line + context);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const mark = n === line ? '>' : ' ';
    out.push(`${mark} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`);
  }
  return out.join('\n');
}

/** What the registry knows of a compiled module, to map generated positions. */
export interface MappableModule {
  file: string;
  source: string;
  /** esbuild's JSON source map of the generated code. */
  map: string;
}

const sourceMaps = new WeakMap<MappableModule, SourceMap>();

/** Maps a 1-based generated line/column of `mod` to its 1-based source location. */
export function mapPosition(
  mod: MappableModule,
  line: number,
  column: number,
): SourceLocation | undefined {
  let sm = sourceMaps.get(mod);
  if (!sm) {
    sm = new SourceMap(JSON.parse(mod.map));
    sourceMaps.set(mod, sm);
  }
  const entry = sm.findEntry(line - 1, column - 1) as {
    originalLine?: number;
    originalColumn?: number;
  };
  if (entry.originalLine === undefined || entry.originalColumn === undefined) return undefined;
  return { file: mod.file, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
}

const FRAME = /\(?((?:\/|[A-Za-z]:\\)[^():]*?):(\d+):(\d+)\)?$/;

/**
 * The first stack frame of `err` that lies in one of the registry's modules, mapped to
 * its source. `lookup` returns the compiled module a path refers to.
 */
export function locateError(
  err: unknown,
  lookup: (file: string) => MappableModule | undefined,
): SourceLocation | undefined {
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  for (const raw of stack.split('\n')) {
    const m = FRAME.exec(raw.trim());
    if (!m) continue;
    const mod = lookup(m[1]!);
    if (!mod) continue;
    const loc = mapPosition(mod, Number(m[2]), Number(m[3]));
    if (loc) return loc;
  }
  return undefined;
}

/** Builds the error info of a failure, with location and (when `dev`) a code frame. */
export function errorInfo(
  code: string,
  message: string,
  cause: unknown,
  location?: SourceLocation,
  source?: string,
  dev = false,
): ModuleErrorInfo {
  const where = location ? `${location.file}:${location.line}:${location.column}: ` : '';
  const info: ModuleErrorInfo = { code, message: `${where}${message}` };
  if (location) info.location = location;
  if (location && source !== undefined && dev) {
    info.frame = codeFrame(source, location.line, location.column);
  }
  if (cause !== undefined) info.cause = cause;
  return info;
}

/** A registry failure that is not a module load: a {@link HotpubError} with a registry code. */
export { HotpubError as RegistryError };
