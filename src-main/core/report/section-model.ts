import { prChart, rocChart, scoreHistogram, trainingCurve } from './charts';
import { formatDate, formatInt, formatNumber, formatPercent } from './format';
import { INK, type Layout } from './layout';
import type { ReportData } from './types';
import { explanationMethod, isClassical } from '../engine/classical';
import { isOneClass } from '../engine/family/oneclass';
import { classicalCardSection } from './section-classical';
import { discriminatorLayers, discriminatorParameters } from '../engine/family';
import { kindWords, leftOut, methodWords, scoreWords } from './words';

/** The model card: what was trained, on what, how, and how training went. */
export function modelCardSection(layout: Layout, d: ReportData): void {
  const m = d.model;
  if (isClassical(m.kind)) return classicalCardSection(layout, d);
  const s = m.settings;
  layout.heading('Model card');
  const split =
    `${s.split === 'time' ? 'chronological' : 'random'}: ${formatInt(m.split.train)} training rows, ${formatInt(m.split.validation)} validation rows` +
    (m.split.excluded ? `, ${formatInt(m.split.excluded)} left out (${leftOut(s, m.split.rows)})` : '');
  const oneClass = isOneClass(m.kind);
  const fit = m.oneClass;
  const kindExtra = (m.kind === 'deepsvdd' ? `, ${s.objective}${s.objective === 'soft-boundary' ? ` (ν ${formatNumber(s.nu)})` : ''}` : m.kind === 'ocnn' ? `, ν ${formatNumber(s.nu)}` : null) ?? familyExtra(m.kind, s) ?? (m.kind === 'sparse' ? `, L1 ${formatNumber(s.l1)}` : m.kind === 'denoising' ? `, noise σ ${formatNumber(s.noiseStd)}` : m.kind === 'vae' ? `, β ${formatNumber(s.beta)}${s.scoreWithKl ? ', score includes KL' : ''}` : '');
  layout.keyValues(
    [
      ['Model', `#${m.id} "${m.name}" (${m.status}${m.message ? `: ${m.message}` : ''})`],
      ['Kind', `${kindWords(m.kind, m.settings.members)}${kindExtra}`],
      ['Trained on', `${m.trainedOn ? `dataset "${m.trainedOn}"` : 'a dataset no longer in the project'}, ${formatDate(m.createdAt)}, ${formatNumber(m.seconds, 3)} s on ${m.backend}`],
      ['Architecture', `${m.summary} (${m.activation} hidden layers, ${m.output} output)`],
      ['Parameters', formatInt(m.parameterCount)],
      oneClass
        ? ['Objective and optimiser', `${m.kind === 'deepsvdd'
          ? (s.objective === 'soft-boundary' ? 'R² + 1/ν · mean(max(0, ‖φ(x) − c‖² − R²)) + λ/2 Σ‖W‖², R² refitted each epoch as the (1 − ν)-quantile of the distances' : 'mean ‖φ(x) − c‖² + λ/2 Σ‖W‖²') + `, λ = ${formatNumber(s.weightDecay)}, bias-free layers`
          : '½‖w‖² + ½‖V‖² + 1/ν · mean(max(0, r − ŷ)) − r over the last hidden layer V and the output w, r refitted each epoch as the ν-quantile of the outputs, bias-free layers'}; Adam (learning rate ${formatNumber(s.learningRate)}), batch ${s.batchSize}` +
          `${s.pretrainEpochs ? `; first ${s.pretrainEpochs} epochs of autoencoder pre-training${fit?.pretrainLoss !== undefined ? ` (final reconstruction loss ${formatNumber(fit.pretrainLoss)})` : ''}` : '; no pre-training'}`]
        : ['Loss and optimiser', `${s.loss.toUpperCase()}, Adam (learning rate ${formatNumber(s.learningRate)}), batch ${s.batchSize}${s.dropout ? `, dropout ${formatNumber(s.dropout)}` : ''}`],
      ...(oneClass && fit ? [['Boundary', [
        fit.centerNorm !== undefined ? `centre c at distance ${formatNumber(fit.centerNorm)} from the origin` : '',
        fit.radius2 !== undefined ? `R² = ${formatNumber(fit.radius2)}` : '',
        fit.r !== undefined ? `r = ${formatNumber(fit.r)}` : '',
        `the median row scores ${formatNumber(fit.baselineScore)}`,
      ].filter(Boolean).join('; ')] as [string, string]] : []),
      ...(oneClass ? [['Score and columns', explanationMethod(m.kind)] as [string, string]] : []),
      ['Epochs', `${m.epochs} of at most ${s.epochs}; best epoch ${m.bestEpoch ?? '–'} (loss ${formatNumber(m.bestValLoss)}); early stopping ${s.patience ? `after ${s.patience} epochs without improvement` : 'off'}`],
      ['Split', split],
      ['Seed', String(m.seed)],
      ['Preprocessing', `${m.scaler} scaling; log1p ${Array.isArray(s.log1p) ? `on ${s.log1p.join(', ')}` : s.log1p}; up to ${s.maxCategories} categories per column; missing indicators ${s.missingIndicators ? 'on' : 'off'}`],
    ],
    { keyWidth: 110 },
  );
  if (m.warnings.length) {
    layout.heading('Warnings from training', 2, 24);
    for (const w of m.warnings) layout.paragraph(`• ${w}`, { size: 8.5, color: INK.muted }, { after: 1 });
    layout.gap(4);
  }

  const ensemble = m.kind === 'ensemble';
  layout.heading(ensemble ? 'Members' : 'Layers', 2, 60);
  layout.table(
    [
      { header: ensemble ? 'Member' : 'Layer', weight: 3 },
      { header: 'Inputs', weight: 1.4, align: 'right' },
      { header: 'Outputs', weight: 1.4, align: 'right' },
      { header: 'Activation', weight: 2 },
      { header: 'Parameters', weight: 1.6, align: 'right' },
    ],
    [
      ...m.layers.map((l) => [l.name, formatInt(l.inputs), formatInt(l.outputs), l.activation, formatInt(l.parameters)]),
      [{ text: 'total', font: 'bold' }, '', '', '', { text: formatInt(m.parameterCount), font: 'bold' }],
    ],
  );

  const chart = { width: layout.width, height: 190 };
  layout.heading('Training curve', 2, chart.height + 14);
  layout.svg(trainingCurve(m, chart), chart.width, chart.height);
  layout.paragraph(
    (m.kind === 'aae' || m.kind === 'wae' ? `The curve is the reconstruction loss alone (the ${m.kind === 'aae' ? 'adversarial losses' : 'MMD penalty'} not included), the model's score. ` : '') +
    (m.history.some((h) => h.val !== null)
      ? `Loss per epoch on the training rows and on the held-out validation rows. ${m.bestEpoch !== null ? `The weights of epoch ${m.bestEpoch} (lowest validation loss) are the model's.` : ''}`
      : 'Loss per epoch on the training rows (no validation rows were held out).'),
    { size: 8, color: INK.muted },
    { after: 8 },
  );

  layout.heading('Preprocessing per column', 2, 50);
  layout.table(
    [
      { header: 'Column', weight: 3, maxLines: 2 },
      { header: 'Kind', weight: 1.6 },
      { header: 'Into the model (fitted on the training rows)', weight: 7, maxLines: 2 },
      { header: 'Inputs', weight: 1, align: 'right' },
    ],
    preprocessingRows(m.features),
  );
  if (m.features.length > PREPROCESSING_TABLE_MAX)
    layout.paragraph(
      `${formatInt(m.features.length)} columns: columns transformed alike are one line (the first column's fitted values shown as the example); every column's own values are in the model (and in its ONNX export).`,
      { size: 8, color: INK.muted },
    );
}

