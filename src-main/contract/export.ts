/** Exporting the ranked table: progress and result. Part of the contract. */

export interface RankingCsvProgress {
  readonly rowsDone: number;
  readonly rows: number;
  readonly fraction: number;
  readonly message: string;
}

export interface RankingCsvResult {
  /** Absolute path of the CSV written; null when it went to a stream (the CLI's stdout). */
  readonly out: string | null;
  readonly scoreId: number;
  readonly modelId: number;
  readonly datasetId: number;
  /** Rows written (without the header). */
  readonly rows: number;
  /** Rows the score holds. */
  readonly total: number;
  /** Rows written that are flagged at the threshold in force. */
  readonly flagged: number;
  readonly threshold: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly seconds: number;
}
