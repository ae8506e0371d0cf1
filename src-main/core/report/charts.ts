/**
 * The report's charts as SVG strings, rendered by ECharts server-side (no browser, no canvas) and later
 * drawn into the PDF as vectors. Sizes are in PDF points: the SVG is drawn with one unit = one point.
 */
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TitleComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { formatInt, formatNumber } from './format';
import type { ReportDistribution, ReportHeatmap, ReportModel, ReportProfileColumn } from './types';

echarts.use([BarChart, HeatmapChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, VisualMapComponent, SVGRenderer]);

export const FONT_FAMILY = 'DejaVu Sans';
export const COLORS = { train: '#2f5d8a', validation: '#e08a2c', threshold: '#c0392b', bars: '#4a7fb0', grid: '#e3e6ea', axis: '#6b7280', text: '#333333' };

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

type Option = Record<string, unknown>;

/** Measures chart text with the embedded font, so ECharts lays labels out as the PDF will draw them. */
export function setTextMeasurer(measure: (text: string, size: number, bold: boolean) => number): void {
  echarts.setPlatformAPI({
    measureText(text: string, font?: string) {
      const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12);
      return { width: measure(text, size, /\bbold\b|\b[6-9]00\b/.test(font ?? '')) };
    },
  });
}

function render(size: ChartSize, option: Option): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT_FAMILY, fontSize: 8, color: COLORS.text }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const axisText = { fontSize: 8, color: COLORS.axis, fontFamily: FONT_FAMILY };
const nameText = { fontSize: 8, color: COLORS.text, fontFamily: FONT_FAMILY };
const splitLine = { lineStyle: { color: COLORS.grid } };
const tick = (v: number): string => formatNumber(v, 3);

function valueAxis(name: string, extra: Option = {}): Option {
  return { type: 'value', name, nameLocation: 'middle', nameTextStyle: nameText, axisLabel: { ...axisText, formatter: tick }, splitLine, ...extra };
}

/** True when values span more than two decades: a log axis then shows the small ones. */
function wantsLog(values: readonly number[]): boolean {
  const pos = values.filter((v) => v > 0);
  return pos.length > 1 && Math.max(...pos) / Math.min(...pos) > 100;
}

/** Training and validation loss per epoch, with the best epoch marked. */
export function trainingCurve(model: ReportModel, size: ChartSize): string {
  const train = model.history.filter((h) => h.train !== null).map((h) => [h.epoch, h.train!]);
  const val = model.history.filter((h) => h.val !== null).map((h) => [h.epoch, h.val!]);
  const losses = [...train, ...val].map((p) => p[1]!);
  // A log axis cannot draw a loss at or below zero (OC-NN's objective has a −r term).
  const log = losses.every((v) => v > 0) && wantsLog(losses);
  const last = Math.max(1, ...model.history.map((h) => h.epoch));
  const best = model.bestEpoch;
  const series: Option[] = [
    { name: 'training loss', type: 'line', data: train, color: COLORS.train, symbolSize: 4, lineStyle: { width: 1.5 } },
  ];
  if (val.length) series.push({ name: 'validation loss', type: 'line', data: val, color: COLORS.validation, symbolSize: 4, lineStyle: { width: 1.5 } });
  if (best !== null) {
    (series[series.length - 1] as Option).markLine = {
      symbol: 'none',
      silent: true,
      lineStyle: { color: COLORS.threshold, type: 'dashed', width: 1 },
      label: { formatter: `best epoch ${best}`, position: 'end', fontSize: 8, color: COLORS.threshold, fontFamily: FONT_FAMILY },
      data: [{ xAxis: best }],
    };
  }
  return render(size, {
    // The legend sits left and the grid keeps room on the right: the best-epoch label is centred on its
    // line, which is often the last epoch.
    legend: { top: 0, left: 50, itemWidth: 14, itemHeight: 8, textStyle: axisText },
    grid: { left: 56, right: 36, top: 24, bottom: 34 },
    xAxis: valueAxis('epoch', { min: 1, max: Math.max(2, last), minInterval: 1, nameGap: 20 }),
    yAxis: log ? { ...valueAxis('loss', { nameGap: 44 }), type: 'log' } : valueAxis('loss', { nameGap: 44, scale: true }),
    series,
  });
}

