/**
 * The framework's own endpoints under `/-/` (the publisher never resolves that prefix):
 * `GET /-/health` always; `GET /-/registry` and `GET /-/routes` only with `dev` or
 * `admin`. Other paths under `/-/` are left to the caller (a 404), and so are errors
 * (`next(err)`): they are answered by the same error response as every other request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Next } from '../config/index.js';
import { requestError } from '../errors/index.js';
import type { ModuleRegistry } from '../registry/types.js';
import type { UncaughtSnapshot } from './uncaught.js';

/** What the admin endpoints read; undefined while the server is still starting. */
export interface AdminSource {
  registry: Pick<ModuleRegistry, 'snapshot'>;
  /** The publisher's `routes()`, listed as is by `/-/routes`; its mounted apps. */
  publisher: {
    routes(): Promise<unknown[]>;
    readonly apps: ReadonlyArray<{ name: string; mount: string }>;
  };
  /** Errors nobody caught, when the server counts them (added to `/-/registry`). */
  uncaught?(): UncaughtSnapshot | undefined;
  /** True once shutdown began: `/-/health` answers 503. */
  readonly closing?: boolean;
}

/** `/-/health`: 200 with each mounted app's current generation; 503 while shutting down. */
function health(source: AdminSource): { status: number; body: unknown } {
  if (source.closing) return { status: 503, body: { ok: false, status: 'shutting down' } };
  const generations = new Map(source.registry.snapshot().apps.map((a) => [a.name, a.generation]));
  const apps = source.publisher.apps.map((a) => ({
    name: a.name,
    mount: a.mount,
    generation: generations.get(a.name) ?? 0,
  }));
  return { status: 200, body: { ok: true, apps } };
}

/** Options of {@link createAdminHandler}. */
export interface AdminOptions {
  source: () => AdminSource | undefined;
  /** Serve `/-/registry` and `/-/routes` (`--dev` or `--admin`). */
  enabled: boolean;
}

/**
 * Returns a connect-style handler for the reserved paths: it answers the endpoints it
 * knows and calls `next()` for the rest (and for the gated ones when not enabled).
 */
export function createAdminHandler(
  options: AdminOptions,
): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  return (req, res, next) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const gated = path === '/-/registry' || path === '/-/routes';
    const source = options.source();
    if ((path !== '/-/health' && !(gated && options.enabled)) || source === undefined) {
      next();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next(
        requestError('methodNotAllowed', 'Method Not Allowed', { headers: { allow: 'GET, HEAD' } }),
      );
      return;
    }
    if (path === '/-/health') {
      const h = health(source);
      if (h.status === 503) res.setHeader('connection', 'close');
      send(req, res, h.body, h.status);
    } else if (path === '/-/registry') {
      send(req, res, registryView(source));
    } else {
      source.publisher.routes().then((routes) => send(req, res, routes), next);
    }
  };
}

/** The registry's snapshot, with each app's count of uncaught errors when they are counted. */
function registryView(source: AdminSource): unknown {
  const snapshot = source.registry.snapshot();
  const uncaught = source.uncaught?.();
  if (uncaught === undefined) return snapshot;
  return {
    ...snapshot,
    apps: snapshot.apps.map((a) => ({ ...a, uncaught: uncaught.byApp[a.name] ?? 0 })),
    uncaught,
  };
}

function send(req: IncomingMessage, res: ServerResponse, body: unknown, status = 200): void {
  const json = JSON.stringify(body, null, 2);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(json));
  res.setHeader('cache-control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : json);
}
