/**
 * One-class Fashion-MNIST at reduced size (issue #14): 1,000 T-shirts (class 0) of the training set are normal and a
 * 5 % sample of the other classes (6 of each of classes 1–9, the first in file order: 54 images, 5.1 % of the rows)
 * are the anomalies. The dense autoencoder (the wizard's defaults) and IsolationForest are trained on all the rows,
 * as an analyst without labels would, through the IDX import; their ROC AUC against "not a T-shirt" must beat
 * chance by a margin. Measured over seeds 0–9 (wasm backend): the dense `ae` 0.912–0.921 (seed 0: 0.915),
 * `iforest` 0.890–0.912 (seed 0: 0.900); the bound of 0.8 leaves ten of their spreads below the lowest. The
 * convolutional autoencoder (seed 003's 16-8-8, the wizard's settings for it) trains 5 epochs here to keep the test
 * short: 0.841 at seed 0, 0.849, 0.867 and 0.843 at seeds 1–3 (wasm backend): a little below the dense one on these
 * pixels; its bound of 0.75 leaves about ten of their spreads below the lowest. The full-size run and the three side by
 * side belong in `npm run bench -- --only images`.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rocAuc } from '../../../src-main/core/analysis';
import { importDataset } from '../../../src-main/core/data';
import { initBackend, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import type { TrainSettings } from '../../../src-main/core/engine';
import { ProjectStore } from '../../../src-main/core/store';
import type { DatasetInfo } from '../../../src-main/core/store/types';
import { FASHION_MNIST_SKIP, hasFashionMnist, imageAt, readFashionMnist, writeIdxPair } from '../../helpers/idx';
import { tmpDir } from '../../helpers/tmp';

const NORMAL_CLASS = 0;
const NORMAL = 1000;
const PER_OTHER_CLASS = 6;

const dir = tmpDir('residual-images-quality-');
let store: ProjectStore;
let ds: DatasetInfo;
let truth: Float64Array;

async function auc(settings: Partial<TrainSettings>): Promise<number> {
  const { modelId } = await trainModel(store, { dataset: ds.id, settings });
  const { scoreId } = await scoreDataset(store, { modelId });
  return rocAuc(readRowErrors(store, scoreId), truth);
}

describe.skipIf(!hasFashionMnist())('Fashion-MNIST one-class (T-shirts normal, 5 % other classes)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    const train = readFashionMnist('train');
    const images: Uint8Array[] = [];
    const labels: number[] = [];
    const taken = new Map<number, number>();
    for (let i = 0; i < train.count && images.length < NORMAL + 9 * PER_OTHER_CLASS; i++) {
      const c = train.labels[i]!;
      const want = c === NORMAL_CLASS ? NORMAL : PER_OTHER_CLASS;
      if ((taken.get(c) ?? 0) >= want) continue;
      taken.set(c, (taken.get(c) ?? 0) + 1);
      images.push(imageAt(train, i));
      labels.push(c);
    }
    const files = writeIdxPair(dir, 'oneclass', images, labels, 28, 28, true);
    store = ProjectStore.open(path.join(dir, 'images.residual'), { create: true });
    ds = (await importDataset(store, files.images, { labels: files.labels })).dataset;
    truth = Float64Array.from(labels, (c) => (c === NORMAL_CLASS ? 0 : 1));
  });
  afterAll(() => store?.close());

  it('has the rows the test means: 1,000 normal and 54 anomalies', () => {
    expect(ds.rowCount).toBe(NORMAL + 9 * PER_OTHER_CLASS);
    expect(truth.reduce((a, b) => a + b, 0)).toBe(9 * PER_OTHER_CLASS);
  });

  it('the dense autoencoder on the pixels ranks the other classes above the T-shirts', async () => {
    expect(await auc({ kind: 'ae', seed: 0 })).toBeGreaterThan(0.8);
  });

  it('the convolutional autoencoder (5 epochs) does too', async () => {
    expect(await auc({ kind: 'conv', epochs: 5, seed: 0 })).toBeGreaterThan(0.75);
  });

  it('IsolationForest on the pixels does too', async () => {
    expect(await auc({ kind: 'iforest', seed: 0 })).toBeGreaterThan(0.8);
  });
});

if (!hasFashionMnist()) {
  describe('Fashion-MNIST one-class (T-shirts normal, 5 % other classes)', () => {
    it.skip(FASHION_MNIST_SKIP, () => undefined);
  });
}
