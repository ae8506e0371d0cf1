/**
 * The Latent view's chart logic without a browser: the categories' order, the colour scale's cap, and the option for
 * each colouring (a continuous scale for the score; one series per class or verdict, with a legend).
 */
import { describe, expect, it, vi } from 'vitest';
import { latentSampleWords, type LatentPoint, type LatentView } from '../../src-main/contract/latent';

// The verdict names come from the row detail's module, which reaches the api client: no window here.
vi.mock('../../src-renderer/src/api/client', () => ({ api: { invoke: vi.fn() } }));
const { categories, scatterOption, scoreCap } = await import('../../src-renderer/src/components/latent/scatter');

const point = (row: number, score: number, rank: number, label: string | null, verdict: LatentPoint['verdict'] = null): LatentPoint => ({
  row, id: `#${row + 1}`, x: row, y: -row, score, rank, label, anomaly: null, verdict,
});

const view = (points: LatentPoint[]): LatentView => ({
  scoreId: 1, modelId: 1, datasetId: 1, kind: 'ae', source: 'the code layer', inputDims: 10, latentDims: 2, rows: points.length, sampled: points.length,
  topIncluded: points.length, seed: 0, threshold: 1, explained: [0.6, 0.3], points, knn: null, knnNote: 'none', compression: null, compressionNote: null, seconds: 0,
});

describe('latent scatter', () => {
  it('orders classes numerically, then as text, with the unlabelled last', () => {
    const pts = [point(0, 1, 3, '10'), point(1, 2, 2, '9'), point(2, 3, 1, 'shoe'), point(3, 0, 4, null), point(4, 0, 5, '2')];
    expect(categories(pts, 'label')).toEqual(['2', '9', '10', 'shoe', '(no label)']);
    expect(categories([point(0, 1, 1, null, 'anomaly'), point(1, 1, 2, null)], 'verdict')).toEqual(['anomaly', 'none']);
  });

  it('caps the colour scale at the 99th percentile of the scores', () => {
    const pts = Array.from({ length: 101 }, (_, i) => point(i, i === 100 ? 1e6 : i, 101 - i, null));
    expect(scoreCap(pts)).toEqual({ min: 0, max: 99 });
    expect(scoreCap([point(0, 5, 1, null)]).max).toBeGreaterThan(5);
  });

  it('a continuous scale for the score; a series per category otherwise; the axes name the explained variance', () => {
    const v = view([point(0, 1, 2, 'a', 'anomaly'), point(1, 3, 1, 'b'), point(2, 2, 3, 'a')]);
    const byScore = scatterOption(v, 'score', false) as Record<string, unknown>;
    expect(byScore['visualMap']).toMatchObject({ dimension: 2, min: 1 });
    expect(byScore['legend']).toBeUndefined();
    const series = byScore['series'] as { data: number[][] }[];
    expect(series).toHaveLength(1);
    // Highest rank drawn last (on top); each datum is x, y, score, row, rank.
    expect(series[0]!.data.map((d) => d[4])).toEqual([3, 2, 1]);
    expect((byScore['xAxis'] as { name: string }).name).toBe('PC1 (60.0 %)');
    const byLabel = scatterOption(v, 'label', false) as Record<string, unknown>;
    expect(byLabel['visualMap']).toBeUndefined();
    expect((byLabel['series'] as { name: string; data: unknown[] }[]).map((s) => [s.name, s.data.length])).toEqual([['a', 2], ['b', 1]]);
    const byVerdict = scatterOption(v, 'verdict', false) as Record<string, unknown>;
    expect((byVerdict['series'] as { name: string }[]).map((s) => s.name)).toEqual(['Anomaly', 'no verdict']);
  });
});

describe('latentSampleWords (the Latent view\'s summary and the CLI)', () => {
  it('says "all N rows" when the sample is the whole dataset, never "N of N (the highest ranked…)"', () => {
    expect(latentSampleWords({ sampled: 351, rows: 351, topIncluded: 100 }, 'rows')).toBe('all 351 rows');
    expect(latentSampleWords({ sampled: 30, rows: 30, topIncluded: 30 }, 'images')).toBe('all 30 images');
  });

  it('names the top rows and the seeded sample when the sample is part of the dataset', () => {
    expect(latentSampleWords({ sampled: 2000, rows: 10_000, topIncluded: 100 }, 'rows')).toBe('2,000 of 10,000 rows (the 100 highest ranked and a seeded sample of the rest)');
    expect(latentSampleWords({ sampled: 50, rows: 10_000, topIncluded: 50 }, 'images')).toBe('50 of 10,000 images (the 50 highest ranked)');
  });
});
