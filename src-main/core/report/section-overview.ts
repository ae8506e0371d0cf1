import { describeImageShape, imageShape, sourceFormat } from '../../contract/data';
import { pixelColumnNames } from '../data/image-import';
import { formatBytes, formatDate, formatInt, formatNumber, formatPercent } from './format';
import { INK, type Cell, type Layout } from './layout';
import { article, kindWords, methodWords } from './words';
import type { ReportColumn, ReportData } from './types';

/** Sections the contents list; the title page keeps room for them. */
const SECTION_COUNT = 10;

/** Title page: what was analysed, with what, and the result in two sentences. Returns where the contents go. */
export function titlePage(layout: Layout, d: ReportData): number {
  const m = d.model;
  layout.gap(18);
  layout.paragraph('Anomaly report', { font: 'bold', size: 24, color: INK.accent }, { after: 2 });
  layout.paragraph(`${d.dataset.name}: ${formatInt(d.dataset.rowCount)} rows ranked by ${article(kindWords(m.kind))} ${kindWords(m.kind, m.settings.members)}`, { size: 12, color: INK.muted }, { after: 14 });

  const rows = d.dataset.rowCount;
  layout.keyValues(
    [
      ['Project', `${d.project.name} (${d.project.path})`],
      ['Dataset', `"${d.dataset.name}" (#${d.dataset.id}), imported ${formatDate(d.dataset.importedAt)}`],
      ['Source file', d.dataset.sourcePath],
      ['Source SHA-256', d.dataset.sourceSha256],
      ['Rows × columns', `${formatInt(rows)} × ${d.dataset.columns.length}${d.dataset.skippedRows ? ` (${formatInt(d.dataset.skippedRows)} bad rows skipped at import)` : ''}`],
      ['Model', `#${m.id} "${m.name}": ${m.summary}, ${formatInt(m.parameterCount)} parameters, trained ${formatDate(m.createdAt)}`],
      ['Score', `#${d.score.id}, ${formatDate(d.score.createdAt)}`],
      ['Threshold', `${d.threshold.value === null ? '+∞, flags nothing' : formatNumber(d.threshold.value)} (${methodWords(d.threshold.method)})`],
      ['Report date', formatDate(d.generatedAt)],
      ['Residual version', d.residualVersion],
      ['Backend', `${d.score.backend} (scoring), ${d.explainBackend} (expected values in this report)`],
    ],
    { keyWidth: 110, mono: ['Source SHA-256'] },
  );

  layout.gap(6);
  layout.heading('In short', 2, 40);
  const t = d.threshold;
  const ev = d.evaluation;
  const flaggedShare = rows ? t.alerts / rows : 0;
  const parts = [
    `${formatInt(t.alerts)} of ${formatInt(rows)} rows (${formatPercent(flaggedShare)}) score at or above the threshold ${formatNumber(t.value)}.`,
    d.profile.columns[0] && d.profile.flagged > 0
      ? `The flagged rows differ most from the training data in ${d.profile.columns.slice(0, 3).map((c) => `"${c.feature}"`).join(', ')}.`
      : '',
    ev
      ? `Against the known outcomes (${ev.source}): ROC AUC ${formatNumber(ev.rocAuc, 3)}, average precision ${formatNumber(ev.averagePrecision, 3)}; at the threshold precision ${formatPercent(ev.confusion.precision)} and recall ${formatPercent(ev.confusion.recall)}.`
      : 'No known outcomes to measure the ranking against.',
    `The top ${formatInt(d.top.length)} rows are listed with the columns that drive their scores.`,
  ];
  layout.paragraph(parts.filter(Boolean).join(' '), { size: 9.5 }, { after: 10 });

  layout.heading('Contents', 2, layout.contentsHeight(SECTION_COUNT));
  const at = layout.y;
  layout.gap(layout.contentsHeight(SECTION_COUNT));
  return at;
}

