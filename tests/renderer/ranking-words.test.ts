/**
 * The Ranking's words (newcomer report, items 1–2): what "flagged" means under the table — the saved threshold or
 * the default one, with its value — the keys' help, which lists Ctrl+Z (⌘Z on a Mac) beside the review keys, and
 * the Id column's width (item 5).
 */
import { describe, expect, it } from 'vitest';
import type { Distribution, StoredThreshold } from '../../src-main/contract';
import { flaggedRule } from '../../src-renderer/src/components/ranking/flaggedRule';
import { ID_COLUMN_REM, idColumnRem } from '../../src-renderer/src/composables/fitText';
import { fitHeight } from '../../src-renderer/src/composables/fitToView';
import { reviewKeyHelp } from '../../src-renderer/src/composables/reviewKeys';

const inForce = { method: 'sigma', value: 2.076, alerts: 7 } as unknown as Distribution['threshold'];

describe('flaggedRule (the line under the Ranking table)', () => {
  it('names the default mean + 2σ and its value when no threshold was saved, never "saved"', () => {
    const text = flaggedRule({ threshold: inForce, saved: null });
    expect(text).toBe('flagged: score at or above 2.076, the default mean + 2σ (not saved)');
    expect(text).not.toMatch(/\(\s*\)/);
  });

  it('says "saved" with the value when the model has a saved threshold', () => {
    const saved = { id: 1, modelId: 3, scoreId: 4, spec: { method: 'manual', value: 1.5 }, result: { ...inForce, value: 1.5 }, createdAt: '' } as unknown as StoredThreshold;
    const text = flaggedRule({ threshold: { ...inForce, value: 1.5 }, saved });
    expect(text).toBe('flagged: score at or above the saved threshold, 1.5');
    expect(text).not.toContain('default');
  });
});

describe('reviewKeyHelp (the ? overlay)', () => {
  const keys = { anomaly: 'A', normal: 'F', unsure: 'U' };
  const names = { anomaly: 'Anomaly', normal: 'False positive', unsure: 'Unsure' };

  it('lists Ctrl+Z as undo of the last verdict or note, as a chord', () => {
    const undo = reviewKeyHelp(keys, names, false).find((k) => k.keys.includes('Z'));
    expect(undo).toMatchObject({ keys: ['Ctrl', 'Z'], chord: true });
    expect(undo!.what).toMatch(/^undo the last verdict or note/);
  });

  it('says ⌘Z on a Mac', () => {
    expect(reviewKeyHelp(keys, names, true).find((k) => k.keys.includes('Z'))!.keys).toEqual(['⌘', 'Z']);
  });

  it('keeps the review keys with the verdicts’ names', () => {
    const help = reviewKeyHelp(keys, names, false);
    expect(help.map((k) => k.keys.join(' '))).toEqual(['↑ ↓', 'PgUp PgDn', 'Home End', 'A', 'F', 'U', 'X', 'N', 'Ctrl Z', '?']);
    expect(help.find((k) => k.keys[0] === 'F')!.what).toBe('mark as false positive (not an anomaly)');
  });
});

describe('idColumnRem (the Ranking\'s Id column)', () => {
  it('fits a long id whole ("sneaker/sneaker-12.png" is not cut to "sneaker/snea…"), up to a cap', () => {
    // ~150 px of id at 14 px to the rem: wider than the 8rem the column had, so it grows.
    expect(idColumnRem(150, 14)).toBeGreaterThan(150 / 14);
    expect(idColumnRem(150, 14)).toBeLessThan(12);
    expect(idColumnRem(5000, 14)).toBe(ID_COLUMN_REM.max);
  });

  it('keeps short ids (and nothing measured yet) at the minimum', () => {
    expect(idColumnRem(20, 14)).toBe(ID_COLUMN_REM.min);
    expect(idColumnRem(0, 14)).toBe(ID_COLUMN_REM.min);
    expect(idColumnRem(Number.NaN, 14)).toBe(ID_COLUMN_REM.min);
  });
});

describe('fitHeight (the Ranking\'s table and row detail end inside the visible page)', () => {
  const g = { clientHeight: 800, top: 370, below: 20, paddingBottom: 16, min: 300, max: 1100 };

  it('fills what is left under the block\'s top, less the line below it and the padding', () => {
    expect(fitHeight(g)).toBe(800 - 370 - 20 - 16);
    // The status dock takes 50 px from the page: the block shrinks with it, so a focus at its foot scrolls nothing.
    expect(fitHeight({ ...g, clientHeight: 750 })).toBe(750 - 370 - 20 - 16);
  });

  it('keeps the bounds: at least 300 px on a short window, at most 1100', () => {
    expect(fitHeight({ ...g, clientHeight: 500 })).toBe(300);
    expect(fitHeight({ ...g, clientHeight: 3000 })).toBe(1100);
  });
});
