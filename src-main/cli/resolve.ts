import type { DatasetInfo, ModelSummary, ProjectOverview, ScoreInfo } from '../contract';
import { ResidualError } from '../core/errors';
import type { ParsedValues } from './command';
import { optionalNumber, optionalString } from './command';

/** What a command's --model, --dataset flags name, chosen over the Workbench's project overview (the CLI is its client). */

/** --model ID, or the newest model that finished (complete or cancelled); what is in the trash counts as deleted. */
export function modelOf(ov: ProjectOverview, values: ParsedValues): ModelSummary {
  const id = optionalNumber(values, 'model', { integer: true, min: 1 });
  const usable = ov.models.filter((m) => m.status !== 'failed');
  if (id !== undefined) {
    const m = ov.models.find((x) => x.id === id);
    if (!m) throw new ResidualError('NOT_FOUND', `No model #${id} in this project. Models: ${ov.models.length ? ov.models.map((x) => x.id).join(', ') : '(none; train one first)'}.`, { field: 'model' });
    return m;
  }
  const newest = usable[usable.length - 1];
  if (!newest) throw new ResidualError('NOT_FOUND', `Project ${ov.path} has no trained model yet. Train one: residual train --project ${ov.path}`, { field: 'model' });
  return newest;
}

/** --dataset NAME|ID, or the model's training dataset (or the newest dataset when the model outlived its own). */
export function datasetOf(ov: ProjectOverview, values: ParsedValues, model?: ModelSummary): DatasetInfo {
  const ref = optionalString(values, 'dataset');
  if (ref !== undefined) {
    const d = ov.datasets.find((x) => x.name === ref) ?? (/^\d+$/.test(ref) ? ov.datasets.find((x) => x.id === Number(ref)) : undefined);
    if (!d) throw new ResidualError('NOT_FOUND', `No dataset "${ref}" in ${ov.path}. Datasets: ${ov.datasets.length ? ov.datasets.map((x) => x.name).join(', ') : '(none)'}.`, { field: 'dataset' });
    return d;
  }
  const own = model?.datasetId != null ? ov.datasets.find((x) => x.id === model.datasetId) : undefined;
  if (own) return own;
  const newest = ov.datasets[ov.datasets.length - 1];
  if (!newest) throw new ResidualError('NOT_FOUND', `Project ${ov.path} has no dataset yet. Import one first (residual import <file> --project ${ov.path}).`);
  return newest;
}

/** The model's current score of the dataset; NOT_FOUND with the command to run when it was never scored. */
export function scoreOf(ov: ProjectOverview, values: ParsedValues): { model: ModelSummary; dataset: DatasetInfo; score: ScoreInfo } {
  const model = modelOf(ov, values);
  const dataset = datasetOf(ov, values, model);
  const score = ov.scores.filter((s) => s.modelId === model.id && s.datasetId === dataset.id).at(-1);
  if (!score) {
    throw new ResidualError(
      'NOT_FOUND',
      `Model #${model.id} has not scored dataset "${dataset.name}" yet. Run: residual score --project ${ov.path} --model ${model.id} --dataset ${JSON.stringify(dataset.name)}`,
      { field: 'score' },
    );
  }
  return { model, dataset, score };
}
