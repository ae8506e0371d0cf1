import { ResidualError } from '../../core/errors';
import { resolveRow, setVerdict, VERDICTS } from '../../core/review';
import type { Command } from '../command';
import { oneOf, optionalString, requireString } from '../command';
import { printJson } from '../output';
import { withProject } from '../project';

export const verdictCommand: Command = {
  name: 'verdict',
  usage: 'residual verdict --project P [--dataset N] --row ID --is anomaly|normal|unsure [--note TEXT] [--json]   (ID: the id column\'s value, or #N for the N-th row)',
  options: { project: { type: 'string' }, dataset: { type: 'string' }, row: { type: 'string' }, is: { type: 'string' }, note: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const project = requireString(values, 'project', this);
    const rowRef = requireString(values, 'row', this);
    const verdict = oneOf(values, 'is', VERDICTS);
    if (!verdict) throw new ResidualError('BAD_INPUT', `--is is required: one of ${VERDICTS.join(', ')}.`, { field: 'is' });
    return withProject(project, {}, async (store) => {
      const dataset = store.getDataset(optionalString(values, 'dataset'));
      const row = resolveRow(store, dataset, rowRef);
      const saved = await store.write(() => setVerdict(store, dataset, row, verdict, optionalString(values, 'note')));
      if (values['json']) printJson(io, { dataset: dataset.name, ...saved });
      else io.out(`Row ${rowRef} of "${dataset.name}" marked ${verdict}${saved?.note ? ` (note: ${saved.note})` : ''}.\n`);
      return 0;
    });
  },
};
