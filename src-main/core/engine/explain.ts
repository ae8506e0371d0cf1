import { normalizeFeatureErrors, topContributors } from '../analysis';
import { ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import type { DatasetInfo } from '../store/types';
import { ensureBackend } from './backend';
import { matchColumns, pickRows, type FeatureColumn } from './columns';
import { explanationMethod } from './classical';
import { dimOwners, inverseFeature, scaleValue, transform, type RawColumn } from './preprocess';
import { latentInScore } from './model';
import { reconstructionErrors } from './recon';
import { getModel, getScore } from './repo';
import { loadNetwork, markFittedRows } from './score';
import { OneClassScorer } from './family/oneclass';
import type { Contribution, FeatureSpec, RowExplanation } from './types';

/**
 * Why rows scored high: per row its `topN` columns by normalised error (error / the column's mean training
 * error), with the actual and reconstructed values in the data's own units. Recomputes the reconstruction
 * of just these rows (same backend → the same errors as stored).
 */
export async function explainRows(store: ProjectStore, scoreId: number, rows: readonly number[], topN = 5): Promise<RowExplanation[]> {
  if (!Number.isInteger(topN) || topN < 1) throw new ResidualError('BAD_INPUT', `topN must be a whole number ≥ 1; got ${topN}.`, { field: 'topN' });
  const score = getScore(store, scoreId);
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= score.rows) {
      throw new ResidualError('BAD_INPUT', `Row ${r} is not a row of the scored dataset (0 to ${score.rows - 1}).`, { field: 'rows', row: r });
    }
  }
  if (rows.length === 0) return [];
  await ensureBackend();
  const model = getModel(store, score.modelId);
  if (!model.featureErrorMean) throw new ResidualError('BAD_INPUT', `Model #${model.id} has no training error per column to normalise by.`, { field: 'model' });
  const ds = store.getDataset(score.datasetId);
  const pp = model.preprocessing;
  const cols = matchColumns(ds, pp);
  const sorted = [...new Set(rows)].sort((a, b) => a - b);
  const raw = readRows(store, ds, cols, sorted);
  const n = sorted.length;
  const x = transform(pp, raw, n);
  const net = loadNetwork(store, model);
  markFittedRows(store, model, net, ds.id, ds.rowCount);
  try {
    const c = pp.features.length;
    const e = await reconstructionErrors(net, x, n, dimOwners(pp), c, { withKl: latentInScore(model.kind, model.settings), keepRecon: true, rows: sorted });
    const norm = normalizeFeatureErrors(e.feature, c, model.featureErrorMean);
    const names = pp.features.map((f) => f.name);
    const d = pp.inputDims;
    const byRow = new Map<number, RowExplanation>();
    sorted.forEach((row, i) => {
      const recon = e.recon!.subarray(i * d, (i + 1) * d);
      const contributions: Contribution[] = topContributors(norm.subarray(i * c, (i + 1) * c), names, Math.min(topN, c)).map((t) => {
        const f = pp.features[t.index]!;
        return {
          column: f.name,
          kind: f.kind,
          actual: actualValue(raw[t.index]!, i, f.kind),
          reconstructed: inverseFeature(f, recon),
          error: e.feature[i * c + t.index]!,
          normalizedError: t.error,
          share: t.share,
          deviation: deviationOf(f, raw[t.index]!, i, recon),
        };
      });
      byRow.set(row, { row, error: e.row[i]!, method: net instanceof OneClassScorer ? net.method() : explanationMethod(model.kind), contributions });
    });
    return rows.map((r) => byRow.get(r)!);
  } finally {
    net.dispose();
  }
}

/** Raw values of scattered rows, reading each stored chunk once per column. */
function readRows(store: ProjectStore, ds: DatasetInfo, cols: readonly FeatureColumn[], sorted: readonly number[]): RawColumn[] {
  const groups: number[][] = [];
  for (const r of sorted) {
    const last = groups[groups.length - 1];
    if (last && Math.floor(last[0]! / ds.chunkRows) === Math.floor(r / ds.chunkRows)) last.push(r);
    else groups.push([r]);
  }
  return cols.map((c) => {
    const parts = groups.map((g) => {
      const first = g[0]!;
      const window = store.readRange(ds.id, c.column, first, g[g.length - 1]! + 1);
      return pickRows(window, g.map((r) => r - first));
    });
    if (c.column.storage === 'f64') {
      const out = new Float64Array(sorted.length);
      let off = 0;
      for (const p of parts) {
        out.set(p as Float64Array, off);
        off += p.length;
      }
      return out;
    }
    return parts.flatMap((p) => [...(p as (string | null)[])]);
  });
}

function actualValue(col: RawColumn, i: number, kind: 'numeric' | 'categorical'): number | string | null {
  const v = col[i];
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return null;
  if (kind === 'categorical') return typeof v === 'number' ? String(v) : v;
  return typeof v === 'number' ? v : Number(v);
}

/** actual − reconstructed of a numeric column in model units (the column's fitted scale); null for categoricals or a missing value. */
function deviationOf(f: FeatureSpec, col: RawColumn, i: number, recon: Float32Array): number | null {
  if (f.kind !== 'numeric') return null;
  const v = col[i];
  const x = typeof v === 'number' ? v : v === null || v === undefined ? NaN : Number(v);
  if (Number.isNaN(x)) return null;
  const d = scaleValue(f, x) - recon[f.dim]!;
  return Number.isFinite(d) ? d : null;
}
