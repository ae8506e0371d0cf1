import type { Distribution, Heatmap, RankFilter, RankPage, RankedRow, RowLocation, Timeline } from '../../contract';
import { histogram, normalizeFeatureErrors, topContributors } from '../analysis';
import { getModel, getScore, readLabels, readRankWindow, readRowErrors } from '../engine';
import { scoreChunks } from '../engine/repo';
import { ResidualError } from '../errors';
import { activeThreshold, effectiveThreshold, knownLabels, listVerdicts, timeOrder, type RowVerdict } from '../review';
import type { DatasetInfo, ProjectStore } from '../store';
import { readRows } from '../store/store';

/**
 * Read-side views of a score for the workbench: pages of the ranking, the score distribution, the alarm signal
 * over time, and the heatmap aggregated to what a screen can show. Arrays that every page needs (rank order,
 * errors, labels) are cached per score; a rescore gets a new score id, so the cache never goes stale.
 */
interface ScoreArrays {
  readonly order: Int32Array;
  readonly errors: Float32Array;
  readonly labels: Float64Array | null;
  /** position of each row in time order (null without a timestamp). */
  timeOrder?: Int32Array | null;
}

export class ScoreViews {
  private readonly cache = new Map<number, ScoreArrays>();
  private readonly thresholds = new Map<number, { readonly key: string; readonly value: ReturnType<typeof effectiveThreshold> }>();

  constructor(private readonly store: () => ProjectStore) {}

  private arrays(scoreId: number): ScoreArrays {
    const hit = this.cache.get(scoreId);
    if (hit) return hit;
    const store = this.store();
    const score = getScore(store, scoreId);
    const ds = store.getDataset(score.datasetId);
    const arrays: ScoreArrays = {
      order: readRankWindow(store, scoreId, 0, score.rows).rows,
      errors: readRowErrors(store, scoreId),
      labels: readLabels(store, ds),
    };
    // Two scores stay warm: the one on screen and the one being compared or exported.
    if (this.cache.size >= 2) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(scoreId, arrays);
    return arrays;
  }

  forget(): void {
    this.cache.clear();
    this.thresholds.clear();
  }

  /**
   * The threshold in force, cached per score until the model's saved threshold changes: the mean + 2σ default
   * reads the split and every error (~100 ms at 1M rows), and every page and chart asks for it.
   */
  private threshold(scoreId: number): ReturnType<typeof effectiveThreshold> {
    const store = this.store();
    const active = activeThreshold(store, getScore(store, scoreId).modelId);
    const key = active ? `${active.id}@${active.createdAt}` : 'default';
    const hit = this.thresholds.get(scoreId);
    if (hit?.key === key) return hit.value;
    const value = effectiveThreshold(store, scoreId);
    this.thresholds.set(scoreId, { key, value });
    return value;
  }

  rankPage(scoreId: number, offset: number, limit: number, filter: RankFilter = {}): RankPage {
    const store = this.store();
    const score = getScore(store, scoreId);
    const ds = store.getDataset(score.datasetId);
    const { order, errors, labels } = this.arrays(scoreId);
    const threshold = this.threshold(scoreId).result.value;
    const verdicts = new Map<number, RowVerdict>(listVerdicts(store, ds.id).map((v) => [v.row, v]));
    const wants = rowFilter(filter, errors, threshold, verdicts, labels);
    const positions: number[] = [];
    let total = 0;
    if (!isFiltering(filter)) {
      total = order.length;
      for (let p = offset; p < Math.min(order.length, offset + limit); p++) positions.push(p);
    } else {
      // One pass over the rank order: at 1M rows this is a few milliseconds, and it is exact for any filter.
      for (let p = 0; p < order.length; p++) {
        if (!wants(order[p]!)) continue;
        if (total >= offset && positions.length < limit) positions.push(p);
        total++;
      }
    }
    const rows = positions.map((p) => order[p]!);
    const ids = rowIds(store, ds, rows);
    const tops = topColumns(store, scoreId, rows, 3);
    const out: RankedRow[] = positions.map((p, i) => {
      const row = order[p]!;
      const l = labels?.[row];
      const v = verdicts.get(row);
      return {
        rank: p + 1,
        row,
        id: ids[i]!,
        score: errors[row]!,
        flagged: errors[row]! >= threshold,
        top: tops[i]!,
        label: l === 1 ? 'anomaly' : l === 0 ? 'normal' : null,
        verdict: v?.verdict ?? null,
        note: v?.note ?? '',
      };
    });
    return { scoreId, total, offset, rows: out, threshold };
  }

