import type { TrainSettings } from '../../core/engine';
import { isClassical } from '../../core/engine/classical';
import type { Command } from '../command';
import { requireString } from '../command';
import { formatNumber, formatTable, printJson } from '../output';
import { withWorkbench } from '../workbench';

/** The settings only one kind has, where it is one of those (an AAE's prior in the score, a WAE's λ). */
function kindSettings(kind: string, s: TrainSettings): Partial<TrainSettings> {
  if (kind === 'aae') return { scoreWithPrior: s.scoreWithPrior };
  if (kind === 'wae') return { mmdLambda: s.mmdLambda };
  if (kind === 'conv') return { filters: s.filters };
  // Deep SVDD / OC-NN: the objective's own settings.
  if (kind === 'deepsvdd') return { objective: s.objective, nu: s.nu, weightDecay: s.weightDecay, pretrainEpochs: s.pretrainEpochs };
  if (kind === 'ocnn') return { nu: s.nu, pretrainEpochs: s.pretrainEpochs };
  return {};
}

export const modelsCommand: Command = {
  name: 'models',
  usage: 'residual models --project P [--json]',
  options: { project: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const project = requireString(values, 'project', this);
    return withWorkbench(project, {}, async (wb) => {
      const { overview } = wb;
      const names = new Map(overview.datasets.map((d) => [d.id, d.name]));
      const models = [];
      for (const summary of overview.models) {
        const { model: m } = await wb.invoke('model.get', { modelId: summary.id });
        const score = m.datasetId === null ? undefined : overview.scores.filter((s) => s.modelId === m.id && s.datasetId === m.datasetId).at(-1);
        // Quality only where the training dataset was scored and has labelled anomalies and normal rows (null: nothing labelled).
        const ev = score ? await wb.invoke('score.evaluate', { scoreId: score.scoreId }) : null;
        const quality = ev && ev.positives > 0 && ev.negatives > 0 ? { rocAuc: ev.rocAuc, averagePrecision: ev.averagePrecision, positives: ev.positives, negatives: ev.negatives } : null;
        const s = m.settings;
        models.push({
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
          settings: (isClassical(m.kind) ? { scaler: s.scaler, seed: s.seed, sampleRows: s.sampleRows } : { layers: s.layers, activation: s.activation, epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, scaler: s.scaler, split: s.split, sampleRows: s.sampleRows, seed: s.seed, ...kindSettings(m.kind, s) }) as Partial<TrainSettings>,
          epochsRun: m.epochs,
          bestEpoch: m.bestEpoch,
          bestValLoss: m.bestValLoss,
          scored: score !== undefined,
          quality,
          createdAt: m.createdAt,
        });
      }
      if (values['json']) {
        printJson(io, { project: overview.path, models });
        return 0;
      }
      if (models.length === 0) {
        io.out(`Project ${overview.path} has no models yet. Train one: residual train --project ${project}\n`);
        return 0;
      }
      io.out(formatTable(
        ['id', 'name', 'dataset', 'kind', 'status', 'backend', 'network', 'epochs', 'batch', 'lr', 'scaler', 'ROC AUC', 'AP'],
        models.map((m) => [
          m.id, m.name, m.dataset ?? '(deleted)', m.kind, m.status, `${m.backend}${m.path ? ` / ${m.path}` : ''}`, m.architecture,
          ...(isClassical(m.kind) ? ['–', '–', '–'] : [`${m.epochsRun}/${String(m.settings.epochs)}`, m.settings.batchSize ?? '', formatNumber(m.settings.learningRate ?? NaN)]), m.settings.scaler ?? '',
          m.quality ? formatNumber(m.quality.rocAuc) : m.scored ? 'no labels' : 'not scored',
          m.quality ? formatNumber(m.quality.averagePrecision) : '',
        ]),
      ));
      return 0;
    });
  },
};
