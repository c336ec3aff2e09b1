/**
 * The publisher: a connect-style `(req, res, next?)` handler that resolves a URL to a
 * published function (SPEC section 2) and calls it (section 3). It needs nothing of
 * Express. Resolved routes are cached per path and per app version, so a request for a
 * known route costs a Map get, a pin and the call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULTS, type HotpubOptions, type Next } from '../config/index.js';
import { HttpError, requestError } from '../errors/index.js';
import type { ModuleRegistry, RegistryEvents } from '../registry/types.js';
import type { Sessions } from '../session/index.js';
import { type AppDef, appDefOf, discoverApps, readAppJsonText } from './app-config.js';
import { createCorsPolicy } from './cors-policy.js';
import { trustedOrigins } from './cross-origin.js';
import { type ErrorOptions, errorBody, sendError } from './error-response.js';
import { EventStreams, type StreamFailure } from './event-stream.js';
import { publishedExport } from './export-rules.js';
import { readMeta } from './function-meta.js';
import { folderOf, hooksLoaded, readBefores } from './hooks.js';
import { loadPino } from './lazy.js';
import { compileMount, MountTable } from './mounts.js';
import { OuterWrapper, type PublisherHost } from './outer-wrapper.js';
import { allowRelativeResponseRedirect } from './redirect.js';
import { assignRequestId, requestIdOf } from './request-id.js';
import type { StreamErrorHandler } from './respond.js';
import type { FnRoute, Route, ServedApp } from './route.js';
import { listRoutes, type RouteListing } from './route-listing.js';
import { candidates, nameSegments, splitPath } from './segments.js';
import { StaleCode, type StaleModule } from './stale-code.js';
import { createStaticFiles } from './static-files.js';
import { WebSockets } from './web-sockets.js';

/** Options of {@link createPublisher}. */
export interface PublisherOptions extends Pick<HotpubOptions, 'dev' | 'bodyLimit'> {
  /** The module registry (started by the caller). */
  registry: ModuleRegistry;
  /** The apps directory; default `registry.root`. */
  appsDir?: string;
  /** pino logger; default one at `info` on stdout. */
  logger?: Logger;
  /** The apps of `appsDir` if the caller has discovered them already (read once at start-up). */
  apps?: AppDef[];
  /**
   * Run each call in an AsyncLocalStorage scope naming its app, module and function
   * (`currentScope()`), so errors nobody catches can be attributed. Default false.
   */
  requestScope?: boolean;
  /** What `ctx.session` reads and saves; without it, reading `ctx.session` answers 500. */
  sessions?: Sessions;
}

/** An app as the publisher mounted it. */
export interface MountedApp {
  name: string;
  dir: string;
  mount: string;
  configFile: string | undefined;
}

/** The publisher's API. */
export interface Publisher {
  /** Answers a request (node:http or Express); with `next`, misses fall through to it. */
  handle(req: IncomingMessage, res: ServerResponse, next?: Next): void;
  /** The mounted apps. */
  readonly apps: readonly MountedApp[];
  /** Every URL -> file#function (loads modules that are not loaded yet). */
  routes(): Promise<RouteListing[]>;
  /**
   * Stops following the registry's events (the publisher subscribes itself to drop stale
   * routes), ends the open event streams and closes the WebSocket connections (1001).
   * Idempotent; the registry is closed by whoever started it.
   */
  close(): void;
  /** Open long-lived responses: event streams and WebSocket connections. */
  readonly open: { readonly streams: number; readonly sockets: number };
  /** Answers `err` the way the publisher answers errors (JSON body, dev details). */
  error(req: IncomingMessage, res: ServerResponse, err: unknown): void;
  /**
   * Under `dev`, the modules whose latest save failed while their last good code serves
   * (their responses carry `x-hotpub-stale`); always empty otherwise.
   */
  stale(): StaleModule[];
}

const CACHE_MAX = 5000;
// The pseudo-app that owns the routes of paths outside every mount.
const OUTSIDE: AppDef = {
  name: '',
  dir: '',
  configFile: undefined,
  config: { static: false },
  mount: compileMount('/', '(none)'),
  publicDir: '',
};
const CACHE_KEY_MAX = 512;