  /**
   * A row found by its id as the analyst sees it: the id column's value (exact, then ignoring case and surrounding
   * spaces), else "#N" or "N" for the N-th row. Its rank, and its position among the rows matching `filter`.
   */
  findRow(scoreId: number, id: string, filter: RankFilter = {}): RowLocation | null {
    const store = this.store();
    const score = getScore(store, scoreId);
    const ds = store.getDataset(score.datasetId);
    const want = id.trim();
    if (!want) return null;
    let row = -1;
    const idCol = ds.columns.find((c) => c.role === 'id');
    if (idCol) {
      const values = store.readRange(ds.id, idCol, 0, ds.rowCount);
      const text = (v: unknown): string => (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v));
      for (let r = 0; r < values.length && row < 0; r++) if (text(values[r]) === want) row = r;
      const lower = want.toLowerCase();
      for (let r = 0; r < values.length && row < 0; r++) if (text(values[r]).trim().toLowerCase() === lower) row = r;
    }
    const n = /^#?(\d+)$/.exec(want);
    if (row < 0 && n) {
      const k = Number(n[1]) - 1;
      if (k >= 0 && k < score.rows) row = k;
    }
    if (row < 0 || row >= score.rows) return null;
    const { order, errors, labels } = this.arrays(scoreId);
    let rank = 0;
    for (let p = 0; p < order.length; p++) {
      if (order[p] === row) {
        rank = p + 1;
        break;
      }
    }
    let position: number | null = rank - 1;
    if (isFiltering(filter)) {
      const verdicts = new Map<number, RowVerdict>(listVerdicts(store, ds.id).map((v) => [v.row, v]));
      const wants = rowFilter(filter, errors, this.threshold(scoreId).result.value, verdicts, labels);
      if (!wants(row)) position = null;
      else {
        let k = 0;
        for (let p = 0; p < rank - 1; p++) if (wants(order[p]!)) k++;
        position = k;
      }
    }
    return { row, id: rowIds(store, ds, [row])[0]!, rank, position };
  }

  /** Every row's score (cached with the rank order) and the threshold in force (the saved one, else mean + 2σ). */
  scoresAndThreshold(scoreId: number): { readonly errors: Float32Array; readonly threshold: number } {
    return { errors: this.arrays(scoreId).errors, threshold: this.threshold(scoreId).result.value };
  }

  /** Rank (1-based) of each row. */
  ranksOf(scoreId: number, rows: readonly number[]): number[] {
    const { order } = this.arrays(scoreId);
    const wanted = new Map(rows.map((r) => [r, 0]));
    let missing = wanted.size;
    for (let p = 0; p < order.length && missing > 0; p++) {
      if (wanted.get(order[p]!) === 0) {
        wanted.set(order[p]!, p + 1);
        missing--;
      }
    }
    return rows.map((r) => wanted.get(r)!);
  }

  distribution(scoreId: number, bins = 60): Distribution {
    const store = this.store();
    const score = getScore(store, scoreId);
    const ds = store.getDataset(score.datasetId);
    const { errors } = this.arrays(scoreId);
    const { result, stored } = this.threshold(scoreId);
    const h = histogram(errors, bins);
    return {
      scoreId,
      histogram: { edges: h.edges, counts: h.counts },
      stats: score.stats,
      threshold: result,
      saved: stored,
      hasLabels: knownLabels(store, ds) !== null,
      hasTime: ds.columns.some((c) => c.role === 'timestamp'),
    };
  }

  /** The seeds' alarm signal: the highest score per time bucket, the threshold, and the known anomalies. */
  timeline(scoreId: number, points = 600): Timeline | null {
    const store = this.store();
    const score = getScore(store, scoreId);
    const ds = store.getDataset(score.datasetId);
    const col = ds.columns.find((c) => c.role === 'timestamp');
    if (!col) return null;
    const t = store.readRange(ds.id, col, 0, ds.rowCount) as Float64Array;
    const { errors } = this.arrays(scoreId);
    let tmin = Infinity;
    let tmax = -Infinity;
    for (const v of t) {
      if (Number.isNaN(v)) continue;
      if (v < tmin) tmin = v;
      if (v > tmax) tmax = v;
    }
    if (!Number.isFinite(tmin)) return null;
    const buckets = Math.max(1, Math.min(points, ds.rowCount));
    const width = (tmax - tmin) / buckets || 1;
    const maxScores = new Array<number>(buckets).fill(NaN);
    for (let i = 0; i < t.length; i++) {
      if (Number.isNaN(t[i]!)) continue;
      const b = Math.min(buckets - 1, Math.floor((t[i]! - tmin) / width));
      if (!(maxScores[b]! >= errors[i]!)) maxScores[b] = errors[i]!;
    }
    const known = knownLabels(store, ds);
    const anomalies: Timeline['anomalies'][number][] = [];
    if (known) {
      for (let i = 0; i < known.length && anomalies.length < 5000; i++) {
        if (known[i] === 1 && !Number.isNaN(t[i]!)) anomalies.push({ time: t[i]!, score: errors[i]!, row: i });
      }
    }
    return {
      scoreId,
      column: col.name,
      times: maxScores.map((_v, b) => tmin + b * width),
      maxScores: maxScores.map((v) => (Number.isNaN(v) ? 0 : v)),
      anomalies,
      threshold: this.threshold(scoreId).result.value,
    };
  }

  /**
   * Rows × columns of per-column error for positions [start, end) of the rank or time order, averaged into at most
   * `bands` bands, so a chart never gets more cells than a screen can show. Feature chunks are streamed in row
   * order; memory stays at one chunk plus the band sums.
   */
  heatmap(scoreId: number, order: 'rank' | 'time', start: number, end: number, bands: number, normalized = true): Heatmap {
    const store = this.store();
    const score = getScore(store, scoreId);
    const ds = store.getDataset(score.datasetId);
    const arrays = this.arrays(scoreId);
    const total = score.rows;
    const s = Math.min(start, total);
    const e = Math.min(Math.max(end, s), total);
    if (e <= s) throw new ResidualError('BAD_INPUT', `The heatmap window [${start}, ${end}) holds no rows (the score has ${total}).`, { field: 'start' });
    const positionOf = this.positions(scoreId, order, ds, arrays);
    const n = e - s;
    const nb = Math.min(bands, n);
    const perBand = n / nb;
    const cols = score.columns.length;
    const sums = new Float64Array(nb * cols);
    const counts = new Float64Array(nb);
    const model = getModel(store, score.modelId);
    const means = model.featureErrorMean;
    // One pass over the stored chunks (a windowed read per chunk costs a chunk-table query each, which at 1M rows
    // added up to seconds), summing raw errors; normalising divides each column by a constant, so it is applied to
    // the band means at the end rather than to every value.
    let raw = new Float32Array(0);
    for (const chunk of scoreChunks(store, scoreId, 'feature', 0, total)) {
      const r0 = chunk.rowStart;
      const r1 = Math.min(total, r0 + chunk.rowCount);
      let any = false;
      for (let r = r0; r < r1 && !any; r++) any = positionOf[r]! >= s && positionOf[r]! < e;
      if (!any) continue;
      if (raw.length < (r1 - r0) * cols) raw = new Float32Array((r1 - r0) * cols);
      new Uint8Array(raw.buffer).set(chunk.data.subarray(0, (r1 - r0) * cols * 4));
      for (let r = r0; r < r1; r++) {
        const p = positionOf[r]!;
        if (p < s || p >= e) continue;
        const b = Math.min(nb - 1, Math.floor((p - s) / perBand));
        counts[b] = counts[b]! + 1;
        const off = (r - r0) * cols;
        for (let c = 0; c < cols; c++) sums[b * cols + c] = sums[b * cols + c]! + raw[off + c]!;
      }
    }
    for (let b = 0; b < nb; b++) {
      for (let c = 0; c < cols; c++) sums[b * cols + c] = counts[b]! > 0 ? sums[b * cols + c]! / counts[b]! : 0;
    }
    const bandMeans = normalized && means ? normalizeFeatureErrors(sums, cols, means) : sums;
    const values: number[] = Array.from(bandMeans);
    let max = 0;
    for (const v of values) if (v > max) max = v;
    const single = perBand === 1;
    const bandRows = single ? Array.from({ length: nb }, (_v, b) => this.rowAt(scoreId, order, ds, arrays, s + b)) : [];
    const ids = single ? rowIds(store, ds, bandRows) : [];
    return {
      scoreId,
      columns: score.columns,
      order,
      start: s,
      end: e,
      total,
      rowsPerBand: perBand,
      bands: Array.from({ length: nb }, (_v, b) => {
        const position = s + Math.floor(b * perBand);
        const last = s + Math.floor((b + 1) * perBand) - 1;
        return single
          ? { position, row: bandRows[b]!, id: ids[b]!, label: order === 'rank' ? `${position + 1} · ${ids[b]}` : ids[b]! }
          : { position, row: null, id: null, label: `${order === 'rank' ? 'ranks' : 'rows'} ${position + 1}–${last + 1}` };
      }),
      values,
      normalized: normalized && means !== null,
      max,
    };
  }

  private positions(scoreId: number, order: 'rank' | 'time', ds: DatasetInfo, arrays: ScoreArrays): Int32Array {
    if (order === 'rank') return inverse(arrays.order);
    if (arrays.timeOrder === undefined) {
      arrays.timeOrder = ds.columns.some((c) => c.role === 'timestamp') ? inverse(timeOrder(this.store(), ds)) : null;
    }
    if (!arrays.timeOrder) throw new ResidualError('BAD_INPUT', `Dataset "${ds.name}" has no timestamp column, so rows cannot be shown in time order.`, { field: 'order' });
    void scoreId;
    return arrays.timeOrder;
  }

  private rowAt(scoreId: number, order: 'rank' | 'time', ds: DatasetInfo, arrays: ScoreArrays, position: number): number {
    if (order === 'rank') return arrays.order[position]!;
    const pos = this.positions(scoreId, 'time', ds, arrays);
    for (let r = 0; r < pos.length; r++) if (pos[r] === position) return r;
    return position;
  }
}

