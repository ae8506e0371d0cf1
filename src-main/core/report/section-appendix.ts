import { formatInt } from './format';
import { INK, type Cell, type Layout } from './layout';
import { BACKEND_ENV } from '../engine';
import type { ReportData } from './types';

/** Everything needed to reproduce the ranking, and the hashes to check a reproduction against. */
export function appendix(layout: Layout, d: ReportData): void {
  const m = d.model;
  layout.pageBreak();
  layout.heading('Appendix: reproducing the ranking');
  const r = d.reproduction;
  layout.paragraph(
    `These commands rebuild the ranking from the source file in a new project, ${r.project} (it must not exist yet), in the folder they are run in. ` +
      `Training uses the seed below, and the same seed on the same backend repeats the run exactly, so run them where Residual picks the ${m.backend} backend ` +
      `(or set ${BACKEND_ENV}=${m.backend}): the ranking's SHA-256 and the weights' SHA-256 below must then match. Another backend gives the same ranking up to float rounding. ` +
      'Long commands continue on the next line after a backslash; copied as they are, they still run in a POSIX shell.',
    {},
    { after: 6 },
  );
  r.steps.forEach((step, i) => {
    layout.ensure(3 * layout.lineHeight() + 12);
    layout.paragraph(`${i + 1}. ${step.what}:`, {}, { after: 1 });
    layout.command(step.command, { indent: 12, after: 5 });
  });
  for (const note of r.notes) layout.paragraph(`Note: ${note}`, { size: 8.5, color: INK.muted }, { after: 3 });

  layout.heading('Fingerprints', 2, 80);
  layout.keyValues(
    [
      ['Source file SHA-256', d.dataset.sourceSha256],
      ['Stored data SHA-256', d.dataset.contentSha256],
      ['Model weights SHA-256', m.weightsSha256 ?? '(none: the model has no weights)'],
      ['Ranking SHA-256', d.score.rankingSha256],
      ['Project', d.project.path],
      ['Ids', `dataset #${d.dataset.id}, model #${m.id}, score #${d.score.id}`],
      ['Rows', `${formatInt(d.dataset.rowCount)} imported, ${formatInt(d.score.rows)} scored, ${formatInt(m.split.rows)} in the training dataset`],
      ['Report', `top ${d.options.top}, generated ${d.generatedAt}, Residual ${d.residualVersion}`],
    ],
    { keyWidth: 120, mono: ['Source file SHA-256', 'Stored data SHA-256', 'Model weights SHA-256', 'Ranking SHA-256'] },
  );
  layout.paragraph(
    'Stored data SHA-256 hashes the rows as Residual holds them (column names, then values: float64 little-endian, text as JSON), so it does not depend on how the file was formatted.',
    { size: 8, color: INK.muted },
  );

  layout.heading('Training settings', 2, 80);
  settingsTable(layout, Object.entries(m.settings).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));

  layout.heading('Threshold settings', 2, 60);
  settingsTable(
    layout,
    [
      ['method', d.threshold.method],
      ...Object.entries(d.threshold.params).map(([k, v]) => [k, String(v)] as const),
      ['value', String(d.threshold.value ?? 'Infinity')],
      ...Object.entries(d.threshold.details).map(([k, v]) => [k, String(v)] as const),
    ],
  );
}

/** Settings as a table of two setting/value pairs per row (the table takes half the height). */
function settingsTable(layout: Layout, entries: readonly (readonly [string, string])[]): void {
  layout.table(
    [
      { header: 'Setting', weight: 1.1 },
      { header: 'Value', weight: 1.4, font: 'mono', maxLines: 4 },
      { header: 'Setting', weight: 1.1 },
      { header: 'Value', weight: 1.4, font: 'mono', maxLines: 4 },
    ],
    pairs(entries),
  );
}

/** Two setting/value pairs per row. */
function pairs(entries: readonly (readonly [string, string])[]): Cell[][] {
  const half = Math.ceil(entries.length / 2);
  return entries.slice(0, half).map(([k, v], i) => {
    const other = entries[half + i];
    return [k, v, other?.[0] ?? '', other?.[1] ?? ''];
  });
}
