/**
 * `residual latent` (issue #14 item 4): a thin client of the Workbench's `model.latent` — the explained variance, the
 * compression and kNN figures in words and as JSON (points only when asked), and the refusal of a kind without a
 * latent space, naming it, with exit code 2.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const WDBC = path.resolve(import.meta.dirname, '../fixtures/wdbc.csv');

describe('residual latent', () => {
  const dir = tmpDir('residual-cli-latent-');
  const project = path.join(dir, 'p.residual');

  beforeAll(async () => {
    expect((await cli('import', WDBC, '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id')).code).toBe(0);
    expect((await cli('train', '--project', project, '--kind', 'ae', '--layers', '12,3', '--epochs', '10', '--seed', '2')).code).toBe(0);
    expect((await cli('score', '--project', project)).code).toBe(0);
  }, 120_000);

  it('prints the code, the explained variance, the compression and kNN on codes against inputs', async () => {
    const r = await cli('latent', '--project', project, '--sample', '300');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Model #1 \(ae\) on "wdbc": the code layer \(3 units, relu\); 300 of 569 rows \(the 100 highest ranked/);
    expect(r.out).toMatch(/PCA of the codes: the two axes explain \d+\.\d % and \d+\.\d % of their variance/);
    expect(r.out).toMatch(/compression: 30 inputs → 3 latent features \(10×\); reconstruction MSE [\d.e-]+ per input/);
    expect(r.out).toMatch(/kNN \(k = 5; 2 classes from "diagnosis"; 75 sampled rows classified among 225\)/);
    expect(r.out).toMatch(/on the 3 latent features\s+accuracy [\d.]+\s+in /);
    expect(r.out).toMatch(/on the 30 inputs\s+accuracy [\d.]+\s+in /);
  });

  it('--json is the view without its points; --points adds them', async () => {
    const r = await cli('latent', '--project', project, '--sample', '200', '--seed', '5', '--json');
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out) as Record<string, unknown>;
    expect(v).toMatchObject({ kind: 'ae', latentDims: 3, inputDims: 30, sampled: 200, seed: 5, dataset: 'wdbc' });
    expect(v['points']).toBeUndefined();
    expect((v['knn'] as { k: number }).k).toBe(5);
    const p = await cli('latent', '--project', project, '--sample', '200', '--seed', '5', '--json', '--points');
    const withPoints = JSON.parse(p.out) as { points: { rank: number }[]; explained: number[] };
    expect(withPoints.points).toHaveLength(200);
    expect(withPoints.explained).toEqual(v['explained']);
  });

  it('refuses an IsolationForest, and a sample out of bounds, with exit code 2', async () => {
    expect((await cli('train', '--project', project, '--kind', 'iforest')).code).toBe(0);
    expect((await cli('score', '--project', project, '--model', '2')).code).toBe(0);
    const r = await cli('latent', '--project', project, '--model', '2');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/IsolationForest model has no latent space/);
    const big = await cli('latent', '--project', project, '--model', '1', '--sample', '6000');
    expect(big.code).toBe(2);
    expect(big.err).toMatch(/sample/);
  });
});
