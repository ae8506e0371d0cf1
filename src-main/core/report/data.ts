import path from 'node:path';
import { histogram, quantile, summary, type ThresholdResult } from '../analysis';
import { getHistory, getModel, getScore, initBackend, listModels, listScores, readRankWindow, readRowErrors, type ModelInfo, type ScoreInfo } from '../engine';
import { cancelled, ResidualError } from '../errors';
import { anomalyProfile, effectiveThreshold, evaluateScore, knownLabels, listVerdicts, type StoredThreshold } from '../review';
import type { DatasetInfo, ProjectStore } from '../store';
import { RESIDUAL_VERSION } from '../version';
import { datasetContentSha256, rankingSha256 } from './fingerprint';
import { gatherGallery } from './gallery';
import { modelCard } from './model-card';
import { reproduction } from './reproduce';
import { heatmap, notes, rowNamer, topRows } from './rows';
import { DEFAULT_TOP, MAX_TOP, REPORT_DATASET_FACTS, type ReportColumn, type ReportData, type ReportEvaluation, type ReportThreshold, type Reproduction } from './types';
import { columnWords } from './words';

export interface GatherOptions {
  /** Default: the model of the newest score (of `datasetId` when given). */
  readonly modelId?: number;
  /** Dataset id or name. Default: the model's training dataset when it scored it, else its newest score. */
  readonly datasetId?: number | string;
  /** Rows to list, 1 … MAX_TOP. Default DEFAULT_TOP. */
  readonly top?: number;
  /** The report's date (tests pin it). Default now. */
  readonly now?: Date;
  readonly signal?: AbortSignal;
}

/**
 * Verdicts needed to evaluate a dataset without a label column: a handful of reviewed rows (the top ones,
 * as a rule) would give a perfect-looking but meaningless ROC curve.
 */
const MIN_VERDICTS = 10;

/** Bins of the score histogram. */
const HISTOGRAM_BINS = 40;

/** Everything the report shows, computed once from the project. The dataset must have been scored by the model. */
export async function gatherReportData(store: ProjectStore, opts: GatherOptions = {}): Promise<ReportData> {
  const top = checkTop(opts.top ?? DEFAULT_TOP);
  const check = (): void => {
    if (opts.signal?.aborted) throw cancelled('The report');
  };
  const { model, score, ds } = resolveScore(store, opts.modelId, opts.datasetId);
  const backend = await initBackend();
  check();

  const { result, stored } = effectiveThreshold(store, score.scoreId);
  const errors = readRowErrors(store, score.scoreId);
  const ranking = readRankWindow(store, score.scoreId, 0, score.rows).rows;
  const rankOf = new Int32Array(score.rows);
  ranking.forEach((row, i) => (rankOf[row] = i + 1));
  const window = readRankWindow(store, score.scoreId, 0, Math.min(top, score.rows));
  const verdictList = listVerdicts(store, ds.id);
  const name = rowNamer(store, ds, [...window.rows, ...verdictList.map((v) => v.row)]);
  check();

  const topList = await topRows({
    store, ds, scoreId: score.scoreId, window, threshold: result.value, verdicts: new Map(verdictList.map((v) => [v.row, v])), name,
  });
  check();
  const gallery = await gatherGallery(store, ds, score.scoreId, model.id, topList);
  check();
  const profile = anomalyProfile(store, score.scoreId, result.value);
  const profileColumns = profile.columns.map((c) => ({ feature: c.feature, meanError: c.meanError, meanNormalizedError: c.meanNormalizedError, share: c.share }));
  const evaluation = evaluate(store, ds, score.scoreId, result.value);
  const s = summary(errors);
  const h = histogram(errors, HISTOGRAM_BINS);
  const noted = notes(verdictList, (row) => rankOf[row]!, name);
  const trainedOn = model.datasetId === null ? null : (store.listDatasets().find((d) => d.id === model.datasetId)?.name ?? null);
  check();

  return {
    generatedAt: (opts.now ?? new Date()).toISOString(),
    residualVersion: RESIDUAL_VERSION,
    explainBackend: backend.name,
    project: { path: store.path, name: path.basename(store.path).replace(/\.residual$/i, '') },
    dataset: {
      ...pickKeys(ds, REPORT_DATASET_FACTS),
      importedAt: ds.createdAt,
      columns: ds.columns.map(column),
      contentSha256: datasetContentSha256(store, ds),
    },
    model: modelCard(model, trainedOn, getHistory(store, model.id)),
    score: { id: score.scoreId, backend: score.backend, rows: score.rows, createdAt: score.createdAt, rankingSha256: rankingSha256(ranking) },
    threshold: threshold(result, stored),
    distribution: {
      edges: h.edges,
      counts: h.counts,
      min: finite(s.min),
      max: finite(s.max),
      mean: finite(s.mean),
      std: finite(s.std),
      median: s.n > 0 ? finite(quantile(errors, 0.5)) : null,
    },
    evaluation: evaluation.evaluation,
    evaluationNote: evaluation.note,
    top: topList,
    profile: { threshold: finite(profile.threshold), flagged: profile.flagged, columns: profileColumns },
    heatmap: heatmap(store, score.scoreId, topList, profileColumns, columnWords(model.kind).signed),
    gallery,
    notes: noted.notes,
    notesOmitted: noted.omitted,
    reproduction: reproductionOf(store, model, ds, stored),
    options: { top },
  };
}

