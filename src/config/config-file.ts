/**
 * `hotpub.config.ts`: the typed configuration (`defineConfig`) and its validation.
 * Every error names the file and the field.
 */
import { ErrorCode, HotpubError } from '../errors/index.js';
import { MIN_SECRET_LENGTH } from '../session/index.js';
import { storageProblem } from '../storage/index.js';
import type { HotpubOptions } from './options.js';

/** Pino levels, most to least severe, plus `silent`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Logging options: `true` (the default) or `false` (no log at all) or this object. */
export interface LoggerConfig {
  /** Minimum level. Default `info`. */
  level?: LogLevel;
  /** One line per request at `info`. Default: on with `dev`, off otherwise. */
  requests?: boolean;
  /** Human-readable lines instead of JSON. Default: on with `dev`, off otherwise. */
  pretty?: boolean;
}

/**
 * The contents of `hotpub.config.ts`: {@link HotpubOptions} plus what only a process
 * has (admin endpoints, workers, logging). Every field is optional; command-line flags win.
 */
export interface HotpubConfig extends Omit<Partial<HotpubOptions>, 'apps' | 'bodyLimit'> {
  /** Apps directory, relative to the config file. Default `./apps` (relative to the cwd). */
  apps?: string;
  /** Serve `/-/registry` and `/-/routes` without `dev`. */
  admin?: boolean;
  /** Worker processes (node:cluster). Default 1: no cluster. */
  workers?: number;
  /** Largest request body: bytes or a size such as `'1mb'`, `'512kb'`. Default 1 MiB. */
  bodyLimit?: number | string;
  /** Logging: `false` for none, or options. */
  logger?: boolean | LoggerConfig;
}

/**
 * Identity function that gives `hotpub.config.ts` its types:
 * `export default defineConfig({ middleware: [cors()] })`.
 */
export function defineConfig(config: HotpubConfig): HotpubConfig {
  return config;
}

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?$/i;
const UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/**
 * Parses a size: a whole number of bytes or a number with a unit (`b`, `kb`, `mb`, `gb`,
 * powers of 1024, as body-parser reads them). Undefined if it is not a positive size.
 */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  }
  const m = SIZE.exec(value.trim());
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

type Check = (value: unknown) => string | undefined;

const isInt =
  (min: number, max: number): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max
      ? undefined
      : `must be a whole number ${min}-${max}`;
const isBool: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const isText: Check = (v) =>
  typeof v === 'string' && v !== '' ? undefined : 'must be a non-empty string';
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const isSecret: Check = (v) => {
  const list = typeof v === 'string' ? [v] : v;
  const ok =
    Array.isArray(list) &&
    list.length > 0 &&
    list.every((s) => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
  return ok
    ? undefined
    : `must be a string of at least ${MIN_SECRET_LENGTH} characters, or a non-empty list of them`;
};

const isSession: Check = (v) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return 'must be { cookie, maxAge, secure }';
  for (const [key, value] of Object.entries(v)) {
    if (key === 'cookie') {
      if (typeof value !== 'string' || !COOKIE_NAME.test(value))
        return '.cookie must be a cookie name (letters, digits, . _ -)';
    } else if (key === 'maxAge') {
      if (!Number.isInteger(value) || (value as number) < 1)
        return '.maxAge must be a whole number of seconds, at least 1';
    } else if (key === 'secure') {
      if (typeof value !== 'boolean' && value !== 'auto')
        return ".secure must be true, false or 'auto'";
    } else {
      return `.${key} is not a session option (cookie, maxAge, secure)`;
    }
  }
  return undefined;
};

const FIELDS: Record<keyof HotpubConfig, Check> = {
  apps: isText,
  port: isInt(0, 65535),
  host: isText,
  watch: isBool,
  dev: isBool,
  admin: isBool,
  workers: isInt(1, 256),
  drainTimeoutMs: isInt(0, 3_600_000),
  shutdownTimeoutMs: isInt(0, 3_600_000),
  requestTimeoutMs: isInt(0, 3_600_000),
  bodyLimit: (v) =>
    (typeof v === 'number' || typeof v === 'string') && parseSize(v) !== undefined
      ? undefined
      : "must be a positive number of bytes or a size like '1mb'",
  middleware: (v) => {
    if (!Array.isArray(v)) return 'must be an array of (req, res, next) functions';
    const bad = v.findIndex((m) => typeof m !== 'function');
    return bad === -1
      ? undefined
      : `[${bad}] must be a (req, res, next) function, got ${describe(v[bad])}`;
  },
  logger: (v) => {
    if (typeof v === 'boolean') return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      return 'must be true, false or { level, requests, pretty }';
    for (const [key, value] of Object.entries(v)) {
      if (key === 'level') {
        if (!LEVELS.includes(value as string)) return `.level must be one of ${LEVELS.join(', ')}`;
      } else if (key === 'requests' || key === 'pretty') {
        if (typeof value !== 'boolean') return `.${key} must be true or false`;
      } else {
        return `.${key} is not a logger option (level, requests, pretty)`;
      }
    }
    return undefined;
  },
  storage: storageProblem,
  secret: isSecret,
  session: isSession,
};

/**
 * Checks a loaded config value. Throws the `config` error naming `file` and the first
 * bad field; unknown fields are errors too (a typo must not pass silently).
 */
export function validateConfig(value: unknown, file: string): HotpubConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HotpubError(
      ErrorCode.config,
      `${file}: the default export must be an object (use defineConfig({...})), got ${describe(value)}`,
    );
  }
  for (const [key, field] of Object.entries(value)) {
    const check = (FIELDS as Record<string, Check>)[key];
    if (!Object.hasOwn(FIELDS, key) || check === undefined) {
      throw new HotpubError(
        ErrorCode.config,
        `${file}: unknown field "${key}" (known: ${Object.keys(FIELDS).join(', ')})`,
      );
    }
    if (field === undefined) continue;
    const problem = check(field);
    if (problem === undefined) continue;
    // Nested problems start with their sub-path: ".level must be..." or "[2] must be...".
    const nested = problem.startsWith('.') || problem.startsWith('[');
    const cut = nested ? problem.indexOf(' ') : 0;
    throw new HotpubError(
      ErrorCode.config,
      `${file}: field "${key}${problem.slice(0, cut)}" ${problem.slice(cut).trim()}`,
    );
  }
  return value as HotpubConfig;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value}"` : typeof value;
}
