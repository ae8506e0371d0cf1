import { explanationMethod } from '../engine/classical';
import { formatDate, formatInt, formatNumber } from './format';
import { INK, type Layout } from './layout';
import type { ReportData } from './types';
import { kindWords, leftOut } from './words';

/**
 * The model card of a classical detector (IsolationForest, ECOD): what was fitted, on what and how its scores and
 * per-column contributions read. No layers, loss, epochs or training curve: it has none.
 */
export function classicalCardSection(layout: Layout, d: ReportData): void {
  const m = d.model;
  const s = m.settings;
  layout.heading('Model card');
  layout.keyValues(
    [
      ['Model', `#${m.id} "${m.name}" (${m.status}${m.message ? `: ${m.message}` : ''})`],
      ['Kind', kindWords(m.kind)],
      ['Fitted on', `${m.trainedOn ? `dataset "${m.trainedOn}"` : 'a dataset no longer in the project'}, ${formatDate(m.createdAt)}, ${formatNumber(m.seconds, 3)} s`],
      ['Detector', m.summary],
      ['Rows', `${formatInt(m.split.train)} fitted` + (m.split.excluded ? `, ${formatInt(m.split.excluded)} left out (${leftOut(m.settings, m.split.rows)})` : ' (every row)')],
      ['Score and columns', explanationMethod(m.kind)],
      ['Seed', m.kind === 'iforest' ? String(m.seed) : `${m.seed} (ECOD is deterministic)`],
      ['Preprocessing', `${m.scaler} scaling; log1p ${Array.isArray(s.log1p) ? `on ${s.log1p.join(', ')}` : s.log1p}; up to ${s.maxCategories} categories per column; missing indicators ${s.missingIndicators ? 'on' : 'off'}`],
    ],
    { keyWidth: 110 },
  );
  if (m.warnings.length) {
    layout.heading('Warnings from fitting', 2, 24);
    for (const w of m.warnings) layout.paragraph(`• ${w}`, { size: 8.5, color: INK.muted }, { after: 1 });
    layout.gap(4);
  }
  layout.heading('Preprocessing per column', 2, 50);
  layout.table(
    [
      { header: 'Column', weight: 3, maxLines: 2 },
      { header: 'Kind', weight: 1.6 },
      { header: 'Into the detector (fitted on the fitted rows)', weight: 7, maxLines: 2 },
      { header: 'Inputs', weight: 1, align: 'right' },
    ],
    m.features.map((f) => [f.name, f.kind, f.transform, String(f.inputs)]),
  );
}
