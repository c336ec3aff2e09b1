/**
 * The one place that says what hotpub does when an option is not given: the CLI,
 * `createServer`, `publisher()` and the publisher all read their defaults from here.
 */

/** Defaults of the `HotpubOptions` fields and of the CLI's own settings. */
export const DEFAULTS = {
  /** The apps directory, relative to the working directory. */
  apps: './apps',
  port: 3000,
  host: '127.0.0.1',
  /** 1 MiB. */
  bodyLimit: 1024 * 1024,
  drainTimeoutMs: 5000,
  shutdownTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  /** One process: no cluster. */
  workers: 1,
} as const;