/** Histogram of every row's score (log count axis, so the few high scores stay visible) and the threshold. */
export function scoreHistogram(dist: ReportDistribution, threshold: number | null, alerts: number, size: ChartSize, scoreName = 'reconstruction error'): string {
  const grid = { left: 48, right: 16, top: 22, bottom: 34 };
  const lo = dist.edges[0]!;
  const hi = Math.max(dist.edges[dist.edges.length - 1]!, threshold ?? -Infinity);

  const plotWidth = size.width - grid.left - grid.right;
  const binWidth = (plotWidth * (dist.edges[1]! - lo)) / (hi - lo || 1);
  const data = dist.counts.map((c, i) => [(dist.edges[i]! + dist.edges[i + 1]!) / 2, c > 0 ? c : null]);
  const maxCount = Math.max(1, ...dist.counts);
  const series: Option = {
    type: 'bar',
    data,
    barWidth: Math.max(1, binWidth - 0.6),
    color: COLORS.bars,
  };
  if (threshold !== null) {
    series.markLine = { symbol: 'none', silent: true, lineStyle: { color: COLORS.threshold, width: 1.5 }, label: { show: false }, data: [{ xAxis: threshold }] };
  }
  return render(size, {
    // The threshold is named in a corner, not on its line: a line near the right edge would push the label off the page.
    title: threshold === null ? undefined : {
      text: `— threshold ${formatNumber(threshold)} · ${formatInt(alerts)} alert${alerts === 1 ? '' : 's'}`,
      right: grid.right,
      top: 0,
      textStyle: { fontSize: 8, fontWeight: 'normal', color: COLORS.threshold, fontFamily: FONT_FAMILY },
    },
    grid,
    // The exact data range keeps bars on their bins; its odd end values would crowd the nice ticks.
    xAxis: valueAxis(`score (${scoreName})`, { min: lo, max: hi, nameGap: 20, splitLine: { show: false }, axisLabel: { ...axisText, formatter: tick, showMinLabel: false, showMaxLabel: false } }),
    yAxis: { ...valueAxis('rows', { nameGap: 34 }), type: 'log', min: 0.7, max: 10 ** Math.ceil(Math.log10(maxCount * 1.2)), axisLabel: { ...axisText, formatter: (v: number) => (v >= 1 ? tick(v) : '') } },
    series: [series],
  });
}

/** A curve in the unit square with a dashed reference line and its summary number in the corner. */
function unitCurve(points: readonly (readonly [number, number])[], xName: string, yName: string, reference: [number, number][], caption: string, size: ChartSize): string {
  return render(size, {
    title: { text: caption, right: 8, bottom: 44, textStyle: { fontSize: 9, fontWeight: 'bold', color: COLORS.text, fontFamily: FONT_FAMILY } },
    grid: { left: 42, right: 12, top: 10, bottom: 34 },
    xAxis: valueAxis(xName, { min: 0, max: 1, interval: 0.2, nameGap: 20 }),
    yAxis: valueAxis(yName, { min: 0, max: 1, interval: 0.2, nameGap: 30 }),
    series: [
      { type: 'line', data: reference, symbol: 'none', silent: true, lineStyle: { color: COLORS.axis, type: 'dashed', width: 1 } },
      { type: 'line', data: points.map((p) => [p[0], p[1]]), symbol: 'none', color: COLORS.train, lineStyle: { width: 1.5 } },
    ],
  });
}

export function rocChart(points: readonly (readonly [number, number])[], auc: number | null, size: ChartSize): string {
  return unitCurve(points, 'false positive rate', 'true positive rate', [[0, 0], [1, 1]], `ROC AUC ${formatNumber(auc, 3)}`, size);
}