function checkTop(top: number): number {
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) {
    throw new ResidualError('BAD_INPUT', `The number of top rows must be a whole number from 1 to ${MAX_TOP}; got ${top}.`, { field: 'top' });
  }
  return top;
}

/** The score to report on; a clear error when there is none yet (the report never trains or scores). */
export function resolveScore(store: ProjectStore, modelId: number | undefined, datasetRef: number | string | undefined): { model: ModelInfo; score: ScoreInfo; ds: DatasetInfo } {
  const ds = datasetRef === undefined ? undefined : store.getDataset(datasetRef);
  let score: ScoreInfo | undefined;
  if (modelId !== undefined) {
    const model = getModel(store, modelId);
    const scores = listScores(store, { modelId, datasetId: ds?.id });
    score = scores.find((s) => s.datasetId === model.datasetId) ?? scores[scores.length - 1];
    if (!score) {
      const on = ds ? ` on dataset "${ds.name}"` : '';
      throw new ResidualError('NOT_FOUND', `Model #${model.id} ("${model.name}") has not scored any rows${on} yet, so there is no ranking to report. Score the dataset with it first, then export the report.`, { field: 'model' });
    }
  } else {
    const scores = listScores(store, { datasetId: ds?.id });
    score = scores[scores.length - 1];
    if (!score) {
      const what = listModels(store).length === 0 ? 'Train a model and score the dataset with it first' : 'Score the dataset with a model first';
      throw new ResidualError('NOT_FOUND', `Nothing to report: ${ds ? `dataset "${ds.name}"` : `project ${store.path}`} has no scores yet. ${what}, then export the report.`, { field: 'model' });
    }
  }
  return { model: getModel(store, score.modelId), score, ds: ds ?? store.getDataset(score.datasetId) };
}

function pickKeys<T, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = o[k];
  return out;
}

function column(c: DatasetInfo['columns'][number]): ReportColumn {
  const s = c.stats;
  return {
    name: c.name,
    role: c.role,
    valueKind: c.valueKind,
    positiveValue: c.positiveValue,
    count: s.count,
    missing: s.missing,
    distinct: s.distinct,
    distinctCapped: s.distinctCapped,
    mean: finite(s.mean),
    std: finite(s.std),
    min: finite(s.min),
    max: finite(s.max),
    topValues: c.valueKind === 'number' ? [] : s.topValues.slice(0, 3).map((t) => `${t.value} (${t.count})`),
  };
}

