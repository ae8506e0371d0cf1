import type { JobKind, JobResult } from '../../contract';
import type { ImportOptions } from '../data';
import type { TrainSettings } from '../engine';
import type { RankingCsvOptions, RankingFormat } from '../export';
import type { ExportOptions } from '../report';
import { ProjectStore } from '../store';
import type { JobProgressUpdate } from './jobs';

/**
 * A job as plain data: what to run on which project file. Tasks cross from the engine's query thread to its job
 * thread by structured clone, so they hold no functions and no open handles; each runs on its own connection to
 * the project file.
 */
export type JobTask =
  | { readonly kind: 'import'; readonly project: string; readonly file: string; readonly options: ImportOptions; readonly sourceName?: string }
  | { readonly kind: 'train'; readonly project: string; readonly dataset: number; readonly settings: Partial<TrainSettings>; readonly name?: string }
  | { readonly kind: 'score'; readonly project: string; readonly modelId: number; readonly dataset: number }
  | { readonly kind: 'report'; readonly project: string; readonly options: ExportOptions }
  | { readonly kind: 'export'; readonly project: string; readonly options: RankingCsvOptions & { readonly out: string; readonly format: RankingFormat } };

export type TaskResult<K extends JobKind> = Extract<JobResult, { kind: K }>['result'];

/**
 * Runs one task to its result; progress in the contract's shape. Used by the job thread and by inline runners.
 * Each kind loads its modules when first needed: an import never waits for TensorFlow.js, PDFKit or ECharts.
 */
export async function runTask(task: JobTask, signal: AbortSignal, progress: (p: JobProgressUpdate) => void): Promise<TaskResult<JobKind>> {
  const engine = task.kind === 'train' || task.kind === 'score' ? await import('../engine') : null;
  if (engine) await engine.initBackend();
  const { importDataset } = task.kind === 'import' ? await import('../data') : { importDataset: null };
  const { exportReport } = task.kind === 'report' ? await import('../report') : { exportReport: null };
  const exporting = task.kind === 'export' ? await import('../export') : null;
  const store = ProjectStore.open(task.project);
  try {
    switch (task.kind) {
      case 'import':
        return await importDataset!(store, task.file, task.options, {
          signal,
          ...(task.sourceName ? { sourceName: task.sourceName } : {}),
          onProgress: (p) =>
            progress({ fraction: p.fraction, etaSeconds: p.etaSeconds, message: `${p.phase}: ${p.rows.toLocaleString('en-US')} rows`, detail: { kind: 'import', progress: p } }),
        });
      case 'train':
        return await engine!.trainModel(store, { dataset: task.dataset, settings: task.settings, ...(task.name ? { name: task.name } : {}) }, {
          signal,
          onProgress: (p) =>
            progress({ fraction: p.epoch / p.epochs, etaSeconds: p.etaSeconds, message: `epoch ${p.epoch}/${p.epochs}`, detail: { kind: 'train', progress: p } }),
        });
      case 'score':
        return await engine!.scoreDataset(store, { modelId: task.modelId, dataset: task.dataset }, {
          signal,
          onProgress: (p) =>
            progress({
              fraction: p.rowsDone / Math.max(1, p.rows),
              etaSeconds: p.etaSeconds,
              message: `${p.rowsDone.toLocaleString('en-US')} rows`,
              detail: { kind: 'score', progress: p },
            }),
        });
      case 'report':
        return await exportReport!(store, task.options, {
          signal,
          onProgress: (p) => progress({ fraction: p.fraction, etaSeconds: null, message: p.message, detail: { kind: 'report', progress: p } }),
        });
      case 'export':
        return await (task.options.format === 'parquet' ? exporting!.exportRankingParquet : exporting!.exportRankingCsv)(store, task.options, {
          signal,
          onProgress: (p) => progress({ fraction: p.fraction, etaSeconds: null, message: p.message, detail: { kind: 'export', progress: p } }),
        });
    }
  } finally {
    store.close();
  }
}
