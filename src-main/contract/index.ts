/**
 * The one contract between the renderer and main, and between main and the engine process: every request, its
 * reply and every event. Requests carry zod schemas that main checks at run time; replies are the core's own
 * (plain, readonly) types. Channel names are derived from the keys below and never spelled elsewhere.
 *
 * The ground floor: core, the hosts, the CLI and the renderer import it; it imports nothing of theirs (only `zod` and
 * its own modules in this folder; tests/contract/layering.test.ts enforces it).
 */
import { z } from 'zod';
import { thresholdSpecSchema, type ThresholdResult } from './analysis';
import type { ContractError } from './errors';
import type { FilePreview, ImportProgress, ImportResult } from './data';
import { RANKING_FORMATS, type OnnxExportResult, type RankingCsvProgress, type RankingCsvResult } from './export';
import { trainSettingsSchema, type TrainSettings, type BackendInfo, type HistoryEntry, type ModelInfo, type ModelSummary, type Proposal, type RowExplanation, type ScoreInfo, type ScoreProgress, type ScoreResult, type TrainProgress, type TrainResult } from './engine';
import { MAX_TOP, PAPERS, type ReportInfo, type ReportProgress, type ReportResult } from './report';
import { MAX_COMPARED, VERDICTS, type AnomalyProfile, type LabelClass, type RowVerdict, type ScoreEvaluation, type StoredThreshold, type Verdict } from './review';
import type { ColumnInfo, DatasetInfo } from './store';
import type { HeatmapScale } from './heatmap';
import { MAX_IMAGE_ROWS, type ImageMeans, type ImageRows } from './images';
import { MAX_LATENT_SAMPLE, type LatentView } from './latent';

// Every type that crosses a boundary, one import away for the hosts, the CLI and the renderer.
export * from './analysis';
export * from './errors';
export * from './data';
export * from './engine';
export * from './export';
export * from './heatmap';
export * from './images';
export * from './latent';
export * from './report';
export * from './review';
export * from './store';

// ---- shared schemas -------------------------------------------------------------------------------

const id = z.number().int().positive();
const rowIndex = z.number().int().nonnegative();
const role = z.enum(['numeric', 'categorical', 'timestamp', 'id', 'label', 'ignored']);
const verdictSchema = z.enum(VERDICTS);
const noteSchema = z.string().max(10_000);
/** A row's verdict as stored (row.verdict's `previous` and `saved`). */
const storedVerdictSchema = z.object({ row: rowIndex, verdict: verdictSchema.nullable(), note: noteSchema, updatedAt: z.string().min(1).max(64) }).strict();

export const importOptionsSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    label: z.string().optional(),
    positive: z.string().optional(),
    time: z.string().optional(),
    id: z.string().optional(),
    ignore: z.array(z.string()).optional(),
    roles: z.record(z.string(), role).optional(),
    skipBadRows: z.boolean().optional(),
    /** Images (an IDX file or a folder of PNG/JPEG): the IDX labels file read into the `label` column. */
    labels: z.string().min(1).optional(),
    /** Images: the side they are resized to (square); default 28 for a folder, the file's own size for IDX. */
    imageSize: z.number().int().min(1).max(512).optional(),
    /** Images: keep colour (three columns per pixel) instead of grey; default grey. */
    imageColour: z.boolean().optional(),
  })
  .strict();

export const rankFilterSchema = z
  .object({
    flagged: z.boolean().optional(),
    unreviewed: z.boolean().optional(),
    verdict: z.enum(VERDICTS).optional(),
    label: z.enum(['anomaly', 'normal'] satisfies LabelClass[]).optional(),
  })
  .strict();
export type RankFilter = z.infer<typeof rankFilterSchema>;

/** A project is one SQLite file with this extension: the only kind of file the contract opens or creates as a project. */
export const PROJECT_EXTENSION = '.residual';

/** The most rows one ranking or heatmap window may ask for: the UI fetches windows, never everything. */
export const MAX_WINDOW_ROWS = 1000;
/** The most heatmap rows one request returns; more rows are aggregated into that many bands. */
export const MAX_HEATMAP_BANDS = 400;

