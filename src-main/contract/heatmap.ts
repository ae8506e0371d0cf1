/** The heatmap's fixed colour scale. Part of the contract. */
/** The heatmap's colour scale for a whole score: fixed per score, so colours mean the same in every zoomed view. */
export interface HeatmapScale {
  readonly scoreId: number;
  /** Whether the values are multiples of each column's typical (mean training) error, as the heatmap shows them. */
  readonly normalized: boolean;
  /** The quantile of all per-row, per-column values (their magnitudes) used as the top of the scale. */
  readonly quantile: number;
  /** That quantile: cells at or above it (at or below minus it, for a one-class model's signed attributions) get the strongest colour. */
  readonly value: number;
  /** The largest magnitude seen. */
  readonly max: number;
  /** Rows read to compute it: every row up to `sampleRows`, else evenly spread blocks of rows. */
  readonly rowsRead: number;
  readonly rows: number;
}

/** The quantile of the shown cells that tops the colour scale when the score's own scale is unknown. */
export const HEATMAP_WINDOW_QUANTILE = 0.98;

/**
 * The top of the heatmap's colour scale (linear, from 0 — or from minus it for signed values — to it): the score's
 * fixed scale (`HeatmapScale.value`, its 99th percentile) when known, else the shown cells' 98th percentile (of their
 * magnitudes when signed), and at least 1× typical when the values are normalised. One extreme cell never washes out
 * the rest. The one rule for the app's heatmap and the PDF report's.
 */
export function heatmapCap(scale: number | null, values: ArrayLike<number>, normalized: boolean, signed: boolean): number {
  let q = scale;
  if (q === null || !Number.isFinite(q)) {
    const v: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (Number.isFinite(x)) v.push(signed ? Math.abs(x) : x);
    }
    v.sort((a, b) => a - b);
    q = v[Math.min(v.length - 1, Math.floor(v.length * HEATMAP_WINDOW_QUANTILE))] ?? 1;
  }
  return Math.max(normalized ? 1 : 1e-9, q);
}
