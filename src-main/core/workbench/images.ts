import type { ImageMeans, ImageRows } from '../../contract';
import { getModel, getScore, readLabels } from '../engine';
import { checkScoreRows, imageColumns, imageMaps, mapOf, readPixels } from '../engine/images';
import { scoreChunks } from '../engine/repo';
import { verdictsOf } from '../review';
import type { ProjectStore } from '../store';
import { heatmapScale } from './heatmap-scale';
import { rowIds, type ScoreViews } from './queries';

/** Pixel values (0–1) to 4 decimals: finer than a screen's 256 levels, and a third of the bytes of full doubles. */
const to4 = (v: number): number => Math.round(v * 10_000) / 10_000;
/** Map values to 6 significant digits (they are float32 sums, ~7 digits). */
const to6 = (v: number): number => (v === 0 || !Number.isFinite(v) ? v : Number(v.toPrecision(6)));

/**
 * The image views of a score (row.images, score.imageMeans): rows as pixels + reconstruction + per-pixel map, and the
 * mean map of the flagged rows. The colour scale (the 99th percentile of the score's per-column |values|) is cached
 * per score: a score never changes.
 */
export class ImageViews {
  /** By project file and score id (another project has its own score #1). */
  private readonly scales = new Map<string, number>();

  constructor(
    private readonly store: () => ProjectStore,
    private readonly views: ScoreViews,
  ) {}

  private scale(scoreId: number): number {
    const key = `${this.store().path}#${scoreId}`;
    const hit = this.scales.get(key);
    if (hit !== undefined) return hit;
    const value = heatmapScale(this.store(), scoreId, false).value;
    if (this.scales.size >= 4) this.scales.delete(this.scales.keys().next().value!);
    this.scales.set(key, value);
    return value;
  }

  /** `parts: 'pixels'` reads the stored pixels only (thumbnails); 'all' adds the model's reconstruction and map. */
  async rows(scoreId: number, rows: readonly number[], parts: 'pixels' | 'all' = 'all'): Promise<ImageRows> {
    const store = this.store();
    const score = getScore(store, scoreId);
    const ds = store.getDataset(score.datasetId);
    const { shape, columns } = imageColumns(ds);
    checkScoreRows(store, scoreId, rows);
    const model = getModel(store, score.modelId);
    const kind = mapOf(model);
    const pixels = readPixels(store, ds, columns, rows);
    const maps = parts === 'all' ? await imageMaps(store, scoreId, rows, columns, pixels) : null;
    const { errors, threshold } = this.views.scoresAndThreshold(scoreId);
    const ranks = this.views.ranksOf(scoreId, rows);
    const ids = rowIds(store, ds, rows);
    const labels = readLabels(store, ds);
    const verdicts = verdictsOf(store, ds.id, rows);
    return {
      scoreId,
      shape,
      map: kind.map,
      reconstructs: kind.reconstructs,
      signed: kind.signed,
      mapMeaning: kind.meaning,
      scale: parts === 'all' ? this.scale(scoreId) : 0,
      threshold,
      rows: rows.map((row, i) => ({
        row,
        id: ids[i]!,
        rank: ranks[i]!,
        score: errors[row]!,
        flagged: errors[row]! >= threshold,
        label: labels?.[row] === 1 ? 'anomaly' : labels?.[row] === 0 ? 'normal' : null,
        verdict: verdicts.get(row)?.verdict ?? null,
        pixels: pixels[i]!.map(to4),
        reconstruction: maps?.reconstruction[i]?.map(to4) ?? null,
        errors: maps?.errors[i]?.map(to6) ?? null,
      })),
    };
  }

  /**
   * The mean stored per-pixel error (or attribution) of the rows at or above `threshold` (default: the threshold in
   * force) and of every row: one pass over the stored per-column chunks, no model run.
   */
  means(scoreId: number, threshold?: number): ImageMeans {
    const store = this.store();
    const score = getScore(store, scoreId);
    const ds = store.getDataset(score.datasetId);
    const { shape, columns } = imageColumns(ds);
    const kind = mapOf(getModel(store, score.modelId));
    const inForce = this.views.scoresAndThreshold(scoreId);
    const t = threshold ?? inForce.threshold;
    const rowScores = inForce.errors;
    const cols = score.columns.length;
    const colOf = columns.map((c) => score.columns.indexOf(c.name));
    const sumAll = new Float64Array(cols);
    const sumFlagged = new Float64Array(cols);
    let flagged = 0;
    let raw = new Float32Array(0);
    for (const chunk of scoreChunks(store, scoreId, 'feature', 0, score.rows)) {
      const r1 = Math.min(score.rows, chunk.rowStart + chunk.rowCount);
      const n = r1 - chunk.rowStart;
      if (raw.length < n * cols) raw = new Float32Array(n * cols);
      new Uint8Array(raw.buffer).set(chunk.data.subarray(0, n * cols * 4));
      for (let i = 0; i < n; i++) {
        const on = rowScores[chunk.rowStart + i]! >= t;
        if (on) flagged++;
        const off = i * cols;
        for (let c = 0; c < cols; c++) {
          const v = raw[off + c]!;
          if (!Number.isFinite(v)) continue;
          sumAll[c] = sumAll[c]! + v;
          if (on) sumFlagged[c] = sumFlagged[c]! + v;
        }
      }
    }
    const mean = (sums: Float64Array, count: number): number[] => colOf.map((c) => (c < 0 || count === 0 ? 0 : sums[c]! / count));
    const all = mean(sumAll, score.rows);
    const top = mean(sumFlagged, flagged);
    let scale = 0;
    for (const v of [...all, ...top]) scale = Math.max(scale, Math.abs(v));
    return {
      scoreId,
      shape,
      map: kind.map,
      signed: kind.signed,
      mapMeaning: kind.meaning,
      threshold: t,
      flagged: { count: flagged, values: top },
      all: { count: score.rows, values: all },
      scale,
    };
  }
}