// ---- replies that are not plain core types ------------------------------------------------------------

export type JobKind = 'import' | 'train' | 'score' | 'report' | 'export';
/** Which front end a Workbench serves: the Electron window, the browser bridge, or the command line. */
export type HostMode = 'electron' | 'browser' | 'cli';

export interface JobRef {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly title: string;
}
export interface JobInfo extends JobRef {
  readonly state: 'queued' | 'running';
  readonly startedAt: string | null;
}

export interface AppStatus {
  readonly version: string;
  readonly mode: HostMode;
  readonly backend: BackendInfo | null;
  readonly projectPath: string | null;
  readonly jobs: readonly JobInfo[];
}

export interface ProjectOverview {
  readonly path: string;
  readonly name: string;
  readonly schemaVersion: number;
  readonly datasets: readonly DatasetInfo[];
  readonly models: readonly ModelSummary[];
  readonly scores: readonly ScoreInfo[];
  readonly reports: readonly ReportInfo[];
  /**
   * Which datasets each usable model can score: those holding every column it was trained on (by name, numbers
   * where it needs numbers), its own training dataset included. Ranking and Heatmap offer only these pairs.
   */
  readonly scorable: readonly { readonly modelId: number; readonly datasetIds: readonly number[] }[];
}

export type CellValue = number | string | null;

export interface DataRows {
  readonly columns: readonly Pick<ColumnInfo, 'name' | 'role' | 'valueKind'>[];
  readonly rows: readonly { readonly row: number; readonly values: readonly CellValue[] }[];
}

export interface RankedRow {
  /** 1-based rank among all rows (not among the filtered ones). */
  readonly rank: number;
  /** 0-based row index in the dataset. */
  readonly row: number;
  /** The id column's value, or "#N". */
  readonly id: string;
  readonly score: number;
  readonly flagged: boolean;
  /** Largest normalised per-column errors, from the stored score (no forward pass). */
  readonly top: readonly { readonly column: string; readonly share: number }[];
  readonly label: LabelClass | null;
  readonly verdict: Verdict | null;
  readonly note: string;
}

/** Where a row (found by its id) sits in the ranking. */
export interface RowLocation {
  readonly row: number;
  readonly id: string;
  /** 1-based rank among all rows. */
  readonly rank: number;
  /** 0-based position among the rows matching the filter; null when the filter leaves the row out. */
  readonly position: number | null;
}

export interface RankPage {
  readonly scoreId: number;
  /** Rows matching the filter. */
  readonly total: number;
  readonly offset: number;
  readonly rows: readonly RankedRow[];
  readonly threshold: number;
}

export interface Distribution {
  readonly scoreId: number;
  readonly histogram: { readonly edges: readonly number[]; readonly counts: readonly number[] };
  readonly stats: ScoreInfo['stats'];
  /** The threshold in force: the model's saved one, or mean + 2σ when none was saved. */
  readonly threshold: ThresholdResult;
  readonly saved: StoredThreshold | null;
  readonly hasLabels: boolean;
  readonly hasTime: boolean;
}

export interface Timeline {
  readonly scoreId: number;
  readonly column: string;
  /** Bucket start times (epoch ms) and the highest score in each bucket. */
  readonly times: readonly number[];
  readonly maxScores: readonly number[];
  /** Times and scores of the rows labelled (or judged) anomalous. */
  readonly anomalies: readonly { readonly time: number; readonly score: number; readonly row: number }[];
  readonly threshold: number;
}

export interface Heatmap {
  readonly scoreId: number;
  readonly columns: readonly string[];
  readonly order: 'rank' | 'time';
  /** The window of the order it covers: positions [start, end). */
  readonly start: number;
  readonly end: number;
  readonly total: number;
  /** Positions per band (1 when not aggregated). */
  readonly rowsPerBand: number;
  /**
   * Per band: first position, and its row index and id (the id column's value, or "#N") when the band is one row.
   * `label` in words: "1 · #18" (rank · id, as the Ranking's columns) or the id in time order; "ranks 1–3" aggregated.
   */
  readonly bands: readonly { readonly position: number; readonly row: number | null; readonly id: string | null; readonly label: string }[];
  /** bands × columns, row-major: the mean per band of the (normalised) per-column error. */
  readonly values: readonly number[];
  readonly normalized: boolean;
  readonly max: number;
}

