/**
 * The Parquet bench (issue #15) at a small size: it writes the data as Parquet (snappy and zstd), imports each file
 * and the CSV, and runs each installed reader over both files. Checks the shape of what it reports (every row
 * imported and read), never its timings: those are `npm run bench -- --only parquet`'s.
 */
import { describe, expect, it } from 'vitest';
import { benchParquet, describeParquet } from '../../bench/parquet';
import { tmpDir } from '../helpers/tmp';

describe('parquet bench (small)', () => {
  const dir = tmpDir('residual-bench-parquet-');

  it('imports the CSV and both Parquet files, and every installed reader reads every row', async () => {
    const r = await benchParquet({ rows: 3000, cols: 6, dir });
    expect(r.imports.map((i) => [i.source, i.rows])).toEqual([
      ['CSV', 3000],
      ['Parquet, snappy', 3000],
      ['Parquet, zstd', 3000],
    ]);
    for (const i of r.imports) expect(i.peakRssMB).toBeGreaterThan(0);
    const installed = r.readers.filter((x) => x.version !== null);
    expect(installed.map((x) => `${x.reader} ${x.codec}`)).toEqual(expect.arrayContaining(['duckdb snappy', 'duckdb zstd', 'hyparquet snappy', 'hyparquet zstd']));
    for (const x of installed) expect(x.rows).toBe(3000);
    expect(describeParquet(r)).toMatch(/Readers alone/);
  }, 300_000);
});
