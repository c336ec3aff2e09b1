#!/usr/bin/env node
// Groups a .cpuprofile's non-idle self time by where the code lives (hotpub's dist/,
// node internals, packages, GC): `node bench/lib/profile-groups.mjs FILE`.
import fs from 'node:fs';

const prof = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const groups = new Map();
const fns = new Map();
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const cf = byId.get(prof.samples[i]).callFrame;
  const dt = prof.timeDeltas[i] ?? 0;
  if (cf.functionName === '(idle)') continue;
  const url = cf.url;
  const g = url.includes('node_modules')
    ? 'packages'
    : url.includes('/dist/')
      ? 'hotpub dist/'
      : url.includes('node_modules')
        ? 'packages'
        : url.startsWith('node:')
          ? 'node internals (js)'
          : url === ''
            ? cf.functionName.startsWith('(')
              ? cf.functionName
              : 'native (syscalls, builtins)'
            : 'app / other';
  groups.set(g, (groups.get(g) ?? 0) + dt);
  if (g === 'hotpub dist/') {
    const k = `${cf.functionName} ${url.replace(/^.*\/dist\//, 'dist/')}:${cf.lineNumber + 1}`;
    fns.set(k, (fns.get(k) ?? 0) + dt);
  }
  total += dt;
}
console.log(`non-idle CPU: ${(total / 1e6).toFixed(2)} s`);
for (const [g, v] of [...groups].sort((a, b) => b[1] - a[1])) {
  console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${g}`);
}
console.log('  hotpub dist/ functions:');
for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`  ${((v / total) * 100).toFixed(2).padStart(6)}%  ${k}`);
}
