import { explainRows, initBackend, readLabels, readRankWindow } from '../../core/engine';
import { ResidualError } from '../../core/errors';
import { effectiveThreshold, verdictsOf } from '../../core/review';
import { rowIds } from '../../core/workbench/queries';
import type { Command } from '../command';
import { optionalNumber, requireString } from '../command';
import { formatNumber, formatTable, printJson } from '../output';
import { withProject } from '../project';
import { resolveScoreArg } from '../resolve';

function show(v: number | string | null): string {
  if (v === null) return '(missing)';
  return typeof v === 'number' ? formatNumber(v) : v;
}

export const topCommand: Command = {
  name: 'top',
  usage: 'residual top --project P [--model ID] [--dataset N] [-n 20] [--json]',
  options: { project: { type: 'string' }, model: { type: 'string' }, dataset: { type: 'string' }, n: { type: 'string', short: 'n' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const project = requireString(values, 'project', this);
    const n = optionalNumber(values, 'n', { integer: true, min: 1 }) ?? 20;
    if (n > 10_000) throw new ResidualError('BAD_INPUT', '-n is at most 10000; page through larger rankings in the app.', { field: 'n' });
    await initBackend();
    return withProject(project, {}, async (store) => {
      const { model, dataset, score } = resolveScoreArg(store, values);
      const window = readRankWindow(store, score.scoreId, 0, n);
      const rows = Array.from(window.rows);
      const explanations = await explainRows(store, score.scoreId, rows, 3);
      const ids = rowIds(store, dataset, rows);
      // The label column as imported; the analyst's verdicts have their own column.
      const labels = readLabels(store, dataset);
      const verdicts = verdictsOf(store, dataset.id, rows);
      const threshold = effectiveThreshold(store, score.scoreId).result.value;
      const entries = rows.map((row, i) => ({
        rank: i + 1,
        row: row + 1,
        id: ids[i]!,
        score: window.errors[i]!,
        flagged: window.errors[i]! >= threshold,
        topFeatures: explanations[i]!.contributions.map((c) => ({ column: c.column, actual: c.actual, reconstructed: c.reconstructed, share: c.share })),
        label: labels ? (labels[row] === 1 ? 'anomaly' : labels[row] === 0 ? 'normal' : null) : null,
        verdict: verdicts.get(row)?.verdict ?? null,
        note: verdicts.get(row)?.note ?? '',
      }));
      if (values['json']) {
        printJson(io, { modelId: model.id, dataset: dataset.name, scoreId: score.scoreId, threshold, total: window.total, rows: entries });
        return 0;
      }
      io.out(`Top ${entries.length} of ${window.total.toLocaleString('en-US')} rows of "${dataset.name}" by ${model.kind === 'iforest' ? 'isolation score' : model.kind === 'ecod' ? 'ECOD score' : model.kind === 'ensemble' ? 'ensemble score' : 'reconstruction error'} (model #${model.id}; threshold ${formatNumber(threshold)}):\n\n`);
      io.out(formatTable(
        ['rank', 'id', 'score', 'flag', 'top features (actual → expected, share)', 'label', 'verdict'],
        entries.map((e) => [
          e.rank,
          e.id,
          formatNumber(e.score),
          e.flagged ? '!' : '',
          e.topFeatures.map((f) => `${f.column} ${show(f.actual)}→${show(f.reconstructed)} ${(f.share * 100).toFixed(0)}%`).join('; '),
          e.label ?? '',
          e.verdict ?? '',
        ]),
      ));
      return 0;
    });
  },
};

