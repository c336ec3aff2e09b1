/**
 * An app's `public/` directory served at its mount with serve-static, when no function
 * matches. Dotfiles are ignored, `..` never escapes `public/`, and neither does a
 * symlink: the file is judged on its real path, which must lie inside the real path of
 * `public/` with no segment that starts with a dot (`public/env.txt -> .env` is a 404).
 */
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative, sep } from 'node:path';
import type { Next } from '../config/index.js';
import { loadServeStatic } from './lazy.js';

/** Serves one app's `public/` for a path relative to the mount. */
export interface StaticFiles {
  /** Serves `rest` (raw, still encoded, starting with `/`); calls `next` on a miss. */
  serve(req: IncomingMessage, res: ServerResponse, rest: string, next: Next): void;
}

/** True when `real` is `root` or lies under it, and no segment below `root` is a dotfile. */
function inside(root: string, real: string): boolean {
  if (real === root) return true;
  if (!real.startsWith(root + sep)) return false;
  return !relative(root, real)
    .split(sep)
    .some((part) => part.startsWith('.'));
}

/**
 * True when the file `rest` names (or a directory's index.html) really lies inside
 * `publicDir`, following every symlink. Missing files are false.
 */
async function contained(publicDir: string, rest: string): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return false;
  }
  if (decoded.includes('\0')) return false;
  try {
    const root = await realpath(publicDir);
    const real = await realpath(join(publicDir, decoded));
    if (!inside(root, real)) return false;
    if ((await stat(real)).isDirectory()) {
      const index = await realpath(join(real, 'index.html')).catch(() => undefined);
      return index === undefined || inside(root, index);
    }
    return true;
  } catch {
    return false;
  }
}

/** Creates the static file server of one app (serve-static is made at its first file). */
export function createStaticFiles(publicDir: string): StaticFiles {
  let handler: ReturnType<ReturnType<typeof loadServeStatic>> | undefined;
  return {
    serve(req, res, rest, next) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        next();
        return;
      }
      contained(publicDir, rest).then(
        (ok) => {
          if (!ok) {
            next();
            return;
          }
          const url = req.url ?? '/';
          const q = url.indexOf('?');
          // serve-static reads the path from req.url: show it the path under the mount.
          req.url = q < 0 ? rest : rest + url.slice(q);
          const restore = () => {
            req.url = url;
          };
          res.once('close', restore);
          handler ??= loadServeStatic()(publicDir, {
            dotfiles: 'ignore',
            fallthrough: true,
            // The mount is not part of req.url here, so a directory redirect would point elsewhere.
            redirect: false,
            index: ['index.html'],
          });
          handler(req as never, res as never, (err?: unknown) => {
            res.off('close', restore);
            restore();
            next(err);
          });
        },
        (err) => next(err),
      );
    },
  };
}
