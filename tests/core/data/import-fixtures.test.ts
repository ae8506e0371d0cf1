/** The six sample datasets: roles, counts, statistics against an independent computation, exact round trip. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src-main/core/data';
import type { ColumnInfo, DatasetInfo } from '../../../src-main/core/store';
import { tmpDir } from '../../helpers/tmp';
import { fixture, freshStore, naiveColumn, naiveParse } from './reference';

const dir = tmpDir();
const store = freshStore(dir);
afterAll(() => store.close());

const NAIVE_MISSING = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?']);

function col(ds: DatasetInfo, name: string): ColumnInfo {
  const c = ds.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

function rolesOf(ds: DatasetInfo): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of ds.columns) (out[c.role] ??= []).push(c.name);
  return out;
}

/** Every stored value of every column equals the naive parse of the file (numbers via Number()). */
function expectExactRoundTrip(ds: DatasetInfo, file: string): void {
  const rows = naiveParse(fs.readFileSync(file, 'utf8'));
  expect(ds.rowCount).toBe(rows.length - 1);
  for (const c of ds.columns) {
    const raw = naiveColumn(rows, c.name);
    const stored = store.readColumn(ds.id, c.name);
    if (c.storage === 'f64') {
      const nums = stored as Float64Array;
      expect(nums.length).toBe(raw.length);
      raw.forEach((v, i) => {
        const expected = NAIVE_MISSING.has(v.trim()) ? NaN : Number(v);
        if (!Object.is(nums[i], expected)) throw new Error(`${c.name} row ${i + 1}: stored ${nums[i]}, file says ${JSON.stringify(v)}`);
      });
    } else {
      expect(stored).toEqual(raw.map((v) => (NAIVE_MISSING.has(v.trim()) ? null : v)));
    }
  }
}

/** numpy.percentile(x, p) with the default linear method, written out independently. */
function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * (p / 100);
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo]! + (h - lo) * (s[lo + 1]! - s[lo]!) : s[lo]!;
}

