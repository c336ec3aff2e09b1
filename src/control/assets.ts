/**
 * The files the control plane serves as they are: the dashboard's HTML, CSS and JS from
 * the package's `ui/` folder (plain files, no build step) and Swagger UI's standalone
 * bundle from the `swagger-ui-dist` package, all from this server: nothing is loaded from
 * another host. Only the names listed here are served; each is read once and kept.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's `ui/` folder (the same from `src/control` and `dist/control`). */
export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
};

/** Files of `ui/` served under `/-/ui/`. */
const UI_FILES = new Set(['dashboard.css', 'dashboard.js', 'control.js', 'docs.js']);
/** Files of swagger-ui-dist served under `/-/docs/`. */
const SWAGGER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

let swaggerDir: string | undefined;
function swaggerFile(name: string): string {
  swaggerDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return join(swaggerDir, name);
}

const cache = new Map<string, Promise<Buffer>>();

function load(file: string): Promise<Buffer> {
  let p = cache.get(file);
  if (p === undefined) {
    p = readFile(file);
    p.catch(() => cache.delete(file));
    cache.set(file, p);
  }
  return p;
}

/** The absolute file of an asset path (`/-/ui/x`, `/-/docs/x`), or undefined if not one. */
export function assetFile(path: string): string | undefined {
  if (path.startsWith('/-/ui/')) {
    const name = path.slice('/-/ui/'.length);
    return UI_FILES.has(name) ? join(UI_DIR, name) : undefined;
  }
  if (path.startsWith('/-/docs/')) {
    const name = path.slice('/-/docs/'.length);
    return SWAGGER_FILES.has(name) ? swaggerFile(name) : undefined;
  }
  return undefined;
}

/** An HTML page of `ui/` (the dashboard, the docs page). */
export function pageFile(name: 'dashboard.html' | 'docs.html'): string {
  return join(UI_DIR, name);
}

/** Sends `file` with `status`; `next(err)` if it cannot be read. */
export function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  status: number,
  next: (err?: unknown) => void,
): void {
  load(file).then((body) => {
    if (res.headersSent || res.destroyed) return;
    res.statusCode = status;
    res.setHeader(
      'content-type',
      TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream',
    );
    res.setHeader('content-length', body.byteLength);
    // Revalidated on each load: the files change with the installed version only.
    res.setHeader('cache-control', 'no-cache');
    res.end(req.method === 'HEAD' ? undefined : body);
  }, next);
}
