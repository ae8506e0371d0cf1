/**
 * Wide files (issue #18): an import is linear in the column count. A 20,000-column file of 50 rows imports
 * (it used to take quadratic time and never finish), with every column's kind, role and statistics right.
 * No timing assertions: finishing within the test timeout is the check. Also: column buffers that start small
 * and grow still store every row of every chunk, whatever happens to a column's kind on the way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src-main/core/data';
import { INITIAL_BUFFER_ROWS } from '../../../src-main/core/data/columns';
import type { DatasetInfo } from '../../../src-main/core/store';
import { tmpDir } from '../../helpers/tmp';
import { freshStore } from './reference';

const dir = tmpDir();
const store = freshStore(dir);
afterAll(() => store.close());

const col = (ds: DatasetInfo, name: string) => ds.columns.find((c) => c.name === name)!;

const COLS = 20_000;
const ROWS = 50;

/**
 * Column c of row r: numbers (r * (c % 97 + 1) + c % 5) except for every 1000th column, which holds text
 * (categories "k0".."k2"), column 7, which is constant, and column 19,999, whose row 3 is missing.
 */
function cell(r: number, c: number): string {
  if (c % 1000 === 500) return `k${r % 3}`;
  if (c === 7) return '42';
  if (c === COLS - 1 && r === 3) return '';
  return String(r * ((c % 97) + 1) + (c % 5));
}

function writeWide(file: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, Array.from({ length: COLS }, (_, c) => `col${c}`).join(',') + '\n');
    for (let r = 0; r < ROWS; r++) fs.writeSync(fd, Array.from({ length: COLS }, (_, c) => cell(r, c)).join(',') + '\n');
  } finally {
    fs.closeSync(fd);
  }
}

describe('wide files', () => {
  it(`imports ${COLS.toLocaleString('en-US')} columns × ${ROWS} rows, with kinds, roles and statistics right`, { timeout: 300_000 }, async () => {
    const file = path.join(dir, 'wide.csv');
    writeWide(file);
    const r = await importDataset(store, file);
    const ds = r.dataset;
    expect(ds.columns).toHaveLength(COLS);
    expect(ds.rowCount).toBe(ROWS);
    expect(ds.columns.map((c) => c.idx)).toEqual(Array.from({ length: COLS }, (_, c) => c));
    expect(ds.columns[12_345]!.name).toBe('col12345');
    // Reopened from the file, not just the import's answer.
    expect(store.getDataset(ds.id).columns).toHaveLength(COLS);

    // col0: r * 1 + 0 = 0..49.
    expect(col(ds, 'col0')).toMatchObject({ valueKind: 'number', storage: 'f64', role: 'numeric', inferredRole: 'numeric' });
    expect(col(ds, 'col0').stats).toMatchObject({ count: 50, missing: 0, distinct: 50, min: 0, max: 49, mean: 24.5, median: 24.5 });
    // col13_001: 13001 % 97 = 3 → r * 4 + 13001 % 5 (= 1).
    expect(col(ds, 'col13001').stats).toMatchObject({ count: 50, min: 1, max: 197, mean: 99 });
    expect(col(ds, 'col7')).toMatchObject({ valueKind: 'number', role: 'ignored', stats: { distinct: 1, count: 50 } });
    expect(col(ds, 'col7').roleReason).toMatch(/constant/);
    expect(col(ds, 'col19999').stats).toMatchObject({ count: 49, missing: 1 });
    const text = ds.columns.filter((c) => c.valueKind === 'text');
    expect(text.map((c) => c.name)).toEqual(Array.from({ length: 20 }, (_, i) => `col${i * 1000 + 500}`));
    expect(col(ds, 'col4500')).toMatchObject({ storage: 'str', role: 'categorical', stats: { count: 50, distinct: 3 } });
    expect(col(ds, 'col4500').stats.topValues.map((v) => v.value).sort()).toEqual(['k0', 'k1', 'k2']);
    expect(ds.columns.filter((c) => c.role === 'numeric')).toHaveLength(COLS - 20 - 1);

    // col19998: 19998 % 97 = 16 → r * 17 + 19998 % 5 (= 3).
    expect(Array.from(store.readColumn(ds.id, 'col19998') as Float64Array).slice(0, 3)).toEqual([3, 20, 37]);
    expect(store.readColumn(ds.id, 'col500').slice(0, 4)).toEqual(['k0', 'k1', 'k2', 'k0']);
  });

  it('column buffers grow from a few rows to chunkRows without losing a value', async () => {
    const chunkRows = INITIAL_BUFFER_ROWS * 3 + 17;
    const rows = chunkRows * 2 + 100;
    const lines = ['n,late,demoted,words'];
    for (let r = 0; r < rows; r++) {
      // late: missing until past the first chunk, then text; demoted: numbers, one word near the end (second pass).
      const late = r < chunkRows + 300 ? '' : `t${r % 4}`;
      const demoted = r === rows - 5 ? 'oops' : String(r * 2);
      lines.push(`${r},${late},${demoted},w${r % 3}`);
    }
    const file = path.join(dir, 'grow.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const { dataset: ds } = await importDataset(store, file, { chunkRows });
    expect(ds.rowCount).toBe(rows);
    expect(Array.from(store.readColumn(ds.id, 'n') as Float64Array)).toEqual(Array.from({ length: rows }, (_, r) => r));
    expect(store.readColumn(ds.id, 'late')).toEqual(Array.from({ length: rows }, (_, r) => (r < chunkRows + 300 ? null : `t${r % 4}`)));
    expect(col(ds, 'demoted').valueKind).toBe('text');
    expect(store.readColumn(ds.id, 'demoted')).toEqual(Array.from({ length: rows }, (_, r) => (r === rows - 5 ? 'oops' : String(r * 2))));
    expect(store.readColumn(ds.id, 'words')).toEqual(Array.from({ length: rows }, (_, r) => `w${r % 3}`));
  });
});