/** Past this many columns (an image's pixels, a wide file) the preprocessing table groups the columns transformed alike. */
const PREPROCESSING_TABLE_MAX = 60;

/** One line per column, or, for wide data, one line per way of transforming (the numbers fitted per column set aside). */
function preprocessingRows(features: ReportData['model']['features']): string[][] {
  if (features.length <= PREPROCESSING_TABLE_MAX) return features.map((f) => [f.name, f.kind, f.transform, String(f.inputs)]);
  const groups = new Map<string, (typeof features)[number][]>();
  for (const f of features) {
    const key = `${f.kind}|${f.inputs}|${f.transform.replace(/[-−]?\d[\d.,]*(e[-+]?\d+)?/gi, '#')}`;
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0]!;
    const names = g.length === 1 ? first.name : `${formatInt(g.length)} columns: ${g.slice(0, 3).map((f) => f.name).join(', ')}, …`;
    return [names, first.kind, g.length === 1 ? first.transform : `e.g. ${first.transform}`, g.length === 1 ? String(first.inputs) : `${formatInt(first.inputs)} each`];
  });
}

/** What an adversarial or Wasserstein autoencoder adds to the kind's line (null for the other kinds). */
function familyExtra(kind: string, s: ReportData['model']['settings']): string | null {
  if (kind === 'aae') {
    const disc = discriminatorLayers(s.layers);
    return `: a discriminator (code → ${disc.join(' → ')} → 1, ReLU; ${formatInt(discriminatorParameters(s.layers))} parameters, used in training only and not stored) ` +
      `pulls the codes towards a standard normal prior; reconstruction, discriminator and generator phases per batch, on TensorFlow.js${s.scoreWithPrior ? '; the score adds the code\'s negative log prior density per input' : ''}`;
  }
  if (kind === 'conv') return `: filters ${s.filters.join('-')}, on TensorFlow.js; the per-pixel squared errors are the per-column errors`;
  if (kind === 'wae') return `: λ ${formatNumber(s.mmdLambda)} × the MMD (inverse multiquadratic kernel, 7 scales) between each batch's codes and as many standard normal samples, beside the reconstruction error`;
  return null;
}

