import type { LatentPoint, LatentView } from '../../../../src-main/contract/latent';
import type { EChartsOption } from '../../echarts';
import { fmt } from '../../format';
import { VERDICT_NAMES } from '../row/review';

/** What the points are coloured by: the score (a continuous scale), the row's class, or the analyst's verdict. */
export type LatentColour = 'score' | 'label' | 'verdict';

/** One point as the chart holds it: x, y, score, row, rank (the tooltip and a click read the last two). */
type Datum = [number, number, number, number, number];

/** Categorical colours: distinct on light and dark backgrounds (ECharts' own palette, extended). */
const PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc', '#8c6d31', '#17becf', '#bcbd22'];
const VERDICT_COLOURS: Record<string, string> = { anomaly: '#d9480f', normal: '#2f9e44', unsure: '#868e96', none: '#9aa5b4' };

/** The point's category for a categorical colouring. */
export function categoryOf(p: LatentPoint, by: 'label' | 'verdict'): string {
  if (by === 'verdict') return p.verdict ?? 'none';
  return p.label ?? '(no label)';
}

export function categoryName(c: string, by: 'label' | 'verdict'): string {
  if (by === 'verdict') return c === 'none' ? 'no verdict' : (VERDICT_NAMES as Record<string, string>)[c] ?? c;
  return c;
}

/** Categories in a stable order: numbers numerically, then text; "no verdict"/"(no label)" last. */
export function categories(points: readonly LatentPoint[], by: 'label' | 'verdict'): string[] {
  const set = [...new Set(points.map((p) => categoryOf(p, by)))];
  const rest = (c: string): boolean => c === 'none' || c === '(no label)';
  return set.sort((a, b) => {
    if (rest(a) !== rest(b)) return rest(a) ? 1 : -1;
    const na = Number(a);
    const nb = Number(b);
    if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
    return a.localeCompare(b);
  });
}

/** The 99th percentile of the scores (the colour scale tops out there, so one extreme row does not wash out the rest). */
export function scoreCap(points: readonly LatentPoint[]): { min: number; max: number } {
  const s = points.map((p) => p.score).filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return { min: 0, max: 1 };
  const max = s[Math.min(s.length - 1, Math.floor(0.99 * (s.length - 1)))]!;
  return { min: s[0]!, max: max > s[0]! ? max : s[0]! + 1e-12 };
}

/** The rows drawn larger: the ten highest ranked. */
const TOP_MARKED = 10;
const size = (d: Datum): number => (d[4] <= TOP_MARKED ? 11 : 6);

function datum(p: LatentPoint): Datum {
  return [p.x, p.y, p.score, p.row, p.rank];
}

/** The scatter's option for a latent view, coloured as asked; `ids` names the rows in the tooltip. */
export function scatterOption(view: LatentView, by: LatentColour, dark: boolean): EChartsOption {
  const ids = new Map(view.points.map((p) => [p.row, p]));
  const axisName = (k: 0 | 1): string => `PC${k + 1} (${(100 * view.explained[k]).toFixed(1)} %)`;
  const tooltip = {
    trigger: 'item' as const,
    formatter: (params: unknown): string => {
      const d = (params as { data: Datum }).data;
      const p = ids.get(d[3]);
      if (!p) return '';
      const extra = [p.label !== null ? `label ${escapeHtml(p.label)}` : null, p.verdict ? `verdict ${VERDICT_NAMES[p.verdict].toLowerCase()}` : null].filter(Boolean).join(' · ');
      return `<b>${escapeHtml(p.id)}</b> (row ${fmt(p.row + 1)})<br/>rank ${fmt(p.rank)} · score ${fmt(p.score)}${extra ? `<br/>${extra}` : ''}<br/><span style="opacity:0.7">click to open the row</span>`;
    },
  };
  // Higher ranks drawn last, so the anomalies sit on top of the crowd.
  const ordered = [...view.points].sort((a, b) => b.rank - a.rank);
  const base: EChartsOption = {
    animation: false,
    grid: { left: 56, right: by === 'score' ? 90 : 150, top: 16, bottom: 44 },
    xAxis: { type: 'value', name: axisName(0), nameLocation: 'middle', nameGap: 26, scale: true, splitLine: { show: false } },
    yAxis: { type: 'value', name: axisName(1), nameLocation: 'middle', nameGap: 40, scale: true, splitLine: { show: false } },
    tooltip,
  };
  if (by === 'score') {
    const cap = scoreCap(view.points);
    return {
      ...base,
      visualMap: {
        type: 'continuous',
        dimension: 2,
        min: cap.min,
        max: cap.max,
        calculable: false,
        right: 8,
        top: 'middle',
        text: ['high score', 'low'],
        textStyle: { color: dark ? '#e3e7ed' : '#1d232b' },
        formatter: (v: unknown) => fmt(Number(v), 3),
        inRange: { color: ['#313695', '#4575b4', '#74add1', '#fee090', '#f46d43', '#a50026'] },
      },
      series: [{ type: 'scatter', name: 'rows', data: ordered.map(datum), symbolSize: (d: Datum) => size(d), itemStyle: { opacity: 0.85 }, emphasis: { scale: 1.6 } }],
    };
  }
  const cats = categories(view.points, by);
  return {
    ...base,
    legend: { type: 'scroll', orient: 'vertical', right: 8, top: 16, bottom: 16, textStyle: { color: dark ? '#e3e7ed' : '#1d232b' } },
    series: cats.map((c, i) => ({
      type: 'scatter' as const,
      name: categoryName(c, by),
      data: ordered.filter((p) => categoryOf(p, by) === c).map(datum),
      symbolSize: (d: Datum) => size(d),
      itemStyle: { opacity: 0.85, color: by === 'verdict' ? VERDICT_COLOURS[c] ?? PALETTE[i % PALETTE.length] : PALETTE[i % PALETTE.length] },
      emphasis: { scale: 1.6 },
    })),
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
