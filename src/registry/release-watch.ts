/**
 * Noticing a release switch with `--watch`. `fs.watch` on a symlinked directory watches
 * its target: when `current` is switched to another release (`mv -T next current`),
 * nothing happens inside the old target, so the file watcher sees nothing. What does see
 * it is a watch on the directory that holds the link, where the rename happens. So every
 * symlink on the way from `/` to the configured apps directory gets a watch on its parent
 * directory; an event naming the link (or naming nothing) calls `onMove`, which checks
 * where the apps directory resolves now.
 */
import { type FSWatcher, lstatSync, readlinkSync, watch } from 'node:fs';
import { basename, dirname, isAbsolute, parse, resolve, sep } from 'node:path';

/** A running watch of the links on the way to the apps directory. */
export interface ReleaseWatch {
  close(): void;
}

/**
 * The symlinks on the way to `path` (absolute), following each link as the kernel does:
 * `/srv/app/current/apps` with `current -> releases/43` gives `/srv/app/current`, and
 * then any link inside `releases/43/apps`' own path.
 */
export function linksOnPath(path: string): string[] {
  const links: string[] = [];
  let rest = path.split(sep).filter(Boolean);
  let at = parse(path).root;
  for (let hops = 0; rest.length > 0 && hops < 64; ) {
    const next = resolve(at, rest[0]!);
    rest = rest.slice(1);
    let isLink = false;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      return links; // a missing part: nothing below it to watch
    }
    if (!isLink) {
      at = next;
      continue;
    }
    hops++;
    links.push(next);
    const target = readlinkSync(next);
    const abs = isAbsolute(target) ? target : resolve(dirname(next), target);
    rest = [...abs.split(sep).filter(Boolean), ...rest];
    at = parse(abs).root;
  }
  return links;
}

/** Watches the parent of every link on the way to `path`; calls `onMove` on a change there. */
export function watchRelease(path: string, onMove: () => void): ReleaseWatch {
  const watchers: FSWatcher[] = [];
  const byDir = new Map<string, Set<string>>();
  for (const link of linksOnPath(path)) {
    const dir = dirname(link);
    const names = byDir.get(dir) ?? new Set<string>();
    names.add(basename(link));
    byDir.set(dir, names);
  }
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (!name || names.has(name.toString())) onMove();
      });
      w.on('error', () => w.close());
      watchers.push(w);
    } catch {
      // An unwatchable parent: SIGHUP still picks the switch up.
    }
  }
  return {
    close() {
      for (const w of watchers.splice(0)) w.close();
    },
  };
}
