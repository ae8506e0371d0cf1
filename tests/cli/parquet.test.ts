/**
 * Parquet from the command line (issues #15 and #17): `residual import file.parquet` with the CSV import's options
 * and messages, `residual info` naming the format, `residual export --format parquet` or `--out x.parquet`; and the
 * built command (bin/residual.mjs → out/main/cli.js), where DuckDB loads as an external native package.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli';
import { readParquetRows, transactions, writeParquet } from '../helpers/parquet';
import { tmpDir } from '../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dir = tmpDir('residual-cli-parquet-');
const data = writeParquet(path.join(dir, 'cards.parquet'), transactions(3000), 1000);
const project = path.join(dir, 'cards.residual');

describe('residual import / info / export with Parquet', () => {
  beforeAll(async () => {
    const r = await cli('import', data, '--project', project, '--label', 'label', '--positive', 'fraud');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Imported 3,000 rows × 8 columns from .*cards\.parquet into dataset "cards" \(Parquet\) in /);
    expect(r.out).toMatch(/merchant\s+categorical\s+text/);
    expect((await cli('train', '--project', project, '--kind', 'ecod')).code).toBe(0);
    expect((await cli('score', '--project', project)).code).toBe(0);
  }, 120_000);

  it('info names the format; --json gives the dataset with no delimiter', async () => {
    const info = await cli('info', '--project', project);
    expect(info.out).toMatch(/source .*cards\.parquet \(sha256 [0-9a-f]{16}…, Parquet\)/);
    const json = JSON.parse((await cli('info', '--project', project, '--json')).out) as { datasets: { delimiter: string; rowCount: number }[] };
    expect(json.datasets[0]).toMatchObject({ delimiter: '', rowCount: 3000 });
  });

  it('a bad value names the row and column, and the CLI says --skip-bad-rows', async () => {
    const columns = transactions(300).map((c) => (c.name === 'items' ? { ...c, type: 'DOUBLE' as const, data: c.data.map((v, i) => (i === 9 ? Infinity : v)) } : c));
    const bad = writeParquet(path.join(dir, 'infinite.parquet'), columns, 100);
    const r = await cli('import', bad, '--project', project);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/infinite\.parquet, row 10, column "items" holds Infinity, a number too large to compute with\. .*import with --skip-bad-rows to skip such rows/);
    const skipped = await cli('import', bad, '--project', project, '--skip-bad-rows', '--name', 'skipped');
    expect(skipped.code, skipped.err).toBe(0);
    expect(skipped.out).toMatch(/Skipped 1 bad rows \(first: row 10: column "items" holds Infinity/);
  });

  it('a damaged file: exit 2, a message naming it', async () => {
    const cut = path.join(dir, 'cut.parquet');
    fs.writeFileSync(cut, fs.readFileSync(data).subarray(0, 5000));
    const r = await cli('import', cut, '--project', project, '--json');
    expect(r.code).toBe(2);
    const error = (JSON.parse(r.out) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('BAD_FILE');
    expect(error.message).toContain(cut);
    expect(error.message).toMatch(/cut short/);
  });

  it('export --format parquet and --out x.parquet write the ranking as Parquet', async () => {
    const byFlag = path.join(dir, 'flag.parquet');
    const r = await cli('export', '--project', project, '--format', 'parquet', '--out', byFlag, '--flagged');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Wrote .*flag\.parquet: \d+ of 3,000 rows/);
    const rows = await readParquetRows(byFlag);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((x) => x['flagged'] === true)).toBe(true);
    const byName = path.join(dir, 'all.parquet');
    const json = JSON.parse((await cli('export', '--project', project, '--out', byName, '--json')).out) as { format: string; rows: number };
    expect(json).toMatchObject({ format: 'parquet', rows: 3000 });
    expect((await readParquetRows(byName)).map((x) => x['id'])).toHaveLength(3000);
  });

  it('export refuses Parquet to stdout and a name that contradicts --format', async () => {
    const stdout = await cli('export', '--project', project, '--format', 'parquet');
    expect(stdout.code).toBe(2);
    expect(stdout.err).toMatch(/a Parquet file is binary, so it is not written to stdout; name it with --out ranked\.parquet/);
    const mismatch = await cli('export', '--project', project, '--format', 'parquet', '--out', path.join(dir, 'x.csv'));
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toMatch(/--out .*x\.csv does not end in \.parquet/);
    const other = await cli('export', '--project', project, '--format', 'csv', '--out', path.join(dir, 'x.parquet'));
    expect(other.code).toBe(2);
    expect(fs.existsSync(path.join(dir, 'x.csv'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'x.parquet'))).toBe(false);
  });

  it('the built command imports Parquet too (DuckDB loads from node_modules)', () => {
    const built = path.join(dir, 'built.residual');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'residual.mjs'), 'import', data, '--project', built, '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { dataset: { rowCount: number; delimiter: string } }).dataset).toMatchObject({ rowCount: 3000, delimiter: '' });
  });
});