function threshold(result: ThresholdResult, stored: StoredThreshold | null): ReportThreshold {
  const details: Record<string, number> = {};
  for (const [k, v] of Object.entries(result)) {
    if (typeof v === 'number' && !['value', 'alerts'].includes(k) && Number.isFinite(v)) details[k] = v;
  }
  return {
    method: result.method,
    params: result.params,
    value: finite(result.value),
    alerts: result.alerts,
    why: result.why,
    origin: stored ? 'saved' : 'default',
    savedAt: stored?.createdAt ?? null,
    spec: stored?.spec ?? null,
    details,
  };
}

/** Evaluation needs known outcomes of both kinds; otherwise a sentence that says what is missing. */
function evaluate(store: ProjectStore, ds: DatasetInfo, scoreId: number, t: number): { evaluation: ReportEvaluation | null; note: string | null } {
  const labels = knownLabels(store, ds);
  const labelCol = ds.columns.find((c) => c.role === 'label');
  if (!labels) {
    return { evaluation: null, note: `No labels: dataset "${ds.name}" has no label column and no verdicts, so how well the ranking finds known anomalies cannot be measured. Import it with --label COL, or mark rows as Anomaly or False positive, to add ROC and precision-recall curves here.` };
  }
  let positives = 0;
  let negatives = 0;
  for (const l of labels) {
    if (l === 1) positives++;
    else if (l === 0) negatives++;
  }
  const verdicts = listVerdicts(store, ds.id).filter((v) => v.verdict !== null).length;
  const source = labelCol
    ? `label column "${labelCol.name}" (${labelCol.positiveValue} = anomaly)${verdicts ? `, overridden by ${plural(verdicts, 'verdict')}` : ''}`
    : `the analyst's ${plural(verdicts, 'verdict')} (no label column)`;
  if (!labelCol && verdicts < MIN_VERDICTS) {
    return {
      evaluation: null,
      note: `No labels: dataset "${ds.name}" has no label column, and ${plural(verdicts, 'verdict')} (fewer than ${MIN_VERDICTS}) are too few to measure the ranking by. Import it with --label COL, or review more rows, to add ROC and precision-recall curves here.`,
    };
  }
  if (positives === 0 || negatives === 0) {
    const missing = positives === 0 ? 'no row known to be an anomaly' : 'no row known to be normal';
    return { evaluation: null, note: `No labels to evaluate against: the known outcomes (${source}) include ${missing}, so ROC and precision-recall cannot be computed.` };
  }
  const ev = evaluateScore(store, scoreId, { threshold: t });
  return {
    evaluation: {
      source,
      positives,
      negatives,
      unknown: labels.length - positives - negatives,
      rocAuc: finite(ev.rocAuc),
      averagePrecision: finite(ev.averagePrecision),
      k: ev.k,
      precisionAtK: finite(ev.precisionAtK),
      recallAtK: finite(ev.recallAtK),
      confusion: ev.confusion,
      roc: ev.rocCurve.map((p) => [p.fpr, p.tpr] as const),
      pr: ev.prCurve.map((p) => [p.recall, p.precision] as const),
    },
    note: null,
  };
}

/** The commands that rebuild the ranking: the datasets involved, read from the project (null when deleted). */
function reproductionOf(store: ProjectStore, model: ModelInfo, ds: DatasetInfo, stored: StoredThreshold | null): Reproduction {
  const find = (id: number | null): DatasetInfo | null => (id === null ? null : id === ds.id ? ds : (store.listDatasets().find((d) => d.id === id) ?? null));
  let fittedOn: DatasetInfo | null = null;
  if (stored?.scoreId != null) {
    try {
      fittedOn = find(getScore(store, stored.scoreId).datasetId);
    } catch {
      // the score it was fitted on is gone: the value is set directly
    }
  }
  const verdicts = fittedOn ? listVerdicts(store, fittedOn.id).filter((v) => v.verdict !== null).length : 0;
  return reproduction({
    reported: ds,
    model,
    trainedOn: find(model.datasetId),
    threshold: stored ? { spec: stored.spec, value: stored.result.value, fittedOn, verdicts } : null,
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function finite(v: number | undefined | null): number | null {
  return v !== undefined && v !== null && Number.isFinite(v) ? v : null;
}
