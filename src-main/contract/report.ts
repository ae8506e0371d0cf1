/** The PDF report: paper sizes, history entries, progress and result. Part of the contract. */

export type Paper = (typeof PAPERS)[number];

export const PAPERS = ['a4', 'letter'] as const;

export interface ReportInfo {
  readonly id: number;
  /** Null once the model or dataset was deleted. */
  readonly modelId: number | null;
  readonly datasetId: number | null;
  /** Absolute path the PDF was written to (it may have been moved since). */
  readonly path: string;
  readonly options: { readonly top: number; readonly paper: Paper };
  readonly pages: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly createdAt: string;
}

export interface ReportProgress {
  readonly phase: 'gather' | 'render' | 'write';
  readonly fraction: number;
  readonly message: string;
}

export interface ReportResult {
  readonly reportId: number;
  /** Absolute path of the written PDF. */
  readonly out: string;
  readonly pages: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly seconds: number;
}

/** Most rows a report lists (and draws in the heatmap). */
export const MAX_TOP = 1000;

export const DEFAULT_TOP = 50;
