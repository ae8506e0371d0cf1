/**
 * An image dataset's rows as images, computed on demand (never stored per pixel): the pixels read from the stored
 * dataset, and the model's reconstruction and per-pixel errors (or attributions) recomputed for just these rows on
 * the same scoring path as the stored score (reconstructionErrors), so each pixel's error equals the stored
 * per-column error of its column.
 */
import { imageShape, type ImageShape } from '../../contract/data';
import type { ImageMapKind } from '../../contract/images';
import { pixelColumnNames } from '../data/image-import';
import { ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import { readRows } from '../store/store';
import type { ColumnInfo, DatasetInfo } from '../store/types';
import type { ModelInfo } from './types';
import { ensureBackend } from './backend';
import { isClassical } from './classical';
import { matchColumns } from './columns';
import { latentInScore } from './model';
import { dimOwners, transform, unscaleValue, type RawColumn } from './preprocess';
import { reconstructionErrors } from './recon';
import { getModel, getScore } from './repo';
import { loadNetwork, markFittedRows } from './score';

/** The dataset's image shape and its pixel columns in pixel order; BAD_INPUT when it is not an image dataset. */
export function imageColumns(ds: DatasetInfo): { shape: ImageShape; columns: ColumnInfo[] } {
  const shape = imageShape(ds);
  if (!shape) {
    throw new ResidualError(
      'BAD_INPUT',
      `Dataset "${ds.name}" is not an image dataset (it was imported from ${ds.delimiter === '' ? 'a Parquet file' : 'a CSV file'}), so its rows have no images to show; its rows are explained column by column (row.detail).`,
      { field: 'scoreId', datasetId: ds.id },
    );
  }
  const byName = new Map(ds.columns.map((c) => [c.name, c]));
  const names = pixelColumnNames(shape);
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length > 0) {
    throw new ResidualError('BAD_FILE', `Dataset "${ds.name}" records ${shape.width}×${shape.height} images but lacks ${missing.length} of their pixel columns (e.g. "${missing[0]}"); import the images again.`, { datasetId: ds.id });
  }
  return { shape, columns: names.map((n) => byName.get(n)!) };
}

/** Whether a model's kind reconstructs its input; else its per-column values are attributions. */
export function reconstructs(model: Pick<ModelInfo, 'kind' | 'settings'>): boolean {
  if (model.kind === 'deepsvdd' || model.kind === 'ocnn' || isClassical(model.kind)) return false;
  if (model.kind === 'ensemble') return (model.settings.members ?? []).some((k) => !isClassical(k));
  return true;
}

/** What a model's per-pixel map shows, in words for a legend, and whether its values can be negative. */
export function mapOf(model: Pick<ModelInfo, 'kind' | 'settings'>): { map: ImageMapKind; reconstructs: boolean; meaning: string; signed: boolean } {
  const k = model.kind;
  if (k === 'deepsvdd' || k === 'ocnn') {
    return { map: 'attribution', reconstructs: false, signed: true, meaning: `${k === 'deepsvdd' ? 'Deep SVDD' : 'OC-NN'} has no reconstruction: each pixel's integrated-gradients attribution to the score (blue: against it)` };
  }
  if (k === 'iforest') return { map: 'attribution', reconstructs: false, signed: false, meaning: "IsolationForest has no reconstruction: each pixel's share of the isolation" };
  if (k === 'ecod') return { map: 'attribution', reconstructs: false, signed: false, meaning: "ECOD has no reconstruction: each pixel's tail score" };
  if (k === 'ensemble') {
    const r = reconstructs(model);
    return { map: 'error', reconstructs: r, signed: true, meaning: `the members' per-pixel errors, standardised and combined as the ensemble scores${r ? ' (the reconstruction is its first network member\'s)' : ' (no member reconstructs)'}` };
  }
  return { map: 'error', reconstructs: true, signed: false, meaning: 'squared reconstruction error per pixel, in the pixel\'s scale as the model fitted it' };
}