export interface RowDetail extends RowExplanation {
  readonly id: string;
  readonly rank: number;
  readonly label: LabelClass | null;
  readonly verdict: Verdict | null;
  readonly note: string;
}

export interface ModelDetail {
  readonly model: ModelInfo;
  readonly history: readonly HistoryEntry[];
}

/**
 * A delete that can be undone: the dataset or model is in the project's trash, hidden from every view, until
 * `undoUntil`; then (or when the project is closed) it is deleted for good. `trash.restore` with `trashId` undoes it.
 */
export interface Deleted {
  readonly trashId: number;
  readonly kind: 'dataset' | 'model';
  readonly id: number;
  readonly name: string;
  /** ISO times. */
  readonly deletedAt: string;
  readonly undoUntil: string;
}

/** What an undone delete brought back. */
export type Restored = Pick<Deleted, 'kind' | 'id' | 'name'>;

/** A verdict or note change: `row.restoreVerdict` with `previous` (expecting `saved`) undoes it exactly. */
export interface VerdictChange {
  /** What the row holds now; null: no verdict and no note. */
  readonly saved: RowVerdict | null;
  /** What it held before, its time of change included. */
  readonly previous: RowVerdict | null;
}

/**
 * How far the rankings of several scores of one dataset agree at the top: for every pair, the rows both have
 * among their k highest ranked. Matrices are scores × scores, row-major, in the order of `scoreIds`.
 */
export interface RankingOverlap {
  readonly datasetId: number;
  /** Rows of the dataset. */
  readonly rows: number;
  readonly k: number;
  readonly scoreIds: readonly number[];
  /** Rows in both top-k lists. */
  readonly shared: readonly number[];
  /** shared / k: the share of one's top k that the other ranks in its top k too (1 on the diagonal). */
  readonly overlap: readonly number[];
  /** Jaccard index of the two top-k sets: shared / (2k − shared). */
  readonly jaccard: readonly number[];
}

export interface RecentProject {
  readonly path: string;
  readonly name: string;
  /** ISO time it was last opened. */
  readonly openedAt: string;
}

export interface ProjectList {
  /** Most recently opened first; only projects whose file still exists. */
  readonly recent: readonly RecentProject[];
  /** Where a new project named by the page goes (`<folder>/<name>.residual`); null where the engine keeps none. */
  readonly projectsDir: string | null;
}

export interface SettingsCheck {
  /** The settings a run would use: the wizard's proposal with the request's overrides, checked against the data. */
  readonly settings: TrainSettings;
  readonly inputDims: number;
  readonly parameterCount: number;
  readonly architecture: string;
  readonly warnings: readonly string[];
}

// ---- methods -------------------------------------------------------------------------------------

interface Method<Req extends z.ZodType, Rep> {
  readonly request: Req;
  /** Phantom: the reply type. */
  readonly reply?: Rep;
}
const method = <Rep>() => <Req extends z.ZodType>(request: Req): Method<Req, Rep> => ({ request });
const none = z.object({}).strict();

