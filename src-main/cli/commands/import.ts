import { importDataset } from '../../core/data';
import type { Command } from '../command';
import { list, optionalString, requireString } from '../command';
import { formatNumber, formatTable, printJson, progressReporter } from '../output';
import { withProject } from '../project';
import { ResidualError } from '../../core/errors';

export const importCommand: Command = {
  name: 'import',
  usage:
    'residual import <file> --project <p.residual> [--name N] [--label COL [--positive VALUE]] [--time COL] [--id COL] [--ignore COL,COL] [--skip-bad-rows] [--json]',
  positionals: 1,
  options: {
    project: { type: 'string' },
    name: { type: 'string' },
    label: { type: 'string' },
    positive: { type: 'string' },
    time: { type: 'string' },
    id: { type: 'string' },
    ignore: { type: 'string' },
    'skip-bad-rows': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals, io, signal }) {
    const file = positionals[0];
    if (!file) throw new ResidualError('BAD_INPUT', `residual import: which file? Usage: ${this.usage}`);
    const project = requireString(values, 'project', this);
    const positive = optionalString(values, 'positive');
    if (positive !== undefined && values['label'] === undefined) {
      throw new ResidualError('BAD_INPUT', '--positive needs --label: say which column holds the known outcome.', { field: 'positive' });
    }
    const progress = progressReporter(io, 'Importing');
    const result = await withProject(project, { create: true }, (store) =>
      importDataset(
        store,
        file,
        {
          name: optionalString(values, 'name'),
          label: optionalString(values, 'label'),
          positive,
          time: optionalString(values, 'time'),
          id: optionalString(values, 'id'),
          ignore: list(values, 'ignore'),
          skipBadRows: values['skip-bad-rows'] === true,
        },
        {
          signal,
          onProgress: (p) => progress.update(p.fraction, `${p.rows.toLocaleString('en-US')} rows, ${Math.round(p.rowsPerSecond).toLocaleString('en-US')} rows/s`, p.etaSeconds),
        },
      ),
    );
    progress.done();
    const ds = result.dataset;
    if (values['json']) {
      printJson(io, { project, ...result });
      return 0;
    }
    io.out(
      `Imported ${ds.rowCount.toLocaleString('en-US')} rows × ${ds.columns.length} columns from ${ds.sourcePath} into dataset "${ds.name}" ` +
        `(${ds.encoding}, delimiter ${JSON.stringify(ds.delimiter)}) in ${result.seconds.toFixed(2)} s.\n`,
    );
    if (result.skippedRows > 0) io.out(`Skipped ${result.skippedRows} bad rows (first: ${result.skippedLines.slice(0, 3).map((l) => `line ${l.line}: ${l.reason}`).join('; ')}).\n`);
    for (const w of result.warnings) io.out(`Warning: ${w}\n`);
    io.out('\n' + formatTable(
      ['column', 'role', 'kind', 'missing', 'distinct', 'mean', 'why'],
      ds.columns.map((c) => [c.name, c.role === 'label' ? `label (${c.positiveValue})` : c.role, c.valueKind, c.stats.missing, c.stats.distinct, c.stats.mean === undefined ? '' : formatNumber(c.stats.mean), c.roleReason]),
    ));
    return 0;
  },
};
