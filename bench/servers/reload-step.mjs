// The reload step alone, in-process through hotpub's registry (dist/): a shared
// `_lib/shared.ts` imported by IMPORTERS modules, all loaded; then EDITS changes of the
// shared module, each timed from `invalidateModule` (read, transform, re-evaluate the
// module and every importer, swap) to its resolution. Prints one JSON line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { createRegistry } = await import(
  new URL('../../dist/registry/index.js', import.meta.url).href
);
const importers = Number(process.env.IMPORTERS ?? 1000);
const edits = Number(process.env.EDITS ?? 15);
const root = mkdtempSync(join(tmpdir(), 'hotpub-bench-step-'));
try {
  mkdirSync(join(root, 'a', '_lib'), { recursive: true });
  const shared = join(root, 'a', '_lib', 'shared.ts');
  writeFileSync(shared, 'export const t: string = "tok-0";\n');
  const files = [];
  for (let i = 0; i < importers; i++) {
    const f = join(root, 'a', `m${i}.ts`);
    writeFileSync(
      f,
      `import { t } from './_lib/shared.js';\ninterface Row { id: number; name: string }\nconst row: Row = { id: ${i}, name: 'm${i}' };\nexport function index(): string {\n  return t + ':' + row.name;\n}\n`,
    );
    files.push(f);
  }
  const registry = createRegistry({ root });
  await registry.start();
  for (const f of files) await registry.ensureModule(f);
  const times = [];
  for (let k = 1; k <= edits; k++) {
    writeFileSync(shared, `export const t: string = "tok-${k}";\n`);
    const t0 = performance.now();
    const r = await registry.invalidateModule(shared);
    times.push(performance.now() - t0);
    if (r.error) throw new Error(r.error.message);
    if (r.reloaded.length !== importers + 1) throw new Error(`reloaded ${r.reloaded.length}`);
  }
  await registry.close();
  console.log(JSON.stringify({ importers, times }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
