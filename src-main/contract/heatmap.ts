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
