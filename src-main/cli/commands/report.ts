import path from 'node:path';
import type { Command } from '../command';
import { oneOf, optionalNumber, optionalString, requireString } from '../command';
import { formatBytes } from '../../core/report/format';
import { MAX_TOP, PAPERS } from '../../contract';
import { formatDuration, printJson, progressReporter } from '../output';
import { datasetOf, modelOf } from '../resolve';
import { withWorkbench } from '../workbench';

export const reportCommand: Command = {
  name: 'report',
  usage: `residual report --project <p.residual> --out <file.pdf> [--model ID] [--dataset NAME|ID] [--top 50 (1-${MAX_TOP})] [--paper a4|letter] [--json]`,
  options: {
    project: { type: 'string' },
    out: { type: 'string' },
    model: { type: 'string' },
    dataset: { type: 'string' },
    top: { type: 'string' },
    paper: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, io, signal }) {
    const project = requireString(values, 'project', this);
    const out = requireString(values, 'out', this);
    const modelId = optionalNumber(values, 'model', { integer: true, min: 1 });
    const top = optionalNumber(values, 'top', { integer: true, min: 1, max: MAX_TOP });
    const paper = oneOf(values, 'paper', PAPERS);
    const progress = progressReporter(io, 'Report');
    const result = await withWorkbench(project, {}, (wb) => {
      // Default: the model of the newest score (what was looked at last), else the newest model.
      const model = modelId !== undefined ? modelOf(wb.overview, values) : (wb.overview.models.find((m) => m.id === wb.overview.scores.at(-1)?.modelId) ?? modelOf(wb.overview, values));
      const dataset = optionalString(values, 'dataset') !== undefined ? datasetOf(wb.overview, values, model) : undefined;
      return wb.job(
        'report.export',
        { modelId: model.id, ...(dataset ? { datasetId: dataset.id } : {}), ...(top !== undefined ? { top } : {}), ...(paper ? { paper } : {}), out: path.resolve(out) },
        (p) => progress.update(p.fraction, p.message, null),
        signal,
      );
    });
    progress.done();
    if (values['json']) {
      printJson(io, { out: result.out, pages: result.pages, bytes: result.bytes, sha256: result.sha256, seconds: result.seconds });
      return 0;
    }
    io.out(`Wrote ${result.out}: ${result.pages} pages, ${formatBytes(result.bytes)}, sha256 ${result.sha256} (${formatDuration(result.seconds)}).\n`);
    return 0;
  },
};