/** Columns, roles, and what each holds. */
export function dataSummary(layout: Layout, d: ReportData): void {
  layout.pageBreak();
  layout.heading('Data summary');
  const ds = d.dataset;
  const roles = new Map<string, number>();
  for (const c of ds.columns) roles.set(c.role, (roles.get(c.role) ?? 0) + 1);
  const delimiter = ds.delimiter === '\t' ? 'tab' : ds.delimiter === ' ' ? 'space' : `"${ds.delimiter}"`;
  const image = imageShape(ds);
  const format = image ? describeImageShape(image) : sourceFormat(ds) === 'parquet' ? 'Parquet' : `${ds.encoding}, delimiter ${delimiter}${ds.decimalComma ? ', decimal comma' : ''}`;
  layout.paragraph(
    `${formatInt(ds.rowCount)} rows and ${ds.columns.length} columns from ${ds.sourcePath} (${formatBytes(ds.sourceBytes)}, ${format}). Roles: ${[...roles.entries()].map(([r, n]) => `${n} ${r}`).join(', ')}. ` +
      'Only numeric and categorical columns are model inputs; the label is never one. Role in brackets: what the column holds.' +
      (image ? ' The pixel columns are pooled into one line: the mean of their means, the smallest minimum and the largest maximum.' : ''),
  );
  layout.table(
    [
      { header: 'Column', weight: 110, maxLines: 2 },
      { header: 'Role', weight: 80, maxLines: 2 },
      { header: 'Values', weight: 40, align: 'right' },
      { header: 'Missing', weight: 40, align: 'right' },
      { header: 'Distinct', weight: 40, align: 'right' },
      { header: 'Mean', weight: 46, align: 'right' },
      { header: 'Std', weight: 46, align: 'right' },
      { header: 'Min', weight: 46, align: 'right' },
      { header: 'Max', weight: 46, align: 'right' },
    ],
    image ? imageRows(ds.columns, new Set(pixelColumnNames(image))) : ds.columns.map((c) => columnRow(c)),
    { size: 7.5 },
  );
}

/**
 * An image dataset's columns: the pixel columns as one line (their values pooled: the mean of their means, the smallest
 * minimum, the largest maximum), the others (label, file) each as its own line.
 */
function imageRows(columns: readonly ReportColumn[], pixelNames: ReadonlySet<string>): Cell[][] {
  const pixels = columns.filter((c) => pixelNames.has(c.name));
  const others = columns.filter((c) => !pixelNames.has(c.name));
  if (pixels.length === 0) return columns.map((c) => columnRow(c));
  const roles = new Map<string, number>();
  for (const c of pixels) roles.set(c.role, (roles.get(c.role) ?? 0) + 1);
  const means = pixels.map((c) => c.mean).filter((v): v is number => v !== null);
  const mins = pixels.map((c) => c.min).filter((v): v is number => v !== null);
  const maxs = pixels.map((c) => c.max).filter((v): v is number => v !== null);
  const missing = pixels.reduce((a, c) => a + c.missing, 0);
  const line: Cell[] = [
    `${pixels[0]!.name} … ${pixels[pixels.length - 1]!.name} (${formatInt(pixels.length)} pixels)`,
    [...roles.entries()].map(([r, n]) => (roles.size === 1 ? r : `${n} ${r}`)).join(', '),
    formatInt(Math.max(...pixels.map((c) => c.count))),
    missing > 0 ? { text: formatInt(missing), font: 'bold' } : '0',
    `≤ ${formatInt(Math.max(...pixels.map((c) => c.distinct)))}`,
    means.length ? formatNumber(means.reduce((a, b) => a + b, 0) / means.length) : '–',
    '–',
    mins.length ? formatNumber(Math.min(...mins)) : '–',
    maxs.length ? formatNumber(Math.max(...maxs)) : '–',
  ];
  return [line, ...others.map((c) => columnRow(c))];
}

/** The role, with the value kind where the role does not imply it. */
function roleText(c: ReportColumn): string {
  if (c.role === 'label') return `label (${c.positiveValue ?? '?'} = anomaly)`;
  if (c.role === 'numeric' || c.role === 'timestamp') return c.role;
  return `${c.role} (${c.valueKind})`;
}

function columnRow(c: ReportColumn): Cell[] {
  const missing: Cell = c.missing > 0 ? { text: formatInt(c.missing), font: 'bold' } : '0';
  const distinct = `${formatInt(c.distinct)}${c.distinctCapped ? '+' : ''}`;
  const base: Cell[] = [c.name, roleText(c), formatInt(c.count), missing, distinct];
  if (c.valueKind === 'text') return [...base, { text: c.topValues.length ? `most frequent: ${c.topValues.join(', ')}` : '', color: INK.muted, span: 4 }];
  if (c.valueKind === 'time') {
    const date = (v: number | null): string => (v === null ? '–' : new Date(v).toISOString().slice(0, 10));
    return [...base, '', '', date(c.min), date(c.max)];
  }
  return [...base, formatNumber(c.mean), formatNumber(c.std), formatNumber(c.min), formatNumber(c.max)];
}
