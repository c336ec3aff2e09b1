// Shared by the memory children: the 1 MiB module, the sampling, the output protocol.
import fs from 'node:fs';

/** Source of reload n: holds a fresh 1 MiB array (131,072 x 8 bytes) and reports its token. */
export function bigModule(n) {
  return (
    `export const blob = new Array(131072).fill(${n});\n` +
    `export function token() {\n  return 'tok-${n}:' + blob.length;\n}\n`
  );
}

export function expectToken(got, n) {
  if (got !== `tok-${n}:131072`) {
    throw new Error(`reload ${n} not served: got ${got}`);
  }
}

/** heapUsed and RSS after a full GC. */
export function sample(i) {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { i, heapUsed: m.heapUsed, rss: m.rss };
}

/**
 * Runs `reloads` reloads with `reload(n)` (which must write, reload and check), sampling
 * after the first load and after every 100th reload; prints one JSON line at the end.
 */
export async function measure(file, reloads, first, reload) {
  fs.writeFileSync(file, bigModule(0));
  await first();
  const samples = [sample(0)];
  const t0 = performance.now();
  for (let n = 1; n <= reloads; n++) {
    fs.writeFileSync(file, bigModule(n));
    await reload(n);
    if (n % 100 === 0) samples.push(sample(n));
  }
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ samples, msPerReload: ms / reloads }) + '\n');
}
