import { VERDICT_NAMES } from '../../contract/review';
import { featureBars, heatmapChart } from './charts';
import { formatDate, formatInt, formatNumber, formatPercent, formatValue } from './format';
import { INK, type Cell, type CellLine, type Layout } from './layout';
import type { ReportData, ReportTopRow } from './types';
import { columnWords } from './words';

/** Bars in the profile chart; the table below it lists every column. */
const PROFILE_BARS = 25;
/** The profile's table stops here: an image's 784 pixels (or a 20,000-column file) would take dozens of pages. */
const PROFILE_TABLE_MAX = 100;
/** Rows per heatmap chart (one chart per page). */
const HEATMAP_ROWS = 50;

/** The top-N table: rank, id, score, the three columns behind each score, verdict and note. */
export function topSection(layout: Layout, d: ReportData): void {
  layout.pageBreak();
  layout.heading(`Top ${formatInt(d.top.length)} anomalies`);
  const hasLabel = d.dataset.columns.some((c) => c.role === 'label');
  const w = columnWords(d.model.kind);
  layout.paragraph(
    `The ${formatInt(d.top.length)} highest-scoring rows of ${formatInt(d.score.rows)}. "alert" marks a score at or above the threshold ${formatNumber(d.threshold.value)}. ` +
      (w.signed
        ? `For each row, the three columns with the largest ${w.what} relative to their typical training magnitude: the actual value, the expected value (${w.expected}, in the data's units) and that column's share of the row's positive attributions.`
        : `For each row, the three columns with the largest ${w.what} relative to their typical training ${w.what}: the actual value, the value the model expected (${w.expected}, in the data's units) and that column's share of the row's ${w.what === 'error' ? 'error' : 'score'}.`) +
      (hasLabel ? ' Under the verdict, in italics, the value of the label column.' : ''),
    { size: 8.5, color: INK.muted },
    { after: 6 },
  );
  layout.table(
    [
      { header: 'Rank', weight: 30, align: 'right' },
      { header: 'Id', weight: 50, maxLines: 3 },
      { header: 'Score', weight: 40, align: 'right' },
      { header: 'Column', weight: 100 },
      { header: 'Actual', weight: 50, align: 'right' },
      { header: 'Expected', weight: 50, align: 'right' },
      { header: 'Share', weight: 33, align: 'right' },
      // Wide enough for the longest verdict name, "False positive", in bold.
      { header: hasLabel ? 'Verdict, label' : 'Verdict', weight: 68 },
      { header: 'Note', weight: 74, maxLines: 3 },
    ],
    d.top.map((r) => topRow(r)),
    { size: 7.5 },
  );
}

function topRow(r: ReportTopRow): Cell[] {
  const col = (f: (c: ReportTopRow['contributions'][number]) => string): Cell => ({ lines: r.contributions.map(f) });
  const score: CellLine[] = [{ text: formatNumber(r.score), font: r.flagged ? 'bold' : 'body' }];
  if (r.flagged) score.push({ text: 'alert', color: INK.muted });
  const verdict: CellLine[] = [{ text: r.verdict ? VERDICT_NAMES[r.verdict] : '–', font: r.verdict ? 'bold' : 'body' }];
  if (r.label !== null) verdict.push({ text: r.label, font: 'italic', color: INK.muted });
  return [
    String(r.rank),
    r.id,
    { lines: score },
    col((c) => c.column),
    col((c) => formatValue(c.actual)),
    col((c) => formatValue(c.expected, 4)),
    col((c) => formatPercent(c.share, 0)),
    { lines: verdict },
    r.note,
  ];
}

