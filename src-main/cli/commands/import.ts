import { describeImageShape, imageShape, sourceFormat } from '../../contract/data';
import path from 'node:path';
import { forCli, SKIP_BAD_ROWS_REMEDY } from '../../core/data/messages';
import type { Command } from '../command';
import { list, optionalString, requireString } from '../command';
import { formatNumber, formatTable, printJson, progressReporter } from '../output';
import { withWorkbench } from '../workbench';
import { isResidualError, ResidualError } from '../../core/errors';

export const importCommand: Command = {
  name: 'import',
  usage:
    'residual import <file.csv|file.parquet|images.idx[.gz]|folder> --project <p.residual> [--name N] [--label COL [--positive VALUE]] [--time COL] [--id COL] [--ignore COL,COL] [--skip-bad-rows] [--labels labels.idx[.gz]] [--size N] [--colour] [--json]',
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
    labels: { type: 'string' },
    size: { type: 'string' },
    colour: { type: 'boolean' },
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
    const sizeText = optionalString(values, 'size');
    const imageSize = sizeText === undefined ? undefined : Number(sizeText);
    if (imageSize !== undefined && (!Number.isInteger(imageSize) || imageSize < 1 || imageSize > 512)) {
      throw new ResidualError('BAD_INPUT', `--size takes the side images are resized to, a whole number from 1 to 512 (28 for 28×28), not "${sizeText}".`, { field: 'size' });
    }
    const labels = optionalString(values, 'labels');
    const progress = progressReporter(io, 'Importing');
    const given = {
      name: optionalString(values, 'name'),
      label: optionalString(values, 'label'),
      positive,
      time: optionalString(values, 'time'),
      id: optionalString(values, 'id'),
      ignore: list(values, 'ignore'),
      skipBadRows: values['skip-bad-rows'] === true,
      labels: labels === undefined ? undefined : path.resolve(labels),
      imageSize,
      imageColour: values['colour'] === true ? true : undefined,
    };
    const options = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
    const result = await withWorkbench(project, { create: true }, (wb) =>
      wb.job('data.import', { file: path.resolve(file), options }, (p) => {
        if (p.detail.kind !== 'import') return;
        const d = p.detail.progress;
        progress.update(d.fraction, `${d.rows.toLocaleString('en-US')} rows, ${Math.round(d.rowsPerSecond).toLocaleString('en-US')} rows/s`, d.etaSeconds);
      }, signal),
    ).catch((e: unknown) => {
      // Rows that could be skipped: the CLI names its flag (the core's message is worded for every front end).
      if (isResidualError(e) && e.details['remedy'] === SKIP_BAD_ROWS_REMEDY) throw new ResidualError(e.code, forCli(e.message), e.details);
      throw e;
    });
    progress.done();
    const ds = result.dataset;
    const parquet = sourceFormat(ds) === 'parquet';
    const image = imageShape(ds);
    if (values['json']) {
      printJson(io, { project, ...result });
      return 0;
    }
    io.out(
      `Imported ${ds.rowCount.toLocaleString('en-US')} rows × ${ds.columns.length} columns from ${ds.sourcePath} into dataset "${ds.name}" ` +
        `(${image ? describeImageShape(image) : parquet ? 'Parquet' : `${ds.encoding}, delimiter ${JSON.stringify(ds.delimiter)}`}) in ${result.seconds.toFixed(2)} s.\n`,
    );
    // A Parquet file has rows, not lines: its reasons name the row themselves.
    const skipped = (l: { line: number; reason: string }): string => (parquet ? l.reason : `line ${l.line}: ${l.reason}`);
    if (result.skippedRows > 0) io.out(`Skipped ${result.skippedRows} bad rows (first: ${result.skippedLines.slice(0, 3).map(skipped).join('; ')}).\n`);
    for (const w of result.warnings) io.out(`Warning: ${w}\n`);
    // An image's pixel columns (hundreds) are summed up in one line; the other columns are listed.
    const pixel = (name: string): boolean => image !== null && /^p\d+(_[rgb])?$/.test(name);
    if (image) {
      const pixels = ds.columns.filter((c) => pixel(c.name));
      const features = pixels.filter((c) => c.role === 'numeric').length;
      io.out(`\n${pixels.length.toLocaleString('en-US')} pixel columns: ${features.toLocaleString('en-US')} features, ${(pixels.length - features).toLocaleString('en-US')} left out (the same in every image).\n`);
    }
    io.out('\n' + formatTable(
      ['column', 'role', 'kind', 'missing', 'distinct', 'mean', 'why'],
      ds.columns.filter((c) => !pixel(c.name)).map((c) => [c.name, c.role === 'label' ? `label (${c.positiveValue})` : c.role, c.valueKind, c.stats.missing, c.stats.distinct, c.stats.mean === undefined ? '' : formatNumber(c.stats.mean), c.roleReason]),
    ));
    return 0;
  },
};
