/**
 * The options every way of running hotpub shares. `createServer`, `publisher()`, the
 * CLI's settings and `hotpub.config.ts` derive their types from {@link HotpubOptions}
 * instead of restating its fields; defaults are in defaults.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecretInput, SessionOptions } from '../session/index.js';
import type { StorageConfig } from '../storage/index.js';

/** The `next` of a connect-style handler: call it to pass the request on, or with an error. */
export type Next = (err?: unknown) => void;

/**
 * A connect/Express middleware: `(req, res, next)`. Declared bivariantly so middleware
 * typed for Express's richer `Request`/`Response` (cors, helmet, express.json...) fits.
 */
export type Middleware = {
  bivarianceHack(req: IncomingMessage, res: ServerResponse, next: Next): unknown;
}['bivarianceHack'];

/** What hotpub runs with. Only `apps` is required. */
export interface HotpubOptions {
  /** The apps directory. */
  apps: string;
  /** Port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Host. Default `127.0.0.1`. */
  host?: string;
  /** Reload modules when their files change. Default false. */
  watch?: boolean;
  /**
   * Development mode: error details and code frames in responses (with the CLI, also the
   * `/-/` endpoints and a request log). Default false.
   */
  dev?: boolean;
  /** Largest request body in bytes; an app.json `bodyLimit` overrides it. Default 1 MiB. */
  bodyLimit?: number;
  /** Longest wait for in-flight requests before a reload swaps anyway. Default 5000. */
  drainTimeoutMs?: number;
  /** Longest wait for in-flight requests at shutdown before their connections are cut. Default 10000. */
  shutdownTimeoutMs?: number;
  /**
   * Longest time a client may take to send a whole request (headers and body), in ms;
   * past it the server answers 408 and closes the connection. 0: no limit. Default 30000.
   */
  requestTimeoutMs?: number;
  /**
   * Connect/Express middleware run, in order, before the publisher. Setting it runs the
   * server as an Express 5 app; without it requests go straight from node:http.
   */
  middleware?: Middleware[];
  /**
   * Where `storage` and sessions live: `{ driver: 'redis', url }` to share them between
   * machines, `{ driver: 'sqlite', path }`, `{ driver: 'memory' }` or an unstorage driver.
   * Default: `HOTPUB_STORAGE_URL` (`redis://...`), else SQLite at `.data/hotpub.sqlite` in
   * the working directory. With the CLI, `HOTPUB_STORAGE_URL` wins over the config file.
   */
  storage?: StorageConfig;
  /**
   * Signs session cookies: 32+ characters, or a list (the first signs, all verify).
   * Default `HOTPUB_SECRET`, which with the CLI wins over the config file; under `dev`
   * one is made up when neither is set. Keep secrets out of the repository.
   */
  secret?: SecretInput;
  /** Session cookie name (default `hotpub.sid`), `maxAge` in seconds (14 days), `secure`. */
  session?: SessionOptions;
}
