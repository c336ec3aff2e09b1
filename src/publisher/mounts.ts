/**
 * Mount patterns (path-to-regexp 8) and the table that finds which app a path belongs to.
 * Matching works on the raw, still-encoded segment list, never by slicing strings.
 */
import { match, parse, type Token } from 'path-to-regexp';
import { ErrorCode, HotpubError } from '../errors/index.js';

/** A compiled mount pattern. */
export interface Mount {
  /** The pattern as written, e.g. `/api/:tenant`. */
  readonly pattern: string;
  /** The pattern with parameter names erased: `/api/:a` and `/api/:b` share one key. */
  readonly key: string;
  /** True when the pattern has no parameters or optional groups. */
  readonly literal: boolean;
  /** Most path segments the pattern can span. */
  readonly maxSegments: number;
  /** Names of its parameters. */
  readonly params: readonly string[];
  /** Matches a whole raw prefix (`/api/acme`); params are percent-decoded once. */
  readonly test: (prefix: string) => Record<string, string> | undefined;
}

function erase(tokens: Token[], names: string[]): string {
  let out = '';
  for (const t of tokens) {
    if (t.type === 'text') out += t.value.replace(/[{}()[\]+?!:*\\]/g, '\\$&');
    else if (t.type === 'param') {
      names.push(t.name);
      out += ':';
    } else if (t.type === 'wildcard') {
      names.push(t.name);
      out += '*';
    } else out += '{' + erase(t.tokens, names) + '}';
  }
  return out;
}

function hasWildcard(tokens: Token[]): boolean {
  return tokens.some((t) => t.type === 'wildcard' || (t.type === 'group' && hasWildcard(t.tokens)));
}

function textOf(tokens: Token[]): string {
  return tokens
    .map((t) => (t.type === 'text' ? t.value : t.type === 'group' ? textOf(t.tokens) : 'x'))
    .join('');
}

/**
 * Compiles a mount pattern. `file`/`field` name where it came from for the error message.
 * Mounts are case-sensitive (module names are), must start with `/`, may not use
 * wildcards (the rest of the path belongs to the app) and may not be under `/-/`.
 */
export function compileMount(pattern: string, file: string, field?: string): Mount {
  const fail = (why: string) =>
    new HotpubError(
      ErrorCode.appConfig,
      `${file}: ${field ? `field "${field}" ` : ''}mount "${pattern}" ${why}`,
      { file, field },
    );
  if (!pattern.startsWith('/')) throw fail('must start with "/"');
  let tokens: Token[];
  try {
    tokens = parse(pattern).tokens;
  } catch (err) {
    throw fail(`is not a valid path-to-regexp pattern: ${(err as Error).message}`);
  }
  if (hasWildcard(tokens)) throw fail('may not contain a wildcard (*name)');
  const names: string[] = [];
  let key = erase(tokens, names);
  if (key.length > 1 && key.endsWith('/')) key = key.slice(0, -1);
  if (key === '/-' || key.startsWith('/-/')) throw fail('is reserved for the framework (/-/)');
  if (new Set(names).size !== names.length) throw fail('repeats a parameter name');
  const text = textOf(tokens);
  const maxSegments = text === '/' ? 0 : text.replace(/\/$/, '').split('/').length - 1;
  const fn = match<Record<string, string>>(pattern, {
    end: true,
    trailing: false,
    sensitive: true,
  });
  const test = (prefix: string): Record<string, string> | undefined => {
    let m: ReturnType<typeof fn>;
    try {
      m = fn(prefix);
    } catch {
      return undefined; // malformed percent-encoding in a param
    }
    if (!m) return undefined;
    for (const k in m.params) {
      const v = m.params[k];
      // A param is one segment: no decoded separators, NUL or dot segments sneak in
      // through it (apps use params as path parts: a tenant of '..' is a traversal).
      if (v === undefined || v === '.' || v === '..' || /[/\\\0]/.test(v)) return undefined;
    }
    return m.params;
  };
  return {
    pattern,
    key,
    literal: names.length === 0 && !key.includes('{'),
    maxSegments,
    params: names,
    test,
  };
}

/** The app a path belongs to: `consumed` raw segments were used by the mount. */
export interface MountMatch<T> {
  app: T;
  consumed: number;
  params: Record<string, string>;
}

/**
 * Finds the app for a raw segment list. Literal mounts are tried before patterned ones,
 * longer before shorter, then by name; within one mount the longest matching prefix wins.
 */
export class MountTable<T extends { name: string; mount: Mount }> {
  private readonly ordered: T[];

  constructor(apps: T[]) {
    this.ordered = [...apps].sort(
      (a, b) =>
        Number(b.mount.literal) - Number(a.mount.literal) ||
        b.mount.maxSegments - a.mount.maxSegments ||
        a.name.localeCompare(b.name),
    );
  }

  /** Apps in matching order. */
  get apps(): readonly T[] {
    return this.ordered;
  }

  match(segments: readonly string[]): MountMatch<T> | undefined {
    for (const app of this.ordered) {
      for (let k = Math.min(segments.length, app.mount.maxSegments); k >= 0; k--) {
        const prefix = k === 0 ? '/' : '/' + segments.slice(0, k).join('/');
        const params = app.mount.test(prefix);
        if (params) return { app, consumed: k, params };
      }
    }
    return undefined;
  }
}
