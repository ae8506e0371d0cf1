import { describe, expect, it } from 'vitest';
import { familyOrder, renderFamilyOrder, type Cell } from '../../bench/quality';

/** The quality bench's note on seed 004's order of merit VAE < AAE < WAE, from given cells. */

const cell = (dataset: string, method: string, rocAuc: number | null): Cell => ({
  dataset, method, runs: [], rocAuc, averagePrecision: rocAuc, spread: 0, seconds: 0,
});

describe('familyOrder', () => {
  it('says per dataset where VAE < AAE < WAE holds, counts each step, and leaves out datasets missing a figure', () => {
    const cells = [
      cell('a', 'vae', 0.7), cell('a', 'aae', 0.75), cell('a', 'wae', 0.8), // holds
      cell('b', 'vae', 0.9), cell('b', 'aae', 0.8), cell('b', 'wae', 0.85), // AAE below VAE
      cell('c', 'vae', 0.6), cell('c', 'aae', 0.7), cell('c', 'wae', 0.7), // a tie is not "<"
      cell('d', 'vae', 0.6), cell('d', 'aae', null), cell('d', 'wae', 0.9), // AAE failed there
      cell('e', 'vae', 1), cell('e', 'aae', 0.99999), cell('e', 'wae', 1), // a tie as shown (1.000)
      cell('a', 'ae', 0.99),
    ];
    const o = familyOrder(cells, ['a', 'b', 'c', 'd', 'e'])!;
    expect(o.datasets).toBe(4);
    expect(o.tied).toEqual(['e']);
    expect(o.holds).toEqual(['a']);
    expect(o.fails.map((f) => f.dataset)).toEqual(['b', 'c']);
    expect([o.aaeOverVae, o.waeOverAae, o.waeOverVae]).toEqual([2, 2, 2]);
    const text = renderFamilyOrder(o).join('\n');
    expect(text).toContain('holds on 1 of 4 datasets (a); all three tie on 1 (e)');
    expect(text).toContain('b (0.900 / 0.800 / 0.850)');
    expect(familyOrder([cell('a', 'vae', 0.7), cell('a', 'wae', 0.8)], ['a'])).toBeNull();
  });
});
