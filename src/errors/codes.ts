/**
 * The one table of every error code hotpub makes itself: what it means, the HTTP status
 * where it answers a request, and the exit status where the CLI reports it.
 * docs/errors.md renders this table; test/docs/errors.test.ts holds the two together.
 */

/** Exit status for a bad command line (unknown flag, bad value, missing argument). */
export const EXIT_USAGE = 2;
/** Exit status for a runtime failure (missing apps directory, port in use, bad config). */
export const EXIT_RUNTIME = 1;

/** Which table of docs/errors.md a code belongs to. */
export type ErrorArea = 'request' | 'module' | 'config' | 'cli';

/** One row of the table. */
export interface ErrorSpec {
  /** The stable `HOTPUB_E_*` string. */
  readonly code: string;
  readonly area: ErrorArea;
  /** The HTTP status it answers, where it answers a request with one fixed status. */
  readonly status?: number;
  /** The CLI's exit status when it ends a command. */
  readonly exit?: number;
  /** What it means, as docs/errors.md says it. */
  readonly meaning: string;
}

/** Every code by a short name; `ErrorCode.notFound` is its `code`. */
export const ERRORS = {
  notFound: {
    code: 'HOTPUB_E_NOT_FOUND',
    area: 'request',
    status: 404,
    meaning:
      'No app, module, published function or static file for this path (also: hidden names, bad segments, traversal).',
  },
  methodNotAllowed: {
    code: 'HOTPUB_E_METHOD_NOT_ALLOWED',
    area: 'request',
    status: 405,
    meaning:
      'The function (or `/-/` endpoint) exists but not for this method; the `Allow` header lists the accepted ones.',
  },
  unauthorized: {
    code: 'HOTPUB_E_UNAUTHORIZED',
    area: 'request',
    status: 401,
    meaning: "A module's `_auth` or the function's `fn.auth` guard refused the request.",
  },
  forbidden: {
    code: 'HOTPUB_E_FORBIDDEN',
    area: 'request',
    status: 403,
    meaning: "A module's `_access` or the function's `fn.access` guard refused the request.",
  },
  upgradeRequired: {
    code: 'HOTPUB_E_UPGRADE_REQUIRED',
    area: 'request',
    status: 426,
    meaning:
      'A plain HTTP request to a WebSocket function (`fn.websocket = true`); the response says `Upgrade: websocket`.',
  },
  notWebSocket: {
    code: 'HOTPUB_E_NOT_WEBSOCKET',
    area: 'request',
    status: 400,
    meaning: 'A WebSocket upgrade to a URL whose function does not answer WebSockets.',
  },
  notAcceptable: {
    code: 'HOTPUB_E_NOT_ACCEPTABLE',
    area: 'request',
    status: 406,
    meaning:
      'An event-stream function (`async function*`) called with an `Accept` header that excludes `text/event-stream`.',
  },
  badJson: {
    code: 'HOTPUB_E_BAD_JSON',
    area: 'request',
    status: 400,
    meaning: 'The body says `application/json` but does not parse.',
  },
  badBody: {
    code: 'HOTPUB_E_BAD_BODY',
    area: 'request',
    status: 400,
    meaning: 'A malformed or incomplete body (bad multipart, truncated upload, nesting too deep).',
  },
  bodyTooLarge: {
    code: 'HOTPUB_E_BODY_TOO_LARGE',
    area: 'request',
    status: 413,
    meaning:
      'The body is over the limit (default 1 MiB, `--body-limit`, `app.json` `bodyLimit`), or has too many fields or files.',
  },
  unsupportedMediaType: {
    code: 'HOTPUB_E_UNSUPPORTED_MEDIA_TYPE',
    area: 'request',
    status: 415,
    meaning: 'A compressed request body (`content-encoding`), which hotpub does not inflate.',
  },
  validation: {
    code: 'HOTPUB_E_VALIDATION',
    area: 'request',
    status: 400,
    meaning: "`args` failed `fn.schema`; `details` holds ajv's errors.",
  },
  badSchema: {
    code: 'HOTPUB_E_BAD_SCHEMA',
    area: 'request',
    status: 500,
    meaning: '`fn.schema` is not a valid JSON Schema (it is compiled once per generation).',
  },
  badMetadata: {
    code: 'HOTPUB_E_BAD_METADATA',
    area: 'request',
    status: 500,
    meaning:
      '`fn.methods`, `fn.keepAlive`, a guard or a `_hooks` `before` is set to something unusable; the route stays closed, not open.',
  },
  badReturn: {
    code: 'HOTPUB_E_BAD_RETURN',
    area: 'request',
    status: 500,
    meaning:
      'The function returned a value that cannot be sent: a symbol, a function, a bigint (a cyclic object throws and is a plain 500).',
  },
  internal: {
    code: 'HOTPUB_E_INTERNAL',
    area: 'request',
    status: 500,
    meaning: 'Anything else thrown; no message or stack leaves the server unless `--dev`.',
  },
  http: {
    code: 'HOTPUB_E_HTTP',
    area: 'request',
    meaning:
      'Default code of an `HttpError` (or an error with `status`) that set none of its own; its status is its own.',
  },
  noSecret: {
    code: 'HOTPUB_E_NO_SECRET',
    area: 'request',
    status: 500,
    meaning:
      '`ctx.session` was read on a server without a secret (outside `--dev`); the log line names `HOTPUB_SECRET`.',
  },
  sessionData: {
    code: 'HOTPUB_E_SESSION_DATA',
    area: 'request',
    status: 500,
    meaning: '`ctx.session` holds a value JSON cannot keep (a BigInt, a cycle); it is not saved.',
  },
  adminToken: {
    code: 'HOTPUB_E_ADMIN_TOKEN',
    area: 'request',
    status: 401,
    meaning:
      'A `/-/` control-plane path without `Authorization: Bearer TOKEN` or with a wrong token (`--admin-token`; docs/control-plane.md).',
  },
  crossOrigin: {
    code: 'HOTPUB_E_CROSS_ORIGIN',
    area: 'request',
    status: 403,
    meaning:
      "A request that changes state (not GET, HEAD or OPTIONS) sent by another site's page (`Sec-Fetch-Site`, else `Origin` against `Host`): to a function, unless the app's `cors.origin` trusts that origin (docs/security.md); to `POST /-/reload` or `/-/apps/NAME/freeze`, always; or a browser's WebSocket upgrade whose `Origin` differs from `Host` and is not in the app's `cors.origin`.",
  },
  moduleRead: {
    code: 'HOTPUB_E_MODULE_READ',
    area: 'module',
    meaning: 'The module file cannot be read.',
  },
  moduleSyntax: {
    code: 'HOTPUB_E_MODULE_SYNTAX',
    area: 'module',
    meaning:
      'esbuild rejected the file: a syntax error, or top-level `await` (modules run as CommonJS).',
  },
  moduleResolve: {
    code: 'HOTPUB_E_MODULE_RESOLVE',
    area: 'module',
    meaning: 'An import of an app module (`./x`, `../_lib/y`) does not resolve to a file.',
  },
  moduleEval: {
    code: 'HOTPUB_E_MODULE_EVAL',
    area: 'module',
    meaning:
      'The module threw while its top-level code ran; `location` is the `.ts` file:line:col.',
  },
  moduleOutsideRoot: {
    code: 'HOTPUB_E_MODULE_OUTSIDE_ROOT',
    area: 'module',
    meaning: 'A module was asked for that is not under the apps directory.',
  },
  keepOutsideModule: {
    code: 'HOTPUB_E_KEEP_OUTSIDE_MODULE',
    area: 'module',
    meaning:
      "`keep()` was called outside an app module's evaluation, where it has no module to belong to.",
  },
  storageOutsideModule: {
    code: 'HOTPUB_E_STORAGE_OUTSIDE_MODULE',
    area: 'module',
    meaning: '`storage` was used outside an app module, where there is no app to namespace it.',
  },
  dispose: {
    code: 'HOTPUB_E_DISPOSE',
    area: 'module',
    meaning: 'An `import.meta.hot.dispose` callback threw; logged, the reload went ahead.',
  },
  watch: {
    code: 'HOTPUB_E_WATCH',
    area: 'module',
    meaning: 'The file watcher itself failed (e.g. out of inotify watches); logged.',
  },
  registryClosed: {
    code: 'HOTPUB_E_REGISTRY_CLOSED',
    area: 'module',
    meaning: 'The registry was used after `close()`.',
  },
  release: {
    code: 'HOTPUB_E_RELEASE',
    area: 'module',
    meaning:
      'A release switch could not be read (the apps directory resolves to nothing, or is unreadable); the old release keeps serving.',
  },
  uncaught: {
    code: 'HOTPUB_E_UNCAUGHT',
    area: 'module',
    meaning:
      'Log code of an error nobody caught in app code (a rejected promise nobody awaited, a throw from a timer): logged with `app` and `file`, counted in `/-/registry` (`uncaught`); the server keeps serving.',
  },
  appsDir: {
    code: 'HOTPUB_E_APPS_DIR',
    area: 'config',
    exit: EXIT_RUNTIME,
    meaning: 'The apps directory is missing or not a directory.',
  },
  appConfig: {
    code: 'HOTPUB_E_APP_CONFIG',
    area: 'config',
    exit: EXIT_RUNTIME,
    meaning:
      'An `app.json` is not valid JSON or fails its schema; the message names the file and the field.',
  },
  mountConflict: {
    code: 'HOTPUB_E_MOUNT_CONFLICT',
    area: 'config',
    exit: EXIT_RUNTIME,
    meaning:
      'Two apps on the same mount (`/api/:a` and `/api/:b` count as the same); names both files.',
  },
  config: {
    code: 'HOTPUB_E_CONFIG',
    area: 'config',
    exit: EXIT_RUNTIME,
    meaning:
      '`hotpub.config.ts` is missing (with `--config`), does not compile, throws, has no default export, or has a bad or unknown field (named).',
  },
  usage: {
    code: 'HOTPUB_E_USAGE',
    area: 'cli',
    exit: EXIT_USAGE,
    meaning: 'A bad command, flag, flag value, missing argument or bad `PORT`.',
  },
  portInUse: {
    code: 'HOTPUB_E_PORT_IN_USE',
    area: 'cli',
    exit: EXIT_RUNTIME,
    meaning: 'The port is taken (`EADDRINUSE`).',
  },
  listen: {
    code: 'HOTPUB_E_LISTEN',
    area: 'cli',
    exit: EXIT_RUNTIME,
    meaning: 'Any other listen failure (`EACCES`, `EADDRNOTAVAIL`, an unknown host).',
  },
  moduleLoad: {
    code: 'HOTPUB_E_MODULE_LOAD',
    area: 'cli',
    exit: EXIT_RUNTIME,
    meaning:
      '`hotpub routes` or `hotpub openapi`: at least one module failed to load (so CI can use it).',
  },
  routeInvalid: {
    code: 'HOTPUB_E_ROUTE_INVALID',
    area: 'cli',
    exit: EXIT_RUNTIME,
    meaning:
      "`hotpub routes`: a function's `fn.methods`, guards or `fn.schema` would fail every request; names the file#function.",
  },
  scaffoldName: {
    code: 'HOTPUB_E_SCAFFOLD_NAME',
    area: 'cli',
    exit: EXIT_USAGE,
    meaning:
      '`new`: the name could not be a URL segment (letters, digits, `-`, `_`; a letter or digit first) or is reserved.',
  },
  template: {
    code: 'HOTPUB_E_TEMPLATE',
    area: 'cli',
    exit: EXIT_USAGE,
    meaning: '`new app --template T`: no such template.',
  },
  scaffoldExists: {
    code: 'HOTPUB_E_SCAFFOLD_EXISTS',
    area: 'cli',
    exit: EXIT_RUNTIME,
    meaning: '`new`/`init` would overwrite a file; nothing was written.',
  },
  scaffoldNoApp: {
    code: 'HOTPUB_E_SCAFFOLD_NO_APP',
    area: 'cli',
    exit: EXIT_RUNTIME,
    meaning: '`new module APP/PATH`: the app does not exist.',
  },
} as const satisfies Record<string, ErrorSpec>;

/** The short name of a code, e.g. `notFound`. */
export type ErrorName = keyof typeof ERRORS;
/** A code of the table, e.g. `'HOTPUB_E_NOT_FOUND'`. */
export type HotpubCode = (typeof ERRORS)[ErrorName]['code'];

/** Codes by short name, read from {@link ERRORS}: `ErrorCode.appsDir`. */
export const ErrorCode = Object.fromEntries(
  Object.entries(ERRORS).map(([name, spec]) => [name, spec.code]),
) as { readonly [K in ErrorName]: (typeof ERRORS)[K]['code'] };

const byCode = new Map<string, ErrorSpec>(Object.values(ERRORS).map((spec) => [spec.code, spec]));

/**
 * True for a string in hotpub's code space (`HOTPUB_E_*`), listed in the table or not:
 * errors that carry one are the framework's, and their messages are meant to be read.
 */
export function isHotpubCode(code: unknown): code is string {
  return typeof code === 'string' && code.startsWith('HOTPUB_E_');
}

/** The row of `code`, or undefined for a code that is not in the table. */
export function errorSpec(code: unknown): ErrorSpec | undefined {
  return typeof code === 'string' ? byCode.get(code) : undefined;
}
