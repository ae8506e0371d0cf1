import { ResidualError } from '../../core/errors';
import { VERDICTS } from '../../contract';
import type { Command } from '../command';
import { oneOf, optionalString, requireString } from '../command';
import { printJson } from '../output';
import { datasetOf } from '../resolve';
import { withWorkbench } from '../workbench';

export const verdictCommand: Command = {
  name: 'verdict',
  usage: 'residual verdict --project P [--dataset N] --row ID --is anomaly|normal|unsure [--note TEXT] [--json]   (ID: the id column\'s value, or #N for the N-th row)',
  options: { project: { type: 'string' }, dataset: { type: 'string' }, row: { type: 'string' }, is: { type: 'string' }, note: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const project = requireString(values, 'project', this);
    const rowRef = requireString(values, 'row', this);
    const verdict = oneOf(values, 'is', VERDICTS);
    if (!verdict) throw new ResidualError('BAD_INPUT', `--is is required: one of ${VERDICTS.join(', ')}.`, { field: 'is' });
    return withWorkbench(project, {}, async (wb) => {
      const ref = optionalString(values, 'dataset');
      const dataset = ref === undefined ? wb.overview.datasets.at(-1) : datasetOf(wb.overview, values);
      if (!dataset) throw new ResidualError('NOT_FOUND', `Project ${wb.path} has no dataset yet. Import one first (residual import <file> --project ${wb.path}).`);
      const { row } = await wb.invoke('data.findRow', { datasetId: dataset.id, ref: rowRef });
      const note = optionalString(values, 'note');
      const change = await wb.invoke('row.verdict', { datasetId: dataset.id, row, verdict, ...(note !== undefined ? { note } : {}) });
      const saved = change.saved;
      if (values['json']) printJson(io, { dataset: dataset.name, ...saved });
      else io.out(`Row ${rowRef} of "${dataset.name}" marked ${verdict}${saved?.note ? ` (note: ${saved.note})` : ''}.\n`);
      return 0;
    });
  },
};
