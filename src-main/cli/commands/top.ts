import { MAX_WINDOW_ROWS, type RankedRow, type RowDetail } from '../../contract';
import { ResidualError } from '../../core/errors';
import type { Command } from '../command';
import { optionalNumber, requireString } from '../command';
import { formatNumber, formatTable, printJson } from '../output';
import { scoreOf } from '../resolve';
import { withWorkbench } from '../workbench';

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
    return withWorkbench(project, {}, async (wb) => {
      const { model, dataset, score } = scoreOf(wb.overview, values);
      // The same reads as the Ranking: pages of the ranked rows, then each row's explanation (row.detail, 100 at a time).
      const ranked: RankedRow[] = [];
      let total = 0;
      let threshold = NaN;
      while (ranked.length < n) {
        const page = await wb.invoke('score.rank', { scoreId: score.scoreId, offset: ranked.length, limit: Math.min(MAX_WINDOW_ROWS, n - ranked.length) });
        total = page.total;
        threshold = page.threshold;
        ranked.push(...page.rows);
        if (page.rows.length === 0 || ranked.length >= total) break;
      }
      const details: RowDetail[] = [];
      for (let i = 0; i < ranked.length; i += 100) {
        details.push(...(await wb.invoke('row.detail', { scoreId: score.scoreId, rows: ranked.slice(i, i + 100).map((r) => r.row) })));
      }
      const entries = ranked.map((r, i) => ({
        rank: r.rank,
        row: r.row + 1,
        id: r.id,
        score: r.score,
        flagged: r.flagged,
        topFeatures: details[i]!.contributions.slice(0, 3).map((c) => ({ column: c.column, actual: c.actual, reconstructed: c.reconstructed, share: c.share })),
        label: r.label,
        verdict: r.verdict,
        note: r.note,
      }));
      if (values['json']) {
        printJson(io, { modelId: model.id, dataset: dataset.name, scoreId: score.scoreId, threshold, total, rows: entries });
        return 0;
      }
      io.out(`Top ${entries.length} of ${total.toLocaleString('en-US')} rows of "${dataset.name}" by ${model.kind === 'iforest' ? 'isolation score' : model.kind === 'ecod' ? 'ECOD score' : model.kind === 'ensemble' ? 'ensemble score' : model.kind === 'deepsvdd' ? 'Deep SVDD score (squared distance to the centre)' : model.kind === 'ocnn' ? 'OC-NN score (r − ŷ)' : 'reconstruction error'} (model #${model.id}; threshold ${formatNumber(threshold)}):\n\n`);
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
      // A one-class model's columns are attributions, not errors: say what they are.
      if ((model.kind === 'deepsvdd' || model.kind === 'ocnn') && details[0]?.method) io.out(`\nColumns: ${details[0].method}.\n`);
      return 0;
    });
  },
};

