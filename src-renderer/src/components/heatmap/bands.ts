import type { Heatmap } from '../../../../src-main/contract';
import { fmt } from '../../format';

type Band = Heatmap['bands'][number];

/**
 * A band's label on the heatmap's row axis (named "rank ↓" or "time order ↓"): in rank order "1 · #18" — the rank as
 * the Ranking's Rank column shows it, then the row's id as its Id column does (an id is "#N" when the dataset has no
 * id column, so the rank never carries a "#" of its own); in time order the id alone; an aggregated band its first
 * position (the tooltip gives the whole range).
 */
export function bandAxisLabel(band: Band, order: Heatmap['order']): string {
  if (band.row === null || band.id === null) return fmt(band.position + 1);
  return order === 'rank' ? `${fmt(band.position + 1)} · ${band.id}` : band.id;
}

/** A single-row band in the tooltip's words: "rank 1 · id #18", or "id 842302 · row 5 in time order". */
export function bandWords(band: Band, order: Heatmap['order']): string {
  const id = band.id ?? band.label;
  return order === 'rank' ? `rank ${fmt(band.position + 1)} · id ${id}` : `id ${id} · row ${fmt(band.position + 1)} in time order`;
}
