/**
 * Splitting a request path into segments and validating the segments a module name is
 * made of (the registry's segment rule). Everything is resolved from the segment list,
 * never by slicing the URL.
 */
import { isSegment } from '../registry/index.js';

/** Longest path the publisher will try to resolve (longer is a 404). */
const MAX_PATH_LENGTH = 2048;

/**
 * Splits a raw pathname (`/blog/posts/`) into raw segments (`['blog', 'posts']`).
 * One trailing slash is ignored; an empty segment anywhere else (`//`, `/a//b`) makes
 * the path unresolvable: returns undefined.
 */
export function splitPath(pathname: string): string[] | undefined {
  if (pathname.charCodeAt(0) !== 47 || pathname.length > MAX_PATH_LENGTH) return undefined;
  if (pathname.length === 1) return [];
  const end =
    pathname.charCodeAt(pathname.length - 1) === 47 ? pathname.length - 1 : pathname.length;
  const segments = pathname.slice(1, end).split('/');
  for (const s of segments) if (s === '') return undefined;
  return segments;
}

/**
 * Decodes each raw segment once and checks it with the registry's `isSegment`. Returns the
 * decoded names, or undefined if any segment is malformed (bad or overlong UTF-8,
 * `%2f`, `\`, NUL, dots, a leading `_`, ...) or reserved (`node_modules`).
 */
export function nameSegments(raw: readonly string[]): string[] | undefined {
  const out: string[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    let s = raw[i] as string;
    if (s.includes('%')) {
      try {
        s = decodeURIComponent(s);
      } catch {
        return undefined;
      }
    }
    if (!isSegment(s)) return undefined;
    out[i] = s;
  }
  return out;
}

/** One place a function may live: module `rel` (no extension) and export `name`. */
export interface Candidate {
  rel: string;
  name: string;
}

/**
 * The SPEC's candidate table for the decoded segments after the mount:
 * `[]` -> `index#index`; `[a]` -> `a#index`, `a/index#index`, `index#a`;
 * `[..p, a]` -> `p/a#index`, `p/a/index#index`, `p#a`, `p/index#a`.
 */
export function candidates(names: readonly string[]): Candidate[] {
  if (names.length === 0) return [{ rel: 'index', name: 'index' }];
  const whole = names.join('/');
  const last = names[names.length - 1] as string;
  const out: Candidate[] = [
    { rel: whole, name: 'index' },
    { rel: `${whole}/index`, name: 'index' },
  ];
  if (names.length === 1) {
    out.push({ rel: 'index', name: last });
  } else {
    const parent = names.slice(0, -1).join('/');
    out.push({ rel: parent, name: last }, { rel: `${parent}/index`, name: last });
  }
  return out;
}
