/**
 * `residual export` (issue #17): the ranked rows of a score as CSV — header, rank order, ids, full-precision scores,
 * the flagged filter, --top, --json's summary, stdout without --out — in process on the TypeScript sources.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RANKING_CSV_HEADER } from '../../src-main/core/export';
import { cli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');


const records = (csv: string): string[][] =>
  csv
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));

describe('residual export', () => {
  const dir = tmpDir('residual-cli-export-');
  const project = path.join(dir, 'cells.residual');

  beforeAll(async () => {
    expect((await cli('import', path.join(FIXTURES, 'wdbc.csv'), '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id')).code).toBe(0);
    expect((await cli('train', '--project', project, '--kind', 'ecod')).code).toBe(0);
    expect((await cli('score', '--project', project)).code).toBe(0);
    expect((await cli('verdict', '--project', project, '--row', '1', '--is', 'normal', '--note', 'checked, "fine"\nsecond line')).code).toBe(0);
  }, 120_000);

  it('never writes over a file it did not write: CSV exports and reports alike; its own files it replaces', async () => {
    const notes = path.join(dir, 'notes.csv');
    fs.writeFileSync(notes, 'my,own\nfile,1\n');
    const csv = await cli('export', '--project', project, '--out', notes);
    expect(csv.code).toBe(2);
    expect(csv.err).toMatch(/notes\.csv exists and is not a CSV that Residual exported: it is not overwritten\. Choose another file name/);
    const pdf = path.join(dir, 'letter.pdf');
    fs.writeFileSync(pdf, '%PDF-1.4 not ours');
    const rep = await cli('report', '--project', project, '--out', pdf);
    expect(rep.code).toBe(2);
    expect(rep.err).toMatch(/letter\.pdf exists and is not a Residual report: it is not overwritten/);
    expect(fs.readFileSync(notes, 'utf8')).toBe('my,own\nfile,1\n');
    expect(fs.readFileSync(pdf, 'utf8')).toBe('%PDF-1.4 not ours');
    const again = path.join(dir, 'again.csv');
    expect((await cli('export', '--project', project, '--out', again)).code).toBe(0);
    expect((await cli('export', '--project', project, '--out', again)).code).toBe(0);
    const report = path.join(dir, 'again.pdf');
    expect((await cli('report', '--project', project, '--out', report)).code).toBe(0);
    expect((await cli('report', '--project', project, '--out', report)).code).toBe(0);
  });

  it('writes every ranked row to --out, in rank order, with the header and full-precision scores', async () => {
    const out = path.join(dir, 'ranked.csv');
    const r = await cli('export', '--project', project, '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Wrote .*ranked\.csv: 569 of 569 rows/);
    const text = fs.readFileSync(out, 'utf8');
    expect(text.startsWith(RANKING_CSV_HEADER)).toBe(true);
    const top = JSON.parse((await cli('top', '--project', project, '-n', '3', '--json')).out) as { rows: { id: string; score: number; flagged: boolean; topFeatures: { column: string }[] }[] };
    const lines = text.split('\r\n');
    expect(lines.length).toBe(1 + 569 + 1);
    const first = lines[1]!.split(',');
    expect(first[0]).toBe('1');
    expect(first[1]).toBe(top.rows[0]!.id);
    expect(Number(first[2])).toBe(top.rows[0]!.score);
    expect(first[3]).toBe(String(top.rows[0]!.flagged));
    expect(first[4]).toBe(top.rows[0]!.topFeatures[0]!.column);
    expect(Number(first[5])).toBeGreaterThan(0);
    expect(first[10]).toMatch(/^(anomaly|normal)$/);
    // The verdict's note, with its comma, quotes and line break, is one quoted field.
    expect(text).toContain(',normal,"checked, ""fine""\nsecond line"\r\n');
    // Scores descend.
    const scores = lines.slice(1, -1).filter((l) => /^\d+,/.test(l)).map((l) => Number(l.split(',')[2]));
    for (let i = 1; i < scores.length; i++) expect(scores[i]!).toBeLessThanOrEqual(scores[i - 1]!);
  });

  it('--flagged --top N: only flagged rows, at most N; --json prints a summary', async () => {
    const out = path.join(dir, 'flagged.csv');
    const r = await cli('export', '--project', project, '--out', out, '--flagged', '--top', '5', '--json');
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as { out: string; rows: number; total: number; flagged: number; threshold: number };
    expect(summary.out).toBe(out);
    expect(summary.total).toBe(569);
    expect(summary.rows).toBeGreaterThan(0);
    expect(summary.rows).toBeLessThanOrEqual(5);
    expect(summary.flagged).toBe(summary.rows);
    const rows = records(fs.readFileSync(out, 'utf8')).slice(1);
    expect(rows.length).toBe(summary.rows);
    expect(rows.every((row) => row[3] === 'true' && Number(row[2]) >= summary.threshold)).toBe(true);
  });

  it('without --out the CSV goes to stdout; --json then asks for --out', async () => {
    const r = await cli('export', '--project', project, '--top', '2');
    expect(r.code, r.err).toBe(0);
    expect(r.out.startsWith(RANKING_CSV_HEADER)).toBe(true);
    expect(records(r.out).length).toBe(3);
    const bad = await cli('export', '--project', project, '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.out).error.message).toMatch(/--out/);
  });
});
