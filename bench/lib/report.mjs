// Renders part results as text tables and Markdown, and keeps docs/benchmarks.md
// up to date section by section (running one part rewrites only its section).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './fixtures.mjs';
import { pctOfCore } from './noise.mjs';

/** Machine, OS and versions, for the page header. */
export function environment() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const l = execFileSync('lscpu', { encoding: 'utf8' });
    const model = /Model name:\s*(.+)/.exec(l)?.[1];
    const hyp = /Hypervisor vendor:\s*(.+)/.exec(l)?.[1];
    cpu = `${model ?? cpu}, ${os.cpus().length} CPUs${hyp ? ` (${hyp} VM)` : ''}`;
  } catch {}
  const version = (name) => {
    try {
      const pkg = path.join(ROOT, 'node_modules', name, 'package.json');
      return JSON.parse(readFileSync(pkg, 'utf8')).version;
    } catch {
      return 'n/a';
    }
  };
  let commit = 'n/a';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {}
  return {
    cpu,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
    versions: Object.fromEntries(
      ['express', 'fastify', 'autocannon', 'hot-hook', 'tsx', 'nodemon', 'esbuild'].map((n) => [
        n,
        version(n),
      ]),
    ),
  };
}

function pad(s, n) {
  s = String(s);
  return s + ' '.repeat(Math.max(0, n - s.length));
}

/** A plain-text table for the terminal. */
export function textTable(columns, rows) {
  const w = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => pad(c, w[i])).join('  ');
  return [line(columns), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/** A Markdown table. */
export function mdTable(columns, rows) {
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  return [
    `| ${columns.map(esc).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** Prints a part's result to the terminal. */
export function printPart(result) {
  const out = [`\n== ${result.title} (${result.seconds.toFixed(0)} s)`];
  for (const t of result.tables) {
    if (t.caption) out.push(`\n${t.caption}`);
    out.push(textTable(t.columns, t.rows));
  }
  if (result.targets?.length) {
    out.push('\nTargets:');
    for (const t of result.targets) out.push(`  [${t.status}] ${t.name}: ${t.detail}`);
  }
  for (const n of result.notes ?? []) out.push(`  note: ${n}`);
  console.log(out.join('\n'));
}

/** Markdown for one part's section. */
export function partMarkdown(result) {
  const out = [`## ${result.title}`, ''];
  out.push(
    `Run ${result.date} on commit \`${result.env.commit}\`, ${result.seconds.toFixed(0)} s, ` +
      `load average before the part: ${result.loadavg}` +
      (Number.isFinite(result.quietBefore)
        ? `; other processes used ${pctOfCore(result.quietBefore)} of a core just before it.`
        : '.'),
    '',
  );
  if (result.description) out.push(result.description, '');
  for (const t of result.tables) {
    if (t.caption) out.push(`${t.caption}`, '');
    out.push(mdTable(t.columns, t.rows), '');
  }
  if (result.targets?.length) {
    out.push('Targets:', '');
    for (const t of result.targets) out.push(`- **${t.status}** — ${t.name}: ${t.detail}`);
    out.push('');
  }
  if (result.notes?.length) {
    for (const n of result.notes) out.push(`- ${n}`);
    out.push('');
  }
  out.push('Command: `' + result.command + '`', '');
  const summary = (result.targets ?? []).map(({ name, status, detail }) => ({
    name,
    status,
    detail,
  }));
  out.push(`<!-- bench-targets ${JSON.stringify({ date: result.date, targets: summary })} -->`, '');
  if (result.commands?.length) {
    out.push('Processes started (server core pinned with `taskset`):', '', '```');
    out.push(...result.commands);
    out.push('```', '');
  }
  return out.join('\n');
}

const FINDINGS_BEGIN = '<!-- findings:begin (hand-written, kept by npm run bench) -->';
const FINDINGS_END = '<!-- findings:end -->';
const BEGIN = (name) => `<!-- bench:${name}:begin -->`;
const END = (name) => `<!-- bench:${name}:end -->`;

/**
 * Rewrites docs/benchmarks.md: the header (machine, versions, method) and the
 * sections of the parts just run; sections of other parts are kept as they were.
 */
export async function writeDoc(results, { header, order }) {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  let old = '';
  try {
    old = await fs.readFile(file, 'utf8');
  } catch {}
  const sections = new Map();
  for (const name of order) {
    const a = old.indexOf(BEGIN(name));
    const b = old.indexOf(END(name));
    if (a >= 0 && b > a) sections.set(name, old.slice(a, b + END(name).length));
  }
  for (const r of results) {
    sections.set(r.name, `${BEGIN(r.name)}\n${partMarkdown(r)}${END(r.name)}`);
  }
  const glance = [];
  for (const name of order) {
    const m = /<!-- bench-targets (.*) -->/.exec(sections.get(name) ?? '');
    if (!m) continue;
    const { date, targets } = JSON.parse(m[1]);
    for (const t of targets) glance.push([name, t.name, t.status, t.detail, date]);
  }
  // Hand-written findings (profiles, causes of misses) survive regeneration.
  const a = old.indexOf(FINDINGS_BEGIN);
  const b = old.indexOf(FINDINGS_END);
  const findings =
    a >= 0 && b > a
      ? old.slice(a, b + FINDINGS_END.length)
      : `${FINDINGS_BEGIN}\n## Findings\n\nNone written yet.\n${FINDINGS_END}`;
  const body = [header];
  if (glance.length) {
    body.push(
      '## Targets at a glance\n\n' +
        mdTable(['part', 'target', 'status', 'measured', 'run'], glance),
    );
  }
  body.push(findings);
  for (const name of order) {
    body.push(sections.get(name) ?? `${BEGIN(name)}\n## ${name}\n\nNot run yet.\n${END(name)}`);
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, body.join('\n\n') + '\n');
  return file;
}

/** A started process's command line as a reader could retype it (paths shortened). */
export function shortCommand(cmd) {
  return cmd
    .replaceAll(process.execPath, 'node')
    .replaceAll(ROOT + '/', '')
    .replace(/\/tmp\/hotpub-bench-([a-z0-9]+)-[A-Za-z0-9]+/g, '$TMP/$1');
}
