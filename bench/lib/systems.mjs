// How to start each system under test: one place for the command lines.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './fixtures.mjs';
import { freePort, startServer } from './proc.mjs';

const node = process.execPath;
const serverScript = (name) => path.join(ROOT, 'bench', 'servers', name);
export const HOTPUB_BIN = path.join(ROOT, 'bin', 'hotpub');

/** Why hotpub cannot run yet (dist/ missing a piece), or undefined. */
export function hotpubMissing(...pieces) {
  for (const p of pieces) {
    if (!fs.existsSync(path.join(ROOT, 'dist', p))) return `dist/${p} not built`;
  }
  return undefined;
}

/** Starts a bench/servers script on a free port; resolves { proc, base }. */
export async function startScript(script, { env = {}, nodeArgs = [], readyPath = '/', cwd } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = await startServer(node, [...nodeArgs, serverScript(script)], {
    env: { NODE_ENV: 'production', PORT: String(port), ...env },
    readyUrl: base + readyPath,
    cwd: cwd ?? ROOT,
    name: script,
  });
  return { proc, base, port };
}

/** Starts `bin/hotpub serve` on a free port; resolves { proc, base }. */
export async function startHotpub(
  apps,
  { watch = false, readyPath, extra = [], env = {}, cwd = ROOT } = {},
) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = [HOTPUB_BIN, 'serve', '--apps', apps, '--port', String(port)];
  if (watch) args.push('--watch');
  const proc = await startServer(node, [...args, ...extra], {
    env: { NODE_ENV: 'production', ...env },
    readyUrl: base + readyPath,
    cwd,
    name: 'hotpub',
  });
  return { proc, base, port };
}
