/**
 * Command-line parsing: `node:util` parseArgs in strict mode, one table of options per
 * command, every value checked here so commands receive typed, valid input.
 */
import { parseArgs } from 'node:util';
import { parseSize } from '../config/index.js';
import { usageError } from './describe-error.js';

/** Serve flags as given on the command line; absent flags stay undefined so config can fill them. */
export interface ServeFlags {
  apps?: string;
  port?: number;
  host?: string;
  watch?: boolean;
  dev?: boolean;
  admin?: boolean;
  /** `--admin-token T`: opens `/-/` to `Authorization: Bearer T`. */
  adminToken?: string;
  workers?: number;
  drainTimeoutMs?: number;
  bodyLimit?: number;
  config?: string;
}

/** A parsed command line. */
export type Command =
  | { kind: 'help'; topic?: string }
  | { kind: 'version' }
  | { kind: 'serve'; name: 'serve' | 'dev'; flags: ServeFlags }
  | { kind: 'routes'; flags: Pick<ServeFlags, 'apps' | 'config'> }
  | { kind: 'openapi'; flags: Pick<ServeFlags, 'apps' | 'config'>; out?: string }
  | { kind: 'new-app'; name: string; apps?: string; template: string }
  | { kind: 'new-module'; target: string; apps?: string }
  | { kind: 'init'; dir: string };

type OptionTable = Record<string, { type: 'string' | 'boolean'; short?: string }>;

const help = { help: { type: 'boolean', short: 'h' } } as const;
const appsOption = { apps: { type: 'string' } } as const;
const serveOptions = {
  ...help,
  ...appsOption,
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  watch: { type: 'boolean' },
  dev: { type: 'boolean' },
  admin: { type: 'boolean' },
  'admin-token': { type: 'string' },
  workers: { type: 'string' },
  'drain-timeout': { type: 'string' },
  'body-limit': { type: 'string' },
  config: { type: 'string', short: 'c' },
} as const satisfies OptionTable;

/** The commands `hotpub --help` lists, in order. */
export const COMMANDS = ['serve', 'dev', 'routes', 'openapi', 'new', 'init'] as const;

/**
 * Parses `argv` (without node and the script). Throws a usage error (exit 2) naming the
 * bad flag or value.
 */
export function parseCommandLine(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    return { kind: 'help', topic: first === 'help' ? rest[0] : undefined };
  }
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first.startsWith('-')) {
    throw usageError(`expected a command before ${first} (try: hotpub --help)`);
  }
  switch (first) {
    case 'serve':
    case 'dev':
      return parseServe(first, rest);
    case 'routes': {
      const { values } = parse(
        'routes',
        rest,
        { ...help, ...appsOption, config: serveOptions.config },
        0,
      );
      if (values.help) return { kind: 'help', topic: 'routes' };
      return {
        kind: 'routes',
        flags: { apps: str(values.apps, '--apps'), config: str(values.config, '--config') },
      };
    }
    case 'openapi': {
      const { values } = parse(
        'openapi',
        rest,
        {
          ...help,
          ...appsOption,
          config: serveOptions.config,
          out: { type: 'string', short: 'o' },
        },
        0,
      );
      if (values.help) return { kind: 'help', topic: 'openapi' };
      return {
        kind: 'openapi',
        flags: { apps: str(values.apps, '--apps'), config: str(values.config, '--config') },
        out: str(values.out, '--out'),
      };
    }
    case 'new':
      return parseNew(rest);
    case 'init': {
      const { values, positionals } = parse('init', rest, help, 1);
      if (values.help) return { kind: 'help', topic: 'init' };
      const dir = positionals[0];
      if (dir === undefined) throw usageError('init needs a directory: hotpub init DIR');
      return { kind: 'init', dir };
    }
    default:
      throw usageError(
        `unknown command "${first}" (commands: ${COMMANDS.join(', ')}; try: hotpub --help)`,
      );
  }
}