export const methods = {
  'app.status': method<AppStatus>()(none),
  'project.open': method<ProjectOverview>()(z.object({ path: z.string().min(1), create: z.boolean().optional() }).strict()),
  'project.overview': method<ProjectOverview>()(none),
  /** Recently opened projects (kept in Residual's home folder), and where a new project is created by name. */
  'project.list': method<ProjectList>()(none),

  'data.preview': method<FilePreview>()(z.object({ file: z.string().min(1), options: importOptionsSchema.optional() }).strict()),
  'data.import': method<JobRef>()(z.object({ file: z.string().min(1), options: importOptionsSchema.optional() }).strict()),
  'data.setRole': method<DatasetInfo>()(
    z.object({ datasetId: id, column: z.string().min(1), role, positiveValue: z.string().nullable().optional() }).strict(),
  ),
  /** Into the trash, undoable until `undoUntil` (trash.restore); its scores and verdicts go with it, models trained on it stay. */
  'data.delete': method<Deleted>()(z.object({ datasetId: id }).strict()),
  /** A row found by its id column's value, or "#N" for the N-th row: its 0-based index. */
  'data.findRow': method<{ readonly row: number }>()(z.object({ datasetId: id, ref: z.string().min(1).max(1000) }).strict()),
  'data.rows': method<DataRows>()(z.object({ datasetId: id, rows: z.array(rowIndex).max(MAX_WINDOW_ROWS) }).strict()),

  'model.propose': method<Proposal>()(z.object({ datasetId: id }).strict()),
  'model.check': method<SettingsCheck>()(z.object({ datasetId: id, settings: trainSettingsSchema.partial() }).strict()),
  'model.train': method<JobRef>()(
    z.object({ datasetId: id, settings: trainSettingsSchema.partial(), name: z.string().min(1).max(200).optional() }).strict(),
  ),
  'model.get': method<ModelDetail>()(z.object({ modelId: id }).strict()),
  /**
   * Writes a reconstruction model (ae, sparse, denoising, vae, aae, wae) as one ONNX file: raw columns in, the row
   * score and per-column errors out, the fitted preprocessing inside (core/export/onnx.ts). With no `out`, into the
   * reports folder. BAD_INPUT for the kinds it does not export, naming them.
   */
  'model.exportOnnx': method<OnnxExportResult>()(z.object({ modelId: id, out: z.string().min(1).optional() }).strict()),
  /**
   * The latent space of a score's model over its dataset: a seeded sample of the rows (the top-ranked always in it)
   * encoded (a VAE at its mean; Deep SVDD's and OC-NN's representation; an ensemble's first network member) and
   * projected on the codes' two principal components, with kNN on the codes against the inputs where the dataset has
   * classes, and the compression ratio with its reconstruction error. `scoreId`, or `modelId` (+ `datasetId`, default
   * its training dataset) for the newest score of that pair. BAD_INPUT for kinds without a latent space (iforest, ecod).
   */
  'model.latent': method<LatentView>()(
    z
      .object({
        scoreId: id.optional(),
        modelId: id.optional(),
        datasetId: id.optional(),
        sample: z.number().int().min(10).max(MAX_LATENT_SAMPLE).optional(),
        seed: z.number().int().nonnegative().optional(),
        knn: z.boolean().optional(),
      })
      .strict()
      .refine((r) => r.scoreId !== undefined || r.modelId !== undefined, { message: 'give scoreId, or modelId (and datasetId)', path: ['scoreId'] }),
  ),
  /** Into the trash, undoable until `undoUntil` (trash.restore); its scores and thresholds go with it. */
  'model.delete': method<Deleted>()(z.object({ modelId: id }).strict()),
  /** Undoes a delete while it is in the trash; NOT_FOUND once it has been deleted for good. */
  'trash.restore': method<Restored>()(z.object({ trashId: id }).strict()),

  'score.run': method<JobRef>()(z.object({ modelId: id, datasetId: id }).strict()),
  'score.rank': method<RankPage>()(
    z.object({ scoreId: id, offset: z.number().int().nonnegative(), limit: z.number().int().min(1).max(MAX_WINDOW_ROWS), filter: rankFilterSchema.optional() }).strict(),
  ),
  /** Finds a row by its id (the id column's value, or "#N" for the N-th row): its rank and its place under the filter. */
  'score.find': method<RowLocation | null>()(z.object({ scoreId: id, id: z.string().min(1).max(1000), filter: rankFilterSchema.optional() }).strict()),
  'score.distribution': method<Distribution>()(z.object({ scoreId: id, bins: z.number().int().min(5).max(500).optional() }).strict()),
  'score.thresholdPreview': method<ThresholdResult>()(z.object({ scoreId: id, spec: thresholdSpecSchema }).strict()),
  'score.thresholdSave': method<StoredThreshold>()(z.object({ scoreId: id, spec: thresholdSpecSchema }).strict()),
  'score.evaluate': method<ScoreEvaluation | null>()(z.object({ scoreId: id, threshold: z.number().optional() }).strict()),
  'score.profile': method<AnomalyProfile>()(z.object({ scoreId: id, threshold: z.number().optional() }).strict()),
  'score.timeline': method<Timeline | null>()(z.object({ scoreId: id, points: z.number().int().min(10).max(5000).optional() }).strict()),
  'score.heatmap': method<Heatmap>()(
    z
      .object({
        scoreId: id,
        order: z.enum(['rank', 'time']),
        start: z.number().int().nonnegative(),
        end: z.number().int().positive(),
        bands: z.number().int().min(1).max(MAX_HEATMAP_BANDS),
        normalized: z.boolean().optional(),
      })
      .strict(),
  ),
  /** The heatmap's fixed colour scale for a whole score (the 99th percentile of its per-column errors). */
  'score.heatmapScale': method<HeatmapScale>()(z.object({ scoreId: id, normalized: z.boolean().optional() }).strict()),
  /** How far the rankings of two or more scores of one dataset agree on their k highest-ranked rows (pairwise). */
  'score.overlap': method<RankingOverlap>()(z.object({ scoreIds: z.array(id).min(2).max(MAX_COMPARED), k: z.number().int().min(1) }).strict()),

  'row.detail': method<RowDetail[]>()(z.object({ scoreId: id, rows: z.array(rowIndex).min(1).max(100) }).strict()),
  /**
   * An image dataset's rows as images: the pixels, the model's reconstruction (null for kinds that do not
   * reconstruct) and the per-pixel error or attribution map, with rank, score and verdict. `parts: 'pixels'` reads
   * only the stored pixels (thumbnails: no model run). BAD_INPUT for a dataset that is not images.
   */
  'row.images': method<ImageRows>()(
    z.object({ scoreId: id, rows: z.array(rowIndex).min(1).max(MAX_IMAGE_ROWS), parts: z.enum(['pixels', 'all']).optional() }).strict(),
  ),
  /** An image dataset's mean per-pixel error (or attribution) map over the flagged rows, beside the mean over every row. */
  'score.imageMeans': method<ImageMeans>()(z.object({ scoreId: id, threshold: z.number().optional() }).strict()),
  'row.verdict': method<VerdictChange>()(
    z.object({ datasetId: id, row: rowIndex, verdict: verdictSchema.nullable(), note: noteSchema.optional() }).strict(),
  ),
  /**
   * Undoes a `row.verdict`: puts back `previous` (null: no verdict, no note), its time of change included, when the
   * row still holds `expected` (what that change saved); CONFLICT when the row has changed since.
   */
  'row.restoreVerdict': method<RowVerdict | null>()(
    z.object({ datasetId: id, row: rowIndex, previous: storedVerdictSchema.nullable(), expected: storedVerdictSchema.nullable() }).strict(),
  ),

  'report.export': method<JobRef>()(
    z
      .object({
        modelId: id,
        datasetId: id.optional(),
        top: z.number().int().min(1).max(MAX_TOP).optional(),
        paper: z.enum(PAPERS).optional(),
        out: z.string().min(1).optional(),
      })
      .strict(),
  ),
  'report.list': method<readonly ReportInfo[]>()(none),
  /**
   * The ranked rows of a score matching the Ranking's filters, as CSV or Parquet (`format`; default: by the extension
   * of `out`, else CSV) — a job: a million rows take seconds. With no `out`, into the reports folder (browser mode:
   * the only place it may go; the page then downloads it).
   */
  'score.export': method<JobRef>()(
    z
      .object({
        scoreId: id,
        filter: rankFilterSchema.optional(),
        top: z.number().int().min(1).optional(),
        out: z.string().min(1).optional(),
        format: z.enum(RANKING_FORMATS).optional(),
      })
      .strict(),
  ),

  'job.cancel': method<null>()(z.object({ jobId: z.string().min(1) }).strict()),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Request<M extends MethodName> = z.input<Methods[M]['request']>;
export type Reply<M extends MethodName> = Exclude<Methods[M]['reply'], undefined>;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];