class PublisherImpl implements Publisher, PublisherHost {
  readonly registry: ModuleRegistry;
  readonly sessions: Sessions | undefined;
  readonly error: Publisher['error'];
  readonly streamError: StreamErrorHandler;
  readonly requestScope: boolean;
  private readonly dev: boolean;
  private readonly log: Logger;
  private readonly appsDir: string;
  private readonly bodyLimit: number;
  private table!: MountTable<ServedApp>;
  private byName = new Map<string, ServedApp>();
  /** Routes of paths that belong to no app. */
  private outside!: ServedApp;
  private readonly cache = new Map<string, Route>();
  private readonly errorOptions: ErrorOptions;
  private readonly wrappers = new Map<string, OuterWrapper>();
  private readonly unsubscribe: Array<() => void>;
  private readonly staleCode: StaleCode | undefined;
  readonly staleOf: ((app: string) => string | undefined) | undefined;
  readonly streams = new EventStreams();
  readonly sockets: WebSockets;

  constructor(opts: PublisherOptions) {
    allowRelativeResponseRedirect();
    this.registry = opts.registry;
    this.sessions = opts.sessions;
    this.dev = opts.dev ?? false;
    this.requestScope = opts.requestScope ?? false;
    this.log = opts.logger ?? loadPino().pino({ level: process.env.HOTPUB_LOG_LEVEL ?? 'info' });
    this.appsDir = opts.appsDir ?? opts.registry.root;
    this.bodyLimit = opts.bodyLimit ?? DEFAULTS.bodyLimit;
    this.mountApps(opts.apps ?? discoverApps(this.appsDir));
    this.unsubscribe = [
      this.registry.on('swap', (e) => this.appChanged(e.app)),
      this.registry.on('files', (e) => this.filesChanged(e)),
      this.registry.on('app', (e) => this.appUpdated(e)),
    ];
    this.staleCode = this.dev ? new StaleCode(this.registry) : undefined;
    const staleCode = this.staleCode;
    this.staleOf = staleCode && ((app) => staleCode.header(app));
    this.errorOptions = {
      dev: this.dev,
      log: this.log,
      registry: this.registry,
      stale: () => this.stale(),
    };
    this.handle = this.handle.bind(this);
    this.error = this.sendError.bind(this);
    this.streamError = (req, err) =>
      this.log.error(
        { err, method: req.method, url: req.url, reqId: requestIdOf(req) },
        `${req.method} ${req.url}: response stream failed: ${(err as Error)?.message ?? String(err)}`,
      );
    this.sockets = new WebSockets(
      {
        registry: this.registry,
        errorBody: (err, id) => errorBody(err, this.errorOptions, id).body,
      },
      this.log,
    );
  }

  streamFailure(req: IncomingMessage): StreamFailure {
    return {
      body: (err) => errorBody(err, this.errorOptions, requestIdOf(req)).body,
      log: (err) => this.streamError(req, err),
    };
  }

  get open(): { streams: number; sockets: number } {
    return { streams: this.streams.size, sockets: this.sockets.size };
  }

  private mountApps(defs: AppDef[]): void {
    const states = defs.map((def) => this.stateOf(def));
    this.byName = new Map(states.map((s) => [s.name, s]));
    this.table = new MountTable(states);
    const version = (this.outside?.version ?? 0) + 1;
    this.outside = {
      def: OUTSIDE,
      name: '',
      mount: OUTSIDE.mount,
      version,
      log: this.log,
      bodyLimit: 0,
      statics: undefined,
      trusted: undefined,
      cors: undefined,
    };
    this.cache.clear();
  }

  private stateOf(def: AppDef): ServedApp {
    const old = this.byName.get(def.name);
    if (old?.def === def) return old;
    return {
      def,
      name: def.name,
      mount: def.mount,
      version: (old?.version ?? 0) + 1,
      log: this.log.child({ app: def.name }),
      bodyLimit: def.config.bodyLimit ?? this.bodyLimit,
      statics: def.config.static === false ? undefined : createStaticFiles(def.publicDir),
      trusted: trustedOrigins(def.config.cors?.origin),
      cors: createCorsPolicy(def.config.cors),
    };
  }

  get apps(): readonly MountedApp[] {
    return this.table.apps.map((a) => ({
      name: a.name,
      dir: a.def.dir,
      mount: a.def.mount.pattern,
      configFile: a.def.configFile,
    }));
  }

