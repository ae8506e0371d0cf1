/**
 * The one contract between the renderer and main, and between main and the engine process: every request, its
 * reply and every event. Requests carry zod schemas that main checks at run time; replies are the core's own
 * (plain, readonly) types. Channel names are derived from the keys below and never spelled elsewhere.
 *
 * The ground floor: core, the hosts, the CLI and the renderer import it; it imports nothing of theirs (only `zod` and
 * its own modules in this folder; tests/contract/layering.test.ts enforces it).
 */
import { z } from 'zod';
import type { ThresholdResult } from './analysis';
import type { FilePreview, ImportProgress, ImportResult } from './data';
import type { RankingCsvProgress, RankingCsvResult } from './export';
import type { BackendInfo, HistoryEntry, ModelInfo, ModelSummary, Proposal, RowExplanation, ScoreInfo, ScoreProgress, ScoreResult, TrainProgress, TrainResult } from './engine';
import type { ReportInfo, ReportProgress, ReportResult } from './report';
import type { AnomalyProfile, RowVerdict, ScoreEvaluation, StoredThreshold } from './review';
import type { ColumnInfo, DatasetInfo } from './store';
import type { HeatmapScale } from './heatmap';

// Every type that crosses a boundary, one import away for the hosts, the CLI and the renderer.
export * from './analysis';
export * from './data';
export * from './engine';
export * from './export';
export * from './heatmap';
export * from './report';
export * from './review';
export * from './store';

// ---- shared schemas -------------------------------------------------------------------------------

const id = z.number().int().positive();
const rowIndex = z.number().int().nonnegative();
const role = z.enum(['numeric', 'categorical', 'timestamp', 'id', 'label', 'ignored']);

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
  })
  .strict();

/**
 * Upper bounds of the threshold parameters, shared by this schema and the CLI. None is needed for the
 * arithmetic (the core's algorithms cost the same whatever the value), but values past these are typos or
 * attacks, never analysis: a detection window wider than a million rows on either side, a threshold more than
 * 1,000 standard deviations above the mean, a review budget over a billion rows or a cost over a billion per event.
 */
export const THRESHOLD_LIMITS = {
  /** Detection tolerance of the cost method, in rows on either side of an anomaly. */
  tolerance: 1_000_000,
  /** Standard deviations above the mean (sigma method). */
  k: 1_000,
  /** Alert budget in rows (budget method). */
  alerts: 1_000_000_000,
  /** Cost of one false alarm / one missed anomaly (cost method). */
  cost: 1_000_000_000,
} as const;

const en = (v: number): string => v.toLocaleString('en-US');
const costField = (name: string) =>
  z
    .number()
    .positive(`${name} must be above 0 (a cost per event)`)
    .max(THRESHOLD_LIMITS.cost, `${name} must be above 0 and at most ${en(THRESHOLD_LIMITS.cost)} (a cost per event; only the ratio of the two costs matters)`);

export const thresholdSpecSchema = z.discriminatedUnion('method', [
  z
    .object({
      method: z.literal('sigma'),
      k: z.number().positive('k must be above 0').max(THRESHOLD_LIMITS.k, `k must be above 0 and at most ${en(THRESHOLD_LIMITS.k)} standard deviations`).optional(),
      on: z.enum(['train', 'validation', 'all']).optional(),
    })
    .strict(),
  z.object({ method: z.literal('percentile'), p: z.number().gt(0).lt(100).optional() }).strict(),
  z
    .object({
      method: z.literal('budget'),
      alerts: z.number().int().min(1).max(THRESHOLD_LIMITS.alerts, `alerts must be a whole number of rows from 1 to ${en(THRESHOLD_LIMITS.alerts)}`),
    })
    .strict(),
  z.object({ method: z.literal('fpr'), fpr: z.number().gt(0).lt(1).optional() }).strict(),
  z
    .object({
      method: z.literal('cost'),
      cAlarm: costField('cAlarm').optional(),
      cMissed: costField('cMissed').optional(),
      tolerance: z
        .number()
        .int(`tolerance must be a whole number of rows from 0 to ${en(THRESHOLD_LIMITS.tolerance)}`)
        .min(0, `tolerance must be a whole number of rows from 0 to ${en(THRESHOLD_LIMITS.tolerance)}`)
        .max(THRESHOLD_LIMITS.tolerance, `tolerance must be a whole number of rows from 0 to ${en(THRESHOLD_LIMITS.tolerance)}`)
        .optional(),
    })
    .strict(),
  z.object({ method: z.literal('manual'), value: z.number() }).strict(),
]);
export type ThresholdSpecInput = z.infer<typeof thresholdSpecSchema>;

