/**
 * The contract's latency under load (issue #18): browser mode's real stack (bridge → host → engine process) while a
 * long training runs, with 4 clients calling at once as fast as their answers come back — each cycling through cheap
 * calls (status, overview, a verdict) and heavy reads (a ranking window, rows of data, a cost-threshold preview, the
 * heatmap). Cheap calls must not wait behind heavy ones: their p95 is the figure (target ≤ 50 ms).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AppStatus, JobRef, ProjectOverview } from '../src-main/contract';
import type { ImportResult } from '../src-main/core/data';
import type { ScoreResult, TrainResult } from '../src-main/core/engine';
import { EventStream } from './e2e';
import { ensureBenchCsv } from './import';
import { benchBrowserMode } from './util';

export const CLIENTS = 4;
export const CHEAP_P95_TARGET_MS = 50;
const DURATION_MS = 10_000;
const CHEAP = new Set(['app.status', 'project.overview', 'row.verdict']);

export interface LatencyRow {
  readonly method: string;
  readonly cheap: boolean;
  readonly calls: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface ConcurrencyReport {
  readonly rows: number;
  readonly cols: number;
  readonly seconds: number;
  readonly trainingStillRunning: boolean;
  readonly byMethod: readonly LatencyRow[];
  readonly cheap: LatencyRow;
  readonly heavy: LatencyRow;
}

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summarise(method: string, cheap: boolean, ms: readonly number[]): LatencyRow {
  const s = [...ms].sort((a, b) => a - b);
  return { method, cheap, calls: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1] ?? 0 };
}

export async function benchConcurrency(opts: { dir: string; rows: number; cols: number }): Promise<ConcurrencyReport> {
  const csv = ensureBenchCsv(opts.dir, opts.rows, opts.cols);
  const project = path.join(opts.dir, `concurrency-${process.pid}.residual`);
  const mode = await benchBrowserMode({ dataDirs: [path.dirname(csv)], projectDirs: [opts.dir] });
  const events = new EventStream();
  try {
    const post = async <T>(method: string, body: unknown): Promise<T> => (await mode.post<T>(method, body)).result;
    const runJob = async <T>(method: string, body: unknown): Promise<T> => events.job<T>(await post<JobRef>(method, body));
    await events.open(`http://127.0.0.1:${mode.port}/api/events?token=${encodeURIComponent(mode.token)}`);
    await post<ProjectOverview>('project.open', { path: project, create: true });
    const ds = (await runJob<ImportResult>('data.import', { file: csv })).dataset;
    const model = await runJob<TrainResult>('model.train', { datasetId: ds.id, settings: { layers: [16, 8], epochs: 1 } });
    const { scoreId } = await runJob<ScoreResult>('score.run', { modelId: model.modelId, datasetId: ds.id });

    // The load: a training run far longer than the measurement, cancelled at the end.
    const long = await post<JobRef>('model.train', { datasetId: ds.id, settings: { layers: [16, 8], epochs: 100_000, patience: 0 }, name: 'bench: long run' });
    const calls: [string, () => unknown][] = [
      ['app.status', () => ({})],
      ['score.rank', () => ({ scoreId, offset: Math.floor(Math.random() * Math.max(1, ds.rowCount - 100)), limit: 100 })],
      ['project.overview', () => ({})],
      ['data.rows', () => ({ datasetId: ds.id, rows: Array.from({ length: 50 }, () => Math.floor(Math.random() * ds.rowCount)) })],
      ['app.status', () => ({})],
      ['score.thresholdPreview', () => ({ scoreId, spec: { method: 'percentile', p: 99 } })],
      ['row.verdict', () => ({ datasetId: ds.id, row: Math.floor(Math.random() * ds.rowCount), verdict: 'unsure', note: 'bench' })],
      ['score.heatmap', () => ({ scoreId, order: 'rank', start: 0, end: Math.min(ds.rowCount, 50_000), bands: 200 })],
    ];
    const ms = new Map<string, number[]>();
    const t0 = performance.now();
    const client = async (offset: number): Promise<void> => {
      for (let i = offset; performance.now() - t0 < DURATION_MS; i++) {
        const [method, body] = calls[i % calls.length]!;
        const s = performance.now();
        await post(method, body());
        const list = ms.get(method) ?? [];
        list.push(performance.now() - s);
        ms.set(method, list);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c * 2)));
    const seconds = (performance.now() - t0) / 1000;
    const status = await post<AppStatus>('app.status', {});
    const trainingStillRunning = status.jobs.some((j) => j.jobId === long.jobId && j.state === 'running');
    await post('job.cancel', { jobId: long.jobId });
    await events.job(long).catch(() => undefined);
    const byMethod = [...ms].map(([method, xs]) => summarise(method, CHEAP.has(method), xs)).sort((a, b) => Number(b.cheap) - Number(a.cheap) || a.method.localeCompare(b.method));
    const all = (cheap: boolean): number[] => [...ms].filter(([m]) => CHEAP.has(m) === cheap).flatMap(([, xs]) => xs);
    return {
      rows: ds.rowCount,
      cols: ds.columns.length,
      seconds,
      trainingStillRunning,
      byMethod,
      cheap: summarise('all cheap calls', true, all(true)),
      heavy: summarise('all heavy reads', false, all(false)),
    };
  } finally {
    await events.close();
    await mode.close();
    for (const f of [project, `${project}-wal`, `${project}-shm`]) fs.rmSync(f, { force: true });
  }
}
