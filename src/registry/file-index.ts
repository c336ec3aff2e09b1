/**
 * The index of addressable module files: `<root>/<app>/<rel>.ts|.js` where every segment is
 * a URL segment, nothing private (`_x`, `.x`), no `node_modules`, not under the app's
 * `public/`, no `*.d.ts` / `*.test.ts`. Answers `findFile` without touching the disk.
 * It also knows the `_hooks.ts|.js` modules of an app's folders (private, never
 * addressable, but looked up for every function below them).
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isAppName, isSegment } from './names.js';
import { realModulePath } from './resolve.js';

const ADDRESSABLE_EXT = ['.ts', '.js'] as const;

/** Where an addressable file sits: its app and extension-less `/`-joined path. */
export interface Addressable {
  app: string;
  rel: string;
  ext: '.ts' | '.js';
}

/** Classifies a path under `root` (not necessarily existing) as addressable or not. */
function classify(root: string, path: string): Addressable | undefined {
  const parts = relative(root, path).split(sep);
  if (parts.length < 2) return undefined;
  const app = parts[0]!;
  if (!isAppName(app)) return undefined;
  const base = parts[parts.length - 1]!;
  const ext = ADDRESSABLE_EXT.find((e) => base.endsWith(e));
  if (!ext) return undefined;
  const segs = [...parts.slice(1, -1), base.slice(0, -ext.length)];
  if (parts.length > 2 && parts[1] === 'public') return undefined;
  for (const s of segs) if (!isSegment(s)) return undefined;
  return { app, rel: segs.join('/'), ext };
}

/** The one private module name the index keeps: a folder's hooks. */
const HOOKS_BASE = '_hooks';

/** Classifies a path as the hooks module of folder `rel` of `app`, or not. */
function classifyHooks(root: string, path: string): Addressable | undefined {
  const parts = relative(root, path).split(sep);
  if (parts.length < 2 || !isAppName(parts[0]!)) return undefined;
  const base = parts[parts.length - 1]!;
  const ext = ADDRESSABLE_EXT.find((e) => base === HOOKS_BASE + e);
  if (!ext) return undefined;
  const dirs = parts.slice(1, -1);
  if (dirs[0] === 'public') return undefined;
  for (const s of dirs) if (!isSegment(s)) return undefined;
  return { app: parts[0]!, rel: dirs.join('/'), ext };
}

interface Entry {
  ts?: string;
  js?: string;
}

/** The index itself. Paths are real absolute paths. */
export class FileIndex {
  private readonly apps = new Map<string, Map<string, Entry>>();
  /** Hooks modules by app, then by folder (`''` for the app's top). */
  private readonly hookDirs = new Map<string, Map<string, Entry>>();

  constructor(readonly root: string) {}

  /** Scans the whole root (replacing what was known). */
  async scan(): Promise<void> {
    this.apps.clear();
    this.hookDirs.clear();
    const top = await readdir(this.root, { withFileTypes: true });
    for (const d of top) {
      if (!d.isDirectory() || !isAppName(d.name)) continue;
      this.apps.set(d.name, new Map());
      await this.walk(join(this.root, d.name), true);
    }
  }

  private async walk(dir: string, appTop: boolean): Promise<void> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of entries) {
      const path = join(dir, d.name);
      if (d.isDirectory()) {
        if (!isSegment(d.name)) continue;
        if (appTop && d.name === 'public') continue;
        await this.walk(path, false);
      } else if (d.isFile() || d.isSymbolicLink()) {
        this.add(path);
      }
    }
  }

  /**
   * Adds `path` if it is addressable (a module, or a folder's `_hooks` module) and its real
   * path lies inside the root (the scan and the watcher both come here); returns true if
   * the index changed.
   */
  add(path: string): boolean {
    const hooks = classifyHooks(this.root, path);
    const a = hooks ?? classify(this.root, path);
    if (!a) return false;
    const real = realModulePath(this.root, path);
    if (real === undefined) return false;
    const table = hooks ? this.hookDirs : this.apps;
    let app = table.get(a.app);
    if (!app) {
      app = new Map();
      table.set(a.app, app);
    }
    const entry = app.get(a.rel) ?? {};
    const key = a.ext === '.ts' ? 'ts' : 'js';
    if (entry[key] === real) return false;
    entry[key] = real;
    app.set(a.rel, entry);
    return true;
  }

  /** Removes `path` if indexed; returns true if the index changed. */
  remove(path: string): boolean {
    const hooks = classifyHooks(this.root, path);
    const a = hooks ?? classify(this.root, path);
    if (!a) return false;
    const app = (hooks ? this.hookDirs : this.apps).get(a.app);
    const entry = app?.get(a.rel);
    const key = a.ext === '.ts' ? 'ts' : 'js';
    if (!app || !entry || entry[key] === undefined) return false;
    delete entry[key];
    if (!entry.ts && !entry.js) app.delete(a.rel);
    return true;
  }

  /** `.ts` first, then `.js`. */
  find(app: string, rel: string): string | undefined {
    const entry = this.apps.get(app)?.get(rel);
    return entry?.ts ?? entry?.js;
  }

  /** Every addressable file of `app`, sorted. */
  list(app: string): string[] {
    const out: string[] = [];
    for (const e of this.apps.get(app)?.values() ?? []) {
      if (e.ts) out.push(e.ts);
      if (e.js) out.push(e.js);
    }
    return out.sort();
  }

  /** Forgets app `name` (its directory was removed). */
  removeApp(name: string): void {
    this.apps.delete(name);
  }

  /** The hooks modules for folder `dir` of `app`, outermost first (`.ts` before `.js`). */
  hooks(app: string, dir: string): string[] {
    const table = this.hookDirs.get(app);
    if (table === undefined) return [];
    const out: string[] = [];
    const segs = dir === '' ? [] : dir.split('/');
    for (let i = 0; i <= segs.length; i++) {
      const entry = table.get(segs.slice(0, i).join('/'));
      const file = entry?.ts ?? entry?.js;
      if (file !== undefined) out.push(file);
    }
    return out;
  }

  /** Names of the apps seen (directories under the root that are apps). */
  appNames(): string[] {
    return [...this.apps.keys()].sort();
  }
}
