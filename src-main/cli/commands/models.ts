import { isClassical } from '../../core/engine/classical';
import { getModel, latestScore, listModels } from '../../core/engine/repo';
import { isResidualError } from '../../core/errors';
import { evaluateScore, type ScoreEvaluation } from '../../core/review';
import type { ProjectStore } from '../../core/store';
import type { Command } from '../command';
import { requireString } from '../command';
import { formatNumber, formatTable, printJson } from '../output';
import { withProject } from '../project';

function evaluationOrNull(store: ProjectStore, scoreId: number): ScoreEvaluation | null {
  try {
    return evaluateScore(store, scoreId);
  } catch (e) {
    // No labels and no verdicts: nothing to measure against, which the table says.
    if (isResidualError(e) && e.code === 'BAD_INPUT') return null;
    throw e;
  }
}

export const modelsCommand: Command = {
  name: 'models',
  usage: 'residual models --project P [--json]',
  options: { project: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const project = requireString(values, 'project', this);
    return withProject(project, {}, (store) => {
      const names = new Map(store.listDatasets().map((d) => [d.id, d.name]));
      const models = listModels(store).map((summary) => {
        const m = getModel(store, summary.id);
        const score = m.datasetId === null ? undefined : latestScore(store, m.id, m.datasetId);
        // Quality only where the training dataset was scored and has labelled anomalies and normal rows.
        const ev = score ? evaluationOrNull(store, score.scoreId) : null;
        const quality = ev && ev.positives > 0 && ev.negatives > 0 ? { rocAuc: ev.rocAuc, averagePrecision: ev.averagePrecision, positives: ev.positives, negatives: ev.negatives } : null;
        const s = m.settings;
        return {
          id: m.id,
          name: m.name,
          dataset: m.datasetId === null ? null : (names.get(m.datasetId) ?? null),
          kind: m.kind,
          status: m.status,
          backend: m.backend,
          path: m.path,
          architecture: m.architecture.summary,
          parameterCount: m.architecture.parameterCount,
          // A classical detector (iforest, ecod) has no network or training settings: only what it used.
          settings: isClassical(m.kind) ? { scaler: s.scaler, seed: s.seed } : { layers: s.layers, activation: s.activation, epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, scaler: s.scaler, split: s.split, seed: s.seed },
          epochsRun: m.epochs,
          bestEpoch: m.bestEpoch,
          bestValLoss: m.bestValLoss,
          scored: score !== undefined,
          quality,
          createdAt: m.createdAt,
        };
      });
      if (values['json']) {
        printJson(io, { project: store.path, models });
        return 0;
      }
      if (models.length === 0) {
        io.out(`Project ${store.path} has no models yet. Train one: residual train --project ${project}\n`);
        return 0;
      }
      io.out(formatTable(
        ['id', 'name', 'dataset', 'kind', 'status', 'backend', 'network', 'epochs', 'batch', 'lr', 'scaler', 'ROC AUC', 'AP'],
        models.map((m) => [
          m.id, m.name, m.dataset ?? '(deleted)', m.kind, m.status, `${m.backend}${m.path ? ` / ${m.path}` : ''}`, m.architecture,
          ...(isClassical(m.kind) ? ['–', '–', '–'] : [`${m.epochsRun}/${String(m.settings.epochs)}`, m.settings.batchSize ?? '', formatNumber(m.settings.learningRate ?? NaN)]), m.settings.scaler,
          m.quality ? formatNumber(m.quality.rocAuc) : m.scored ? 'no labels' : 'not scored',
          m.quality ? formatNumber(m.quality.averagePrecision) : '',
        ]),
      ));
      return 0;
    });
  },
};
