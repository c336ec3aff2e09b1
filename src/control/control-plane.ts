/**
 * The control plane: the framework's endpoints under `/-/` beyond `/-/health`, for the
 * people who run the apps. `GET /-/` is the dashboard, `/-/events` its live feed (server-
 * sent events), `/-/state` the same state once, `/-/openapi.json` the API description and
 * `/-/docs` renders it, `POST /-/reload` reloads, `POST /-/apps/NAME/freeze` and
 * `.../unfreeze` hold an app's reloads. Open under `--dev`; with an admin token, only to
 * `Authorization: Bearer TOKEN`; otherwise none of it answers (`next()`: a 404).
 *
 * The two HTML pages answer 401 without the token, with the page itself as the body: the
 * page asks for the token, keeps it in sessionStorage and sends it in a header, so the
 * token is never in a URL.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HttpError, requestError } from '../errors/index.js';
import type { StaleModule } from '../publisher/index.js';
import { type ReloadAllResult, reloadAll } from '../server/index.js';
import { assetFile, pageFile, sendFile } from './assets.js';
import { authorized, type ControlAccess, controlEnabled, crossOrigin } from './auth.js';
import { ChangeLog } from './change-log.js';
import { type ControlSource, dashboardState } from './dashboard-state.js';
import { serveDevHome } from './dev-home.js';
import { EventStream } from './event-stream.js';
import { OpenApiSource } from './openapi-source.js';

type Next = (err?: unknown) => void;

/** What runs once the server has started. */
interface Attached {
  source: ControlSource & {
    publisher: { stale(): StaleModule[] };
  };
  log: ChangeLog;
  stream: EventStream;
  openapi: OpenApiSource;
  off: () => void;
}

const FREEZE_PATH = /^\/-\/apps\/([^/]+)\/(freeze|unfreeze)$/;
/** The two HTML pages, by path. */
const PAGES = new Map<string, 'dashboard.html' | 'docs.html'>([
  ['/-', 'dashboard.html'],
  ['/-/', 'dashboard.html'],
  ['/-/docs', 'docs.html'],
  ['/-/docs/', 'docs.html'],
]);
/** Paths that answer data or act: the token is checked first. */
const DATA_PATHS = new Set([
  '/-/events',
  '/-/state',
  '/-/openapi.json',
  '/-/reload',
  '/-/registry',
  '/-/routes',
]);