/** The anomalies' average per-column error: which columns the flagged rows break. */
export function profileSection(layout: Layout, d: ReportData): void {
  const p = d.profile;
  const shown = p.columns.slice(0, PROFILE_BARS);
  const chart = { width: layout.width, height: 34 + shown.length * 15 };
  // The heading, its two-line introduction and the chart stay on one page.
  layout.heading('Which columns the anomalies break', 1, p.flagged === 0 ? 30 : 40 + chart.height);
  if (p.flagged === 0) {
    layout.paragraph('No row scores at or above the threshold, so there is no anomaly profile to show.', { color: INK.muted });
    return;
  }
  const w = columnWords(d.model.kind);
  layout.paragraph(
    w.signed
      ? `Average ${w.what} per column over the ${formatInt(p.flagged)} flagged rows (score ≥ ${formatNumber(p.threshold)}), divided by the column's mean |attribution| on the training rows: ` +
        'high values point the domain expert to what makes these rows score high; negative ones to columns that make them look more normal.'
      : w.what === 'error'
        ? `Average error per column over the ${formatInt(p.flagged)} flagged rows (score ≥ ${formatNumber(p.threshold)}), divided by the column's mean error on the training rows: ` +
          '1 means the flagged rows are reconstructed as well as typical rows in that column; high values point the domain expert to what is unusual.'
        : `Average ${w.what} per column over the ${formatInt(p.flagged)} flagged rows (score ≥ ${formatNumber(p.threshold)}), divided by the column's mean on the training rows: ` +
          '1 means the flagged rows are as typical as the training rows in that column; high values point the domain expert to what is unusual.',
    { size: 8.5, color: INK.muted },
    { after: 6 },
  );
  const labelWidth = Math.min(150, Math.max(...shown.map((c) => layout.measure({ size: 8 })(c.feature))) + 4);
  layout.svg(featureBars(shown, labelWidth, chart, w.what === 'error' ? undefined : `mean ${w.what} ÷ the column’s mean training ${w.signed ? '|attribution|' : 'value'}`), chart.width, chart.height);
  const listed = p.columns.slice(0, PROFILE_TABLE_MAX);
  if (p.columns.length > shown.length)
    layout.paragraph(
      listed.length < p.columns.length
        ? `The ${shown.length} highest of ${formatInt(p.columns.length)} columns; the table lists the ${listed.length} highest (the Heatmap section of the app lists all).`
        : `The ${shown.length} highest of ${p.columns.length} columns; the table lists all.`,
      { size: 8, color: INK.muted },
    );
  layout.gap(6);
  layout.table(
    [
      { header: '#', weight: 0.5, align: 'right' },
      { header: 'Column', weight: 4, maxLines: 2 },
      { header: w.what === 'error' ? 'Mean error ÷ training error' : w.signed ? 'Mean ÷ training |attribution|' : 'Mean ÷ training mean', weight: 2, align: 'right' },
      { header: w.what === 'error' ? 'Mean squared error' : `Mean ${w.what}`, weight: 2, align: 'right' },
      { header: w.what === 'error' ? 'Share of the error' : 'Share of the score', weight: 1.6, align: 'right' },
    ],
    listed.map((c, i) => [String(i + 1), c.feature, formatNumber(c.meanNormalizedError), formatNumber(c.meanError), formatPercent(c.share)]),
  );
}

/** Top rows × columns, coloured by normalised error, a page per HEATMAP_ROWS rows. */
export function heatmapSection(layout: Layout, d: ReportData): void {
  const h = d.heatmap;
  layout.pageBreak();
  const w = columnWords(d.model.kind);
  layout.heading(w.what === 'error' ? 'Error heatmap of the top rows' : `Heatmap of the top rows (${w.what})`);
  if (h.rows.length === 0 || h.columns.length === 0) {
    layout.paragraph('No rows to draw.', { color: INK.muted });
    return;
  }
  layout.paragraph(
    (w.signed
      ? `Each cell is a column's ${w.what} in a top row divided by that column's mean training |attribution|, on the app's colour scale: linear from −${formatNumber(h.cap, 3)}× to ${formatNumber(h.cap, 3)}×, the 99th percentile of the magnitudes of all this score's cells (pale near 0; red raises the score, blue lowers it). `
      : `Each cell is a column's ${w.what} in a top row divided by that column's mean training ${w.what}, on the app's colour scale: linear from 0 to ${formatNumber(h.cap, 3)}×, the 99th percentile of all this score's cells (pale near 0). `) +
      `Columns are ordered as in the previous section, most broken first${h.omittedColumns ? `; ${h.omittedColumns} further columns are left out` : ''}.`,
    { size: 8.5, color: INK.muted },
    { after: 6 },
  );
  const m = layout.measure({ size: 7 });
  const rowLabelWidth = Math.min(110, Math.max(...h.rows.map((r) => m(r))) + 4);
  const columnLabelHeight = Math.min(120, Math.max(...h.columns.map((c) => m(c))) + 6);
  for (let from = 0; from < h.rows.length; from += HEATMAP_ROWS) {
    const to = Math.min(h.rows.length, from + HEATMAP_ROWS);
    if (from > 0) layout.pageBreak();
    const height = Math.min(layout.remaining, columnLabelHeight + 10 + (to - from) * 11);
    layout.svg(heatmapChart(h, from, to, { rowLabelWidth, columnLabelHeight }, { width: layout.width, height }, w.signed), layout.width, height);
  }
}

/** Every verdict and note on the dataset, in rank order. */
export function notesSection(layout: Layout, d: ReportData): void {
  layout.heading("Analyst's notes", 1, 60);
  if (d.notes.length === 0) {
    layout.paragraph('No verdicts or notes on this dataset yet.', { color: INK.muted });
    return;
  }
  layout.paragraph(`${formatInt(d.notes.length)} reviewed row${d.notes.length === 1 ? '' : 's'}, in rank order.`, { size: 8.5, color: INK.muted });
  layout.table(
    [
      { header: 'Rank', weight: 0.7, align: 'right' },
      { header: 'Id', weight: 1.5, maxLines: 2 },
      { header: 'Verdict', weight: 1.2 },
      { header: 'Note', weight: 6, maxLines: 40 },
      { header: 'Updated', weight: 1.9 },
    ],
    d.notes.map((n) => [formatInt(n.rank), n.id, n.verdict ? VERDICT_NAMES[n.verdict] : '–', n.note || '–', formatDate(n.updatedAt)]),
  );
  if (d.notesOmitted) layout.paragraph(`${formatInt(d.notesOmitted)} further reviewed rows are in the project file.`, { size: 8.5, color: INK.muted });
}
