import { ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import type { DatasetInfo } from '../store/types';
import type { Prng } from './prng';
import { SPLIT_EXCLUDED, SPLIT_TRAIN, SPLIT_VALIDATION, type SplitKind, type TrainOn } from './types';

export interface SplitOptions {
  readonly kind: SplitKind;
  /** Fraction of the candidate rows that validate, in [0, 1). */
  readonly validation: number;
  /** Per row 1/0/-1 (anomaly/normal/unknown); required for trainOn 'normal'. */
  readonly labels?: Float64Array;
  readonly trainOn: TrainOn;
  /** Epoch ms per row (NaN = missing); required for kind 'time'. */
  readonly timestamps?: Float64Array;
  /**
   * Keep only a seeded uniform sample of this many candidates (the rest SPLIT_EXCLUDED) before splitting; 0 or
   * absent = all candidates. Nothing is drawn when the candidates are no more than this, so such runs split as before.
   */
  readonly sampleRows?: number;
}

/**
 * Which rows train and which validate. Candidates are all rows, or with trainOn 'normal' the rows not
 * labelled anomalous (unknown labels count as normal: real data is mostly unlabelled); with `sampleRows`, a
 * seeded uniform sample of them (the rest are excluded). 'random' shuffles the candidates with the seeded PRNG;
 * 'time' validates on the latest rows (missing times count as earliest), which mirrors scoring data that arrives later.
 */
export function makeSplit(rows: number, opts: SplitOptions, prng: Prng): Uint8Array {
  const part = new Uint8Array(rows);
  let all: Int32Array = new Int32Array(rows);
  let count = 0;
  for (let i = 0; i < rows; i++) {
    if (opts.trainOn === 'normal' && opts.labels![i] === 1) part[i] = SPLIT_EXCLUDED;
    else all[count++] = i;
  }
  all = all.subarray(0, count);
  const sample = opts.sampleRows ?? 0;
  if (sample > 0 && count > sample) {
    all = sampleOf(all, sample, prng);
    const kept = new Uint8Array(rows);
    for (const r of all) kept[r] = 1;
    for (let i = 0; i < rows; i++) if (!kept[i]) part[i] = SPLIT_EXCLUDED;
  }
  const candidates = Array.from(all);
  const nVal = candidates.length - trainingRowCount(candidates.length, opts.validation);
  if (opts.kind === 'time') {
    const t = opts.timestamps!;
    const key = (i: number): number => (Number.isNaN(t[i]!) ? -Infinity : t[i]!);
    // Stable on ties (row order), so equal timestamps split the same way every time.
    candidates.sort((a, b) => key(a) - key(b) || a - b);
  } else {
    prng.shuffle(candidates);
  }
  const firstVal = opts.kind === 'time' ? candidates.length - nVal : 0;
  candidates.forEach((row, k) => {
    part[row] = k >= firstVal && k < firstVal + nVal ? SPLIT_VALIDATION : SPLIT_TRAIN;
  });
  return part;
}

/**
 * A seeded uniform sample of `k` of the given rows (a partial Fisher–Yates shuffle: every subset of size k is equally
 * likely), in ascending row order. Shuffles `rows` in place.
 */
export function sampleOf(rows: Int32Array, k: number, prng: Prng): Int32Array {
  const n = rows.length;
  for (let i = 0; i < k; i++) {
    const j = i + prng.int(n - i);
    const t = rows[i]!;
    rows[i] = rows[j]!;
    rows[j] = t;
  }
  return rows.slice(0, k).sort();
}

/**
 * The run's note on its training sample (null when it trained on every candidate): how many rows of how many, and
 * that every row is still scored. `used` = training + validation rows of the split.
 */
export function sampleNote(rows: number, used: number, sampleRows: number): string | null {
  if (!(sampleRows > 0 && used === sampleRows && rows > sampleRows)) return null;
  const f = (n: number): string => n.toLocaleString('en-US');
  return `Trained on a seeded uniform sample of ${f(sampleRows)} of the ${f(rows)} rows (setting sampleRows; the validation part is taken within it); every row is scored.`;
}

/** Rows that train when `validation` of `rows` candidates validate: the same count makeSplit produces. */
export function trainingRowCount(rows: number, validation: number): number {
  return rows - Math.floor(rows * validation);
}

/** Row indices of one part, ascending. */
export function rowsOf(part: Uint8Array, which: number): Int32Array {
  let n = 0;
  for (let i = 0; i < part.length; i++) if (part[i] === which) n++;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < part.length; i++) if (part[i] === which) out[k++] = i;
  return out;
}

