import type { Command } from '../command';
import { requireString } from '../command';
import { formatNumber, printJson, progressReporter } from '../output';
import { datasetOf, modelOf } from '../resolve';
import { withWorkbench } from '../workbench';

export const scoreCommand: Command = {
  name: 'score',
  usage: 'residual score --project P [--model ID] [--dataset N] [--json]',
  options: { project: { type: 'string' }, model: { type: 'string' }, dataset: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io, signal }) {
    const project = requireString(values, 'project', this);
    const progress = progressReporter(io, 'Scoring');
    return withWorkbench(project, {}, async (wb) => {
      wb.on('engine.backend', (backend) => io.err(`Backend: ${backend.name}\n`));
      const model = modelOf(wb.overview, values);
      if (values['model'] === undefined) io.err(`No --model given: using model #${model.id} "${model.name}" (${model.kind}), the newest that finished.\n`);
      const dataset = datasetOf(wb.overview, values, model);
      const result = await wb.job(
        'score.run',
        { modelId: model.id, datasetId: dataset.id },
        (p) => {
          if (p.detail.kind === 'score') {
            const s = p.detail.progress;
            progress.update(s.rowsDone / s.rows, `${s.rowsDone.toLocaleString('en-US')}/${s.rows.toLocaleString('en-US')} rows`, s.etaSeconds);
          }
        },
        signal,
      );
      progress.done();
      const { threshold, saved: stored } = await wb.invoke('score.distribution', { scoreId: result.scoreId, bins: 5 });
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
