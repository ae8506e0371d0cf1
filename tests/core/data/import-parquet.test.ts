/**
 * Parquet import (issue #15): files written by another tool than the importer's reader (DuckDB) — hyparquet-writer —
 * with several row groups, nulls and a dictionary-encoded text column import with the CSV import's kinds, roles and
 * statistics, every value in its row; progress and cancellation as for CSV; bad files get a message naming the file
 * and leave the project as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, previewFile, type ImportOptions, type ImportProgress } from '../../../src-main/core/data';
import { ResidualError } from '../../../src-main/core/errors';
import type { ProjectStore } from '../../../src-main/core/store';
import type { DatasetInfo } from '../../../src-main/core/store/types';
import { MERCHANTS, parquetFooter, transactions, writeCsv, writeParquet, type TestColumn } from '../../helpers/parquet';
import { tmpDir } from '../../helpers/tmp';
import { fixture, freshStore, tableCounts } from './reference';

const ROWS = 5000;
const ROW_GROUP = 1200;
const dir = tmpDir('residual-parquet-');
const columns = transactions(ROWS);
const file = writeParquet(path.join(dir, 'cards.parquet'), columns, ROW_GROUP);
const options: ImportOptions = { label: 'label', positive: 'fraud' };

/** Every stored value of a column, in row order. */
function stored(store: ProjectStore, ds: DatasetInfo, name: string): unknown[] {
  const c = ds.columns.find((x) => x.name === name)!;
  const out: unknown[] = [];
  for (const { values } of store.iterateColumn(ds.id, c.idx, c.storage)) out.push(...Array.from(values as ArrayLike<unknown>));
  return out;
}

/** What the source data should read as: numbers (NaN for null), times in ms, text (null for null). */
function expected(c: TestColumn): unknown[] {
  return c.data.map((v) => {
    if (v === null) return c.type === 'STRING' ? null : NaN;
    if (v instanceof Date) return v.getTime();
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return String(v);
    return v;
  });
}