function json(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.setHeader('cache-control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : text);
}

function methodNotAllowed(allow: string): HttpError {
  return requestError('methodNotAllowed', `Method not allowed here (allowed: ${allow})`, {
    headers: { allow },
  });
}

function tokenRequired(): HttpError {
  return requestError(
    'adminToken',
    'The control plane needs the admin token: Authorization: Bearer TOKEN',
    { headers: { 'www-authenticate': 'Bearer realm="hotpub"' } },
  );
}

/** The control plane of one server. */
export class ControlPlane {
  private attached: Attached | undefined;

  constructor(private readonly access: ControlAccess) {
    this.handle = this.handle.bind(this);
    this.home = this.home.bind(this);
  }

  /** True when the control plane answers at all. */
  get enabled(): boolean {
    return controlEnabled(this.access);
  }

  /** Starts following `source` (once the server has started). */
  attach(source: Attached['source']): void {
    if (this.attached || !this.enabled) return;
    const stream: EventStream = new EventStream(() => dashboardState(source, log, this.access.dev));
    const log = new ChangeLog(source.registry, () => stream.changed());
    const openapi = new OpenApiSource(source);
    // Module state changes that log nothing (a file added) still update the dashboard.
    const off = source.registry.on('files', () => stream.changed());
    this.attached = { source, log, stream, openapi, off };
  }

  /** Ends the live streams and stops following the registry. Idempotent. */
  close(): void {
    const a = this.attached;
    if (!a) return;
    a.stream.close();
    a.log.close();
    a.openapi.close();
    a.off();
  }

  /** The `/-/...` handler; `next()` for what it does not answer. */
  handle(req: IncomingMessage, res: ServerResponse, next: Next): void {
    const a = this.attached;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (a === undefined || path === '/-/health') next();
    else this.route(req, res, next, a, path);
  }

  private route(
    req: IncomingMessage,
    res: ServerResponse,
    next: Next,
    a: Attached,
    path: string,
  ): void {
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';
    const page = PAGES.get(path);
    const asset = page === undefined ? assetFile(path) : undefined;
    const freeze = FREEZE_PATH.exec(path);
    if (page !== undefined || asset !== undefined) {
      // Pages and their files hold no data: a page without the token asks for it (401).
      if (!read) next(methodNotAllowed('GET, HEAD'));
      else if (asset !== undefined) sendFile(req, res, asset, 200, next);
      else if (authorized(req, this.access)) sendFile(req, res, pageFile(page!), 200, next);
      else {
        res.setHeader('www-authenticate', 'Bearer realm="hotpub"');
        sendFile(req, res, pageFile(page!), 401, next);
      }
    } else if (freeze === null && !DATA_PATHS.has(path)) {
      next();
    } else if (!authorized(req, this.access)) {
      next(tokenRequired());
    } else if (path === '/-/registry' || path === '/-/routes') {
      next(); // the admin endpoints answer these
    } else if (path === '/-/reload' || freeze !== null) {
      const why = crossOrigin(req);
      if (method !== 'POST') next(methodNotAllowed('POST'));
      else if (why !== undefined) {
        next(requestError('crossOrigin', `Cross-origin request refused (${why})`));
      } else if (freeze !== null) this.freeze(req, res, next, a, freeze[1]!, freeze[2]!);
      else this.reload(req, res, next, a);
    } else if (!read) {
      next(methodNotAllowed('GET, HEAD'));
    } else if (path === '/-/events') {
      a.stream.open(req, res);
    } else if (path === '/-/state') {
      json(req, res, 200, dashboardState(a.source, a.log, this.access.dev));
    } else {
      a.openapi.document().then((doc) => json(req, res, 200, doc), next);
    }
  }

  /** Under `--dev`: `/` lists the apps (used where the publisher found nothing). */
  home(req: IncomingMessage, res: ServerResponse, next: Next): void {
    const a = this.attached;
    if (a === undefined || !this.access.dev) next();
    else serveDevHome(req, res, next, a.source.publisher.apps, a.source.publisher.stale());
  }

  private reload(req: IncomingMessage, res: ServerResponse, next: Next, a: Attached): void {
    reloadAll(a.source.registry).then((result: ReloadAllResult) => {
      const rel = (f: string) => a.log.rel(f);
      a.log.add({
        app: '',
        kind: 'reload',
        files: result.reloaded.map(rel),
        note: `reload: ${result.reloaded.length} reloaded, ${result.errors.length} failed, ${result.held.length} held`,
      });
      json(req, res, 200, {
        reloaded: result.reloaded.map(rel),
        held: result.held.map(rel),
        errors: result.errors.map((e) => ({
          file: rel(e.file),
          code: e.error.code,
          message: e.error.message,
        })),
        generations: result.generations,
      });
    }, next);
  }

  private freeze(
    req: IncomingMessage,
    res: ServerResponse,
    next: Next,
    a: Attached,
    rawName: string,
    verb: string,
  ): void {
    let name: string;
    try {
      name = decodeURIComponent(rawName);
    } catch {
      name = rawName;
    }
    const { registry, publisher } = a.source;
    const exists =
      publisher.apps.some((x) => x.name === name) ||
      registry.snapshot().apps.some((x) => x.name === name);
    if (!exists) {
      next(requestError('notFound', `No app named "${name}"`));
      return;
    }
    if (verb === 'freeze') {
      registry.freeze(name);
      json(req, res, 200, { app: name, frozen: true });
      return;
    }
    registry.unfreeze(name).then((results) => {
      const rel = (f: string) => a.log.rel(f);
      json(req, res, 200, {
        app: name,
        frozen: false,
        reloaded: results.flatMap((r) => r.reloaded).map(rel),
        errors: results.flatMap((r) =>
          r.error ? [{ code: r.error.code, message: r.error.message }] : [],
        ),
      });
    }, next);
  }
}
