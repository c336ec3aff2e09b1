/**
 * Settles what `serve` runs with: flags over `PORT` over `hotpub.config.ts` over defaults,
 * and checks the apps directory exists.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULTS, type HotpubConfig, parseSize } from '../config/index.js';
import { MIN_TOKEN_LENGTH } from '../control/index.js';
import { ErrorCode, HotpubError } from '../errors/index.js';
import { display } from '../scaffold/index.js';
import { checkSecrets, secretsFromEnv } from '../session/index.js';
import { type StorageConfig, storageFromUrl } from '../storage/index.js';
import type { ServeFlags } from './args.js';
import { parsePort } from './args.js';
import { usageError } from './describe-error.js';
import { loadConfig } from './load-config.js';
import type { LogSettings, RunServerOptions } from './process/index.js';

/** Everything `serve` needs, resolved: `runServer`'s options plus the CLI's own. */
export interface ServeSettings extends RunServerOptions {
  /** Absolute path of the apps directory. */
  apps: string;
  workers: number;
  requestTimeoutMs: number;
  /** Absolute path of the config file used, if any. */
  configFile?: string;
}

/**
 * Loads the config (from `flags.config` or the cwd) and merges it under the flags.
 * Throws a usage error for a bad `PORT`, the `config` error for a bad config file and the
 * `appsDir` error when the apps directory is missing.
 */
export async function resolveServeSettings(
  flags: ServeFlags,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ServeSettings> {
  const { file, config } = await loadConfig(cwd, flags.config);
  const envPort =
    env.PORT !== undefined && env.PORT !== '' ? parsePort(env.PORT, 'PORT') : undefined;
  const apps =
    flags.apps !== undefined
      ? resolve(cwd, flags.apps)
      : config.apps !== undefined && file !== undefined
        ? resolve(dirname(file), config.apps)
        : resolve(cwd, DEFAULTS.apps);
  checkAppsDir(apps, cwd);
  const dev = flags.dev ?? config.dev ?? false;
  const token = adminToken(flags.adminToken, env.HOTPUB_ADMIN_TOKEN);
  return {
    ...(token === undefined ? {} : { adminToken: token }),
    apps,
    port: flags.port ?? envPort ?? config.port ?? DEFAULTS.port,
    host: flags.host ?? config.host ?? DEFAULTS.host,
    watch: flags.watch ?? config.watch ?? false,
    dev,
    admin: flags.admin ?? config.admin ?? false,
    workers: flags.workers ?? config.workers ?? DEFAULTS.workers,
    drainTimeoutMs: flags.drainTimeoutMs ?? config.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    bodyLimit:
      flags.bodyLimit ??
      (config.bodyLimit !== undefined ? parseSize(config.bodyLimit)! : DEFAULTS.bodyLimit),
    middleware:
      config.middleware !== undefined && config.middleware.length > 0
        ? config.middleware
        : undefined,
    log: logSettings(config.logger, dev),
    configFile: file,
    ...stateSettings(env, config),
  };
}

/** `storage`, `secret` and `session`, only those that are set: the variables win. */
function stateSettings(
  env: NodeJS.ProcessEnv,
  config: HotpubConfig,
): Pick<ServeSettings, 'storage' | 'secret' | 'session'> {
  const storage = envStorage(env) ?? config.storage;
  const secret = envSecrets(env) ?? config.secret;
  return {
    ...(storage !== undefined && { storage }),
    ...(secret !== undefined && { secret }),
    ...(config.session !== undefined && { session: config.session }),
  };
}

/** `HOTPUB_STORAGE_URL`, which wins over the config's `storage`. */
function envStorage(env: NodeJS.ProcessEnv): StorageConfig | undefined {
  return storageFromUrl(env.HOTPUB_STORAGE_URL);
}

/** `HOTPUB_SECRET` (comma-separated, first signs), which wins over the config's `secret`. */
function envSecrets(env: NodeJS.ProcessEnv): string[] | undefined {
  const list = secretsFromEnv(env.HOTPUB_SECRET);
  return list === undefined ? undefined : checkSecrets(list, 'HOTPUB_SECRET');
}

/**
 * The admin token from `--admin-token` or `HOTPUB_ADMIN_TOKEN` (empty: none). A short
 * one is refused: it would open the dashboard and its controls to a guess.
 */
function adminToken(flag: string | undefined, env: string | undefined): string | undefined {
  const token = flag ?? (env === '' ? undefined : env);
  if (token === undefined) return undefined;
  if (token.length < MIN_TOKEN_LENGTH) {
    const source = flag !== undefined ? '--admin-token' : 'HOTPUB_ADMIN_TOKEN';
    throw usageError(
      `${source} must be at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 16)`,
    );
  }
  return token;
}

function logSettings(logger: HotpubConfig['logger'], dev: boolean): LogSettings | false {
  if (logger === false) return false;
  const options = typeof logger === 'object' ? logger : {};
  return {
    level: options.level ?? 'info',
    requests: options.requests ?? dev,
    pretty: options.pretty ?? dev,
  };
}

/** Throws the `appsDir` error unless `apps` is an existing directory. */
export function checkAppsDir(apps: string, cwd: string): void {
  const shown = display(apps, cwd);
  if (!existsSync(apps)) {
    throw new HotpubError(
      ErrorCode.appsDir,
      `apps directory ${shown} does not exist (pass --apps DIR, or create an app: hotpub new app NAME)`,
    );
  }
  if (!statSync(apps).isDirectory()) {
    throw new HotpubError(ErrorCode.appsDir, `apps directory ${shown} is not a directory`);
  }
}