  handle(req: IncomingMessage, res: ServerResponse, next?: Next): void {
    // Nothing the publisher answers is sniffed into another type (a text/plain string as HTML).
    res.setHeader('x-content-type-options', 'nosniff');
    assignRequestId(req, res);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const route = this.cache.get(path);
    try {
      if (route !== undefined && route.version === route.app.version) {
        // The app's CORS first: a preflight is answered here, whatever the path names.
        if (route.app.cors?.(req, res)) return;
        if (route.kind === 'fn') route.wrapper.serve(req, res, route, url, q, next);
        else this.serveOther(req, res, route, next);
        return;
      }
      this.resolve(req, res, next, path, url, q);
    } catch (err) {
      this.sendError(req, res, err); // e.g. the registry was closed: never crash the server
    }
  }

  resolve(
    req: IncomingMessage,
    res: ServerResponse,
    next: Next | undefined,
    path: string,
    url: string,
    q: number,
  ): void {
    this.resolveSlow(req, res, next, path, url, q).catch((err) => this.sendError(req, res, err));
  }

  private remember(path: string, route: Route): void {
    if (path.length > CACHE_KEY_MAX) return;
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(path, route);
  }

  private async resolveSlow(
    req: IncomingMessage,
    res: ServerResponse,
    next: Next | undefined,
    path: string,
    url: string,
    q: number,
  ): Promise<void> {
    const segments = path === '/-' || path.startsWith('/-/') ? undefined : splitPath(path);
    const match = segments && this.table.match(segments);
    if (!segments || !match) {
      const miss: Route = { kind: 'miss', app: this.outside, version: this.outside.version };
      this.remember(path, miss);
      this.serveOther(req, res, miss, next);
      return;
    }
    const app = match.app;
    const version = app.version;
    if (app.cors !== undefined && !res.headersSent && app.cors(req, res)) return;
    const raw = segments.slice(match.consumed);
    const names = nameSegments(raw);
    if (names !== undefined) {
      for (const cand of candidates(names)) {
        const file = this.registry.findFile(app.name, cand.rel);
        if (file === undefined) continue;
        // The app remounted (app.json, a release switch) or the file went while we waited
        // for the pin: what we resolved is of the old state, so start over in the new one.
        const stale = () =>
          this.byName.get(app.name) !== app || this.registry.findFile(app.name, cand.rel) !== file;
        const hooks = this.registry.hookFiles(app.name, folderOf(cand.rel));
        let pin = await this.registry.acquire(app.name);
        if (stale()) {
          pin.release();
          return this.resolveSlow(req, res, next, path, url, q);
        }
        if (pin.exportsOf(file) === undefined) {
          pin.release();
          // A module that does not export the name is never evaluated for this URL.
          const names = await this.registry.exportNames(file);
          if (names !== undefined && !names.has(cand.name)) continue;
          try {
            await this.registry.ensureModule(file); // single flight; rejects if it never loaded
          } catch (err) {
            if (!stale()) throw err;
            // The load lost a race with a release switch: resolve in the new release.
            return this.resolveSlow(req, res, next, path, url, q);
          }
          pin = await this.registry.acquire(app.name);
          if (stale()) {
            pin.release();
            return this.resolveSlow(req, res, next, path, url, q);
          }
        }
        let route: FnRoute | undefined;
        try {
          let inner = publishedExport(pin, file, cand.name) as FnRoute['inner'] | undefined;
          if (inner !== undefined && !hooksLoaded(pin, hooks)) {
            // Hooks load only for a function that exists (a failed one answers 500).
            pin.release();
            await Promise.all(hooks.map((h) => this.registry.ensureModule(h)));
            pin = await this.registry.acquire(app.name);
            if (stale()) {
              pin.release();
              return this.resolveSlow(req, res, next, path, url, q);
            }
            inner = publishedExport(pin, file, cand.name) as FnRoute['inner'] | undefined;
          }
          const befores = inner === undefined ? undefined : readBefores(pin, hooks);
          if (inner !== undefined) {
            const meta = readMeta(pin, file, inner);
            if (befores instanceof HttpError) meta.invalid ??= befores;
            route = {
              kind: 'fn',
              app,
              version,
              generation: pin.generation,
              inner,
              meta,
              params:
                match.consumed > 0 && app.def.mount.params.length > 0 ? match.params : undefined,
              path,
              wrapper: this.wrapperOf(app.name, file, cand.name),
              befores: befores instanceof HttpError ? undefined : befores,
            };
          }
        } catch (err) {
          pin.release(); // an export's getter threw: answer 500, keep no pin
          throw err;
        }
        if (route === undefined) {
          pin.release();
          continue;
        }
        // A swap while we awaited makes `version` stale: serve, but do not cache.
        if (version === app.version) this.remember(path, route);
        route.wrapper.run(req, res, route, pin, url, q, next);
        return;
      }
    }
    const rest = '/' + raw.join('/') + (path.endsWith('/') && raw.length > 0 ? '/' : '');
    const route: Route = app.statics
      ? { kind: 'static', app, version, rest }
      : { kind: 'miss', app, version };
    if (version === app.version) this.remember(path, route);
    this.serveOther(req, res, route, next);
  }

