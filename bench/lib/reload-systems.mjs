// The systems of the reload and memory comparisons: how to start each one on a temp
// project, which file to edit, and how an edit's token shows in the response.
import fs from 'node:fs/promises';
import path from 'node:path';
import { ROOT, writeFiles } from './fixtures.mjs';
import { freePort, startServer } from './proc.mjs';
import { hotpubMissing, startHotpub, startScript } from './systems.mjs';

const node = process.execPath;
const expressServer = path.join(ROOT, 'bench', 'servers', 'reload-express.mjs');

/** Module source whose published function returns `tok-<n>`. */
const tsHandler = (name) => (n) => `export function ${name}(): string {\n  return 'tok-${n}';\n}\n`;
const jsHandler = (n) => `export function handler() {\n  return 'tok-${n}';\n}\n`;

/** Reads the edit token out of a response body (-1 if none). */
export function tokenOf(body) {
  const m = /tok-(\d+)/.exec(body);
  return m ? Number(m[1]) : -1;
}

/** Every reload system, each with { key, label, restarts, file, render, start() -> { proc, url } }. */
export async function reloadSystems(dir) {
  const server = await fs.readFile(expressServer, 'utf8');
  const list = [
    {
      key: 'hotpub',
      label: 'hotpub serve --watch (in-process)',
      restarts: false,
      missing: hotpubMissing('cli/main.js', 'server/serve.js'),
      file: path.join(dir, 'hotpub/apps/bench/index.ts'),
      render: tsHandler('index'),
      async start() {
        const { proc, base } = await startHotpub(path.join(dir, 'hotpub/apps'), {
          watch: true,
          readyPath: '/bench',
        });
        return { proc, url: base + '/bench' };
      },
    },
    {
      key: 'hothook',
      label: 'express 5 + hot-hook, .mjs handler (in-process)',
      restarts: false,
      file: path.join(dir, 'hothook/handler.mjs'),
      render: jsHandler,
      async start() {
        const { proc, base } = await startScript('hothook-express.mjs', {
          env: { HANDLER: this.file },
        });
        return { proc, url: base + '/' };
      },
    },
    {
      key: 'hothookTs',
      label: 'express 5 + hot-hook + tsx, .ts handler (in-process)',
      restarts: false,
      file: path.join(dir, 'hothook-ts/handler.ts'),
      render: tsHandler('handler'),
      async start() {
        // hot-hook's README: the TypeScript loader first, hot-hook after it.
        const { proc, base } = await startScript('hothook-express.mjs', {
          env: { HANDLER: this.file },
          nodeArgs: ['--import', 'tsx'],
        });
        return { proc, url: base + '/' };
      },
    },
    {
      key: 'tsx',
      label: 'express 5 under tsx watch (restart)',
      restarts: true,
      file: path.join(dir, 'tsx/handler.ts'),
      render: tsHandler('handler'),
      async start() {
        const cwd = path.join(dir, 'tsx');
        await writeFiles(cwd, { 'server.ts': server.replace('./handler.mjs', './handler.js') });
        const port = await freePort();
        const url = `http://127.0.0.1:${port}/`;
        const tsx = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
        const proc = await startServer(node, [tsx, 'watch', '--clear-screen=false', 'server.ts'], {
          cwd,
          env: { NODE_ENV: 'production', PORT: String(port) },
          readyUrl: url,
          name: 'tsx watch',
        });
        return { proc, url };
      },
    },
    {
      key: 'nodemon',
      label: 'express 5 under nodemon (restart)',
      restarts: true,
      file: path.join(dir, 'nodemon/handler.mjs'),
      render: jsHandler,
      async start() {
        const cwd = path.join(dir, 'nodemon');
        await writeFiles(cwd, { 'server.mjs': server });
        const port = await freePort();
        const url = `http://127.0.0.1:${port}/`;
        const nodemon = path.join(ROOT, 'node_modules/nodemon/bin/nodemon.js');
        const proc = await startServer(node, [nodemon, '--quiet', '--ext', 'mjs', 'server.mjs'], {
          cwd,
          env: { NODE_ENV: 'production', PORT: String(port) },
          readyUrl: url,
          name: 'nodemon',
        });
        return { proc, url };
      },
    },
  ];
  for (const s of list) {
    s.n = 0;
    await writeFiles(path.dirname(s.file), { [path.basename(s.file)]: s.render(0) });
  }
  return list;
}
