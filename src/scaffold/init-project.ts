/**
 * `hotpub init DIR`: a new project that depends on hotpub (this very hotpub's directory,
 * as `file:<path>`, since hotpub is not on the npm registry): package.json with `dev` and
 * `start` scripts, tsconfig.json with the `hotpub` types, .gitignore, and `apps/site`
 * from the basic template.
 */

import { realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ErrorCode, HotpubError } from '../errors/index.js';
import { listTemplates, PACKAGE_ROOT, TEMPLATES_DIR } from './names.js';
import { templateFiles } from './new-app.js';
import { type NewFile, writeNewFiles } from './write-files.js';

/** Name of the app `init` creates from the basic template. */
export const INIT_APP = 'site';

/** Options of {@link initProject}. */
export interface InitOptions {
  /** Project directory (created if missing); relative paths resolve from `cwd`. */
  dir: string;
  cwd?: string;
  templatesDir?: string;
  /**
   * The `hotpub` dependency in package.json: any npm spec (`^0.1.0`, `file:...`, a git
   * URL). Default {@link localDependency}: the running hotpub's own directory.
   */
  hotpubVersion?: string;
}

/**
 * Creates the project. Fails with the `scaffoldExists` error (writing nothing) if any of
 * its files already exists. Returns the project directory and the files written.
 */
export async function initProject(options: InitOptions): Promise<{ dir: string; files: string[] }> {
  const cwd = options.cwd ?? process.cwd();
  const templatesDir = options.templatesDir ?? TEMPLATES_DIR;
  if (!listTemplates(templatesDir).includes('basic')) {
    throw new HotpubError(ErrorCode.template, `the basic template is missing from ${templatesDir}`);
  }
  const dir = resolve(cwd, options.dir);
  const files: NewFile[] = [
    {
      path: join(dir, 'package.json'),
      content: packageJson(dir, options.hotpubVersion || localDependency()),
    },
    { path: join(dir, 'tsconfig.json'), content: TSCONFIG },
    { path: join(dir, '.gitignore'), content: 'node_modules/\ndist/\n*.log\n.DS_Store\n' },
    { path: join(dir, 'README.md'), content: readme(basename(dir)) },
    ...(await templateFiles(join(templatesDir, 'basic'), join(dir, 'apps', INIT_APP), INIT_APP)),
  ];
  return { dir, files: await writeNewFiles(files, cwd) };
}

/**
 * `file:<directory of the running hotpub>` (the directory with its package.json, next to
 * `dist/`): hotpub is not published on the npm registry, so `^<version>` would not
 * install. `npm install` links it.
 */
export function localDependency(): string {
  let root = PACKAGE_ROOT;
  try {
    root = realpathSync(PACKAGE_ROOT);
  } catch {
    // Keep the path as computed.
  }
  return `file:${root}`;
}

function packageJson(dir: string, version: string): string {
  // npm package names: lowercase, no spaces, at most 214 characters.
  const name =
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+/, '')
      .slice(0, 214) || 'hotpub-app';
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      dev: 'hotpub dev',
      start: 'hotpub serve',
      routes: 'hotpub routes',
      typecheck: 'tsc --noEmit',
    },
    dependencies: { hotpub: version },
    devDependencies: { '@types/node': '^20.19.0', typescript: '^5.9.0' },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node', 'hotpub'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      isolatedModules: true,
      verbatimModuleSyntax: true,
    },
    include: ['apps', 'hotpub.config.ts'],
  },
  null,
  2,
)}\n`;

function readme(name: string): string {
  return `# ${name}

A hotpub project: every exported function in
\`apps/<app>/*.ts\` is a URL.

\`\`\`sh
npm install
npm run dev        # http://127.0.0.1:3000/${INIT_APP} — edit apps/${INIT_APP}/index.ts and reload
npm start          # without watching
npx hotpub routes  # every URL -> file#function
npx hotpub new app blog --template api
\`\`\`
`;
}