/** True when the filter leaves rows out. */
export function isFiltering(filter: RankFilter): boolean {
  return Object.values(filter).some((v) => v !== undefined && v !== false);
}

/**
 * Whether a row matches the Ranking's filters: flagged at `threshold`, unreviewed, a verdict, a label (the label
 * column as imported). One rule for the table's pages and the CSV export.
 */
export function rowFilter(
  filter: RankFilter,
  errors: ArrayLike<number>,
  threshold: number,
  verdicts: ReadonlyMap<number, RowVerdict>,
  labels: ArrayLike<number> | null,
): (row: number) => boolean {
  return (row) => {
    if (filter.flagged && !(errors[row]! >= threshold)) return false;
    const v = verdicts.get(row)?.verdict ?? null;
    if (filter.unreviewed && v !== null) return false;
    if (filter.verdict && v !== filter.verdict) return false;
    if (filter.label) {
      const l = labels?.[row];
      if (filter.label === 'anomaly' ? l !== 1 : l !== 0) return false;
    }
    return true;
  };
}

function inverse(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let p = 0; p < perm.length; p++) inv[perm[p]!] = p;
  return inv;
}

/**
 * Each row's largest normalised per-column errors, from the stored score (no forward pass). The rows' errors
 * are picked out of one pass over the chunks that hold them: a read per row cost a chunk-table query each,
 * seconds per page at 1M rows.
 */