// ---- events (main → renderer, engine → main) --------------------------------------------------------

export type JobProgressDetail =
  | { readonly kind: 'import'; readonly progress: ImportProgress }
  | { readonly kind: 'train'; readonly progress: TrainProgress }
  | { readonly kind: 'score'; readonly progress: ScoreProgress }
  | { readonly kind: 'report'; readonly progress: ReportProgress }
  | { readonly kind: 'export'; readonly progress: RankingCsvProgress };

export type JobResult =
  | { readonly kind: 'import'; readonly result: ImportResult }
  | { readonly kind: 'train'; readonly result: TrainResult }
  | { readonly kind: 'score'; readonly result: ScoreResult }
  | { readonly kind: 'report'; readonly result: ReportResult }
  | { readonly kind: 'export'; readonly result: RankingCsvResult };


/** A typed marker for the event table: the payload type travels in the type only. */
const event = <T>(): T => undefined as T;

/** Every event main sends the renderer, with its payload. EventName and EVENT_NAMES are derived from this table. */
const events = {
  'job.started': event<JobRef>(),
  'job.progress': event<JobRef & { readonly fraction: number; readonly etaSeconds: number | null; readonly message: string; readonly detail: JobProgressDetail }>(),
  'job.finished': event<JobRef & JobResult>(),
  'job.failed': event<JobRef & { readonly error: ContractError }>(),
  'project.changed': event<{ readonly path: string }>(),
  'engine.crashed': event<{ readonly message: string }>(),
  /** The engine's tensor backend, when it loads or changes (it loads with the first training or scoring). */
  'engine.backend': event<BackendInfo>(),
  /** A native menu item the renderer carries out (it owns those flows). */
  'app.command': event<{ readonly command: 'import' | 'export-report' }>(),
};
export type Events = { readonly [E in keyof typeof events]: (typeof events)[E] };
export type EventName = keyof Events;
export const EVENT_NAMES = Object.keys(events) as readonly EventName[];

