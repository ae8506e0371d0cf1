import { getModel, latestScore, listModels } from '../core/engine/repo';
import type { ModelInfo, ScoreInfo } from '../core/engine/types';
import { ResidualError } from '../core/errors';
import type { DatasetInfo, ProjectStore } from '../core/store';
import type { ParsedValues } from './command';
import { optionalNumber, optionalString } from './command';

/** --model ID, or the newest model that finished (complete or cancelled). */
export function resolveModelArg(store: ProjectStore, values: ParsedValues): ModelInfo {
  const id = optionalNumber(values, 'model', { integer: true, min: 1 });
  if (id !== undefined) return getModel(store, id);
  const usable = listModels(store).filter((m) => m.status !== 'failed');
  const newest = usable[usable.length - 1];
  if (!newest) throw new ResidualError('NOT_FOUND', `Project ${store.path} has no trained model yet. Train one: residual train --project ${store.path}`, { field: 'model' });
  return getModel(store, newest.id);
}

/** --dataset N, or the model's training dataset (or the newest dataset when the model outlived its own). */
export function resolveDatasetArg(store: ProjectStore, values: ParsedValues, model?: ModelInfo): DatasetInfo {
  const ref = optionalString(values, 'dataset');
  if (ref !== undefined) return store.getDataset(ref);
  if (model?.datasetId != null) {
    try {
      return store.getDataset(model.datasetId);
    } catch {
      // the training dataset was deleted: fall through to the newest one
    }
  }
  return store.getDataset();
}

/** The model's current score of the dataset; NOT_FOUND with the command to run when it was never scored. */
export function resolveScoreArg(store: ProjectStore, values: ParsedValues): { model: ModelInfo; dataset: DatasetInfo; score: ScoreInfo } {
  const model = resolveModelArg(store, values);
  const dataset = resolveDatasetArg(store, values, model);
  const score = latestScore(store, model.id, dataset.id);
  if (!score) {
    throw new ResidualError(
      'NOT_FOUND',
      `Model #${model.id} has not scored dataset "${dataset.name}" yet. Run: residual score --project ${store.path} --model ${model.id} --dataset ${JSON.stringify(dataset.name)}`,
      { field: 'score' },
    );
  }
  return { model, dataset, score };
}