/** The threshold: how it was chosen and what it flags, over the score distribution. */
export function thresholdSection(layout: Layout, d: ReportData): void {
  const t = d.threshold;
  const dist = d.distribution;
  // The settings and the histogram they refer to stay on one page.
  layout.heading('Threshold and score distribution', 1, 330);
  const params = Object.entries(t.params).map(([k, v]) => `${k} = ${formatNumber(v)}`).join(', ');
  layout.keyValues(
    [
      ['Method', `${methodWords(t.method)} (${t.method})`],
      ['Parameters', params || '–'],
      ['Value', t.value === null ? '+∞ (flags nothing)' : formatNumber(t.value, 6)],
      ['Alerts', `${formatInt(t.alerts)} of ${formatInt(d.score.rows)} rows (${formatPercent(d.score.rows ? t.alerts / d.score.rows : 0, 2)})`],
      ['Set', t.origin === 'saved' ? `by the analyst, ${formatDate(t.savedAt ?? '')}` : 'not set yet: the default, mean + 2σ, computed for this report'],
      ['Why', t.why],
      ['Scores', `min ${formatNumber(dist.min)}, median ${formatNumber(dist.median)}, mean ${formatNumber(dist.mean)}, std ${formatNumber(dist.std)}, max ${formatNumber(dist.max)}`],
    ],
    { keyWidth: 90 },
  );
  const chart = { width: layout.width, height: 180 };
  layout.ensure(chart.height + 24);
  layout.svg(scoreHistogram(dist, t.value, t.alerts, chart, scoreWords(d.model.kind)), chart.width, chart.height);
  layout.paragraph(
    `Every row's score (${scoreWords(d.model.kind)}) in ${dist.counts.length} bins; the count axis is logarithmic so the few high scores stay visible. Rows at or right of the red line are flagged.`,
    { size: 8, color: INK.muted },
  );
}

/** ROC and precision-recall against the known outcomes, or a note that there are none. */
export function evaluation(layout: Layout, d: ReportData): void {
  const ev = d.evaluation;
  // Metrics, confusion matrix and curves read together: the section starts on a new page unless all fit.
  layout.heading('Evaluation against known outcomes', 1, ev ? 330 : 30);
  if (!ev) {
    layout.paragraph(d.evaluationNote ?? 'No labels.', { color: INK.muted });
    return;
  }
  const c = ev.confusion;
  layout.paragraph(
    `Known outcomes: ${ev.source}. ${formatInt(ev.positives)} known ${ev.positives === 1 ? 'anomaly' : 'anomalies'}, ${formatInt(ev.negatives)} known normal row${ev.negatives === 1 ? '' : 's'}` +
      `${ev.unknown ? `, ${formatInt(ev.unknown)} unknown (left out)` : ''}.`,
  );
  layout.keyValues(
    [
      ['ROC AUC', `${formatNumber(ev.rocAuc, 4)} (0.5 = random order, 1 = every anomaly above every normal row)`],
      ['Average precision', `${formatNumber(ev.averagePrecision, 4)} (a random order scores ${formatNumber(ev.positives / (ev.positives + ev.negatives), 3)})`],
      [`Top ${formatInt(ev.k)} rows`, `precision ${formatPercent(ev.precisionAtK)}, recall ${formatPercent(ev.recallAtK)} (k = the number of known anomalies)`],
      ['At the threshold', `precision ${formatPercent(c.precision)}, recall ${formatPercent(c.recall)}, F1 ${formatNumber(c.f1, 3)}, false-positive rate ${formatPercent(c.fpr)}`],
    ],
    { keyWidth: 100 },
  );
  layout.heading('Confusion matrix at the threshold', 2, 60);
  layout.table(
    [
      { header: '', weight: 1.6 },
      { header: 'Flagged', weight: 1.2, align: 'right' },
      { header: 'Not flagged', weight: 1.2, align: 'right' },
      { header: 'Total', weight: 0.8, align: 'right' },
    ],
    [
      [{ text: 'Known anomaly', font: 'bold' }, `${formatInt(c.tp)} (true positive)`, `${formatInt(c.fn)} (missed)`, formatInt(c.tp + c.fn)],
      [{ text: 'Known normal', font: 'bold' }, `${formatInt(c.fp)} (false alarm)`, `${formatInt(c.tn)} (true negative)`, formatInt(c.fp + c.tn)],
    ],
    { width: Math.min(layout.width, 400) },
  );
  const gap = 14;
  const size = { width: (layout.width - gap) / 2, height: 150 };
  layout.ensure(size.height + 12);
  layout.svg(rocChart(ev.roc, ev.rocAuc, size), size.width, size.height, { advance: false });
  layout.svg(prChart(ev.pr, ev.averagePrecision, ev.positives / (ev.positives + ev.negatives), size), size.width, size.height, { x: layout.left + size.width + gap });
  layout.paragraph('Left: ROC curve (dashed: random order). Right: precision-recall curve (dashed: the share of known anomalies).', { size: 8, color: INK.muted });
}