function parseServe(name: 'serve' | 'dev', args: string[]): Command {
  const { values } = parse(name, args, serveOptions, 0);
  if (values.help) return { kind: 'help', topic: name };
  const flags: ServeFlags = {};
  if (values.apps !== undefined) flags.apps = str(values.apps, '--apps');
  if (values.port !== undefined) flags.port = parsePort(values.port, '--port');
  if (values.host !== undefined) flags.host = str(values.host, '--host');
  if (values.config !== undefined) flags.config = str(values.config, '--config');
  if (values['admin-token'] !== undefined) {
    flags.adminToken = str(values['admin-token'], '--admin-token');
  }
  if (values.workers !== undefined) flags.workers = parseWorkers(values.workers, '--workers');
  if (values['drain-timeout'] !== undefined) {
    flags.drainTimeoutMs = parseMilliseconds(values['drain-timeout'], '--drain-timeout');
  }
  if (values['body-limit'] !== undefined) {
    const raw = str(values['body-limit'], '--body-limit')!;
    const size = parseSize(raw);
    if (size === undefined) {
      throw usageError(`--body-limit must be a size like 1mb, 512kb or 1048576, got "${raw}"`);
    }
    flags.bodyLimit = size;
  }
  if (values.watch) flags.watch = true;
  if (values.dev) flags.dev = true;
  if (values.admin) flags.admin = true;
  if (name === 'dev') {
    flags.watch = true;
    flags.dev = true;
  }
  return { kind: 'serve', name, flags };
}

function parseNew(args: string[]): Command {
  const [what, ...rest] = args;
  if (what === '--help' || what === '-h' || what === undefined)
    return { kind: 'help', topic: 'new' };
  if (what === 'app') {
    const { values, positionals } = parse(
      'new app',
      rest,
      { ...help, ...appsOption, template: { type: 'string', short: 't' } },
      1,
    );
    if (values.help) return { kind: 'help', topic: 'new' };
    const name = positionals[0];
    if (name === undefined) throw usageError('new app needs a name: hotpub new app NAME');
    return {
      kind: 'new-app',
      name,
      apps: str(values.apps, '--apps'),
      template: str(values.template, '--template') ?? 'basic',
    };
  }
  if (what === 'module') {
    const { values, positionals } = parse('new module', rest, { ...help, ...appsOption }, 1);
    if (values.help) return { kind: 'help', topic: 'new' };
    const target = positionals[0];
    if (target === undefined)
      throw usageError('new module needs APP/PATH: hotpub new module blog/posts');
    return { kind: 'new-module', target, apps: str(values.apps, '--apps') };
  }
  throw usageError(`new makes an "app" or a "module", got "${what}" (try: hotpub new --help)`);
}

function parse<T extends OptionTable>(
  command: string,
  args: string[],
  options: T,
  maxPositionals: number,
) {
  let result: { values: { [K in keyof T]?: string | boolean }; positionals: string[] };
  try {
    result = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: maxPositionals > 0,
    }) as typeof result;
  } catch (err) {
    const message = (err as Error).message.split('\n')[0]!.replace(/\.$/, '');
    throw usageError(
      `${command}: ${message[0]!.toLowerCase()}${message.slice(1)} (try: hotpub ${command} --help)`,
    );
  }
  if (result.positionals.length > maxPositionals) {
    throw usageError(
      `${command}: unexpected argument "${result.positionals[maxPositionals]}" (try: hotpub ${command} --help)`,
    );
  }
  return result;
}

function str(value: string | boolean | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    throw usageError(`${flag} needs a non-empty value`);
  return value;
}

/** A TCP port 0-65535 from a flag or the `PORT` variable; `source` names it in the error. */
export function parsePort(value: string | boolean, source: string): number {
  if (typeof value !== 'string' || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw usageError(`${source} must be a port number 0-65535, got "${String(value)}"`);
  }
  return Number(value);
}

function parseWorkers(value: string | boolean, flag: string): number {
  if (
    typeof value !== 'string' ||
    !/^\d{1,3}$/.test(value) ||
    Number(value) < 1 ||
    Number(value) > 256
  ) {
    throw usageError(`${flag} must be a whole number 1-256, got "${String(value)}"`);
  }
  return Number(value);
}

function parseMilliseconds(value: string | boolean, flag: string): number {
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) {
    throw usageError(`${flag} must be a whole number of milliseconds, got "${String(value)}"`);
  }
  return Number(value);
}
