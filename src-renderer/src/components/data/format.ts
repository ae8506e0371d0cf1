import type { ColumnInfo } from '../../../../src-main/contract';
import { fmt } from '../../format';

/**
 * A statistic in the column's own units: dates for time columns (stored as epoch ms, shown in UTC as the import
 * reads them), numbers otherwise. `short` drops the time of day (table cells).
 */
export function fmtStat(c: Pick<ColumnInfo, 'valueKind'>, v: number | undefined, short = false): string {
  if (v === undefined) return '–';
  if (c.valueKind !== 'time') return fmt(v);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return fmt(v);
  const iso = d.toISOString();
  return short ? iso.slice(0, 10) : iso.slice(0, 16).replace('T', ' ');
}

/** A spread (std) in the column's units: a duration for time columns. */
export function fmtSpread(c: Pick<ColumnInfo, 'valueKind'>, v: number | undefined): string {
  if (v === undefined) return '–';
  if (c.valueKind !== 'time') return fmt(v);
  const days = v / 86_400_000;
  return days >= 1 ? `${fmt(days, 3)} d` : `${fmt(v / 3_600_000, 3)} h`;
}

export function fmtDistinct(c: ColumnInfo): string {
  return `${c.stats.distinctCapped ? '≥ ' : ''}${fmt(c.stats.distinct)}`;
}

export { formatBytes } from './bytes';
