/**
 * Image datasets under the default preprocessing (newcomer report, item 5): the pixels of an image are intensities
 * scaled to 0–1, so log1p 'auto' leaves them alone even where a mostly dark background makes a pixel column skewed
 * (it logged 349 of 784 columns of a folder import before); the same values in a table's columns still get log1p.
 * Also the pixel columns' names with their place, and the stability figure read as a finding, not a warning.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnWords, isModelFinding, pixelAt, STABILITY_PREFIX } from '../../../src-main/contract';
import { importDataset } from '../../../src-main/core/data';
import { getModel, initBackend, proposeSettings, trainModel } from '../../../src-main/core/engine';
import { pixelColumns } from '../../../src-main/core/engine/matrix';
import { fitPreprocessing } from '../../../src-main/core/engine/preprocess';
import { Prng } from '../../../src-main/core/engine/prng';
import { ProjectStore } from '../../../src-main/core/store';
import { writeIdxPair } from '../../helpers/idx';
import { tmpDir } from '../../helpers/tmp';

const SIDE = 8;

/** Dark images (0–20) with a bright 2×2 square at a random place: every pixel column is heavily right-skewed. */
function images(n: number, seed: number): Uint8Array[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => {
    const img = new Uint8Array(SIDE * SIDE);
    for (let i = 0; i < img.length; i++) img[i] = Math.floor(rng.next() * 20);
    const x = Math.floor(rng.next() * (SIDE - 1));
    const y = Math.floor(rng.next() * (SIDE - 1));
    for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) img[(y + dy) * SIDE + x + dx] = 255;
    return img;
  });
}

describe('log1p auto on an image dataset', () => {
  const dir = tmpDir('residual-pixels-');
  let store: ProjectStore;
  let imageId: number;
  let tableId: number;
  const imgs = images(200, 5);

  beforeAll(async () => {
    await initBackend('wasm');
    store = ProjectStore.open(path.join(dir, 'pixels.residual'), { create: true });
    const files = writeIdxPair(dir, 'dark', imgs, imgs.map(() => 0), SIDE, SIDE, false);
    imageId = (await importDataset(store, files.images, { labels: files.labels })).dataset.id;
    // The same pixel values as a table (0–1 like the import scales them): no image shape, so 'auto' applies.
    const csv = path.join(dir, 'table.csv');
    const names = Array.from({ length: SIDE * SIDE }, (_, i) => `p${i}`);
    fs.writeFileSync(csv, names.join(',') + '\n' + imgs.map((img) => Array.from(img, (v) => v / 255).join(',')).join('\n') + '\n');
    tableId = (await importDataset(store, csv)).dataset.id;
  });
  afterAll(() => store?.close());

  it('names the dataset\'s pixel columns, and none of a table\'s', () => {
    const ds = store.getDataset(imageId);
    const pixels = pixelColumns(ds);
    expect(pixels.size).toBe(ds.columns.filter((c) => /^p\d+$/.test(c.name)).length);
    expect(pixels.size).toBeGreaterThan(SIDE * SIDE / 2);
    expect(pixelColumns(store.getDataset(tableId)).size).toBe(0);
  });

  it('trains without log1p on any pixel and without the "log1p applied" warning; the table still gets log1p', async () => {
    const settings = { kind: 'ae', layers: [4], epochs: 2, patience: 0, seed: 1, log1p: 'auto' } as const;
    const img = getModel(store, (await trainModel(store, { dataset: imageId, settings })).modelId);
    expect(img.preprocessing.features.length).toBeGreaterThan(SIDE * SIDE / 2);
    expect(img.preprocessing.features.filter((f) => f.kind === 'numeric' && f.log1p)).toEqual([]);
    expect(img.warnings.join('\n')).not.toMatch(/log1p/);
    const table = getModel(store, (await trainModel(store, { dataset: tableId, settings })).modelId);
    expect(table.preprocessing.features.filter((f) => f.kind === 'numeric' && f.log1p).length).toBeGreaterThan(SIDE * SIDE / 2);
    expect(table.warnings.join('\n')).toMatch(/log1p applied to \d+ columns/);
  }, 120_000);

  it('an explicit log1p list still applies to a pixel; the wizard says why pixels get none', () => {
    const values = Float64Array.from(imgs, (img) => img[9]! / 255);
    const pp = fitPreprocessing([{ name: 'p9', kind: 'numeric', values }], { scaler: 'standard', log1p: ['p9'], maxCategories: 20, missingIndicators: false, noAutoLog: new Set(['p9']) });
    expect(pp.features[0]).toMatchObject({ log1p: true });
    const auto = fitPreprocessing([{ name: 'p9', kind: 'numeric', values }], { scaler: 'standard', log1p: 'auto', maxCategories: 20, missingIndicators: false });
    expect(auto.features[0]).toMatchObject({ log1p: true });
    const why = proposeSettings(store.getDataset(imageId)).rationale.find((r) => r.setting === 'log1p')!.why;
    expect(why).toMatch(/^No log1p for the \d+ pixel columns: they are intensities scaled to 0–1/);
    expect(proposeSettings(store.getDataset(tableId)).rationale.find((r) => r.setting === 'log1p')!.why).toMatch(/^log1p for non-negative columns/);
  });
});

describe('pixel columns in words', () => {
  it('gives a grey pixel its x and y (0-based, row by row from the top left)', () => {
    const grey = { width: 28, height: 28, channels: 1 } as const;
    expect(pixelAt('p721', grey)).toEqual({ x: 21, y: 25, channel: null });
    expect(columnWords('p721', grey)).toBe('p721 (x 21, y 25)');
    expect(columnWords('p0', grey)).toBe('p0 (x 0, y 0)');
    expect(columnWords('p783', grey)).toBe('p783 (x 27, y 27)');
  });

  it('gives a colour pixel its channel; leaves other columns, out-of-shape names and tables as they are', () => {
    const colour = { width: 32, height: 32, channels: 3 } as const;
    expect(columnWords('p33_g', colour)).toBe('p33_g (x 1, y 1, green)');
    expect(columnWords('p33', colour)).toBe('p33');
    expect(columnWords('p33_r', { width: 32, height: 32, channels: 1 })).toBe('p33_r');
    expect(columnWords('p784', { width: 28, height: 28, channels: 1 })).toBe('p784');
    expect(columnWords('label', colour)).toBe('label');
    expect(columnWords('p721', null)).toBe('p721');
  });
});

describe('model warnings and findings', () => {
  it('reads the ensemble\'s stability figure as a finding, and "Unstable: …" and the rest as warnings', () => {
    expect(isModelFinding(`${STABILITY_PREFIX} 3 × ae: 100 % of their top 1 % agree.`)).toBe(true);
    expect(isModelFinding('Unstable: the 3 ae members (seeds 0…) agree on only 20 % of their top 1 % of the training rows; …')).toBe(false);
    expect(isModelFinding('log1p applied to: a, b.')).toBe(false);
  });
});
