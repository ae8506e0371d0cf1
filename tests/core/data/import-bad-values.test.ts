/**
 * Numbers too large for a double (issue #18): "1e400" is a bad value of its row. With skipBadRows the row is
 * skipped and counted like a row with the wrong number of fields; finite numbers (1e300) stay as they are; a
 * column that turns out to be text keeps "1e400" as text. (The failures without skipBadRows are in
 * import-errors.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { importDataset, previewFile, type ImportOptions } from '../../../src-main/core/data';
import type { DatasetInfo } from '../../../src-main/core/store';
import { tmpDir } from '../../helpers/tmp';
import { freshStore, writeFile } from './reference';

const dir = tmpDir();
const store = freshStore(dir);
afterAll(() => store.close());

let files = 0;
async function importText(content: string, options: ImportOptions = {}) {
  const file = writeFile(dir, `v${++files}.csv`, content);
  const result = await importDataset(store, file, options);
  return { ...result, file, ds: result.dataset, values: (name: string) => store.readColumn(result.dataset.id, name) };
}

const col = (ds: DatasetInfo, name: string) => ds.columns.find((c) => c.name === name)!;
const nums = (v: unknown): number[] => Array.from(v as Float64Array);

describe('numbers too large to compute with', () => {
  it('skipBadRows skips their rows, counts and lists them, and says so', async () => {
    const r = await importText('a,b\n1,2\n1e400,3\n4,-1e400\n5,6\n1e300,7\n', { skipBadRows: true });
    expect(r.ds).toMatchObject({ rowCount: 3, skippedRows: 2 });
    expect(r.skippedRows).toBe(2);
    expect(r.skippedLines).toEqual([
      { line: 3, reason: 'column "a" holds 1e400, a number too large to compute with' },
      { line: 4, reason: 'column "b" holds -1e400, a number too large to compute with' },
    ]);
    expect(nums(r.values('a'))).toEqual([1, 5, 1e300]);
    expect(nums(r.values('b'))).toEqual([2, 6, 7]);
    expect(col(r.ds, 'a')).toMatchObject({ valueKind: 'number', role: 'numeric', stats: { count: 3, min: 1, max: 1e300 } });
    expect(r.warnings).toContain('2 rows holding a number too large to compute with were skipped (first at line 3, column "a": 1e400).');
    expect(r.warnings.some((w) => /wrong number of fields/.test(w))).toBe(false);
  });

  it('a long spelling is cut short in messages', async () => {
    const r = await importText(`a,b\n1,2\n${'9'.repeat(400)},3\n4,5\n`, { skipBadRows: true });
    expect(r.skippedLines).toEqual([{ line: 3, reason: `column "a" holds ${'9'.repeat(30)}…(400 characters), a number too large to compute with` }]);
  });

  it('counted apart from rows with the wrong number of fields, on the fast path too', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${i},${i / 4}`);
    rows[200] = '200,1e400';
    rows[250] = '250';
    const r = await importText(['n,x', ...rows].join('\n'), { skipBadRows: true });
    expect(r.ds).toMatchObject({ rowCount: 298, skippedRows: 2 });
    expect(r.skippedLines.map((l) => l.line)).toEqual([202, 252]);
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        '1 row with the wrong number of fields was skipped (first at line 252).',
        '1 row holding a number too large to compute with was skipped (first at line 202, column "x": 1e400).',
      ]),
    );
    const x = nums(r.values('x'));
    expect(x.every(Number.isFinite)).toBe(true);
    expect(x[200]).toBe(201 / 4);
  });

  it('a skipped row stays skipped when a column is re-read as text (second pass)', async () => {
    const r = await importText('a,b,c\n1,2,10\n1e400,3,11\n4,5,oops\n6,7,12\n', { skipBadRows: true });
    expect(r.ds).toMatchObject({ rowCount: 3, skippedRows: 1 });
    expect(col(r.ds, 'c').valueKind).toBe('text');
    expect(r.values('c')).toEqual(['10', 'oops', '12']);
    expect(nums(r.values('a'))).toEqual([1, 4, 6]);
    expect(nums(r.values('b'))).toEqual([2, 5, 7]);
  });

  it('every row skipped: says why', async () => {
    const file = writeFile(dir, 'all-huge.csv', 'a,b\n1e400,1\n2,-1e999\n');
    await expect(importDataset(store, file, { skipBadRows: true })).rejects.toMatchObject({
      code: 'BAD_FILE',
      message: expect.stringMatching(/all 2 data rows were skipped \(2 for a number too large to compute with, 0 for the wrong number of fields\)/),
    });
  });

  it('finite numbers stay as they are, however large or small', async () => {
    const r = await importText('a,b\n1e300,1\n-1.7976931348623157e308,2\n5,3\n1e-400,4\n');
    expect(nums(r.values('a'))).toEqual([1e300, -1.7976931348623157e308, 5, 0]);
    expect(col(r.ds, 'a').stats).toMatchObject({ count: 4, min: -1.7976931348623157e308, max: 1e300 });
    expect(r.skippedRows).toBe(0);
  });

  it('a column that turns out to be text keeps 1e400 as text', async () => {
    const r = await importText('a,b\n1,1\n1e400,2\nfoo,3\nbar,4\n');
    expect(r.skippedRows).toBe(0);
    expect(col(r.ds, 'a').valueKind).toBe('text');
    expect(r.values('a')).toEqual(['1', '1e400', 'foo', 'bar']);
  });

  it('the preview warns, naming line, column and value', async () => {
    const file = writeFile(dir, 'preview.csv', 'a,b\n1,2\n1e400,3\n4,5\n6,7\n');
    const p = await previewFile(file);
    expect(p.warnings).toContain('1 row holds a number too large to compute with (line 3, column "a": 1e400); fix it, or skip such rows when importing.');
    expect(p.warnings.some((w) => /different number of fields/.test(w))).toBe(false);
  });

  it('the preview keeps both passes on the same rows', async () => {
    const p = await previewFile(writeFile(dir, 'preview2.csv', 'a,b,c\n1,2,10\n1e400,3,11\n4,5,oops\n6,7,12\n'));
    expect(p.columns.map((c) => c.valueKind)).toEqual(['number', 'number', 'text']);
    // Three kept values in three kept rows, all different: an id (a fourth, skipped value would make it free text).
    expect(p.columns[2]).toMatchObject({ role: 'id', roleReason: 'text that is different in every row' });
    expect(p.rows).toHaveLength(4);
    expect(p.warnings[0]).toMatch(/1 row holds a number too large .*line 3, column "a": 1e400/);
  });
});
