/**
 * File watching with chokidar: every add/change/unlink of a module file under the root
 * becomes an invalidation, with three rules that make one save one evaluation:
 *
 * - per file, one invalidation runs at a time; events during it coalesce into a single
 *   re-run that reads the latest content (a burst is not a queue);
 * - an empty or unparsable read right after an event is a write in progress: wait for the
 *   next event, or re-read shortly (the delay is paid only then, never on a good save);
 * - content hashes (in the registry) make a second event for the same bytes a no-op.
 *
 * Editor temp and swap files (`.x.swp`, `x~`, `.#x`, `4913`), dotfiles and `node_modules`
 * are ignored; chokidar's `atomic` option folds an editor's rename-save into one change.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { watch } from 'chokidar';
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

/** Delays before re-reading an empty or unparsable file, if no event comes first. */
const SETTLE_MS = [15, 60, 200];

/** True for names editors use for temp, backup and swap files. */
export function isEditorTempFile(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('~') ||
    name === '4913' ||
    /\.(swp|swo|swx|tmp|bak|orig)$/.test(name) ||
    /\.[0-9a-f]{6,}$/i.test(name)
  );
}

function ignored(path: string, stats?: { isFile(): boolean }): boolean {
  const name = basename(path);
  if (name === 'node_modules' || isEditorTempFile(name)) return true;
  if (stats?.isFile()) return !MODULE_EXTENSIONS.some((e) => name.endsWith(e));
  return false;
}

const FILE = { isFile: () => true };

interface FileState {
  running: boolean;
  again: boolean;
  tries: number;
  timer: NodeJS.Timeout | undefined;
}

/** Starts watching `root`; resolves once the initial scan is done. */
export async function startWatcher(root: string, host: WatchHost): Promise<Watcher> {
  const files = new Map<string, FileState>();
  let closed = false;
  const w = watch(root, { ignoreInitial: true, ignored, atomic: true, followSymlinks: false });

  const run = async (file: string, st: FileState): Promise<void> => {
    st.running = true;
    try {
      do {
        st.again = false;
        await step(file, st);
      } while (st.again && !closed);
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
    await host.invalidate(file, text);
  };

  const schedule = (file: string): void => {
    if (closed || ignored(file, FILE)) return;
    let st = files.get(file);
    if (!st) {
      st = { running: false, again: false, tries: 0, timer: undefined };
      files.set(file, st);
    }
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

  w.on('add', (p) => schedule(p));
  w.on('change', (p) => schedule(p));
  w.on('unlink', (p) => schedule(p));
  w.on('error', (err) => host.onError(err));
  await new Promise<void>((resolve) => w.once('ready', () => resolve()));

  return {
    async close() {
      closed = true;
      for (const st of files.values()) if (st.timer) clearTimeout(st.timer);
      files.clear();
      await w.close();
    },
  };
}
