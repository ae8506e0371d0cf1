import { describeImageShape, imageShape, sourceFormat } from '../../contract/data';
import type { Command } from '../command';
import { requireString } from '../command';
import { formatNumber, formatTable, printJson } from '../output';
import { withWorkbench } from '../workbench';
import type { ColumnInfo } from '../../contract';

function fmt(v: number | undefined, col: ColumnInfo): string {
  if (v === undefined) return '';
  return col.valueKind === 'time' ? new Date(v).toISOString() : formatNumber(v);
}

export const infoCommand: Command = {
  name: 'info',
  usage: 'residual info --project <p.residual> [--json]',
  options: { project: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const project = requireString(values, 'project', this);
    return withWorkbench(project, {}, ({ overview }) => {
      const datasets = overview.datasets;
      if (values['json']) {
        printJson(io, { project: overview.path, schemaVersion: overview.schemaVersion, datasets });
        return 0;
      }
      io.out(`Project ${overview.path} (schema ${overview.schemaVersion})\n`);
      if (datasets.length === 0) io.out('No datasets yet. Import one: residual import <file> --project ' + project + '\n');
      for (const ds of datasets) {
        io.out(
          `\nDataset #${ds.id} "${ds.name}": ${ds.rowCount.toLocaleString('en-US')} rows × ${ds.columns.length} columns` +
            `${ds.skippedRows ? `, ${ds.skippedRows} bad rows skipped` : ''}\n  source ${ds.sourcePath} (sha256 ${ds.sourceSha256.slice(0, 16)}…, ${imageShape(ds) ? describeImageShape(imageShape(ds)!) : sourceFormat(ds) === 'parquet' ? 'Parquet' : ds.encoding}), imported ${ds.createdAt}\n\n`,
        );
        io.out(formatTable(
          ['column', 'role', 'kind', 'count', 'missing', 'distinct', 'mean', 'std', 'min', 'median', 'max', 'top values'],
          ds.columns.map((c) => [
            c.name,
            c.role === 'label' ? `label (${c.positiveValue})` : c.role,
            c.valueKind,
            c.stats.count,
            c.stats.missing,
            `${c.stats.distinct}${c.stats.distinctCapped ? '+' : ''}`,
            c.valueKind === 'time' ? '' : fmt(c.stats.mean, c),
            c.valueKind === 'time' ? '' : fmt(c.stats.std, c),
            fmt(c.stats.min, c),
            fmt(c.stats.median, c),
            fmt(c.stats.max, c),
            c.valueKind === 'number' ? '' : c.stats.topValues.slice(0, 3).map((t) => `${t.value} (${t.count})`).join(', '),
          ]),
        ));
      }
      return 0;
    });
  },
};
