/**
 * The latent space of a model (issue #14 item 4, seed 001): the codes of a sample of a dataset's rows projected to
 * two dimensions, and what the code is worth — kNN classification on the codes against the inputs, and the
 * compression ratio with the reconstruction quality it costs. `model.latent` in the method table (index.ts).
 */
import type { LabelClass, Verdict } from './review';

/** The most rows one latent view samples (the points a scatter shows). */
export const MAX_LATENT_SAMPLE = 5000;
/** The sample a latent view takes when the request names none. */
export const DEFAULT_LATENT_SAMPLE = 2000;
/** The top-ranked rows every sample includes (fewer when the sample is smaller), so the anomalies are on the plot. */
export const LATENT_TOP_ROWS = 100;
/** The most sampled rows the kNN comparison uses (its cost grows with train × test × input width). */
export const KNN_MAX_ROWS = 2000;
/** Neighbours of the kNN comparison (seed 001 uses scikit-learn's default, 5). */
export const KNN_K = 5;
/** Share of the kNN rows it classifies (the rest are the neighbours it looks among). */
export const KNN_TEST_SHARE = 0.25;

export interface LatentPoint {
  /** 0-based row index in the dataset. */
  readonly row: number;
  /** The id column's value, or "#N". */
  readonly id: string;
  /** Coordinates on the first two principal components of the codes. */
  readonly x: number;
  readonly y: number;
  readonly score: number;
  /** 1-based rank among all rows. */
  readonly rank: number;
  /** The row's class as imported (the label column's value, or an image's `label`), null when none. */
  readonly label: string | null;
  /** The label column read as anomaly/normal (where it has a positive value). */
  readonly anomaly: LabelClass | null;
  readonly verdict: Verdict | null;
}

export interface KnnFigures {
  /** Share of the test rows classified right. */
  readonly accuracy: number;
  /** Seconds to classify the test rows (distances to every training row, then the vote): the fastest of up to three runs, after a warm-up. */
  readonly seconds: number;
  /** Features per row it compared. */
  readonly dims: number;
}

export interface LatentKnn {
  readonly k: number;
  /** The column whose values are the classes. */
  readonly classColumn: string;
  readonly classes: number;
  readonly trainRows: number;
  readonly testRows: number;
  /** On the model's codes, and on the model's inputs (the scaled columns the encoder reads). */
  readonly latent: KnnFigures;
  readonly inputs: KnnFigures;
}

export interface LatentCompression {
  /** Model inputs per code unit: inputDims / latentDims. */
  readonly ratio: number;
  /** Mean squared error per input of the sampled rows' reconstructions from their codes, in the model's scaled units. */
  readonly mse: number;
  /** Images: the same in pixel units (0–1), over the pixels the model reads; null for a table. */
  readonly pixelMse: number | null;
  /** Images: peak signal-to-noise ratio, 10·log10(1 / pixelMse), in dB; null for a table. */
  readonly psnr: number | null;
  readonly rows: number;
}

export interface LatentView {
  readonly scoreId: number;
  readonly modelId: number;
  readonly datasetId: number;
  readonly kind: string;
  /** What the code is, in words: "the code layer", "the VAE's latent mean", "member 1 (ae) of the ensemble", … */
  readonly source: string;
  readonly inputDims: number;
  readonly latentDims: number;
  /** Rows of the dataset, and how many the view sampled (the top-ranked ones included). */
  readonly rows: number;
  readonly sampled: number;
  readonly topIncluded: number;
  readonly seed: number;
  /** The threshold in force (the model's saved one, else mean + 2σ), as the Ranking flags rows: the row detail's "flagged". */
  readonly threshold: number;
  /** Share of the codes' total variance on each of the two axes. */
  readonly explained: readonly [number, number];
  readonly points: readonly LatentPoint[];
  /** Seed 001's comparison, where the dataset has classes; else null and `knnNote` says why. */
  readonly knn: LatentKnn | null;
  readonly knnNote: string | null;
  /** Null for the kinds without a decoder (Deep SVDD, OC-NN); `compressionNote` says why. */
  readonly compression: LatentCompression | null;
  readonly compressionNote: string | null;
  /** Seconds the whole view took to compute (reading, encoding, projecting, kNN). */
  readonly seconds: number;
}

/**
 * Which rows a latent view shows, in words, for the Latent section and the CLI: "all 351 rows" when the sample is the
 * whole dataset, else "500 of 2,000 rows (the 100 highest ranked and a seeded sample of the rest)" — or "(the 30
 * highest ranked)" when the top rows are the whole sample. `noun`: "rows" or "images".
 */
export function latentSampleWords(v: Pick<LatentView, 'sampled' | 'rows' | 'topIncluded'>, noun: 'rows' | 'images'): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  if (v.sampled >= v.rows) return `all ${n(v.rows)} ${noun}`;
  const which = v.topIncluded >= v.sampled ? `the ${n(v.topIncluded)} highest ranked` : `the ${n(v.topIncluded)} highest ranked and a seeded sample of the rest`;
  return `${n(v.sampled)} of ${n(v.rows)} ${noun} (${which})`;
}
