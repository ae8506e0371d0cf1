/**
 * The ranking as Parquet (issue #17): written by DuckDB, read back by another library (hyparquet), it holds the CSV
 * export's rows — same columns, order, filters and values, typed — whole or not at all, and never over a file
 * Residual did not write.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRankingCsv, exportRankingParquet, isResidualParquet, RANKING_CSV_COLUMNS } from '../../../src-main/core/export';
import { getScore, listScores } from '../../../src-main/core/engine';
import { ResidualError } from '../../../src-main/core/errors';
import { ProjectStore } from '../../../src-main/core/store';
import { cli } from '../../helpers/cli';
import { parquetFooter, readParquetRows, writeParquet } from '../../helpers/parquet';
import { tmpDir } from '../../helpers/tmp';
import { naiveParse } from '../data/reference';

const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures');
const dir = tmpDir('residual-export-parquet-');
const project = path.join(dir, 'cells.residual');
let store: ProjectStore;
let scoreId: number;

beforeAll(async () => {
  expect((await cli('import', path.join(FIXTURES, 'wdbc.csv'), '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id')).code).toBe(0);
  expect((await cli('train', '--project', project, '--kind', 'ecod')).code).toBe(0);
  expect((await cli('score', '--project', project)).code).toBe(0);
  expect((await cli('verdict', '--project', project, '--row', '1', '--is', 'normal', '--note', 'checked, "fine"\nsecond line')).code).toBe(0);
  expect((await cli('verdict', '--project', project, '--row', '2', '--is', 'anomaly')).code).toBe(0);
  store = ProjectStore.open(project);
  scoreId = listScores(store)[0]!.scoreId;
}, 120_000);
afterAll(() => store?.close());

/** The CSV export's records as the Parquet file types them: numbers, booleans, null for an empty field. */
function csvAsTyped(file: string): Record<string, unknown>[] {
  const [header, ...rows] = naiveParse(fs.readFileSync(file, 'utf8'));
  expect(header).toEqual([...RANKING_CSV_COLUMNS]);
  const numeric = new Set(['rank', 'score', 'share_1', 'share_2', 'share_3']);
  return rows.map((r) =>
    Object.fromEntries(header!.map((name, i) => [name, r[i] === '' ? null : name === 'flagged' ? r[i] === 'true' : numeric.has(name) ? Number(r[i]) : r[i]])),
  );
}

describe('the ranking as Parquet', () => {
  it('holds the CSV export’s rows, read back by another library: same order, same values, typed', async () => {
    const csv = await exportRankingCsv(store, { scoreId, out: path.join(dir, 'ranked.csv') });
    const pq = await exportRankingParquet(store, { scoreId, out: path.join(dir, 'ranked.parquet') });
    expect(pq).toMatchObject({ format: 'parquet', rows: 569, total: 569, flagged: csv.flagged, threshold: csv.threshold, scoreId, out: path.join(dir, 'ranked.parquet') });
    expect(pq.bytes).toBe(fs.statSync(pq.out!).size);
    const back = await readParquetRows(pq.out!);
    expect(back).toEqual(csvAsTyped(csv.out!));
    expect(back[0]!['rank']).toBe(1);
    // The verdicts and the note with its comma, quotes and line break, as text.
    const noted = back.find((r) => r['note'] !== null)!;
    expect(noted).toMatchObject({ verdict: 'normal', note: 'checked, "fine"\nsecond line' });
    expect(back.filter((r) => r['verdict'] === 'anomaly')).toHaveLength(1);
    // The scores are the very doubles of the score, in descending order.
    expect(back.map((r) => r['score'])).toEqual([...back.map((r) => r['score'] as number)].sort((a, b) => b - a));
    expect(getScore(store, scoreId).rows).toBe(back.length);
  });

  it('is typed columns with Residual’s mark in its footer', () => {
    const footer = parquetFooter(path.join(dir, 'ranked.parquet'));
    const types = Object.fromEntries(footer.schema.slice(1).map((s) => [s.name, s.type]));
    expect(types).toMatchObject({ rank: 'INT32', id: 'BYTE_ARRAY', score: 'DOUBLE', flagged: 'BOOLEAN', share_1: 'DOUBLE', note: 'BYTE_ARRAY' });
    expect(footer.key_value_metadata).toContainEqual({ key: 'residual_export', value: 'ranking' });
    expect(isResidualParquet(path.join(dir, 'ranked.parquet'))).toBe(true);
    expect(isResidualParquet(path.join(dir, 'ranked.csv'))).toBe(false);
  });

  it('applies the same filters and limit as the CSV export', async () => {
    const filter = { flagged: true };
    const csv = await exportRankingCsv(store, { scoreId, filter, top: 25, out: path.join(dir, 'flagged.csv') });
    const pq = await exportRankingParquet(store, { scoreId, filter, top: 25, out: path.join(dir, 'flagged.parquet') });
    expect(pq.rows).toBe(csv.rows);
    expect(pq.rows).toBeGreaterThan(0);
    const back = await readParquetRows(pq.out!);
    expect(back).toEqual(csvAsTyped(csv.out!));
    expect(back.every((r) => r['flagged'] === true)).toBe(true);
    const reviewed = await exportRankingParquet(store, { scoreId, filter: { verdict: 'normal' }, out: path.join(dir, 'normal.parquet') });
    expect((await readParquetRows(reviewed.out!)).map((r) => r['verdict'])).toEqual(['normal']);
  });

  it('never writes over a Parquet file that Residual did not write; its own it replaces', async () => {
    const foreign = writeParquet(path.join(dir, 'theirs.parquet'), [{ name: 'x', type: 'DOUBLE', data: [1, 2, 3] }], 10);
    const bytes = fs.readFileSync(foreign);
    expect(isResidualParquet(foreign)).toBe(false);
    let caught: unknown;
    try {
      await exportRankingParquet(store, { scoreId, out: foreign });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ResidualError);
    expect((caught as ResidualError).message).toMatch(/theirs\.parquet exists and is not a Parquet file that Residual exported: it is not overwritten/);
    expect(fs.readFileSync(foreign).equals(bytes)).toBe(true);
    // A CSV named .parquet is not ours either.
    const text = path.join(dir, 'text.parquet');
    fs.writeFileSync(text, 'rank,id\n');
    await expect(exportRankingParquet(store, { scoreId, out: text })).rejects.toThrow(/is not a Parquet file that Residual exported/);
    const again = await exportRankingParquet(store, { scoreId, top: 3, out: path.join(dir, 'ranked.parquet') });
    expect((await readParquetRows(again.out!)).length).toBe(3);
  });

  it('a cancel leaves no file, half or whole, and no temporary file', async () => {
    const out = path.join(dir, 'cancelled.parquet');
    const abort = new AbortController();
    let caught: unknown;
    try {
      await exportRankingParquet(store, { scoreId, out }, { signal: abort.signal, onProgress: () => abort.abort() });
    } catch (e) {
      caught = e;
    }
    expect((caught as ResidualError).code).toBe('CANCELLED');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
