/**
 * docs/errors.md renders the error table of src/errors/codes.ts: one Markdown table per
 * area, in the table's order, with the same status, exit status and meaning. A code added
 * to the table without its row, a row left behind, or a row that says something else fails.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERRORS, type ErrorSpec } from '../../src/errors/index.js';

/** A Markdown table: its header cells and its rows of cells. */
interface Table {
  header: string[];
  rows: string[][];
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());
}

/** The tables of `text` whose first column is `code`. */
function codeTables(text: string): Table[] {
  const tables: Table[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || !/^\|\s*-/.test(lines[i + 1] ?? '')) continue;
    const header = cells(lines[i]!);
    const rows: string[][] = [];
    for (i += 2; i < lines.length && lines[i]!.startsWith('|'); i++) rows.push(cells(lines[i]!));
    if (header[0] === 'code') tables.push({ header, rows });
  }
  return tables;
}

/** The cell docs/errors.md shows for `column` of `spec`. */
function expectedCell(spec: ErrorSpec, column: string): string {
  if (column === 'code') return `\`${spec.code}\``;
  if (column === 'status') return spec.status === undefined ? '4xx/5xx' : String(spec.status);
  if (column === 'exit') return spec.exit === undefined ? '—' : String(spec.exit);
  if (column === 'meaning') return spec.meaning;
  throw new Error(`docs/errors.md: unknown column "${column}"`);
}

describe('docs/errors.md', () => {
  const tables = codeTables(readFileSync('docs/errors.md', 'utf8'));
  const specs: ErrorSpec[] = Object.values(ERRORS);

  it('has one table per area, listing exactly its codes in the order of the table', () => {
    const areas = [...new Set(specs.map((s) => s.area))];
    assert.equal(tables.length, areas.length, 'one code table per area');
    tables.forEach((table, i) => {
      const expected = specs.filter((s) => s.area === areas[i]).map((s) => `\`${s.code}\``);
      assert.deepEqual(
        table.rows.map((r) => r[0]),
        expected,
        `table ${i + 1} (${areas[i]})`,
      );
    });
  });

  it('says for each code what the table says', () => {
    for (const table of tables) {
      for (const row of table.rows) {
        const spec = specs.find((s) => `\`${s.code}\`` === row[0]);
        assert.ok(spec, `docs/errors.md lists ${row[0]}, which the table does not have`);
        table.header.forEach((column, c) => {
          assert.equal(row[c], expectedCell(spec, column), `${spec.code}, column ${column}`);
        });
      }
    }
  });

  it('shows status where a code answers a request, exit where the CLI ends with it', () => {
    for (const table of tables) {
      const area = specs.find((s) => `\`${s.code}\`` === table.rows[0]?.[0])?.area;
      const hasStatus = table.header.includes('status');
      const hasExit = table.header.includes('exit');
      assert.equal(hasStatus, area === 'request', `status column of the ${area} table`);
      assert.equal(
        hasExit,
        area === 'config' || area === 'cli',
        `exit column of the ${area} table`,
      );
    }
  });
});
