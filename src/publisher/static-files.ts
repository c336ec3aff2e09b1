/**
 * An app's `public/` directory served at its mount with serve-static, when no function
 * matches. Dotfiles are ignored, `..` never escapes `public/`, misses fall through.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import serveStatic from 'serve-static';

type Next = (err?: unknown) => void;

/** Serves one app's `public/` for a path relative to the mount. */
export interface StaticFiles {
  /** Serves `rest` (raw, still encoded, starting with `/`); calls `next` on a miss. */
  serve(req: IncomingMessage, res: ServerResponse, rest: string, next: Next): void;
}

/** Creates the static file server of one app. */
export function createStaticFiles(publicDir: string): StaticFiles {
  const handler = serveStatic(publicDir, {
    dotfiles: 'ignore',
    fallthrough: true,
    // The mount is not part of req.url here, so a directory redirect would point elsewhere.
    redirect: false,
    index: ['index.html'],
  });
  return {
    serve(req, res, rest, next) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
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
      handler(req as never, res as never, (err?: unknown) => {
        res.off('close', restore);
        restore();
        next(err);
      });
    },
  };
}
