/** Exporting the ranked table (CSV or Parquet): progress and result. Part of the contract. */

export interface RankingCsvProgress {
  readonly rowsDone: number;
  readonly rows: number;
  readonly fraction: number;
  readonly message: string;
}

/** The file formats the ranking exports to. */
export const RANKING_FORMATS = ['csv', 'parquet'] as const;
export type RankingFormat = (typeof RANKING_FORMATS)[number];

/** The format of an export: the one asked for, else the output file's extension (.parquet), else CSV. */
export function rankingFormatOf(format: RankingFormat | undefined, out: string | undefined): RankingFormat {
  if (format) return format;
  return out !== undefined && /\.parquet$/i.test(out.trim()) ? 'parquet' : 'csv';
}

/** What a ranking export wrote (CSV or Parquet: the same columns and rows). */
export interface RankingCsvResult {
  readonly format: RankingFormat;
  /** Absolute path of the file written; null when the CSV went to a stream (the CLI's stdout). */
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

/** The model kinds exported to ONNX (their score is a deterministic function of the row; core/export/onnx.ts). */
export const ONNX_KINDS = ['ae', 'sparse', 'denoising', 'vae', 'aae', 'wae', 'conv', 'deepsvdd', 'ocnn', 'iforest', 'ensemble'] as const;

/** The member kinds an exported ensemble may hold; an ensemble with another member is refused, naming it. */
export const ONNX_MEMBER_KINDS = ['ae', 'sparse', 'denoising', 'vae', 'aae', 'wae', 'iforest'] as const;

/** What a kind that is not exported is, in words, where the bare kind name would not say why. */
const ONNX_KIND_WHAT: Partial<Record<string, string>> = {
  ecod: 'an ECOD detector (its score needs the training rows\' empirical distribution tables, which the graph does not hold)',
};

/**
 * Why a run cannot be exported to ONNX for its kind (an ensemble: its members) or its state (failed); null when those
 * allow it. The core's refusal (core/export/onnx.ts onnxUnsupported) starts with this check and the Training section
 * shows it beside a disabled Export ONNX, so the page and the error say the same words.
 */
export function onnxKindRefusal(model: { readonly id: number; readonly kind: string; readonly status?: string; readonly members?: readonly string[] }): string | null {
  const { id, kind } = model;
  if (!(ONNX_KINDS as readonly string[]).includes(kind)) {
    return `Model #${id} is ${ONNX_KIND_WHAT[kind] ?? `a ${kind} model`}: ONNX export supports ${ONNX_KINDS.join(', ')}; ${kind} is not exported yet.`;
  }
  if (model.status === 'failed') return `Model #${id} failed to train: it has no weights to export. Train it again.`;
  if (kind === 'ensemble') {
    const members = model.members ?? [];
    const bad = members.findIndex((k) => !(ONNX_MEMBER_KINDS as readonly string[]).includes(k));
    if (bad >= 0) {
      const k = members[bad]!;
      return `Model #${id} is an ensemble whose member ${bad + 1} (${k}) is ${ONNX_KIND_WHAT[k] ?? `a ${k} model`}: an ensemble is exported to ONNX only when every member is one of ${ONNX_MEMBER_KINDS.join(', ')}; ${k} is not exported yet.`;
    }
  }
  return null;
}

/** Whether a model of this kind (an ensemble: with these members) is exported to ONNX. */
export function onnxExportable(kind: string, members: readonly string[] = []): boolean {
  return onnxKindRefusal({ id: 0, kind, members }) === null;
}

/** What exporting a model to ONNX wrote (model.exportOnnx; core/export/onnx.ts). */
export interface OnnxExportResult {
  /** Absolute path of the .onnx file. */
  readonly out: string;
  readonly modelId: number;
  readonly kind: string;
  readonly bytes: number;
  readonly sha256: string;
  /** The graph's inputs: one per explained column, by name (numeric: double, NaN = missing; categorical: string, "" = missing). */
  readonly inputs: readonly { readonly name: string; readonly type: 'double' | 'string' }[];
  readonly outputs: readonly string[];
  /** The threshold in force written as metadata (null: none known). */
  readonly threshold: number | null;
  readonly trainingDataSha256: string | null;
  readonly weightsSha256: string;
  readonly seconds: number;
}
