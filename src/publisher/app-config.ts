/**
 * App discovery: every direct subdirectory of the apps directory whose name does not start
 * with `_` or `.` is an app; its optional `app.json` is validated with ajv.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { ErrorCode, HotpubError } from '../errors/index.js';
import { isAppName } from '../registry/index.js';
import { loadAjv } from './lazy.js';
import { compileMount, type Mount } from './mounts.js';

/** What an `app.json` may hold. Unknown fields are an error. */
export interface AppJson {
  /** path-to-regexp pattern the app is mounted at, e.g. `/api/:tenant`. Default `/<dir>`. */
  mount?: string;
  /** Free text, shown by tools. */
  description?: string;
  /** Request body limit in bytes for this app (overrides the server's). */
  bodyLimit?: number;
  /** Serve `public/` at the mount (default true). */
  static?: boolean;
  /**
   * CORS for this app. `origin` lists the origins trusted by cross-origin protection
   * (`"*"`: any); the other fields shape CORS responses.
   */
  cors?: {
    origin: string | string[];
    credentials?: boolean;
    methods?: string[];
    allowedHeaders?: string[];
    exposedHeaders?: string[];
    maxAge?: number;
  };
}

/** One discovered app. */
export interface AppDef {
  /** Directory name: the registry's app key. */
  name: string;
  /** Real path of the app directory. */
  dir: string;
  /** The app.json path, if the app has one. */
  configFile: string | undefined;
  config: AppJson;
  mount: Mount;
  /** Real path of `public/` (may not exist). */
  publicDir: string;
}

const appJsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mount: { type: 'string', pattern: '^/', maxLength: 200 },
    description: { type: 'string' },
    bodyLimit: { type: 'integer', minimum: 0 },
    static: { type: 'boolean' },
    cors: {
      type: 'object',
      additionalProperties: false,
      required: ['origin'],
      properties: {
        origin: {
          anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        },
        credentials: { type: 'boolean' },
        methods: { type: 'array', items: { type: 'string' } },
        allowedHeaders: { type: 'array', items: { type: 'string' } },
        exposedHeaders: { type: 'array', items: { type: 'string' } },
        maxAge: { type: 'number' },
      },
    },
  },
} as const;

// Compiled at the first app.json: a project without one never loads ajv at start-up.
let appJsonValidator: ValidateFunction<AppJson> | undefined;
function validateAppJson(data: unknown): data is AppJson {
  appJsonValidator ??= new (loadAjv().Ajv)({ strict: true, allErrors: false }).compile<AppJson>(
    appJsonSchema,
  );
  return appJsonValidator(data);
}

/** Reads and validates one app.json; errors name the file and the field. */
function readAppJson(file: string): AppJson {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HotpubError(
      ErrorCode.appConfig,
      `${file}: not valid JSON (${(err as Error).message})`,
      { file },
    );
  }
  if (!validateAppJson(data)) {
    const e = appJsonValidator?.errors?.[0];
    let field = e?.instancePath.replace(/^\//, '').replace(/\//g, '.') ?? '';
    if (e?.keyword === 'additionalProperties') {
      field = String((e.params as { additionalProperty: string }).additionalProperty);
      throw new HotpubError(
        ErrorCode.appConfig,
        `${file}: unknown field "${field}" (allowed: ${Object.keys(appJsonSchema.properties).join(', ')})`,
        { file, field },
      );
    }
    const where = field === '' ? 'the document' : `field "${field}"`;
    throw new HotpubError(ErrorCode.appConfig, `${file}: ${where} ${e?.message ?? 'is invalid'}`, {
      file,
      field: field || undefined,
    });
  }
  return data;
}

/** Escapes a directory name so path-to-regexp reads it as literal text. */
function literalMount(name: string): string {
  return '/' + name.replace(/[{}()[\]+?!:*\\]/g, '\\$&');
}

/**
 * Finds the apps under `appsDir` and compiles their mounts. Throws a `HotpubError`
 * for a missing apps directory, a bad app.json, or two apps on the same mount.
 */
export function discoverApps(appsDir: string): AppDef[] {
  let root: string;
  try {
    root = realpathSync(appsDir);
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new HotpubError(ErrorCode.appsDir, `apps directory not found: ${appsDir}`, {
      file: appsDir,
    });
  }
  const apps: AppDef[] = [];
  const byMount = new Map<string, AppDef>();
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const name = entry.name;
    if (!isAppName(name)) continue;
    const dir = join(root, name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink())
      isDir = statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
    if (!isDir) continue;
    const configFile = join(dir, 'app.json');
    const hasConfig = statSync(configFile, { throwIfNoEntry: false })?.isFile() ?? false;
    const config = hasConfig ? readAppJson(configFile) : {};
    const pattern = config.mount ?? literalMount(name);
    const mount = compileMount(
      pattern,
      hasConfig ? configFile : dir,
      hasConfig ? 'mount' : undefined,
    );
    const app: AppDef = {
      name,
      dir,
      configFile: hasConfig ? configFile : undefined,
      config,
      mount,
      publicDir: join(dir, 'public'),
    };
    const other = byMount.get(mount.key);
    if (other) {
      const a = other.configFile ?? other.dir;
      const b = app.configFile ?? app.dir;
      throw new HotpubError(
        ErrorCode.mountConflict,
        `two apps on the same mount "${mount.pattern}": ${a} and ${b} (field "mount")`,
        { file: b, field: 'mount' },
      );
    }
    byMount.set(mount.key, app);
    apps.push(app);
  }
  return apps.sort((a, b) => a.name.localeCompare(b.name));
}
