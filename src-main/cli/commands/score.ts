import { initBackend, scoreDataset } from '../../core/engine';
import { effectiveThreshold } from '../../core/review';
import type { Command } from '../command';
import { requireString } from '../command';
import { formatNumber, printJson, progressReporter } from '../output';
import { withProject } from '../project';
import { resolveDatasetArg, resolveModelArg } from '../resolve';

export const scoreCommand: Command = {
  name: 'score',
  usage: 'residual score --project P [--model ID] [--dataset N] [--json]',
  options: { project: { type: 'string' }, model: { type: 'string' }, dataset: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io, signal }) {
    const project = requireString(values, 'project', this);
    const backend = await initBackend();
    io.err(`Backend: ${backend.name}\n`);
    const progress = progressReporter(io, 'Scoring');
    return withProject(project, {}, async (store) => {
      const model = resolveModelArg(store, values);
      if (values['model'] === undefined) io.err(`No --model given: using model #${model.id} "${model.name}" (${model.kind}), the newest that finished.\n`);
      const dataset = resolveDatasetArg(store, values, model);
      const result = await scoreDataset(store, { modelId: model.id, dataset: dataset.id }, {
        signal,
        onProgress: (p) => progress.update(p.rowsDone / p.rows, `${p.rowsDone.toLocaleString('en-US')}/${p.rows.toLocaleString('en-US')} rows`, p.etaSeconds),
      });
      progress.done();
      const { result: threshold, stored } = effectiveThreshold(store, result.scoreId);
      if (values['json']) {
        printJson(io, {
          rows: result.rows,
          seconds: result.seconds,
          rowsPerSecond: result.rowsPerSecond,
          scoreId: result.scoreId,
          modelId: result.modelId,
          modelChosen: values['model'] === undefined ? 'newest finished model' : 'from --model',
          datasetId: result.datasetId,
          threshold: { method: threshold.method, value: threshold.value, alerts: threshold.alerts, stored: stored !== null },
        });
        return 0;
      }
      io.out(
        `Scored ${result.rows.toLocaleString('en-US')} rows of "${dataset.name}" with model #${model.id} in ${result.seconds.toFixed(2)} s ` +
          `(${Math.round(result.rowsPerSecond).toLocaleString('en-US')} rows/s).\n` +
          `${threshold.alerts.toLocaleString('en-US')} rows at or above the ${stored ? 'stored' : 'default (mean + 2σ)'} threshold ${formatNumber(threshold.value)}: ${threshold.why}\n` +
          `Next: residual top --project ${project} --model ${model.id}\n`,
      );
      return 0;
    });
  },
};
