import type { ProjectStore } from '../../src-main/core/store';
import type { ColumnRole, ColumnStats, DatasetInfo } from '../../src-main/core/store/types';

export interface TestColumn {
  readonly name: string;
  readonly role: ColumnRole;
  /** Numbers (NaN = missing) are stored as f64, strings (null = missing) as str. */
  readonly values: readonly number[] | Float64Array | readonly (string | null)[];
  readonly positiveValue?: string;
}

/**
 * Writes a dataset through the store API (as the importer would, in one write transaction) with simple
 * column stats, and returns it. `chunkRows` small values exercise chunk borders.
 */
export function makeDataset(store: ProjectStore, name: string, columns: readonly TestColumn[], opts: { chunkRows?: number } = {}): DatasetInfo {
  const rowCount = columns[0]?.values.length ?? 0;
  for (const c of columns) if (c.values.length !== rowCount) throw new Error(`column ${c.name} has ${c.values.length} values, expected ${rowCount}`);
  const chunkRows = opts.chunkRows ?? 65_536;
  const tx = store.beginWrite();
  try {
    const id = store.insertDataset({
      name, sourcePath: `/test/${name}.csv`, sourceSha256: '0'.repeat(64), sourceBytes: 0, encoding: 'utf-8', delimiter: ',',
      decimalComma: false, rowCount, skippedRows: 0, chunkRows, createdAt: new Date(0).toISOString(),
    });
    columns.forEach((c, idx) => {
      const numeric = c.values instanceof Float64Array || typeof c.values.find((v) => v !== null) === 'number';
      const valueKind = numeric ? (c.role === 'timestamp' ? 'time' : 'number') : 'text';
      store.insertColumn(id, {
        idx, name: c.name, valueKind, storage: numeric ? 'f64' : 'str', role: c.role, inferredRole: c.role, roleReason: 'test',
        positiveValue: c.positiveValue ?? null, stats: numeric ? numberStats(Float64Array.from(c.values as readonly number[])) : textStats(c.values as readonly (string | null)[]),
      });
      for (let start = 0, k = 0; start < rowCount; start += chunkRows, k++) {
        const end = Math.min(rowCount, start + chunkRows);
        const part = numeric ? Float64Array.from(c.values as readonly number[]).subarray(start, end) : (c.values as readonly (string | null)[]).slice(start, end);
        store.writeChunk(id, idx, k, start, numeric ? Float64Array.from(part as Float64Array) : (part as (string | null)[]));
      }
    });
    tx.commit();
    return store.getDataset(id);
  } catch (e) {
    tx.rollback();
    throw e;
  }
}

function numberStats(v: Float64Array): ColumnStats {
  const obs = v.filter((x) => !Number.isNaN(x)).sort();
  const n = obs.length;
  const q = (p: number): number => (n ? obs[Math.min(n - 1, Math.floor(p * (n - 1)))]! : NaN);
  const mean = n ? obs.reduce((s, x) => s + x, 0) / n : NaN;
  const std = n ? Math.sqrt(obs.reduce((s, x) => s + (x - mean) ** 2, 0) / n) : NaN;
  const min = n ? obs[0]! : NaN;
  const max = n ? obs[n - 1]! : NaN;
  const bins = 20;
  const width = (max - min) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const x of obs) counts[Math.min(bins - 1, Math.floor((x - min) / width))]!++;
  return {
    count: n, missing: v.length - n, distinct: new Set(obs).size, distinctCapped: false, topValues: [],
    mean, std, min, max, q1: q(0.25), median: q(0.5), q3: q(0.75),
    histogram: { edges: Array.from({ length: bins + 1 }, (_, i) => min + i * width), counts },
  };
}

function textStats(v: readonly (string | null)[]): ColumnStats {
  const counts = new Map<string, number>();
  for (const x of v) if (x !== null) counts.set(x, (counts.get(x) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([value, count]) => ({ value, count }));
  const missing = v.filter((x) => x === null).length;
  return { count: v.length - missing, missing, distinct: counts.size, distinctCapped: false, topValues: top };
}
