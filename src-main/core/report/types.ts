/**
 * What a report shows, gathered once from the project (`gatherReportData`) and then only drawn: plain,
 * JSON-able data (numbers that have no value are null), so the app can preview it or a test can check it.
 */
import type { Confusion, ThresholdSpec } from '../analysis';
import type { ColumnInfo, ColumnStats } from '../store';
import type { DatasetInfo } from '../store/types';
import type { BackendName, ModelKind, ModelStatus, OneClassFit, TrainSettings } from '../engine';
import type { Verdict } from '../review';
import type { Paper } from '../../contract/report';
import { MAX_TOP, DEFAULT_TOP } from '../../contract/report';
export { MAX_TOP, DEFAULT_TOP };
export type { Paper };
import { PAPERS } from '../../contract/report';
export { PAPERS };

/** A column as the data summary lists it: the store's facts, with absent statistics as null (JSON keeps them). */
export interface ReportColumn
  extends Pick<ColumnInfo, 'name' | 'role' | 'valueKind' | 'positiveValue'>,
    Pick<ColumnStats, 'count' | 'missing' | 'distinct' | 'distinctCapped'> {
  readonly mean: number | null;
  readonly std: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** Text columns: the most frequent values, "value (count)". */
  readonly topValues: readonly string[];
}

export interface ReportLayer {
  readonly name: string;
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: string;
  readonly parameters: number;
}

export interface ReportFeature {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  /** How the column enters the model, e.g. "log1p; (x − 1.2) / 3.4; missing → 2.3". */
  readonly transform: string;
  readonly inputs: number;
}

export interface ReportModel {
  readonly id: number;
  readonly name: string;
  readonly kind: ModelKind;
  readonly status: ModelStatus;
  readonly message: string | null;
  readonly backend: BackendName;
  readonly seed: number;
  readonly createdAt: string;
  /** Name of the dataset it was trained on (null when that dataset was deleted). */
  readonly trainedOn: string | null;
  readonly summary: string;
  readonly inputDims: number;
  readonly parameterCount: number;
  readonly activation: string;
  readonly output: string;
  readonly layers: readonly ReportLayer[];
  readonly scaler: string;
  readonly features: readonly ReportFeature[];
  readonly settings: TrainSettings;
  readonly split: { readonly rows: number; readonly train: number; readonly validation: number; readonly excluded: number };
  readonly epochs: number;
  readonly bestEpoch: number | null;
  readonly bestValLoss: number | null;
  readonly seconds: number;
  readonly warnings: readonly string[];
  readonly weightsSha256: string | null;
  readonly history: readonly { readonly epoch: number; readonly train: number | null; readonly val: number | null }[];
  /** deepsvdd / ocnn: the boundary the training fixed and the baseline row's score. */
  readonly oneClass?: OneClassFit;
}

export interface ReportThreshold {
  readonly method: string;
  readonly params: Readonly<Record<string, number>>;
  /** +∞ ("no alarms") is reported as null. */
  readonly value: number | null;
  readonly alerts: number;
  readonly why: string;
  /** 'saved': the model's active threshold, set by the analyst; 'default': mean + 2σ, computed for the report. */
  readonly origin: 'saved' | 'default';
  readonly savedAt: string | null;
  /** What to ask for to get the same threshold again (null for the default). */
  readonly spec: ThresholdSpec | null;
  /** The method's other numbers (mean, std, cost, fpr …). */
  readonly details: Readonly<Record<string, number>>;
}

export interface ReportDistribution {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly std: number | null;
  readonly median: number | null;
}

export interface ReportEvaluation {
  /** Where the known outcomes come from, in words. */
  readonly source: string;
  readonly positives: number;
  readonly negatives: number;
  readonly unknown: number;
  readonly rocAuc: number | null;
  readonly averagePrecision: number | null;
  readonly k: number;
  readonly precisionAtK: number | null;
  readonly recallAtK: number | null;
  readonly confusion: Confusion;
  /** [fpr, tpr] */
  readonly roc: readonly (readonly [number, number])[];
  /** [recall, precision] */
  readonly pr: readonly (readonly [number, number])[];
}

export interface ReportContribution {
  readonly column: string;
  readonly actual: number | string | null;
  readonly expected: number | string | null;
  /** Share of the row's normalised error. */
  readonly share: number;
}

export interface ReportTopRow {
  readonly rank: number;
  /** 0-based row index in the dataset. */
  readonly row: number;
  /** The id column's value, else "#<row + 1>". */
  readonly id: string;
  readonly score: number;
  readonly flagged: boolean;
  /** The label column's value, when the dataset has one. */
  readonly label: string | null;
  readonly verdict: Verdict | null;
  readonly note: string;
  readonly contributions: readonly ReportContribution[];
}