/** Packs "row i is in `which`" as a bitmap (bit i%8 of byte i/8). */
export function toBitmap(part: Uint8Array, which: number): Buffer {
  const bits = Buffer.alloc(Math.ceil(part.length / 8));
  for (let i = 0; i < part.length; i++) if (part[i] === which) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

/** Rebuilds the per-row parts from the train and validation bitmaps. */
export function fromBitmaps(rows: number, train: Uint8Array, val: Uint8Array): Uint8Array {
  const part = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const bit = 1 << (i & 7);
    if (train[i >> 3]! & bit) part[i] = SPLIT_TRAIN;
    else if (val[i >> 3]! & bit) part[i] = SPLIT_VALIDATION;
  }
  return part;
}

/**
 * The dataset's label column as 1 (anomaly: equals the positive value), 0 (normal) or -1 (missing), or
 * null when it has no label column.
 */
export function readLabels(store: ProjectStore, ds: DatasetInfo): Float64Array | null {
  const col = ds.columns.find((c) => c.role === 'label');
  if (!col) return null;
  const positive = col.positiveValue;
  if (positive === null) {
    throw new ResidualError('BAD_INPUT', `Label column "${col.name}" of "${ds.name}" has no positive value; say which value marks an anomaly.`, { column: col.name });
  }
  const values = store.readRange(ds.id, col, 0, ds.rowCount);
  const out = new Float64Array(ds.rowCount);
  const positiveNum = Number(positive);
  for (let i = 0; i < ds.rowCount; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) out[i] = -1;
    else if (typeof v === 'number') out[i] = v === positiveNum || String(v) === positive ? 1 : 0;
    else out[i] = v === positive ? 1 : 0;
  }
  return out;
}

/**
 * The training run's split of a dataset, as the settings ask (random or by the timestamp column; all rows or only
 * those not labelled anomalous), with its training and validation rows; BAD_INPUT when no row is left to train on.
 * Every network's training (autoencoders and the one-class networks) starts here.
 */
export function trainingSplit(
  store: ProjectStore,
  ds: DatasetInfo,
  settings: { readonly split: SplitKind; readonly validation: number; readonly trainOn: TrainOn; readonly sampleRows?: number },
  prng: Prng,
): { part: Uint8Array; trainIdx: Int32Array; valIdx: Int32Array } {
  const labels = settings.trainOn === 'normal' ? readLabels(store, ds) : null;
  const tsCol = ds.columns.find((c) => c.role === 'timestamp');
  const timestamps = settings.split === 'time' && tsCol ? (store.readRange(ds.id, tsCol, 0, ds.rowCount) as Float64Array) : null;
  const part = makeSplit(
    ds.rowCount,
    { kind: settings.split, validation: settings.validation, trainOn: settings.trainOn, sampleRows: settings.sampleRows ?? 0, ...(labels ? { labels } : {}), ...(timestamps ? { timestamps } : {}) },
    prng,
  );
  const trainIdx = rowsOf(part, SPLIT_TRAIN);
  const valIdx = rowsOf(part, SPLIT_VALIDATION);
  if (trainIdx.length === 0) {
    throw new ResidualError('BAD_INPUT', `No rows left to train on in "${ds.name}" (${ds.rowCount} rows, validation ${settings.validation}, train on ${settings.trainOn}).`, { field: 'dataset' });
  }
  return { part, trainIdx, valIdx };
}