/** The stored pixels (0–1) of `rows`, each in pixel order. */
export function readPixels(store: ProjectStore, ds: DatasetInfo, columns: readonly ColumnInfo[], rows: readonly number[]): number[][] {
  return readRows(store, ds, rows, columns).map((values) => values.map((v) => (typeof v === 'number' ? v : 0)));
}

export interface ImageMaps {
  /** Per row (in `rows`' order): the reconstruction in pixel order, clipped to 0–1, or null when the kind does not reconstruct. */
  readonly reconstruction: (number[] | null)[];
  /** Per row: the per-pixel-column error or attribution, in pixel order. */
  readonly errors: number[][];
  /** Per row: the score recomputed (equal to the stored score on the same backend). */
  readonly score: number[];
}

/**
 * The reconstructions and per-pixel maps of `rows` (already read: `pixels`), one forward pass for the batch. A pixel
 * column the model does not use (set to another role) shows its own value as reconstructed and no error.
 */
export async function imageMaps(store: ProjectStore, scoreId: number, rows: readonly number[], pixelColumns: readonly ColumnInfo[], pixels: readonly (readonly number[])[]): Promise<ImageMaps> {
  const score = getScore(store, scoreId);
  const model = getModel(store, score.modelId);
  const ds = store.getDataset(score.datasetId);
  const pp = model.preprocessing;
  const cols = matchColumns(ds, pp);
  const n = rows.length;
  const pixelIndex = new Map(pixelColumns.map((c, j) => [c.name, j]));
  // Model inputs in the model's column order; pixel columns from what was read, any other feature from the store.
  const others = cols.filter((c) => !pixelIndex.has(c.column.name));
  const otherValues = others.length ? readRows(store, ds, rows, others.map((c) => c.column)) : [];
  const raw: RawColumn[] = cols.map((c) => {
    const j = pixelIndex.get(c.column.name);
    if (j !== undefined) return Float64Array.from(pixels, (p) => p[j]!);
    const k = others.indexOf(c);
    if (c.column.storage === 'f64') return Float64Array.from(otherValues, (v) => (typeof v[k] === 'number' ? v[k] : NaN));
    return otherValues.map((v) => (v[k] === null || v[k] === undefined ? null : String(v[k])));
  });
  await ensureBackend();
  const x = transform(pp, raw, n);
  const net = loadNetwork(store, model);
  markFittedRows(store, model, net, ds.id, ds.rowCount);
  const withRecon = reconstructs(model);
  try {
    const c = pp.features.length;
    const e = await reconstructionErrors(net, x, n, dimOwners(pp), c, { withKl: latentInScore(model.kind, model.settings), keepRecon: withRecon, rows });
    const d = pp.inputDims;
    const featureOf = pixelColumns.map((col) => pp.features.findIndex((f) => f.name === col.name));
    const reconstruction: (number[] | null)[] = [];
    const errors: number[][] = [];
    for (let i = 0; i < n; i++) {
      errors.push(featureOf.map((fi) => (fi < 0 ? 0 : e.feature[i * c + fi]!)));
      if (!withRecon || !e.recon) {
        reconstruction.push(null);
        continue;
      }
      const rec = e.recon.subarray(i * d, (i + 1) * d);
      reconstruction.push(
        featureOf.map((fi, j) => {
          const f = fi < 0 ? null : pp.features[fi]!;
          if (!f || f.kind !== 'numeric') return pixels[i]![j]!;
          const v = unscaleValue(f, rec[f.dim]!);
          return Number.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
        }),
      );
    }
    return { reconstruction, errors, score: Array.from(e.row) };
  } finally {
    net.dispose();
  }
}

/** Checks each row is a row of the score. */
export function checkScoreRows(store: ProjectStore, scoreId: number, rows: readonly number[]): void {
  const score = getScore(store, scoreId);
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= score.rows) {
      throw new ResidualError('BAD_INPUT', `Row ${r} is not a row of the scored dataset (0 to ${score.rows - 1}).`, { field: 'rows', row: r });
    }
  }
}