export function topColumns(store: ProjectStore, scoreId: number, rows: readonly number[], n: number): { column: string; share: number }[][] {
  if (rows.length === 0) return [];
  const score = getScore(store, scoreId);
  const means = getModel(store, score.modelId).featureErrorMean;
  const cols = score.columns.length;
  const rowBytes = 4 * cols;
  const raw = new Float32Array(rows.length * cols);
  const bytes = new Uint8Array(raw.buffer);
  const byRow = rows.map((_r, i) => i).sort((a, b) => rows[a]! - rows[b]!);
  let k = 0;
  for (const chunk of scoreChunks(store, scoreId, 'feature', rows[byRow[0]!]!, rows[byRow.at(-1)!]! + 1)) {
    for (; k < byRow.length && rows[byRow[k]!]! < chunk.rowStart + chunk.rowCount; k++) {
      const at = (rows[byRow[k]!]! - chunk.rowStart) * rowBytes;
      bytes.set(chunk.data.subarray(at, at + rowBytes), byRow[k]! * rowBytes);
    }
  }
  const vals = means ? normalizeFeatureErrors(raw, cols, means) : raw;
  return rows.map((_r, i) =>
    topContributors(vals.subarray(i * cols, (i + 1) * cols), [...score.columns], Math.min(n, cols)).map((c) => ({ column: c.feature, share: c.share })),
  );
}

/** The row's id as the analyst knows it: the id column's value, else "#N" (1-based row number). */
export function rowIds(store: ProjectStore, ds: DatasetInfo, rows: readonly number[]): string[] {
  const idCol = ds.columns.find((c) => c.role === 'id');
  if (!idCol) return rows.map((r) => `#${r + 1}`);
  const values = readRows(store, ds, rows, [idCol]);
  return rows.map((r, i) => {
    const v = values[i]![0];
    return v === null || v === undefined ? `#${r + 1}` : String(v);
  });
}
