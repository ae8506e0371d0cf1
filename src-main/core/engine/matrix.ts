import { imageShape, pixelAt } from '../../contract/data';
import type { ProjectStore } from '../store';
import type { DatasetInfo } from '../store/types';
import { pickRows, readWindow, windowRows, type FeatureColumn } from './columns';
import { fitPreprocessing, transform } from './preprocess';
import { SPLIT_TRAIN, SPLIT_VALIDATION, type Preprocessing, type TrainSettings } from './types';

/** Preprocessing fitted on the training rows only, one column in memory at a time. */
export function fitOnTrainingRows(store: ProjectStore, ds: DatasetInfo, features: readonly FeatureColumn[], trainIdx: Int32Array, s: TrainSettings): Preprocessing {
  const cols = features.map((f) => {
    const all = store.readRange(ds.id, f.column, 0, ds.rowCount);
    return { name: f.name, kind: f.kind, values: pickRows(all, trainIdx) };
  });
  return fitPreprocessing(cols, { scaler: s.scaler, log1p: s.log1p, maxCategories: s.maxCategories, missingIndicators: s.missingIndicators, clip: s.clip, noAutoLog: pixelColumns(ds) });
}

/** An image dataset's pixel columns ('auto' leaves them unlogged: intensities in 0–1); empty for a table. */
export function pixelColumns(ds: DatasetInfo): ReadonlySet<string> {
  const shape = imageShape(ds);
  return new Set(shape ? ds.columns.filter((c) => pixelAt(c.name, shape) !== null).map((c) => c.name) : []);
}

/** Model inputs of the training and validation rows (row-major float32), built window by window. */
export function buildMatrices(
  store: ProjectStore, ds: DatasetInfo, features: readonly FeatureColumn[], pp: Preprocessing, part: Uint8Array, nTrain: number, nVal: number,
): { train: Float32Array; val: Float32Array } {
  const d = pp.inputDims;
  const train = new Float32Array(nTrain * d);
  const val = new Float32Array(nVal * d);
  const window = windowRows(ds, features.length, d);
  const buf = new Float32Array(window * d);
  let ti = 0;
  let vi = 0;
  for (let start = 0; start < ds.rowCount; start += window) {
    const end = Math.min(ds.rowCount, start + window);
    const x = transform(pp, readWindow(store, ds.id, features, start, end), end - start, buf);
    for (let r = start; r < end; r++) {
      const row = x.subarray((r - start) * d, (r - start + 1) * d);
      if (part[r] === SPLIT_TRAIN) train.set(row, d * ti++);
      else if (part[r] === SPLIT_VALIDATION) val.set(row, d * vi++);
    }
  }
  return { train, val };
}
