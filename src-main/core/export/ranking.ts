import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RankFilter } from '../../contract';
import { normalizeFeatureErrors, topContributors } from '../analysis';
import { getModel, getScore, readLabels, readRankWindow, readRowErrors } from '../engine';
import { scoreChunks } from '../engine/repo';
import { cancelled, plainError, ResidualError } from '../errors';
import { effectiveThreshold, listVerdicts, type RowVerdict } from '../review';
import type { ProjectStore } from '../store';
import { isFiltering, rowFilter, rowIds } from '../workbench/queries';
import { csvLine, RANKING_CSV_HEADER, type CsvValue } from './csv';
import { checkOverwrite } from './owned';
import type { RankingCsvProgress, RankingCsvResult, RankingFormat } from '../../contract/export';
export type { RankingCsvProgress, RankingCsvResult, RankingFormat };

/** Rows written per window: ids are read, lines formatted and written one window at a time. */
export const WINDOW = 2000;
/** Contributing columns per row in the export. */
export const TOP_COLUMNS = 3;

export interface RankingCsvOptions {
  readonly scoreId: number;
  /** The Ranking's filters (flagged at the threshold in force, unreviewed, verdict, label); default none. */
  readonly filter?: RankFilter;
  /** At most this many rows (the first in rank order among those matching the filter); default all. */
  readonly top?: number;
}

export interface RankingCsvHooks {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: RankingCsvProgress) => void;
}

/** One row of the ranking export, typed: the CSV writes null as an empty field, Parquet as null. */
export interface RankingRecord {
  /** 1 for the highest score. */
  readonly rank: number;
  /** The id column's value, or #N (the row's number from 1) when the dataset has none. */
  readonly id: string;
  readonly score: number;
  /** At or above the threshold in force. */
  readonly flagged: boolean;
  /** The TOP_COLUMNS columns that explain the score most, with their shares of it; null past the model's columns. */
  readonly features: readonly (string | null)[];
  readonly shares: readonly (number | null)[];
  /** The label column's value as anomaly/normal; null without a label column or value. */
  readonly label: 'anomaly' | 'normal' | null;
  readonly verdict: string | null;
  readonly note: string | null;
}

/** The ranked rows an export writes, prepared once and handed out a window at a time. */
export interface RankingRows {
  readonly scoreId: number;
  readonly modelId: number;
  readonly datasetId: number;
  /** Rows to write. */
  readonly rows: number;
  /** Rows the score holds. */
  readonly total: number;
  readonly threshold: number;
  /** The records of rows [from, to) in rank order (to − from ≤ WINDOW is cheapest: ids are read per call). */
  records(from: number, to: number): RankingRecord[];
  /** Throws CANCELLED once the signal fired; reports progress (rows done of `rows`). */
  progress(done: number, message: string): void;
}

/**
 * The ranked rows of a score as an export writes them: the rank order, the errors, the labels and the verdicts are
 * read once (a few bytes per row); each written row's three largest normalised column errors come from one pass over
 * the stored per-column errors (no forward pass, only the chosen rows kept, as column indices and shares); the
 * records themselves are made a window at a time, so a million rows never sit in memory as objects.
 */