export interface ReportProfileColumn {
  readonly feature: string;
  readonly meanError: number;
  readonly meanNormalizedError: number;
  readonly share: number;
}

export interface ReportHeatmap {
  /** One per top row, rank order. */
  readonly rows: readonly string[];
  /** Columns in the order of the anomaly profile (most broken first), at most MAX_HEATMAP_COLUMNS. */
  readonly columns: readonly string[];
  /** rows × columns normalised errors (error / the column's mean training error). */
  readonly values: readonly (readonly number[])[];
  /**
   * The top of the linear colour scale, as in the app's heatmap: the score's 99th percentile of all its normalised
   * cells (at least 1× typical); minus it at the bottom for signed values, else 0.
   */
  readonly cap: number;
  /** Columns left out of the picture (they are in the profile table). */
  readonly omittedColumns: number;
}

export interface ReportNote {
  readonly row: number;
  readonly id: string;
  readonly rank: number;
  readonly verdict: Verdict | null;
  readonly note: string;
  readonly updatedAt: string;
}

export interface ReproductionStep {
  /** What the step does, in words. */
  readonly what: string;
  /** One POSIX shell command line, `residual …`, quoted where needed. */
  readonly command: string;
}

export interface Reproduction {
  /** The new project file the commands create (relative to the folder they run in; it must not exist yet). */
  readonly project: string;
  /** Import, train, score and threshold, in order. */
  readonly steps: readonly ReproductionStep[];
  /** What the commands cannot say (roles or settings the command line has no flag for), and the default threshold. */
  readonly notes: readonly string[];
}

/** The stored dataset's facts the report prints as they are. */
export const REPORT_DATASET_FACTS = ['id', 'name', 'sourcePath', 'sourceSha256', 'sourceBytes', 'encoding', 'delimiter', 'decimalComma', 'rowCount', 'skippedRows'] as const;
export type ReportDatasetFact = (typeof REPORT_DATASET_FACTS)[number];

/** An image dataset's top rows as pictures: per tile the pixels, the reconstruction (or none) and the per-pixel map. */
export interface ReportGallery {
  readonly shape: { readonly width: number; readonly height: number; readonly channels: 1 | 3 };
  readonly map: 'error' | 'attribution';
  readonly reconstructs: boolean;
  readonly signed: boolean;
  readonly meaning: string;
  /** The maps' colour scale (the 99th percentile of the score's per-column |values|). */
  readonly scale: number;
  readonly tiles: readonly {
    readonly rank: number;
    readonly id: string;
    readonly score: number;
    readonly flagged: boolean;
    readonly verdict: Verdict | null;
    readonly pixels: readonly number[];
    readonly reconstruction: readonly number[] | null;
    readonly errors: readonly number[];
  }[];
  /** Top rows not drawn (the gallery shows at most GALLERY_TILES). */
  readonly omitted: number;
}

/** Tiles in the report's gallery at most (one page). */
export const GALLERY_TILES = 24;

export interface ReportData {
  readonly generatedAt: string;
  readonly residualVersion: string;
  /** Backend that recomputed the top rows' expected values for this report. */
  readonly explainBackend: BackendName;
  readonly project: { readonly path: string; readonly name: string };
  readonly dataset: Pick<DatasetInfo, ReportDatasetFact> & {
    readonly importedAt: string;
    readonly columns: readonly ReportColumn[];
    /** SHA-256 over the stored column data, column by column: the rows as Residual holds them. */
    readonly contentSha256: string;
  };
  readonly model: ReportModel;
  readonly score: {
    readonly id: number;
    readonly backend: BackendName;
    readonly rows: number;
    readonly createdAt: string;
    /** SHA-256 of the whole ranking (row indices, highest error first, int32 little-endian). */
    readonly rankingSha256: string;
  };
  readonly threshold: ReportThreshold;
  readonly distribution: ReportDistribution;
  readonly evaluation: ReportEvaluation | null;
  /** Why there is no evaluation (when there is none). */
  readonly evaluationNote: string | null;
  readonly top: readonly ReportTopRow[];
  readonly profile: { readonly threshold: number | null; readonly flagged: number; readonly columns: readonly ReportProfileColumn[] };
  readonly heatmap: ReportHeatmap;
  /** Image datasets only: the top rows as original / reconstruction / error map tiles. */
  readonly gallery: ReportGallery | null;
  readonly notes: readonly ReportNote[];
  /** Notes left out of the report because there were more than MAX_NOTES. */
  readonly notesOmitted: number;
  /** The commands that rebuild this ranking from the source file in a new project. */
  readonly reproduction: Reproduction;
  readonly options: { readonly top: number };
}
