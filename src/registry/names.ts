/**
 * The naming rules that decide what can be addressed (SPEC section 2), owned by the
 * registry because its file index applies them; the publisher and `hotpub new` use the
 * same ones.
 */

/** A URL segment, after one round of percent-decoding. */
export const SEGMENT_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** True if `name` can be a path segment of an addressable module: a URL segment, not `node_modules`. */
export function isSegment(name: string): boolean {
  return SEGMENT_RE.test(name) && name !== 'node_modules';
}

/** True for a directory name under the apps root that is an app (no `_x`, `.x`, `node_modules`). */
export function isAppName(name: string): boolean {
  return !name.startsWith('_') && !name.startsWith('.') && name !== 'node_modules';
}
