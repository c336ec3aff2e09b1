/**
 * File watching with one non-recursive `fs.watch` per directory: every add/change/unlink of
 * a module file under the root becomes an invalidation, with three rules that make one
 * save one evaluation:
 *
 * - per file, one invalidation runs at a time; events during it coalesce into a single
 *   re-run that reads the latest content (a burst is not a queue); a burst that never
 *   pauses is still read every ~`BURST_MAX_WAIT_MS`;
 * - an empty or unparsable read right after an event is a write in progress: wait for the
 *   next event, or re-read shortly (the delay is paid only then, never on a good save);
 * - content hashes (in the registry) make a second event for the same bytes a no-op.
 *
 * Editor temp and swap files (`.x.swp`, `x~`, `.#x`, `4913`), dotfiles and `node_modules`
 * are ignored. Watching directories, not files, is what keeps editor atomic saves (temp
 * file renamed over the module) visible: a file watch follows the dead inode. Neither
 * chokidar 5 (drops a rename-over that comes within ~50 ms of a previous change: a lost
 * save) nor Node 20's recursive `fs.watch` (keeps the dead inode) are used for that reason.
 */
import { type FSWatcher, watch } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { MODULE_EXTENSIONS } from './resolve.js';
import type { ReloadResult } from './types.js';

/** What the watcher drives. */
export interface WatchHost {
  /** Reloads `file` from `text` (undefined: the file is gone or unreadable, re-read it). */
  invalidate(file: string, text: string | undefined): Promise<ReloadResult>;
  /** True if `text` is a module esbuild can transform. */
  parses(file: string, text: string): Promise<boolean>;
  /** Reports an unexpected failure of the watcher itself. */
  onError(err: unknown): void;
}

/** A running watcher. */
export interface Watcher {
  close(): Promise<void>;
}

/**
 * After a run, more events for the file mean a burst: wait until it has been quiet this
 * long, then read once (a single save waits never). A burst costs at most two evaluations
 * while it lasts under {@link BURST_MAX_WAIT_MS} past the first one's run, then one more per
 * {@link BURST_MAX_WAIT_MS}.
 */
const BURST_QUIET_MS = 30;

/**
 * Longest wait for a burst to go quiet: saves that never pause (a script writing every
 * 20 ms) are still served every ~100 ms, not only after the last one.
 */
const BURST_MAX_WAIT_MS = 100;

/** Delays before re-reading an empty or unparsable file, if no event comes first. */
const SETTLE_MS = [15, 50, 150, 400];

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
  return isEditorTempFile(name) || !MODULE_EXTENSIONS.some((e) => name.endsWith(e));
}

interface FileState {
  running: boolean;
  again: boolean;
  tries: number;
  timer: NodeJS.Timeout | undefined;
  lastEvent: number;
}

async function quiet(st: FileState): Promise<void> {
  const deadline = Date.now() + BURST_MAX_WAIT_MS;
  for (;;) {
    const left = Math.min(st.lastEvent + BURST_QUIET_MS, deadline) - Date.now();
    if (left <= 0) return;
    await new Promise((r) => setTimeout(r, left));
  }
}

/** Starts watching `root`; resolves once every directory under it is watched. */
export async function startWatcher(root: string, host: WatchHost): Promise<Watcher> {
  const files = new Map<string, FileState>();
  const dirs = new Map<string, FSWatcher>();
  /** Module files known to exist, so a deleted directory reports its files. */
  const known = new Set<string>();
  let closed = false;

  const run = async (file: string, st: FileState): Promise<void> => {
    st.running = true;
    try {
      await step(file, st);
      while (st.again && !closed) {
        await quiet(st);
        st.again = false;
        await step(file, st);
      }
    } catch (err) {
      if (!closed) host.onError(err);
    } finally {
      st.running = false;
      if (!st.timer && !st.again) files.delete(file);
    }
  };

  const step = async (file: string, st: FileState): Promise<void> => {
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined && st.tries < SETTLE_MS.length) {
      const settled = text.length > 0 && (await host.parses(file, text));
      if (!settled) {
        // A write in progress: wait for its next event, or look again shortly.
        const delay = SETTLE_MS[st.tries++]!;
        st.timer = setTimeout(() => {
          st.timer = undefined;
          schedule(file);
        }, delay);
        return;
      }
    }
    st.tries = 0;
    if (text === undefined) known.delete(file);
    else known.add(file);
    if (!closed) await host.invalidate(file, text);
  };

  const schedule = (file: string): void => {
    if (closed) return;
    let st = files.get(file);
    if (!st) {
      st = { running: false, again: false, tries: 0, timer: undefined, lastEvent: 0 };
      files.set(file, st);
    }
    st.lastEvent = Date.now();
    if (st.timer) {
      clearTimeout(st.timer);
      st.timer = undefined;
    }
    if (st.running) {
      st.again = true;
      return;
    }
    void run(file, st);
  };

  const unwatchDir = (dir: string): void => {
    for (const [d, w] of dirs) {
      if (d === dir || d.startsWith(dir + sep)) {
        w.close();
        dirs.delete(d);
      }
    }
    for (const f of [...known]) if (f.startsWith(dir + sep)) schedule(f);
  };

  /** Watches `dir` and everything below; `announce` schedules the files found (a created dir). */
  const watchDir = async (dir: string, announce: boolean): Promise<void> => {
    if (closed || dirs.has(dir) || isPublicDir(root, dir)) return;
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: true }, (_event, name) => {
        if (name) void onEntry(dir, name.toString());
        else void rescan(dir);
      });
    } catch {
      return;
    }
    w.on('error', () => unwatchDir(dir));
    dirs.set(dir, w);
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
      schedule(path);
    }
  };

  await watchDir(root, false);

  return {
    async close() {
      closed = true;
      for (const st of files.values()) if (st.timer) clearTimeout(st.timer);
      files.clear();
      for (const w of dirs.values()) w.close();
      dirs.clear();
    },
  };
}
