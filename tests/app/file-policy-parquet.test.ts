/**
 * The file policy for Parquet (issues #15, #17): a page may export the ranking as `.parquet` under the rule of every
 * output (browser mode: only into the reports folder, never over a file Residual did not write) and download it from
 * there; and it may preview and import a Parquet file it handed over, like a CSV.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFilePolicy } from '../../src-main/app/file-policy';
import { cli } from '../helpers/cli';
import { writeParquet } from '../helpers/parquet';
import { tmpDir } from '../helpers/tmp';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');

describe('file policy: Parquet exports and imports', () => {
  const dir = tmpDir('residual-policy-parquet-');
  const reports = path.join(dir, 'reports');
  const elsewhere = path.join(dir, 'elsewhere');
  fs.mkdirSync(reports);
  fs.mkdirSync(elsewhere);
  const policy = createFilePolicy({ reportsDir: reports, reportsOnlyThere: true });
  const ours = path.join(reports, 'ranked.parquet');
  const theirs = writeParquet(path.join(reports, 'theirs.parquet'), [{ name: 'x', type: 'DOUBLE', data: [1, 2] }], 10);
  const refusal = (request: { scoreId: number; out?: string; format?: 'csv' | 'parquet' }): string | null => {
    try {
      policy.check('score.export', request);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };

  beforeAll(async () => {
    const project = path.join(dir, 'p.residual');
    expect((await cli('import', path.join(FIXTURES, 'glass.csv'), '--project', project)).code).toBe(0);
    expect((await cli('train', '--project', project, '--kind', 'ecod')).code).toBe(0);
    expect((await cli('score', '--project', project)).code).toBe(0);
    const r = await cli('export', '--project', project, '--out', ours);
    expect(r.code, r.err).toBe(0);
  }, 120_000);

  it('score.export: a .parquet in the reports folder, new or Residual’s own, is allowed', () => {
    expect(refusal({ scoreId: 1, out: path.join(reports, 'new.parquet') })).toBeNull();
    expect(refusal({ scoreId: 1, out: path.join(reports, 'new.parquet'), format: 'parquet' })).toBeNull();
    expect(refusal({ scoreId: 1, out: ours })).toBeNull();
    expect(refusal({ scoreId: 1, format: 'parquet' })).toBeNull();
  });

  it('score.export: never over a Parquet file Residual did not write, never outside the reports folder, never a mismatched name', () => {
    expect(refusal({ scoreId: 1, out: theirs })).toMatch(/theirs\.parquet exists and is not a Parquet file that Residual exported: it is not overwritten/);
    expect(refusal({ scoreId: 1, out: path.join(elsewhere, 'x.parquet') })).toMatch(/written to the reports folder/);
    expect(refusal({ scoreId: 1, out: path.join(reports, 'x.csv'), format: 'parquet' })).toMatch(/x\.csv must end in \.parquet/);
    expect(refusal({ scoreId: 1, out: path.join(reports, 'x.parquet'), format: 'csv' })).toMatch(/x\.parquet must end in \.csv/);
  });

  it('download: Residual’s Parquet export from the reports folder, not another Parquet file', () => {
    expect(policy.checkDownload(ours)).toBe(fs.realpathSync(ours));
    expect(() => policy.checkDownload(theirs)).toThrow(/is not a report or an export that Residual wrote/);
  });

  it('preview and import: a Parquet file handed over, like a CSV; not one that was not', () => {
    const data = writeParquet(path.join(elsewhere, 'data.parquet'), [{ name: 'x', type: 'DOUBLE', data: [1, 2] }], 10);
    expect(() => policy.check('data.preview', { file: data })).toThrow(/was not uploaded, picked or dropped here/);
    policy.grant(data);
    expect(() => policy.check('data.preview', { file: data })).not.toThrow();
    expect(() => policy.check('data.import', { file: data })).not.toThrow();
  });
});