export const rankFilterSchema = z
  .object({
    flagged: z.boolean().optional(),
    unreviewed: z.boolean().optional(),
    verdict: z.enum(['anomaly', 'normal', 'unsure']).optional(),
    label: z.enum(['anomaly', 'normal']).optional(),
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
  readonly mode: 'electron' | 'browser';
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
  readonly label: 'anomaly' | 'normal' | null;
  readonly verdict: 'anomaly' | 'normal' | 'unsure' | null;
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
  /** Per band: first position, and its row index when the band is one row. */
  readonly bands: readonly { readonly position: number; readonly row: number | null; readonly label: string }[];
  /** bands × columns, row-major: the mean per band of the (normalised) per-column error. */
  readonly values: readonly number[];
  readonly normalized: boolean;
  readonly max: number;
}

export interface RowDetail extends RowExplanation {
  readonly id: string;
  readonly rank: number;
  readonly label: 'anomaly' | 'normal' | null;
  readonly verdict: 'anomaly' | 'normal' | 'unsure' | null;
  readonly note: string;
}

export interface ModelDetail {
  readonly model: ModelInfo;
  readonly history: readonly HistoryEntry[];
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
  'data.delete': method<null>()(z.object({ datasetId: id }).strict()),
  'data.rows': method<DataRows>()(z.object({ datasetId: id, rows: z.array(rowIndex).max(MAX_WINDOW_ROWS) }).strict()),

  'model.propose': method<Proposal>()(z.object({ datasetId: id }).strict()),
  'model.check': method<SettingsCheck>()(z.object({ datasetId: id, settings: z.record(z.string(), z.unknown()) }).strict()),
  'model.train': method<JobRef>()(
    z.object({ datasetId: id, settings: z.record(z.string(), z.unknown()), name: z.string().min(1).max(200).optional() }).strict(),
  ),
  'model.get': method<ModelDetail>()(z.object({ modelId: id }).strict()),
  'model.delete': method<null>()(z.object({ modelId: id }).strict()),

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

  'row.detail': method<RowDetail[]>()(z.object({ scoreId: id, rows: z.array(rowIndex).min(1).max(100) }).strict()),
  'row.verdict': method<RowVerdict | null>()(
    z.object({ datasetId: id, row: rowIndex, verdict: z.enum(['anomaly', 'normal', 'unsure']).nullable(), note: z.string().max(10_000).optional() }).strict(),
  ),

  'report.export': method<JobRef>()(
    z
      .object({
        modelId: id,
        datasetId: id.optional(),
        top: z.number().int().min(1).max(1000).optional(),
        paper: z.enum(['a4', 'letter']).optional(),
        out: z.string().min(1).optional(),
      })
      .strict(),
  ),
  'report.list': method<readonly ReportInfo[]>()(none),
  /**
   * The ranked rows of a score matching the Ranking's filters, as CSV (a job: a million rows take seconds). With no
   * `out`, into the reports folder (browser mode: the only place it may go; the page then downloads it).
   */
  'score.export': method<JobRef>()(
    z
      .object({
        scoreId: id,
        filter: rankFilterSchema.optional(),
        top: z.number().int().min(1).optional(),
        out: z.string().min(1).optional(),
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

export interface ContractError {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface Events {
  'job.started': JobRef;
  'job.progress': JobRef & { readonly fraction: number; readonly etaSeconds: number | null; readonly message: string; readonly detail: JobProgressDetail };
  'job.finished': JobRef & JobResult;
  'job.failed': JobRef & { readonly error: ContractError };
  'project.changed': { readonly path: string };
  'engine.crashed': { readonly message: string };
  /** The engine's tensor backend, when it loads or changes (it loads with the first training or scoring). */
  'engine.backend': BackendInfo;
  /** A native menu item the renderer carries out (it owns those flows). */
  'app.command': { readonly command: 'import' | 'export-report' };
}
export type EventName = keyof Events;
export const EVENT_NAMES: readonly EventName[] = ['job.started', 'job.progress', 'job.finished', 'job.failed', 'project.changed', 'engine.crashed', 'engine.backend', 'app.command'];

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
    throw new ContractViolation(`Invalid request for ${name}: ${issues.join('; ')}.`, { field: String(r.error.issues[0]?.path.join('.') ?? '') });
  }
  return r.data as z.output<Methods[M]['request']>;
}

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
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