describe('a Parquet file written by another tool', () => {
  const store = freshStore(dir);
  afterAll(() => store.close());

  it('is what the test says: several row groups, nulls, a dictionary-encoded text column', () => {
    const footer = parquetFooter(file);
    expect(footer.created_by).toMatch(/hyparquet/);
    expect(footer.row_groups.map((g) => Number(g.num_rows))).toEqual([1200, 1200, 1200, 1200, 200]);
    const chunk = (name: string) => footer.row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema[0] === name)!.meta_data!;
    expect(chunk('merchant').encodings).toContain('RLE_DICTIONARY');
    expect(chunk('merchant').dictionary_page_offset).toBeDefined();
    expect(Number(chunk('merchant').statistics!.null_count)).toBeGreaterThan(0);
    expect(Number(chunk('amount').statistics!.null_count)).toBeGreaterThan(0);
  });

  it('imports every row, in order, each value as written; kinds and roles from the file’s types', async () => {
    const r = await importDataset(store, file, options);
    const ds = r.dataset;
    expect(ds.rowCount).toBe(ROWS);
    expect(ds.skippedRows).toBe(0);
    expect(ds.delimiter).toBe('');
    expect(ds.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ds.sourceBytes).toBe(fs.statSync(file).size);
    const kinds = Object.fromEntries(ds.columns.map((c) => [c.name, [c.valueKind, c.role]]));
    expect(kinds).toEqual({
      tx_id: ['text', 'id'],
      amount: ['number', 'numeric'],
      items: ['number', 'numeric'],
      merchant: ['text', 'categorical'],
      at: ['time', 'timestamp'],
      balance: ['number', 'numeric'],
      online: ['text', 'categorical'],
      label: ['text', 'label'],
    });
    expect(ds.columns.find((c) => c.name === 'label')!.positiveValue).toBe('fraud');
    for (const c of columns) expect(stored(store, ds, c.name), c.name).toEqual(expected(c));
    const merchant = ds.columns.find((c) => c.name === 'merchant')!;
    expect(merchant.stats.missing).toBe(columns[3]!.data.filter((v) => v === null).length);
    expect(merchant.stats.distinct).toBe(MERCHANTS.length);
  });

  it('gets the same kinds, roles and statistics as the same data imported from CSV', async () => {
    const fromCsv = (await importDataset(store, writeCsv(path.join(dir, 'cards.csv'), columns), options)).dataset;
    const fromParquet = (await importDataset(store, file, options)).dataset;
    const describe = (ds: DatasetInfo) => ds.columns.map(({ name, valueKind, role, inferredRole, roleReason, positiveValue, stats }) => ({ name, valueKind, role, inferredRole, roleReason, positiveValue, stats }));
    expect(describe(fromParquet)).toEqual(describe(fromCsv));
    expect(fromParquet.rowCount).toBe(fromCsv.rowCount);
  });

  it('stores the same values whatever the chunk size (chunks end inside DuckDB’s batches)', async () => {
    const small = (await importDataset(store, file, { ...options, chunkRows: 1000 })).dataset;
    const whole = store.listDatasets().find((d) => d.name === 'cards')!;
    for (const c of columns) expect(stored(store, small, c.name), c.name).toEqual(stored(store, store.getDataset(whole.id), c.name));
    const chunks = (store.db.prepare('SELECT count(*) AS n FROM column_chunks WHERE dataset_id = ?').get(small.id) as { n: number }).n;
    expect(chunks).toBe(columns.length * Math.ceil(ROWS / 1000));
  });

  it('the preview: the first rows as text, the kinds and roles an import infers, the row groups', async () => {
    const p = await previewFile(file, { maxRows: 3, ...options });
    expect(p.format).toBe('parquet');
    expect(p.header).toEqual(columns.map((c) => c.name));
    expect(p.parquet).toEqual({ rows: ROWS, rowGroups: 5, createdBy: expect.stringMatching(/hyparquet/), sampleRows: ROWS });
    expect(p.rows).toHaveLength(3);
    expect(p.rows[0]).toEqual(['tx-000000', '5000', '0', 'acme', '2024-01-01T00:00:00.000Z', '7', 'true', 'fraud']);
    expect(p.rows[2]![3]).toBe(MERCHANTS[1]);
    const imported = store.listDatasets().find((d) => d.name === 'cards')!;
    expect(p.columns.map((c) => [c.name, c.valueKind, c.role])).toEqual(store.getDataset(imported.id).columns.map((c) => [c.name, c.valueKind, c.role]));
    expect(p.warnings).toEqual([]);
  });
});

describe('progress and cancellation', () => {
  const store = freshStore(dir);
  afterAll(() => store.close());

  it('reports reading, statistics and saving with a rising fraction, rows and an ETA, ending at 1', async () => {
    const seen: ImportProgress[] = [];
    await importDataset(store, file, options, { onProgress: (p) => seen.push(p) });
    expect(seen[0]!.phase).toBe('reading');
    expect(seen.at(-1)).toMatchObject({ phase: 'saving', fraction: 1, rows: ROWS, totalBytes: fs.statSync(file).size });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.fraction).toBeGreaterThanOrEqual(seen[i - 1]!.fraction);
  });

  it('a cancel while it reads leaves the project as it was', async () => {
    const before = tableCounts(store);
    const abort = new AbortController();
    let caught: unknown;
    try {
      await importDataset(store, file, options, { signal: abort.signal, onProgress: () => abort.abort() });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ResidualError);
    expect((caught as ResidualError).code).toBe('CANCELLED');
    expect((caught as ResidualError).message).toMatch(/Import of cards\.parquet was cancelled; nothing was changed/);
    expect(tableCounts(store)).toEqual(before);
  });
});

