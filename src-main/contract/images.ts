/**
 * Image datasets' views (row.images, score.imageMeans): the rows' pixels, their reconstructions and per-pixel error
 * (or attribution) maps, computed on demand from the stored dataset and the model, never stored per pixel. And the
 * one colour scale the app and the PDF report draw those maps with. Zod-free: the renderer imports it directly.
 */
import type { ImageShape } from './data';
import type { LabelClass, Verdict } from './review';

/** The most rows one row.images request may ask for (a page of thumbnails or gallery tiles). */
export const MAX_IMAGE_ROWS = 100;

/**
 * What a map shows: 'error' the model's squared error per pixel column (a reconstruction kind), 'attribution' its
 * per-column contribution to the score (Deep SVDD / OC-NN: integrated gradients, signed; IsolationForest / ECOD:
 * their per-column scores).
 */
export type ImageMapKind = 'error' | 'attribution';

export interface ImageRow {
  readonly row: number;
  readonly id: string;
  /** 1-based rank in the score. */
  readonly rank: number;
  readonly score: number;
  /** At or above the threshold in force (the saved one, else mean + 2σ), as the Ranking shows it. */
  readonly flagged: boolean;
  readonly label: LabelClass | null;
  readonly verdict: Verdict | null;
  /** The pixels as imported, 0–1 (to 4 decimals): row by row, each pixel's channels together (width × height × channels values). */
  readonly pixels: readonly number[];
  /** The model's reconstruction in the same layout, clipped to 0–1; null when the kind does not reconstruct or only the pixels were asked for. */
  readonly reconstruction: readonly number[] | null;
  /** Per pixel column (the same layout): the error or attribution (`ImageRows.map`, to 6 significant digits); null when only the pixels were asked for. */
  readonly errors: readonly number[] | null;
}

export interface ImageRows {
  readonly scoreId: number;
  readonly shape: ImageShape;
  readonly map: ImageMapKind;
  /** Whether the model's kind reconstructs its input (an autoencoder, an ensemble with one); else the map is an attribution. */
  readonly reconstructs: boolean;
  /** Whether map values can be negative (one-class attributions, an ensemble's standardised errors): drawn with mapColour's signed scale. */
  readonly signed: boolean;
  /** What the map's values are, in words (for a legend). */
  readonly mapMeaning: string;
  /**
   * The colour scale's top for the maps (the 99th percentile of the score's per-column |values| over the whole score,
   * so tiles compare); values above it show at full colour. 0 when only the pixels were asked for.
   */
  readonly scale: number;
  /** The threshold in force when flagged was decided. */
  readonly threshold: number;
  readonly rows: readonly ImageRow[];
}

/** The mean per-pixel map of the flagged rows beside the mean of every row (score.imageMeans). */
export interface ImageMeans {
  readonly scoreId: number;
  readonly shape: ImageShape;
  readonly map: ImageMapKind;
  readonly signed: boolean;
  readonly mapMeaning: string;
  readonly threshold: number;
  /** Rows at or above the threshold, and the mean per pixel column over them (all zeros when none is). */
  readonly flagged: { readonly count: number; readonly values: readonly number[] };
  readonly all: { readonly count: number; readonly values: readonly number[] };
  /** The colour scale's top: the larger |mean| of either map. */
  readonly scale: number;
}

/**
 * One value per pixel (width × height) from one per pixel column: a colour image's three channel values averaged
 * (so a map keeps the per-column scale). Grey images' values are returned as they are.
 */
export function perPixel(values: readonly number[], shape: Pick<ImageShape, 'width' | 'height' | 'channels'>): number[] {
  const n = shape.width * shape.height;
  if (shape.channels === 1) return values.slice(0, n);
  const out = new Array<number>(n).fill(0);
  for (let p = 0; p < n; p++) out[p] = (values[3 * p]! + values[3 * p + 1]! + values[3 * p + 2]!) / 3;
  return out;
}

/**
 * The colour of a map value on a scale that tops out at `scale`: errors (never negative) run from black through
 * red and orange to pale yellow (a perceptually ordered ramp, like matplotlib's "inferno"); signed attributions run
 * from blue (against the score) through near-black (none) to the same warm ramp (towards it). Values beyond the
 * scale clip; a zero or non-finite scale draws everything as none.
 */
export function mapColour(value: number, scale: number, signed = false): [number, number, number] {
  const t = Number.isFinite(value) && scale > 0 && Number.isFinite(scale) ? Math.max(-1, Math.min(1, value / scale)) : 0;
  if (t < 0 && signed) return lerpStops(COLD, -t);
  return lerpStops(WARM, Math.max(0, t));
}

/** Inferno-like stops at 0, ¼, ½, ¾ and 1. */
const WARM: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [87, 16, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
];
/** For negative attributions: black to light blue. */
const COLD: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [18, 52, 120],
  [40, 110, 190],
  [90, 170, 230],
  [200, 235, 255],
];

function lerpStops(stops: readonly (readonly [number, number, number])[], t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/**
 * RGBA bytes (width × height × 4) of an image: 'pixels' draws 0–1 values (grey or colour) as they are, 'map' draws
 * one value per pixel column (colour channels averaged) with mapColour.
 */
export function imageRgba(
  values: readonly number[],
  shape: Pick<ImageShape, 'width' | 'height' | 'channels'>,
  as: { readonly kind: 'pixels' } | { readonly kind: 'map'; readonly scale: number; readonly signed: boolean },
): Uint8ClampedArray {
  const n = shape.width * shape.height;
  const out = new Uint8ClampedArray(n * 4);
  const byte = (v: number | undefined): number => (v === undefined || !Number.isFinite(v) ? 0 : Math.round(Math.max(0, Math.min(1, v)) * 255));
  if (as.kind === 'pixels') {
    for (let p = 0; p < n; p++) {
      const [r, g, b] = shape.channels === 1 ? [values[p], values[p], values[p]] : [values[3 * p], values[3 * p + 1], values[3 * p + 2]];
      out[4 * p] = byte(r);
      out[4 * p + 1] = byte(g);
      out[4 * p + 2] = byte(b);
      out[4 * p + 3] = 255;
    }
    return out;
  }
  const per = perPixel(values, shape);
  for (let p = 0; p < n; p++) {
    const [r, g, b] = mapColour(per[p]!, as.scale, as.signed);
    out[4 * p] = r;
    out[4 * p + 1] = g;
    out[4 * p + 2] = b;
    out[4 * p + 3] = 255;
  }
  return out;
}
