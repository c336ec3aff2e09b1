/**
 * File watching with one non-recursive `fs.watch` per directory: every add/change/unlink of
 * a module file or an app.json under the root, and every app directory created or removed,
 * is reported to the host as a touched path. Grouping touches into changes, waiting out
 * half-written files and reading them is the {@link ChangeCollector}'s job.
 *
 * Editor temp and swap files (`.x.swp`, `x~`, `.#x`, `4913`), dotfiles and `node_modules`
 * are ignored. Watching directories, not files, is what keeps editor atomic saves (temp
 * file renamed over the module) visible: a file watch follows the dead inode. Neither
 * chokidar 5 (drops a rename-over that comes within ~50 ms of a previous change: a lost
 * save) nor Node 20's recursive `fs.watch` (keeps the dead inode) are used for that reason.
 */
import { type FSWatcher, watch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { MODULE_EXTENSIONS } from './resolve.js';

/** What the watcher drives. */
export interface WatchHost {
  /** A module file, an app.json or an app directory was created, changed or removed. */
  touch(path: string): void;
  /** Reports an unexpected failure of the watcher itself. */
  onError(err: unknown): void;
}

/** A running watcher. */
export interface Watcher {
  close(): Promise<void>;
}

/** True for names editors use for temp, backup and swap files. */
function isEditorTempFile(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('~') ||
    name === '4913' ||
    /\.(swp|swo|swx|tmp|bak|orig)$/.test(name) ||
    /\.[0-9a-f]{6,}$/i.test(name)
  );
}

function ignoredDir(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

/** An app's `public/` holds static files, never modules. */
function isPublicDir(root: string, dir: string): boolean {
  const parts = dir.slice(root.length + 1).split(sep);
  return parts.length === 2 && parts[1] === 'public';
}

function ignoredFile(name: string): boolean {
  if (name === 'app.json') return false;
  return isEditorTempFile(name) || !MODULE_EXTENSIONS.some((e) => name.endsWith(e));
}

/** Starts watching `root`; resolves once every directory under it is watched. */
export async function startWatcher(root: string, host: WatchHost): Promise<Watcher> {
  const dirs = new Map<string, FSWatcher>();
  /** Module files known to exist, so a deleted directory reports its files. */
  const known = new Set<string>();
  let closed = false;

  const schedule = (path: string): void => {
    if (!closed) host.touch(path);
  };

  const unwatchDir = (dir: string): void => {
    for (const [d, w] of dirs) {
      if (d === dir || d.startsWith(dir + sep)) {
        w.close();
        dirs.delete(d);
      }
    }
    for (const f of [...known]) {
      if (!f.startsWith(dir + sep)) continue;
      known.delete(f);
      schedule(f);
    }
    if (dirname(dir) === root) schedule(dir);
  };

  /** Watches `dir` and everything below; `announce` schedules the files found (a created dir). */
  const watchDir = async (dir: string, announce: boolean): Promise<void> => {
    if (closed || dirs.has(dir) || isPublicDir(root, dir)) return;
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: true }, (_event, name) => {
        if (!name) {
          void rescan(dir);
          return;
        }
        const entry = name.toString();
        // Touched now, not after an lstat: under load the thread pool can take longer than
        // a change's quiet window, and files saved together must stay together.
        if (!ignoredFile(entry)) schedule(join(dir, entry));
        void onEntry(dir, entry);
      });
    } catch {
      return;
    }
    w.on('error', () => unwatchDir(dir));
    dirs.set(dir, w);
    // A new app directory is a change of its app (mounted even before it has a module).
    if (announce && dirname(dir) === root) schedule(dir);
    await rescan(dir, announce);
  };

  const rescan = async (dir: string, announce = true): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of entries) {
      const path = join(dir, d.name);
      if (d.isDirectory()) {
        if (!ignoredDir(d.name)) await watchDir(path, announce);
      } else if (!ignoredFile(d.name)) {
        if (announce && !known.has(path)) schedule(path);
        known.add(path);
      }
    }
  };

  const onEntry = async (dir: string, name: string): Promise<void> => {
    if (closed) return;
    const path = join(dir, name);
    const st = await lstat(path).catch(() => undefined);
    if (st?.isDirectory()) {
      if (!ignoredDir(name)) await watchDir(path, true);
    } else if (!st && dirs.has(path)) {
      unwatchDir(path);
    } else if (!ignoredFile(name)) {
      if (st) known.add(path);
      else known.delete(path);
    }
  };

  await watchDir(root, false);

  return {
    async close() {
      closed = true;
      for (const w of dirs.values()) w.close();
      dirs.clear();
    },
  };
}
