import { ResidualError } from '../../core/errors';
import type { Command } from '../command';
import { optionalNumber, requireString } from '../command';
import { formatNumber, printJson } from '../output';
import { scoreOf } from '../resolve';
import { withWorkbench } from '../workbench';

/** What an analyst must be told when the ranking is worse than a coin flip. */
export function worseThanRandom(rocAuc: number): string | null {
  if (!(rocAuc < 0.5)) return null;
  return `ROC AUC ${formatNumber(rocAuc)} is below 0.5: this ranking is worse than random. The model reconstructs the labelled anomalies better than the normal rows ` +
    '(they may be the majority pattern, or the network is wide enough to copy them). Try a narrower bottleneck, fewer epochs, another kind, or check which value the label marks as the anomaly.';
}

export const evalCommand: Command = {
  name: 'eval',
  usage: 'residual eval --project P [--model ID] [--dataset N] [--k K] [--json]',
  options: { project: { type: 'string' }, model: { type: 'string' }, dataset: { type: 'string' }, k: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, io }) {
    const project = requireString(values, 'project', this);
    const k = optionalNumber(values, 'k', { integer: true, min: 1 });
    return withWorkbench(project, {}, async (wb) => {
      const { model, dataset, score } = scoreOf(wb.overview, values);
      const ev = await wb.invoke('score.evaluate', { scoreId: score.scoreId, ...(k !== undefined ? { k } : {}) });
      if (!ev) {
        throw new ResidualError('BAD_INPUT', `Dataset "${dataset.name}" has no labels and no verdicts to evaluate against. Import it with --label COL, or mark rows with "residual verdict".`, { field: 'labels' });
      }
      const warning = worseThanRandom(ev.rocAuc);
      if (values['json']) {
        printJson(io, {
          rocAuc: ev.rocAuc,
          averagePrecision: ev.averagePrecision,
          k: ev.k,
          precisionAtK: ev.precisionAtK,
          recallAtK: ev.recallAtK,
          threshold: ev.threshold,
          confusion: ev.confusion,
          positives: ev.positives,
          negatives: ev.negatives,
          modelId: model.id,
          dataset: dataset.name,
          warning,
        });
        return 0;
      }
      const c = ev.confusion;
      io.out(
        `Model #${model.id} on "${dataset.name}" (${ev.positives} labelled anomalies, ${ev.negatives} normal):\n` +
          `  ROC AUC            ${formatNumber(ev.rocAuc)}\n  average precision  ${formatNumber(ev.averagePrecision)}\n` +
          `  precision@${ev.k}  ${formatNumber(ev.precisionAtK)}    recall@${ev.k}  ${formatNumber(ev.recallAtK)}\n` +
          `  at threshold ${formatNumber(ev.threshold)}: TP ${c.tp}  FP ${c.fp}  TN ${c.tn}  FN ${c.fn}  precision ${formatNumber(c.precision)}  recall ${formatNumber(c.recall)}  F1 ${formatNumber(c.f1)}\n` +
          (warning ? `Warning: ${warning}\n` : ''),
      );
      return 0;
    });
  },
};