// ---- derived channel names -----------------------------------------------------------------------------

export const invokeChannel = (m: MethodName): string => `residual:invoke:${m}`;
export const EVENT_CHANNEL = 'residual:event';
/** Electron only: the preload tells main which file the user picked or dropped, so the file policy lets it be read. */
export const GRANT_FILE_CHANNEL = 'residual:grant-file';

/** Validates a request against its method's schema; throws a readable error naming the fields. */
export function parseRequest<M extends MethodName>(name: M, payload: unknown): z.output<Methods[M]['request']> {
  const spec = methods[name] as Method<z.ZodType, unknown> | undefined;
  if (!spec) throw new ContractViolation(`Unknown method "${String(name)}".`, {});
  const r = spec.request.safeParse(payload ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
    // Per field, the message alone, for a form that shows it beside its field (e.g. "settings.epochs").
    const fields = r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    throw new ContractViolation(`Invalid request for ${name}: ${issues.join('; ')}.`, { field: String(r.error.issues[0]?.path.join('.') ?? ''), issues: fields });
  }
  return r.data as z.output<Methods[M]['request']>;
}

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

/** A method name as it arrives from the wire (an HTTP path): one of the contract's, or BAD_INPUT. */
export function parseMethod(name: string): MethodName {
  if (!isMethodName(name)) throw new ContractViolation(`Unknown method "${name}".`, { field: 'method' });
  return name;
}

/** A payload that does not fit the contract. Carries the BAD_INPUT code so it crosses like core errors. */
export class ContractViolation extends Error {
  readonly code = 'BAD_INPUT';
  constructor(
    message: string,
    readonly details: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

/** The API the renderer programs against, whether it runs under Electron (preload) or in a browser (bridge). */
export interface ResidualApi {
  invoke<M extends MethodName>(name: M, request: Request<M>): Promise<Reply<M>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
