// Releases of a 100-module app for the deploy part: `releases/<n>/` holds the app for
// hotpub (`apps/site/*.ts`) and the same app as plain ESM for the restarting peers
// (`server/main.mjs`); `current` is switched atomically (`ln -s ... next && mv -T next
// current`). Every answer is `<n>:<n>` when the index and its 99 imports agree on the
// release, `<n>:X` when they do not (a mixed response).
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFiles } from './fixtures.mjs';

/** Modules per release: an index plus this many minus one that it imports. */
export const MODULES = 100;

function hotpubFiles(n) {
  const files = {};
  const imports = [];
  const names = [];
  for (let i = 0; i < MODULES - 1; i++) {
    files[`apps/site/_m${i}.ts`] =
      `export const r: number = ${n};\nexport function f${i}(x: number): number {\n  return x + ${i};\n}\n`;
    imports.push(`import { r as r${i} } from './_m${i}.js';`);
    names.push(`r${i}`);
  }
  files['apps/site/index.ts'] = `${imports.join('\n')}
const all: number[] = [${names.join(', ')}];
export function index(): string {
  return '${n}:' + (all.every((x) => x === ${n}) ? '${n}' : 'X');
}
`;
  return files;
}

function plainFiles(n) {
  const files = {};
  const imports = [];
  const names = [];
  for (let i = 0; i < MODULES - 1; i++) {
    files[`server/m${i}.mjs`] =
      `export const r = ${n};\nexport function f${i}(x) {\n  return x + ${i};\n}\n`;
    imports.push(`import { r as r${i} } from './m${i}.mjs';`);
    names.push(`r${i}`);
  }
  files['server/main.mjs'] = `${imports.join('\n')}
import http from 'node:http';
const all = [${names.join(', ')}];
const body = '${n}:' + (all.every((x) => x === ${n}) ? '${n}' : 'X');
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(body);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
// Graceful: stop accepting, finish what runs, exit (SIGTERM, SIGINT, PM2's shutdown
// message, or a node:cluster disconnect).
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setInterval(() => server.closeIdleConnections(), 50).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('message', (m) => m === 'shutdown' && stop());
process.on('disconnect', stop);
`;
  return files;
}

/** A deploy directory; release `n` is written on first use. */
export async function makeDeployDir(dir) {
  const current = path.join(dir, 'current');
  const written = new Set();
  const ensure = async (n) => {
    if (written.has(n)) return;
    await writeFiles(path.join(dir, 'releases', String(n)), {
      ...hotpubFiles(n),
      ...plainFiles(n),
    });
    written.add(n);
  };
  return {
    dir,
    current,
    apps: path.join(current, 'apps'),
    main: path.join(current, 'server', 'main.mjs'),
    ensure,
    /** Points `current` at release `n`, as `ln -s releases/n next && mv -T next current`. */
    async switchTo(n) {
      await ensure(n);
      const next = path.join(dir, 'next');
      await fs.rm(next, { force: true });
      await fs.symlink(path.join('releases', String(n)), next);
      await fs.rename(next, current);
    },
  };
}
