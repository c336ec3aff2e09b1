/**
 * `routes()`: every URL -> file#function of every app, for `hotpub routes`. Loads the
 * modules that are not loaded yet, unless their export names (read from the source)
 * could publish nothing; a module that fails to load is listed with its error.
 */
import { basename, extname, relative } from 'node:path';
import { isSegment } from '../registry/index.js';
import type { ModuleRegistry } from '../registry/types.js';
import { isPublishableName, publishedFunctions } from './export-rules.js';
import { type Handler, readMeta } from './function-meta.js';
import type { ServedApp } from './route.js';
import { schemaProblem } from './schema.js';
import { candidates } from './segments.js';

/** One line of `hotpub routes`. */
export interface RouteListing {
  app: string;
  /** URL pattern: the mount (with its params) plus the function's segments. */
  url: string;
  /** Real path of the module. */
  file: string;
  /** Export name, or undefined when the module failed to load. */
  name: string | undefined;
  /** Methods the function accepts. */
  methods: string[];
  /** True when an earlier candidate answers the same URL (this one is unreachable). */
  shadowed: boolean;
  /** The load error of the module, if it failed. */
  error?: string;
  /** What is wrong with the function's `fn.methods`, guards or `fn.schema`, if anything. */
  problem?: string;
  /** The function's `fn.schema` as declared (in the generation listed), if any. */
  schema?: unknown;
  /** Names of the mount's parameters (path parameters of the URL). */
  params: string[];
  /** True when access guards (`_auth`, `_access`, `fn.auth`, `fn.access`) apply. */
  guarded: boolean;
  /** The app generation the function was read from. */
  generation: number;
}

function urlSegments(rel: string, name: string): string[] {
  const parts = rel.split('/');
  if (parts[parts.length - 1] === 'index') parts.pop();
  if (name !== 'index') parts.push(name);
  return parts;
}

function join(mount: string, segments: string[]): string {
  const base = mount === '/' ? '' : mount.replace(/\/$/, '');
  return segments.length === 0 ? base || '/' : `${base}/${segments.join('/')}`;
}

/** Lists the routes of `apps`, sorted by URL. */
export async function listRoutes(
  registry: ModuleRegistry,
  apps: readonly ServedApp[],
): Promise<RouteListing[]> {
  const out: Array<RouteListing & { rank: number }> = [];
  for (const app of apps) {
    for (const file of registry.listFiles(app.name)) {
      const rel = relative(app.def.dir, file).split('\\').join('/').slice(0, -extname(file).length);
      if (!rel.split('/').every(isSegment) || basename(rel).includes('.')) continue;
      // A module whose names could publish nothing is not run just to list nothing.
      const names = await registry.exportNames(file);
      if (names !== undefined && ![...names].some(isPublishableName)) continue;
      try {
        await registry.ensureModule(file);
      } catch (err) {
        out.push({
          app: app.name,
          url: join(app.def.mount.pattern, urlSegments(rel, 'index')),
          file,
          name: undefined,
          methods: [],
          shadowed: false,
          error: (err as Error).message,
          params: [...app.def.mount.params],
          guarded: false,
          generation: 0,
          rank: 0,
        });
        continue;
      }
      const pin = await registry.acquire(app.name);
      try {
        for (const [name, fn] of publishedFunctions(pin, file)) {
          const segs = urlSegments(rel, name);
          const rank = candidates(segs).findIndex((c) => c.rel === rel && c.name === name);
          if (rank < 0) continue; // not reachable by any URL
          const meta = readMeta(pin, file, fn as Handler);
          const problem =
            meta.invalid?.message ??
            (meta.schema === undefined ? undefined : schemaProblem(meta.schema));
          out.push({
            app: app.name,
            url: join(app.def.mount.pattern, segs),
            file,
            name,
            methods: [...meta.methods],
            shadowed: false,
            ...(problem === undefined ? {} : { problem }),
            ...(meta.schema === undefined ? {} : { schema: meta.schema }),
            params: [...app.def.mount.params],
            guarded: meta.guards !== undefined,
            generation: pin.generation,
            rank,
          });
        }
      } finally {
        pin.release();
      }
    }
  }
  out.sort((a, b) => a.url.localeCompare(b.url) || a.rank - b.rank);
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1];
    const cur = out[i];
    if (prev && cur && prev.url === cur.url && cur.name !== undefined) cur.shadowed = true;
  }
  return out.map(({ rank: _rank, ...r }) => r);
}
