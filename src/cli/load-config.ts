/**
 * Finds and loads `hotpub.config.ts` (or `.mts`, `.js`, `.mjs`): TypeScript is bundled
 * with esbuild (its relative imports included, packages left to Node), written next to
 * the config so packages resolve from the project, imported once and deleted.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Message, Plugin } from 'esbuild';
import { type HotpubConfig, validateConfig } from '../config/index.js';
import { ErrorCode, HotpubError } from '../errors/index.js';
import { describeLoadError } from './config-load-error.js';

/** File names looked up in the working directory, in this order. */
export const CONFIG_FILES = [
  'hotpub.config.ts',
  'hotpub.config.mts',
  'hotpub.config.js',
  'hotpub.config.mjs',
];

/** A loaded configuration and where it came from. */
export interface LoadedConfig {
  /** Absolute path of the file, or undefined when there is none. */
  file?: string;
  config: HotpubConfig;
}

/**
 * Loads `explicit` (a `--config FILE`, which must exist) or the first of
 * {@link CONFIG_FILES} in `cwd`. No file: an empty config. Throws the `config` error
 * naming the file (and the field, or the line and column of a syntax error).
 */
export async function loadConfig(cwd: string, explicit?: string): Promise<LoadedConfig> {
  let file: string | undefined;
  if (explicit !== undefined) {
    file = resolve(cwd, explicit);
    if (!existsSync(file))
      throw new HotpubError(ErrorCode.config, `config file ${explicit} does not exist`);
  } else {
    file = CONFIG_FILES.map((name) => join(cwd, name)).find((path) => existsSync(path));
  }
  if (file === undefined) return { config: {} };
  const exported = /\.[mc]?ts$/.test(file)
    ? await importTypeScript(file)
    : await importModule(file, file);
  return { file, config: validateConfig(exported, basename(file)) };
}

async function importTypeScript(file: string): Promise<unknown> {
  const name = basename(file);
  // Next to the config, so bare imports resolve from the project's node_modules.
  const temp = join(dirname(file), `.${name}.${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  let code: string;
  let map: string;
  // Only a TypeScript config needs esbuild: a project without one never loads it.
  const { build } = await import('esbuild');
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'external',
      // Only names the output so the source map's paths are relative to the config's directory.
      outfile: temp,
      logLevel: 'silent',
      plugins: [frameworkPlugin()],
    });
    const out = result.outputFiles;
    code = out.find((f) => !f.path.endsWith('.map'))!.text;
    map = out.find((f) => f.path.endsWith('.map'))!.text;
  } catch (err) {
    const first = (err as { errors?: Message[] }).errors?.[0];
    const at = first?.location ? `:${first.location.line}:${first.location.column + 1}` : '';
    throw new HotpubError(
      ErrorCode.config,
      `${name}${at}: ${first?.text ?? (err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  await writeFile(temp, code);
  try {
    return await importModule(temp, file, (err) =>
      describeLoadError(err, temp, file, map, readSource(file)),
    );
  } finally {
    await unlink(temp).catch(() => {});
  }
}

async function importModule(
  path: string,
  file: string,
  describe: (err: unknown) => string = (err) =>
    describeLoadError(err, path, file, '', readSource(file)),
): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new HotpubError(ErrorCode.config, describe(err), { cause: err });
  }
  if (!('default' in mod)) {
    throw new HotpubError(
      ErrorCode.config,
      `${basename(file)}: no default export (write: export default defineConfig({...}))`,
    );
  }
  return mod.default;
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** `import ... from 'hotpub'` in the config means the running framework, wherever it is installed. */
function frameworkPlugin(): Plugin {
  const here = dirname(fileURLToPath(import.meta.url));
  const js = join(here, '..', 'index.js');
  const index = existsSync(js) ? js : join(here, '..', 'index.ts');
  return {
    name: 'hotpub-self',
    setup(b) {
      b.onResolve({ filter: /^hotpub$/ }, () => ({
        path: pathToFileURL(index).href,
        external: true,
      }));
    },
  };
}
