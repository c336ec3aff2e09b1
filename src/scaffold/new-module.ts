/** `hotpub new module APP/PATH`: writes `<apps>/APP/PATH.ts` with an `index` function. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode, HotpubError } from '../errors/index.js';
import { checkSegment } from './names.js';
import { alreadyExists, display, writeNewFiles } from './write-files.js';

/** Options of {@link newModule}. */
export interface NewModuleOptions {
  /** The apps directory; relative paths resolve from `cwd`. */
  apps: string;
  /** `app/path/to/module`, `/`-separated; a trailing `.ts` is accepted and dropped. */
  target: string;
  cwd?: string;
}

/**
 * Creates the module. The app must exist; every segment must be a URL segment; neither
 * `PATH.ts` nor `PATH.js` may exist. Returns the file written and the URL it answers
 * (under the app's mount from `app.json`, if it has one).
 */
export async function newModule(options: NewModuleOptions): Promise<{ file: string; url: string }> {
  const cwd = options.cwd ?? process.cwd();
  const segments = options.target.replace(/\.ts$/, '').split('/');
  const [app, ...path] = segments;
  if (app === undefined || path.length === 0) {
    throw new HotpubError(
      ErrorCode.scaffoldName,
      `"${options.target}" must be APP/PATH, e.g. blog/posts or blog/admin/users`,
    );
  }
  checkSegment(app, 'app name');
  for (const segment of path) checkSegment(segment, 'module path segment');
  const appDir = resolve(cwd, options.apps, app);
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) {
    throw new HotpubError(
      ErrorCode.scaffoldNoApp,
      `app "${app}" does not exist at ${display(appDir, cwd)} (create it with: hotpub new app ${app})`,
    );
  }
  const base = join(appDir, ...path);
  const js = `${base}.js`;
  if (existsSync(js)) throw alreadyExists(js, cwd);
  const isIndex = path.length === 1 && path[0] === 'index';
  const url = joinUrl(mountOf(appDir, app), isIndex ? [] : path);
  const file = `${base}.ts`;
  await writeNewFiles([{ path: file, content: moduleSource(url) }], cwd);
  return { file, url };
}

function moduleSource(url: string): string {
  const other = url === '/' ? '/other' : `${url}/other`;
  return `// GET ${url} calls index; another exported function, say \`other\`, answers ${other}.

export function index(args: { name?: string }) {
  return \`Hello, \${args.name ?? 'world'}, from ${url}\`;
}
`;
}

/** The app's mount: `mount` from its app.json when it reads as a string, else `/<app>`. */
function mountOf(appDir: string, app: string): string {
  try {
    const json = JSON.parse(readFileSync(join(appDir, 'app.json'), 'utf8')) as { mount?: unknown };
    if (typeof json.mount === 'string' && json.mount.startsWith('/')) return json.mount;
  } catch {
    // No app.json, or one the server will report: the default mount is the right guess.
  }
  return `/${app}`;
}

function joinUrl(mount: string, path: string[]): string {
  const base = mount.replace(/\/+$/, '');
  const url = [base, ...path].join('/');
  return url === '' ? '/' : url;
}
