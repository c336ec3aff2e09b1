/**
 * The release layout of docs/deploy.md on disk, for tests: `releases/<n>/apps/...` and a
 * `current` symlink switched atomically the way `ln -s ... next && mv -T next current`
 * does it (a new link renamed over the old one: rename(2) is atomic).
 */
import { mkdtemp, realpath, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Files, writeFiles } from './files.js';

/** A deploy directory with releases and a `current` link. */
export interface Releases {
  /** Real path of the deploy directory. */
  base: string;
  /** `<base>/current`: the link (what `--apps` names, or holds `apps/`). */
  current: string;
  /** Writes release `n` (its `apps/` directory holds `files`). */
  write(n: number, files: Files): Promise<void>;
  /** Points `current` at release `n`, atomically. */
  switchTo(n: number): Promise<void>;
  /** The real path of release `n`'s apps directory. */
  appsOf(n: number): string;
  remove(): Promise<void>;
}

/**
 * A fresh deploy directory; `current` points at nothing until {@link Releases.switchTo}.
 * `link: 'apps'` makes `current -> releases/<n>/apps` (`--apps current`); `'release'`
 * makes `current -> releases/<n>` (`--apps current/apps`, the apps dir under the link).
 */
export async function makeReleases(link: 'apps' | 'release' = 'apps'): Promise<Releases> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'hotpub-rel-')));
  const current = join(base, 'current');
  const appsOf = (n: number) => join(base, 'releases', String(n), 'apps');
  const target = (n: number) =>
    link === 'apps' ? join('releases', String(n), 'apps') : join('releases', String(n));
  return {
    base,
    current,
    appsOf,
    write: (n, files) => writeFiles(appsOf(n), files),
    async switchTo(n) {
      const next = join(base, 'next');
      await rm(next, { force: true });
      await symlink(target(n), next);
      await rename(next, current);
    },
    remove: () => rm(base, { recursive: true, force: true }),
  };
}
