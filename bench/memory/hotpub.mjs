// hotpub's registry in-process: write, invalidateModule, read the new generation.
import path from 'node:path';
import { createRegistry } from '../../dist/registry/index.js';
import { expectToken, measure } from './common.mjs';

const [dir, reloads] = [process.argv[2], Number(process.argv[3])];
const root = path.join(dir, 'apps');
const file = path.join(root, 'bench', 'big.ts');
const registry = createRegistry({ root, watch: false });

async function check(n) {
  const pin = await registry.acquire('bench');
  try {
    const mod = pin.exportsOf(file);
    expectToken(mod?.token(), n);
  } finally {
    pin.release();
  }
}

await measure(
  file,
  reloads,
  async () => {
    await registry.start();
    await registry.ensureModule(file);
    await check(0);
  },
  async (n) => {
    const r = await registry.invalidateModule(file);
    if (r.error) throw new Error(`reload ${n} failed: ${r.error.message}`);
    await check(n);
  },
);
await registry.close();