export function prepareRankingRows(store: ProjectStore, opts: RankingCsvOptions, hooks: RankingCsvHooks = {}): RankingRows {
  const check = (): void => {
    if (hooks.signal?.aborted) throw cancelled('The export');
  };
  const score = getScore(store, opts.scoreId);
  const ds = store.getDataset(score.datasetId);
  const model = getModel(store, score.modelId);
  const order = readRankWindow(store, score.scoreId, 0, score.rows).rows;
  const errors = readRowErrors(store, score.scoreId);
  const labels = readLabels(store, ds);
  const threshold = effectiveThreshold(store, score.scoreId).result.value;
  const verdicts = new Map<number, RowVerdict>(listVerdicts(store, ds.id).map((v) => [v.row, v]));
  const filter = opts.filter ?? {};
  const limit = Math.min(opts.top ?? Infinity, order.length);

  // The positions (in rank order) of the rows to write.
  let positions: Int32Array;
  if (!isFiltering(filter)) {
    positions = new Int32Array(limit);
    for (let p = 0; p < limit; p++) positions[p] = p;
  } else {
    const wants = rowFilter(filter, errors, threshold, verdicts, labels);
    const picked: number[] = [];
    for (let p = 0; p < order.length && picked.length < limit; p++) if (wants(order[p]!)) picked.push(p);
    positions = Int32Array.from(picked);
  }
  const n = positions.length;
  const progress = (done: number, message: string): void => {
    check();
    hooks.onProgress?.({ rowsDone: done, rows: n, fraction: n === 0 ? 1 : 0.3 + (0.7 * done) / n, message });
  };
  progress(0, 'Reading the columns that explain each row');

  // Top columns of each chosen row, from one pass over the per-column errors in row order.
  const cols = score.columns.length;
  const k = Math.min(TOP_COLUMNS, cols);
  const slot = new Int32Array(score.rows).fill(-1);
  let minRow = Infinity;
  let maxRow = -1;
  for (let i = 0; i < n; i++) {
    const row = order[positions[i]!]!;
    slot[row] = i;
    if (row < minRow) minRow = row;
    if (row > maxRow) maxRow = row;
  }
  const topCol = new Int32Array(n * k).fill(-1);
  const topShare = new Float64Array(n * k);
  const means = model.featureErrorMean;
  if (n > 0) {
    let raw = new Float32Array(0);
    for (const chunk of scoreChunks(store, score.scoreId, 'feature', minRow, maxRow + 1)) {
      check();
      const r0 = chunk.rowStart;
      const r1 = Math.min(score.rows, r0 + chunk.rowCount);
      if (raw.length < (r1 - r0) * cols) raw = new Float32Array((r1 - r0) * cols);
      new Uint8Array(raw.buffer).set(chunk.data.subarray(0, (r1 - r0) * cols * 4));
      const values = means ? normalizeFeatureErrors(raw.subarray(0, (r1 - r0) * cols), cols, means) : raw;
      for (let r = r0; r < r1; r++) {
        const i = slot[r]!;
        if (i < 0) continue;
        const top = topContributors(values.subarray((r - r0) * cols, (r - r0 + 1) * cols), score.columns, k);
        top.forEach((c, j) => {
          topCol[i * k + j] = c.index;
          topShare[i * k + j] = c.share;
        });
      }
    }
  }

  return {
    scoreId: score.scoreId,
    modelId: model.id,
    datasetId: ds.id,
    rows: n,
    total: score.rows,
    threshold,
    progress,
    records(from, to) {
      const rows = Array.from(positions.subarray(from, to), (p) => order[p]!);
      const ids = rowIds(store, ds, rows);
      return rows.map((row, w) => {
        const i = from + w;
        const features: (string | null)[] = [];
        const shares: (number | null)[] = [];
        for (let j = 0; j < TOP_COLUMNS; j++) {
          const c = j < k ? topCol[i * k + j]! : -1;
          features.push(c >= 0 ? score.columns[c]! : null);
          shares.push(c >= 0 ? topShare[i * k + j]! : null);
        }
        const l = labels?.[row];
        const v = verdicts.get(row);
        return {
          rank: positions[i]! + 1,
          id: ids[w]!,
          score: errors[row]!,
          flagged: errors[row]! >= threshold,
          features,
          shares,
          label: l === 1 ? 'anomaly' : l === 0 ? 'normal' : null,
          verdict: v?.verdict ?? null,
          note: v?.note ? v.note : null,
        };
      });
    },
  };
}

/** A record as the CSV's fields, in RANKING_CSV_COLUMNS order. */
export function recordFields(r: RankingRecord): CsvValue[] {
  const fields: CsvValue[] = [r.rank, r.id, r.score, r.flagged];
  for (let j = 0; j < TOP_COLUMNS; j++) fields.push(r.features[j] ?? null, r.shares[j] ?? null);
  fields.push(r.label, r.verdict, r.note);
  return fields;
}

