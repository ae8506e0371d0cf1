import type { Distribution } from '../../../../src-main/contract';
import { fmt } from '../../format';

/**
 * What "flagged" means under the Ranking's table: the threshold in force, and whether it is the model's saved one or
 * the default mean + 2σ (nothing saved yet), with its value — the same words as the threshold panel's "In force".
 */
export function flaggedRule(d: Pick<Distribution, 'threshold' | 'saved'>): string {
  return d.saved
    ? `flagged: score at or above the saved threshold, ${fmt(d.threshold.value)}`
    : `flagged: score at or above ${fmt(d.threshold.value)}, the default mean + 2σ (not saved)`;
}
