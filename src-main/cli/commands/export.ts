import { once } from 'node:events';
import { ResidualError } from '../../core/errors';
import { exportRankingCsv, writeRankingCsv } from '../../core/export';
import { formatBytes } from '../../core/report/format';
import type { Command } from '../command';
import { optionalNumber, optionalString } from '../command';
import { requireString } from '../command';
import { formatDuration, printJson, processIo, progressReporter, type Io } from '../output';
import { withProject } from '../project';
import { resolveScoreArg } from '../resolve';

export const exportCommand: Command = {
  name: 'export',
  usage: 'residual export --project P [--model ID] [--dataset N] [--out ranked.csv] [--top N] [--flagged] [--json]   (no --out: the CSV goes to stdout)',
  options: {
    project: { type: 'string' },
    model: { type: 'string' },
    dataset: { type: 'string' },
    out: { type: 'string' },
    top: { type: 'string' },
    flagged: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ values, io, signal }) {
    const project = requireString(values, 'project', this);
    const out = optionalString(values, 'out');
    const top = optionalNumber(values, 'top', { integer: true, min: 1 });
    if (values['json'] && out === undefined) {
      throw new ResidualError('BAD_INPUT', 'residual export: with --json the summary goes to stdout; name the CSV file with --out.', { field: 'out' });
    }
    const filter = values['flagged'] ? { flagged: true } : {};
    const progress = out !== undefined ? progressReporter(io, 'Export') : null;
    const result = await withProject(project, {}, async (store) => {
      const { score } = resolveScoreArg(store, values);
      const opts = { scoreId: score.scoreId, filter, ...(top !== undefined ? { top } : {}) };
      const hooks = { signal, onProgress: (p: { fraction: number; message: string }) => progress?.update(p.fraction, p.message, null) };
      if (out !== undefined) return exportRankingCsv(store, { ...opts, out }, hooks);
      return { ...(await writeRankingCsv(store, opts, toStdout(io), hooks)), out: null };
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

/** Writes to stdout, waiting for a slow reader (a pipe into `head` or a network): rows never pile up in memory. */
function toStdout(io: Io): (text: string) => void | Promise<void> {
  if (io !== processIo) return (text) => io.out(text);
  return async (text) => {
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  };
}
