import { reactive } from 'vue';
import type { JobRef } from '../../../../src-main/contract';
import type { TrainProgress, TrainResult } from '../../../../src-main/contract';
import { api } from '../../api/client';
import { refreshStatus, selectModel } from '../../state';

export interface CurvePoint {
  readonly epoch: number;
  readonly trainLoss: number | null;
  readonly valLoss: number | null;
}

/** A training job as the Training section follows it: its curve builds up from job.progress events. */
export interface LiveRun {
  readonly jobId: string;
  readonly title: string;
  datasetId: number | null;
  points: CurvePoint[];
  last: TrainProgress | null;
  state: 'running' | 'finished' | 'failed';
  result: TrainResult | null;
  error: string | null;
  stopping: boolean;
  dismissed: boolean;
}

/**
 * Every training job of this window, newest last. Subscribed once, when the module loads (the shell imports the
 * sections at start), so no epoch is missed while another section is showing.
 */
export const live = reactive({ runs: [] as LiveRun[] });

function runFor(ref: JobRef, datasetId: number | null = null): LiveRun {
  let run = live.runs.find((r) => r.jobId === ref.jobId);
  if (!run) {
    live.runs.push({ jobId: ref.jobId, title: ref.title, datasetId, points: [], last: null, state: 'running', result: null, error: null, stopping: false, dismissed: false });
    run = live.runs.at(-1)!;
  }
  return run;
}

/** Called by the wizard with the reply to model.train (events may have arrived first: they are kept). */
export function trackTraining(ref: JobRef, datasetId: number): LiveRun {
  const run = runFor(ref, datasetId);
  run.datasetId = datasetId;
  for (const r of live.runs) if (r !== run) r.dismissed = true;
  return run;
}

export async function stopTraining(run: LiveRun): Promise<void> {
  run.stopping = true;
  try {
    await api.invoke('job.cancel', { jobId: run.jobId });
  } catch {
    // Already finished: its job.finished event tells the outcome.
  }
}

api.on('job.progress', (p) => {
  if (p.detail.kind !== 'train') return;
  const run = runFor(p);
  const g = p.detail.progress;
  if (run.last === null) {
    // The engine chose its backend when this job started: the header and the stats show it.
    void refreshStatus().catch(() => undefined);
  }
  run.last = g;
  // Pre-training epochs (a one-class kind's autoencoder) are another loss: the curve is the objective's.
  if (g.phase) return;
  // Progress is throttled, so epochs can be skipped; the full history replaces these points at the end.
  if (!run.points.length || run.points.at(-1)!.epoch < g.epoch) run.points.push({ epoch: g.epoch, trainLoss: g.trainLoss, valLoss: g.valLoss });
});

api.on('job.finished', (p) => {
  if (p.kind !== 'train') return;
  const run = runFor(p);
  run.state = 'finished';
  run.result = p.result;
  selectModel(p.result.modelId);
  void refreshStatus().catch(() => undefined);
});

api.on('job.failed', (p) => {
  if (p.kind !== 'train') return;
  const run = runFor(p);
  run.state = 'failed';
  run.error = p.error.message;
});