  private wrapperOf(app: string, file: string, name: string): OuterWrapper {
    const key = `${file}#${name}`;
    let w = this.wrappers.get(key);
    if (w === undefined) {
      w = new OuterWrapper(app, file, name, this);
      this.wrappers.set(key, w);
    }
    return w;
  }

  private serveOther(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    next: Next | undefined,
  ): void {
    if (route.kind === 'static' && route.app.statics) {
      route.app.statics.serve(req, res, route.rest, (err) => {
        if (err) this.sendError(req, res, err);
        else this.notFound(req, res, next);
      });
      return;
    }
    this.notFound(req, res, next);
  }

  private notFound(req: IncomingMessage, res: ServerResponse, next: Next | undefined): void {
    if (next) next();
    else this.sendError(req, res, requestError('notFound', 'Not Found'));
  }

  sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    try {
      sendError(req, res, err, this.errorOptions);
    } catch (inner) {
      // Never let an error answer crash the process: cut the connection instead.
      this.log.error({ err: inner }, 'could not send an error response');
      res.destroy();
    }
  }

  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.staleCode?.close();
    this.streams.closeAll();
    this.sockets.closeAll();
  }

  stale(): StaleModule[] {
    return this.staleCode?.all() ?? [];
  }

  /** A swap of app `name`: drop its stale routes. */
  private appChanged(name: string): void {
    const app = this.byName.get(name);
    if (app === undefined) return;
    app.version++;
    // Drop the app's routes now: they hold functions of a generation that should be collectable.
    for (const [path, route] of this.cache) if (route.app === app) this.cache.delete(path);
    for (const w of this.wrappers.values()) if (w.app === name) w.forget();
  }

  /** Files added or removed: their routes may change; wrappers of removed files go. */
  private filesChanged(e: RegistryEvents['files']): void {
    for (const file of e.removed) {
      for (const [key, w] of this.wrappers) if (w.file === file) this.wrappers.delete(key);
    }
    this.appChanged(e.app);
  }

  /**
   * An app added, removed, or with a new app.json or directory (a release switch), in the
   * same synchronous step as its code: remount it now, so the next request sees both.
   */
  private appUpdated(e: RegistryEvents['app']): void {
    const defs = this.table.apps.filter((a) => a.name !== e.app).map((a) => a.def);
    if (!e.removed) {
      let def = e.config as AppDef | undefined;
      try {
        // A registry without the publisher's hook: read the app.json with the same rules.
        def ??= appDefOf(e.app, e.dir, readAppJsonText(join(e.dir, 'app.json')));
      } catch (err) {
        this.log.error({ err, code: (err as { code?: string }).code }, (err as Error).message);
        return;
      }
      defs.push(def);
    }
    // Wrappers name files; those of a removed app or an old release name nothing now.
    const prefix = e.dir + '/';
    for (const [key, w] of this.wrappers) {
      if (w.app === e.app && (e.removed || !w.file.startsWith(prefix))) this.wrappers.delete(key);
    }
    this.mountApps(defs);
  }

  routes(): Promise<RouteListing[]> {
    return listRoutes(this.registry, this.table.apps);
  }
}

/**
 * Creates the publisher over a started registry. Throws a `HotpubError` (codes `appsDir`,
 * `appConfig`, `mountConflict`) for a missing apps directory, a bad app.json or two apps
 * on one mount.
 */
export function createPublisher(options: PublisherOptions): Publisher {
  return new PublisherImpl(options);
}