describe('bad Parquet files', () => {
  const store = freshStore(dir);
  let before: ReturnType<typeof tableCounts>;
  beforeAll(async () => {
    await importDataset(store, fixture('glass.csv'));
    before = tableCounts(store);
  });
  afterAll(() => store.close());

  let n = 0;
  function variant(make: (bytes: Buffer) => Buffer | string, name = `bad${++n}.parquet`): string {
    const target = path.join(dir, name);
    fs.writeFileSync(target, make(fs.readFileSync(file)));
    return target;
  }

  async function failure(target: string, opts: ImportOptions = options): Promise<ResidualError> {
    let caught: unknown;
    try {
      await importDataset(store, target, opts);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ResidualError);
    expect(tableCounts(store)).toEqual(before);
    expect(store.listDatasets().map((d) => d.name)).toEqual(['glass']);
    return caught as ResidualError;
  }

  it('a file cut short (an unfinished download)', async () => {
    const target = variant((b) => b.subarray(0, Math.floor(b.length * 0.6)));
    const e = await failure(target);
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toContain(target);
    expect(e.message).toMatch(/not a readable Parquet file: it does not end with the Parquet signature "PAR1", so it is cut short.*Export or copy it again/);
  });

  it('a CSV file named .parquet', async () => {
    const target = variant(() => 'a,b\n1,2\n3,4\n');
    const e = await failure(target);
    expect(e.message).toContain(target);
    expect(e.message).toMatch(/does not start with the Parquet signature "PAR1". If it is a CSV or TSV file, give it a \.csv or \.tsv name/);
  });

  it('a damaged page in the last row group: the rows read before it are not kept', async () => {
    const footer = parquetFooter(file);
    const last = footer.row_groups.at(-1)!.columns[1]!.meta_data!;
    const at = Number(last.data_page_offset);
    const target = variant((b) => {
      const copy = Buffer.from(b);
      copy.fill(0xff, at, at + 48);
      return copy;
    });
    const e = await failure(target, { ...options, chunkRows: 500 });
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toContain(target);
    expect(e.message).toMatch(/is not a readable Parquet file: reading failed.*The file is damaged; export it again\./);
  });

  it('a number column holding Infinity: named by row and column, or the row skipped with skipBadRows', async () => {
    const bad = columns.map((c) => (c.name === 'amount' ? { ...c, data: c.data.map((v, i) => (i === 41 ? Infinity : i === 4200 ? -Infinity : v)) } : c));
    const target = writeParquet(path.join(dir, 'infinite.parquet'), bad, ROW_GROUP);
    const e = await failure(target);
    expect(e.message).toContain(target);
    expect(e.message).toMatch(/numbers too large to compute with: row 42, column "amount": Infinity; row 4,201, column "amount": -Infinity\. .*or skip such rows when importing\./);
    expect(e.details).toMatchObject({ row: 42, column: 'amount', remedy: 'skip-bad-rows' });

    const other = freshStore(dir);
    const r = await importDataset(other, target, { ...options, skipBadRows: true });
    expect(r.dataset.rowCount).toBe(ROWS - 2);
    expect(r.skippedRows).toBe(2);
    expect(r.skippedLines.map((l) => l.line)).toEqual([42, 4201]);
    expect(r.warnings.join(' ')).toMatch(/2 rows holding a number too large to compute with \(infinity\) were skipped \(first at row 42, column "amount": Infinity\)/);
    // The rows around them are all there, in order.
    const ids = stored(other, r.dataset, 'tx_id');
    expect(ids.slice(40, 42)).toEqual(['tx-000040', 'tx-000042']);
    expect(ids).not.toContain('tx-004200');
    other.close();
  });

  it('no column to learn from: says that a Parquet file keeps its types', async () => {
    const target = writeParquet(path.join(dir, 'strings.parquet'), [{ name: 'code', type: 'STRING', data: Array.from({ length: 200 }, (_, i) => `c${i}`) }], 100);
    const e = await failure(target, {});
    expect(e.message).toContain(target);
    expect(e.message).toMatch(/has no numeric or categorical column to learn from.*numbers written as strings are text here/);
  });

  it('no rows, an unknown column in the options, an empty file, a missing file', async () => {
    const empty = writeParquet(path.join(dir, 'norows.parquet'), [{ name: 'x', type: 'DOUBLE', data: [] }], 100);
    expect((await failure(empty, {})).message).toMatch(/norows\.parquet has nothing to import: it has columns but no rows/);
    expect((await failure(file, { label: 'outcome' })).message).toMatch(/outcome/);
    const zero = path.join(dir, 'zero.parquet');
    fs.writeFileSync(zero, '');
    expect((await failure(zero, {})).message).toMatch(/zero\.parquet is empty \(0 bytes\)/);
    expect((await failure(path.join(dir, 'nope.parquet'), {})).message).toMatch(/nope\.parquet does not exist/);
  });
});
