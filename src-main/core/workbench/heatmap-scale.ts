import { normalizeFeatureErrors } from '../analysis';
import { getModel, getScore } from '../engine';
import { BATCH_ROWS } from '../engine/columns';
import { readFeatureErrors } from '../engine/results';
import type { ProjectStore } from '../store';
import type { HeatmapScale } from '../../contract/heatmap';
export type { HeatmapScale };

/**
 * The 99th percentile of the score's per-row, per-column errors (their magnitudes: a one-class model's are signed) (normalised as the heatmap shows them when the
 * model has each column's typical error). Up to about a million values are read: every row of a small score, else
 * blocks of rows spread evenly over the whole score (always the same blocks, so the scale never changes).
 */
export function heatmapScale(store: ProjectStore, scoreId: number, normalized = true, quantile = 0.99): HeatmapScale {
  const score = getScore(store, scoreId);
  const cols = Math.max(1, score.columns.length);
  const means = normalized ? getModel(store, score.modelId).featureErrorMean : null;
  const sampleRows = Math.max(BATCH_ROWS, Math.floor(1_000_000 / cols));
  const windows: [number, number][] = [];
  if (score.rows <= sampleRows) windows.push([0, score.rows]);
  else {
    const blocks = Math.max(1, Math.floor(sampleRows / BATCH_ROWS));
    const step = score.rows / blocks;
    for (let b = 0; b < blocks; b++) {
      const start = Math.floor(b * step);
      windows.push([start, Math.min(score.rows, start + BATCH_ROWS)]);
    }
  }
  const parts: Float32Array[] = [];
  let rowsRead = 0;
  for (const [start, end] of windows) {
    const raw = readFeatureErrors(store, scoreId, start, end).values;
    parts.push(means ? normalizeFeatureErrors(raw, score.columns.length, means) : raw);
    rowsRead += end - start;
  }
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let finite = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      // Magnitudes: a one-class model's attributions are signed, and its colour scale runs from −cap to +cap.
      const v = Math.abs(p[i]!);
      if (Number.isFinite(v)) all[finite++] = v;
    }
  }
  const values = all.subarray(0, finite).sort();
  const value = finite ? values[Math.min(finite - 1, Math.floor(quantile * finite))]! : 0;
  return { scoreId, normalized: means !== null, quantile, value, max: finite ? values[finite - 1]! : 0, rowsRead, rows: score.rows };
}
