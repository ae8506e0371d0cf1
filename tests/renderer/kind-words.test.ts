import { describe, expect, it } from 'vitest';
import { ONNX_KINDS } from '../../src-main/contract';
import { layerWords, scoringStores } from '../../src-renderer/src/components/model/settings';
import { lossCurveOwner } from '../../src-renderer/src/components/training/curveOwner';
import { overlapK, overlapKWords } from '../../src-renderer/src/components/training/overlapTop';

/** What the Model section and the "Not scored yet" page say a model does: a one-class network has no decoder, rebuilds nothing. */
describe('kind wording', () => {
  it('names no decoder or bottleneck for the one-class kinds, and the mirrored decoder for the autoencoders', () => {
    for (const kind of ['deepsvdd', 'ocnn'] as const) {
      const w = layerWords(kind);
      expect(w.label).not.toMatch(/decoder mirrors|bottleneck/);
      expect(w.label).toMatch(/no decoder: nothing is rebuilt/);
      expect(w.last).not.toMatch(/Bottleneck/);
    }
    expect(layerWords('deepsvdd').label).toMatch(/representation the sphere lies in/);
    expect(layerWords('ocnn').label).toMatch(/the last is V/);
    for (const kind of ['ae', 'vae', 'ensemble'] as const) expect(layerWords(kind).label).toMatch(/the last is the bottleneck \(the decoder mirrors them\)/);
  });

  it('says what scoring stores per kind: a reconstruction error only for models that rebuild rows', () => {
    expect(scoringStores('ae')).toBe('its reconstruction error and per-column errors');
    expect(scoringStores('deepsvdd')).toBe('its squared distance to the centre of the sphere and per-column integrated-gradients attributions (nothing is rebuilt)');
    expect(scoringStores('ocnn')).toMatch(/below the margin r and per-column integrated-gradients attributions/);
    expect(scoringStores('ecod')).toBe('its summed tail score and per-column tail scores');
    expect(scoringStores('iforest')).toBe('its isolation score and per-column isolation shares');
    for (const kind of [...ONNX_KINDS, 'ecod'] as const) {
      const rebuilds = !['deepsvdd', 'ocnn', 'iforest', 'ecod', 'ensemble'].includes(kind);
      expect(scoringStores(kind).includes('reconstruction error'), kind).toBe(rebuilds);
    }
  });
});

describe("Compare runs' agreement: how many top rows", () => {
  it('says the top it compares as counted, with the 1 % rounded up and the floor of 10 named', () => {
    expect(overlapK('1%', 351)).toBe(10);
    expect(overlapKWords('1%', 351)).toBe('top 10 of 351 rows (1 % is 3.51; at least 10)');
    expect(overlapKWords('5%', 351)).toBe('top 18 of 351 rows (5 % is 17.55, rounded up)');
    expect(overlapKWords('1%', 5000)).toBe('top 50 of 5,000 rows (1 %)');
    expect(overlapKWords('100', 5000)).toBe('top 100 of 5,000 rows');
    expect(overlapKWords('100', 60)).toBe('all 60 rows');
    expect(overlapKWords('1%', 8)).toBe('all 8 rows');
  });
});

describe("an ensemble's loss curve", () => {
  it("is named as its first network member's, with that member's seed; a plain run's curve is its own", () => {
    expect(lossCurveOwner({ kind: 'ensemble', settings: { members: ['ae', 'ae', 'ae', 'iforest', 'ecod'], seed: 0 } })).toBe('first network member (ae, seed 0)');
    expect(lossCurveOwner({ kind: 'ensemble', settings: { members: ['iforest', 'vae'], seed: 7 } })).toBe('first network member (vae, seed 8)');
    expect(lossCurveOwner({ kind: 'ae', settings: { members: [], seed: 0 } })).toBeNull();
  });
});