/**
 * Streams the ranked rows of a score as CSV (RANKING_CSV_COLUMNS) to `write`, a window at a time (see
 * prepareRankingRows), so a million rows never sit in memory as text.
 */
export async function writeRankingCsv(
  store: ProjectStore,
  opts: RankingCsvOptions,
  write: (text: string) => void | Promise<void>,
  hooks: RankingCsvHooks = {},
): Promise<Omit<RankingCsvResult, 'out'>> {
  const started = performance.now();
  const ranked = prepareRankingRows(store, opts, hooks);
  const n = ranked.rows;
  await write(RANKING_CSV_HEADER);
  let bytes = Buffer.byteLength(RANKING_CSV_HEADER);
  const hash = crypto.createHash('sha256').update(RANKING_CSV_HEADER);
  let flagged = 0;
  for (let w = 0; w < n; w += WINDOW) {
    ranked.progress(w, `${w.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} rows`);
    let text = '';
    for (const r of ranked.records(w, Math.min(n, w + WINDOW))) {
      if (r.flagged) flagged++;
      text += csvLine(recordFields(r));
    }
    await write(text);
    bytes += Buffer.byteLength(text);
    hash.update(text);
    // Between windows: a cancel or a progress event gets through.
    await new Promise((r) => setImmediate(r));
  }
  hooks.onProgress?.({ rowsDone: n, rows: n, fraction: 1, message: `${n.toLocaleString('en-US')} rows` });
  return {
    format: 'csv',
    scoreId: ranked.scoreId,
    modelId: ranked.modelId,
    datasetId: ranked.datasetId,
    rows: n,
    total: ranked.total,
    flagged,
    threshold: ranked.threshold,
    bytes,
    sha256: hash.digest('hex'),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Writes the ranking CSV to `out` whole or not at all: streamed into a temporary file beside it, renamed over `out`
 * when complete; a failure or a cancel leaves no half file. The folder must exist.
 */
/**
 * Where an export goes: the absolute path of `out`, checked before anything is written (a folder that exists, not a
 * folder itself, not a file Residual did not write); and the temporary file beside it that becomes `out` when done.
 */
export function exportTarget(outArg: string, kind: 'csv' | 'parquet'): { out: string; tmp: string } {
  const noun = kind === 'csv' ? 'the CSV' : 'the Parquet file';
  if (typeof outArg !== 'string' || outArg.trim() === '') throw new ResidualError('BAD_INPUT', `Say where to write ${noun} (a .${kind} file).`, { field: 'out' });
  const out = path.resolve(outArg);
  const dir = path.dirname(out);
  if (!fs.existsSync(dir)) throw new ResidualError('NOT_FOUND', `The folder ${dir} does not exist. Create it first, or write ${noun} somewhere else.`, { file: out, field: 'out' });
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new ResidualError('BAD_INPUT', `${out} is a folder; give a file name for ${noun}, e.g. ${path.join(out, `ranked.${kind}`)}.`, { file: out, field: 'out' });
  checkOverwrite(out, kind);
  return { out, tmp: path.join(dir, `.${path.basename(out)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`) };
}

export async function exportRankingCsv(store: ProjectStore, opts: RankingCsvOptions & { readonly out: string }, hooks: RankingCsvHooks = {}): Promise<RankingCsvResult> {
  const { out, tmp } = exportTarget(opts.out, 'csv');
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    const handle = fd;
    const result = await writeRankingCsv(store, opts, (text) => void fs.writeSync(handle, text), hooks);
    fs.closeSync(fd);
    fd = null;
    if (hooks.signal?.aborted) throw cancelled('The export');
    fs.renameSync(tmp, out);
    return { ...result, out };
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    if (e instanceof ResidualError) throw e;
    throw plainError(e) ?? new ResidualError('BAD_FILE', `Cannot write the CSV to ${out}: ${(e as Error).message}`, { file: out });
  }
}
