import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ResidualError } from '../../core/errors';
import { RANKING_FORMATS, rankingFormatOf } from '../../contract/export';
import { formatBytes } from '../../core/report/format';
import type { Command } from '../command';
import { oneOf, optionalNumber, optionalString } from '../command';
import { requireString } from '../command';
import { formatDuration, printJson, processIo, progressReporter, type Io } from '../output';
import { scoreOf } from '../resolve';
import { withWorkbench } from '../workbench';

export const exportCommand: Command = {
  name: 'export',
  usage:
    'residual export --project P [--model ID] [--dataset N] [--out ranked.csv|ranked.parquet] [--format csv|parquet] [--top N] [--flagged] [--json]   (no --out: the CSV goes to stdout; the format follows the extension of --out unless --format says)',
  options: {
    project: { type: 'string' },
    model: { type: 'string' },
    dataset: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    top: { type: 'string' },
    flagged: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ values, io, signal }) {
    const project = requireString(values, 'project', this);
    const out = optionalString(values, 'out');
    const top = optionalNumber(values, 'top', { integer: true, min: 1 });
    const format = rankingFormatOf(oneOf(values, 'format', RANKING_FORMATS), out);
    if (out !== undefined && format === 'parquet' && !/\.parquet$/i.test(out)) {
      throw new ResidualError('BAD_INPUT', `residual export: --format parquet writes a Parquet file, but --out ${out} does not end in .parquet. Name it e.g. ranked.parquet.`, { field: 'out' });
    }
    if (out !== undefined && format === 'csv' && /\.parquet$/i.test(out)) {
      throw new ResidualError('BAD_INPUT', `residual export: --format csv writes a CSV file, but --out ${out} ends in .parquet. Name it e.g. ranked.csv, or leave --format out.`, { field: 'out' });
    }
    if (format === 'parquet' && out === undefined) {
      throw new ResidualError('BAD_INPUT', 'residual export: a Parquet file is binary, so it is not written to stdout; name it with --out ranked.parquet.', { field: 'out' });
    }
    if (values['json'] && out === undefined) {
      throw new ResidualError('BAD_INPUT', 'residual export: with --json the summary goes to stdout; name the CSV file with --out.', { field: 'out' });
    }
    const filter = values['flagged'] ? { flagged: true } : {};
    const progress = out !== undefined ? progressReporter(io, 'Export') : null;
    const result = await withWorkbench(project, {}, async (wb) => {
      const { score } = scoreOf(wb.overview, values);
      // No --out: the CSV is written by the same job to a private temporary file, then copied to stdout.
      const tmp = out === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'residual-export-')) : null;
      try {
        const r = await wb.job(
          'score.export',
          { scoreId: score.scoreId, filter, ...(top !== undefined ? { top } : {}), out: tmp ? path.join(tmp, 'ranked.csv') : path.resolve(out!), format },
          (p) => progress?.update(p.fraction, p.message, null),
          signal,
        );
        if (!tmp) return r;
        await copyToStdout(r.out!, io);
        return { ...r, out: null };
      } finally {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
    progress?.done();
    if (values['json']) {
      printJson(io, result);
      return 0;
    }
    if (result.out !== null) {
      io.out(
        `Wrote ${result.out}: ${result.rows.toLocaleString('en-US')} of ${result.total.toLocaleString('en-US')} rows (${result.flagged.toLocaleString('en-US')} flagged at ${result.threshold}), ${formatBytes(result.bytes)} (${formatDuration(result.seconds)}).\n`,
      );
    }
    return 0;
  },
};

/** The CSV without --out: to the process's stdout (back-pressure handled by the pipeline, stdout left open), or a test's io. */
async function copyToStdout(file: string, io: Io): Promise<void> {
  const source = fs.createReadStream(file);
  if (io === processIo) {
    await pipeline(source, process.stdout, { end: false });
    return;
  }
  const text = new TextDecoder();
  for await (const chunk of source) io.out(text.decode(chunk as Buffer, { stream: true }));
  io.out(text.decode());
}
