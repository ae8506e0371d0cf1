import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importDataset, previewFile, type ImportProgress } from '../../../src-main/core/data';
import { tmpDir } from '../../helpers/tmp';
import { fixture, freshStore, writeFile } from './reference';

const dir = tmpDir();

describe('previewFile', () => {
  it('shows the first rows and the roles an import would infer', async () => {
    const p = await previewFile(fixture('wdbc.csv'), { maxRows: 3 });
    expect(p).toMatchObject({ file: fixture('wdbc.csv'), encoding: 'utf-8', delimiter: ',', decimalComma: false });
    expect(p.header).toHaveLength(32);
    expect(p.rows).toHaveLength(3);
    expect(p.rows[0]!.slice(0, 3)).toEqual(['1', '17.99', '10.38']);
    expect(p.rows[0]!.at(-1)).toBe('malignant');
    expect(p.columns[0]).toMatchObject({ name: 'id', role: 'id', valueKind: 'number' });
    expect(p.columns.at(-1)).toMatchObject({ name: 'diagnosis', role: 'label', positiveValue: 'malignant' });
    expect(p.warnings).toEqual([]);
  });

  it('applies the import options, without failing on an anomaly value it cannot infer', async () => {
    const withPositive = await previewFile(fixture('glass.csv'), { label: 'Type', positive: '6' });
    expect(withPositive.columns.at(-1)).toMatchObject({ role: 'label', positiveValue: '6' });
    const without = await previewFile(fixture('glass.csv'), { label: 'Type' });
    expect(without.columns.at(-1)).toMatchObject({ role: 'label', positiveValue: null, roleReason: expect.stringMatching(/say which value marks an anomaly/) });
    await expect(previewFile(fixture('glass.csv'), { label: 'type' })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/did you mean "Type"/) });
  });

  it('reports format, quoted text, text columns and bad rows of a semicolon file', async () => {
    const file = writeFile(dir, 'semi.csv', 'name;value;kind\n"a;b";1,5;x\nc;2,5;y\nbroken;1\nd;3,25;x\n');
    const p = await previewFile(file);
    expect(p).toMatchObject({ delimiter: ';', decimalComma: true });
    expect(p.rows).toEqual([
      ['a;b', '1,5', 'x'],
      ['c', '2,5', 'y'],
      ['broken', '1'],
      ['d', '3,25', 'x'],
    ]);
    expect(p.columns.map((c) => [c.name, c.valueKind])).toEqual([
      ['name', 'text'],
      ['value', 'number'],
      ['kind', 'text'],
    ]);
    expect(p.warnings.join(' ')).toMatch(/1 row has a different number of fields than the header \(lines 4\)/);
  });

  it('reads only a sample of a large file', async () => {
    // The text turning up after the first MiB is not in the preview's sample.
    const file = writeFile(dir, 'large.csv', 'a,b\n' + '1.5,2\n'.repeat(400_000) + 'x,3\n');
    const p = await previewFile(file, { maxRows: 2 });
    expect(p.rows).toEqual([
      ['1.5', '2'],
      ['1.5', '2'],
    ]);
    expect(p.columns[0]!.valueKind).toBe('number');
    expect(fs.statSync(file).size).toBeGreaterThan(2 * 1024 * 1024);
  });
});

describe('progress', () => {
  it('reports by bytes, at most about ten times a second, ending at 1', async () => {
    const file = writeFile(dir, 'progress.csv', 'a,b,c\n' + Array.from({ length: 600_000 }, (_, i) => `${i},${i % 7}.5,3.75`).join('\n'));
    const store = freshStore(dir);
    const reports: ImportProgress[] = [];
    const started = performance.now();
    const r = await importDataset(store, file, {}, { onProgress: (p) => reports.push({ ...p }) });
    const seconds = (performance.now() - started) / 1000;
    store.close();
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
    const fractions = reports.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    const last = reports.at(-1)!;
    expect(last).toMatchObject({ fraction: 1, phase: 'saving', rows: 600_000, totalBytes: fs.statSync(file).size, bytesRead: fs.statSync(file).size });
    const reading = reports.filter((p) => p.phase === 'reading');
    expect(reading.length).toBeGreaterThan(0);
    for (const p of reading) expect(p.fraction).toBeCloseTo(0.7 * (p.bytesRead / p.totalBytes), 9);
    expect(reports.some((p) => p.etaSeconds !== null && p.etaSeconds > 0)).toBe(true);
    expect(r.rowsPerSecond).toBeGreaterThan(0);
  });
});