export function prChart(points: readonly (readonly [number, number])[], ap: number | null, prevalence: number, size: ChartSize): string {
  return unitCurve(points, 'recall', 'precision', [[0, prevalence], [1, prevalence]], `AP ${formatNumber(ap, 3)}`, size);
}

/** Mean normalised error per column over the flagged rows, largest on top. */
export function featureBars(columns: readonly ReportProfileColumn[], labelWidth: number, size: ChartSize, axisName = 'mean error ÷ the column’s mean training error'): string {
  const shown = [...columns].reverse();
  // Signed attributions (one-class kinds) may be negative: the axis then starts below zero.
  const negative = shown.some((c) => c.meanNormalizedError < 0);
  return render(size, {
    grid: { left: labelWidth + 10, right: 40, top: 6, bottom: 28 },
    xAxis: valueAxis(axisName, { nameGap: 16, ...(negative ? {} : { min: 0 }) }),
    yAxis: {
      type: 'category',
      data: shown.map((c) => c.feature),
      axisTick: { show: false },
      axisLabel: { ...axisText, width: labelWidth, overflow: 'truncate', ellipsis: '…' },
    },
    series: [
      {
        type: 'bar',
        data: shown.map((c) => c.meanNormalizedError),
        color: COLORS.bars,
        barWidth: '70%',
        label: { show: true, position: 'right', fontSize: 7, color: COLORS.axis, fontFamily: FONT_FAMILY, formatter: (p: { value: number }) => formatNumber(p.value, 3) },
      },
    ],
  });
}

/**
 * Rows × columns of normalised error (1× = the column's typical training error) on the app's linear colour scale up
 * to the score's cap (ReportHeatmap.cap), rows [from, to) of the heatmap.
 */
export function heatmapChart(h: ReportHeatmap, from: number, to: number, layout: { rowLabelWidth: number; columnLabelHeight: number }, size: ChartSize, signed = false): string {
  // The app's scale: linear from 0 (−cap for signed attributions) to the score's cap; cells beyond it get the end colour.
  const top = h.cap;
  const bottom = signed ? -top : 0;
  const data: [number, number, number][] = [];
  for (let r = from; r < to; r++) h.values[r]!.forEach((v, c) => data.push([c, r - from, Math.min(top, Math.max(bottom, Number.isFinite(v) ? v : 0))]));
  const capText = formatNumber(top, 3);
  return render(size, {
    grid: { left: layout.rowLabelWidth + 8, right: 76, top: layout.columnLabelHeight + 4, bottom: 4 },
    xAxis: {
      type: 'category',
      position: 'top',
      data: h.columns,
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { ...axisText, fontSize: 7, rotate: 90, interval: 0, width: layout.columnLabelHeight, overflow: 'truncate', ellipsis: '…' },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: h.rows.slice(from, to),
      axisTick: { show: false },
      axisLine: { show: false },
      axisLabel: { ...axisText, fontSize: 7, interval: 0, width: layout.rowLabelWidth, overflow: 'truncate', ellipsis: '…' },
    },
    visualMap: {
      type: 'continuous',
      min: bottom,
      max: top,
      calculable: false,
      orient: 'vertical',
      right: 0,
      top: 'middle',
      itemWidth: 10,
      itemHeight: 120,
      precision: 2,
      text: [`≥ ${capText}× typical`, signed ? `≤ −${capText}×` : '0'],
      textStyle: axisText,
      inRange: { color: signed ? ['#1e3a8a', '#2563eb', '#93c5fd', '#dbeafe', '#f7f7f2', '#fde8a6', '#f6a04d', '#d9482b', '#7f1d1d'] : ['#f7f7f2', '#fde8a6', '#f6a04d', '#d9482b', '#7f1d1d'] },
    },
    series: [{ type: 'heatmap', data, itemStyle: { borderColor: '#ffffff', borderWidth: 0.3 } }],
  });
}