describe('importing the UCI sample datasets', () => {
  it('wdbc: id column, diagnosis as label with malignant as the anomaly, 30 numeric features', async () => {
    const file = fixture('wdbc.csv');
    const r = await importDataset(store, file);
    const ds = r.dataset;
    expect(ds.name).toBe('wdbc');
    expect(ds.rowCount).toBe(569);
    expect(ds.columns).toHaveLength(32);
    const roles = rolesOf(ds);
    expect(roles['id']).toEqual(['id']);
    expect(roles['label']).toEqual(['diagnosis']);
    expect(roles['numeric']).toHaveLength(30);
    expect(col(ds, 'diagnosis').positiveValue).toBe('malignant');
    expect(col(ds, 'diagnosis').stats.topValues).toEqual([
      { value: 'benign', count: 357 },
      { value: 'malignant', count: 212 },
    ]);
    const bytes = fs.readFileSync(file);
    expect(ds).toMatchObject({
      sourcePath: file,
      sourceSha256: createHash('sha256').update(bytes).digest('hex'),
      sourceBytes: bytes.length,
      encoding: 'utf-8',
      delimiter: ',',
      decimalComma: false,
      skippedRows: 0,
    });
    expect(r.skippedRows).toBe(0);
    expect(r.warnings).toEqual([]);
    expect(r.rowsPerSecond).toBeGreaterThan(0);
  });

  it('wdbc: statistics equal an independent computation from the text', () => {
    const ds = store.getDataset('wdbc');
    const rows = naiveParse(fs.readFileSync(fixture('wdbc.csv'), 'utf8'));
    for (const name of ['mean radius', 'worst area', 'fractal dimension error']) {
      const x = naiveColumn(rows, name).map(Number);
      const n = x.length;
      const mean = x.reduce((a, b) => a + b, 0) / n;
      const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      const s = col(ds, name).stats;
      expect(s.count).toBe(n);
      expect(s.missing).toBe(0);
      expect(s.distinct).toBe(new Set(x).size);
      expect(s.mean).toBeCloseTo(mean, 10);
      expect(s.std).toBeCloseTo(std, 10);
      expect(s.min).toBe(Math.min(...x));
      expect(s.max).toBe(Math.max(...x));
      expect(s.q1).toBeCloseTo(percentile(x, 25), 12);
      expect(s.median).toBeCloseTo(percentile(x, 50), 12);
      expect(s.q3).toBeCloseTo(percentile(x, 75), 12);
      expect(s.histogram!.counts).toHaveLength(30);
      expect(s.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(n);
    }
    // `mean radius`: the most frequent values and their counts, counted naively.
    const counts = new Map<string, number>();
    for (const v of naiveColumn(rows, 'mean radius')) counts.set(String(Number(v)), (counts.get(String(Number(v))) ?? 0) + 1);
    const top = col(ds, 'mean radius').stats.topValues[0]!;
    expect(top.count).toBe(Math.max(...counts.values()));
    expect(counts.get(top.value)).toBe(top.count);
  });

  it('wdbc: every stored value equals the file', () => {
    expectExactRoundTrip(store.getDataset('wdbc'), fixture('wdbc.csv'));
  });

  it('ionosphere: constant V2 ignored, quoted V1 numeric, Class label with bad as the anomaly', async () => {
    const { dataset: ds } = await importDataset(store, fixture('ionosphere.csv'));
    expect(ds.rowCount).toBe(351);
    expect(col(ds, 'V2')).toMatchObject({ role: 'ignored', valueKind: 'number' });
    expect(col(ds, 'V2').roleReason).toMatch(/constant/);
    expect(col(ds, 'V1')).toMatchObject({ role: 'numeric', valueKind: 'number', storage: 'f64' });
    expect(col(ds, 'V1').stats.distinct).toBe(2);
    expect(col(ds, 'Class')).toMatchObject({ role: 'label', positiveValue: 'bad' });
    expect(rolesOf(ds)['numeric']).toHaveLength(33);
    expectExactRoundTrip(ds, fixture('ionosphere.csv'));
  });

  it('glass: Type as label with 6 as the anomaly when asked', async () => {
    const { dataset: ds } = await importDataset(store, fixture('glass.csv'), { label: 'Type', positive: '6' });
    expect(ds.rowCount).toBe(214);
    expect(col(ds, 'Type')).toMatchObject({ role: 'label', inferredRole: 'numeric', positiveValue: '6', valueKind: 'number' });
    expect(col(ds, 'Type').stats.topValues.find((t) => t.value === '6')?.count).toBe(9);
    expect(rolesOf(ds)['numeric']).toHaveLength(9);
    expectExactRoundTrip(ds, fixture('glass.csv'));
  });

  it('glass: without options Type is just another number', async () => {
    const { dataset: ds } = await importDataset(store, fixture('glass.csv'));
    expect(ds.name).toBe('glass (2)');
    expect(col(ds, 'Type').role).toBe('numeric');
    expect(rolesOf(ds)['label']).toBeUndefined();
  });

  it('letterrecognition: 20000 rows, lettr categorical with 26 letters', async () => {
    const { dataset: ds } = await importDataset(store, fixture('letterrecognition.csv'));
    expect(ds.rowCount).toBe(20000);
    expect(col(ds, 'lettr')).toMatchObject({ role: 'categorical', valueKind: 'text', storage: 'str' });
    expect(col(ds, 'lettr').stats.distinct).toBe(26);
    expect(rolesOf(ds)['numeric']).toHaveLength(16);
    const letters = naiveColumn(naiveParse(fs.readFileSync(fixture('letterrecognition.csv'), 'utf8')), 'lettr');
    expect(col(ds, 'lettr').stats.topValues[0]).toEqual({ value: 'U', count: letters.filter((l) => l === 'U').length });
    expectExactRoundTrip(ds, fixture('letterrecognition.csv'));
  });

  it('pimaindiansdiabetes: diabetes pos/neg recognised as the label, pos the anomaly', async () => {
    const { dataset: ds } = await importDataset(store, fixture('pimaindiansdiabetes.csv'));
    expect(ds.rowCount).toBe(768);
    expect(col(ds, 'diabetes')).toMatchObject({ role: 'label', positiveValue: 'pos' });
    expect(rolesOf(ds)['numeric']).toHaveLength(8);
    const x = naiveColumn(naiveParse(fs.readFileSync(fixture('pimaindiansdiabetes.csv'), 'utf8')), 'glucose').map(Number);
    expect(col(ds, 'glucose').stats.mean).toBeCloseTo(x.reduce((a, b) => a + b, 0) / x.length, 10);
    expectExactRoundTrip(ds, fixture('pimaindiansdiabetes.csv'));
  });

  it('vowel: Class has 11 values, so it is a category, not a label', async () => {
    const { dataset: ds } = await importDataset(store, fixture('vowel.csv'));
    expect(ds.rowCount).toBe(990);
    expect(col(ds, 'Class')).toMatchObject({ role: 'categorical', positiveValue: null });
    expect(col(ds, 'V1').role).toBe('numeric');
    expect(rolesOf(ds)['label']).toBeUndefined();
    expectExactRoundTrip(ds, fixture('vowel.csv'));
  });
});
