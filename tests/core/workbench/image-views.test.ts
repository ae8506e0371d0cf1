/**
 * Issue #14 item 3: the image views through the Workbench. row.images gives each row's pixels (as imported), the
 * model's reconstruction and per-pixel errors recomputed on demand, which equal the stored per-column errors of the
 * score; kinds that do not reconstruct give attributions and no reconstruction; score.imageMeans averages the stored
 * maps of the flagged rows and of every row; a table dataset is refused.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getModel, getScore, readFeatureErrors, readRowErrors } from '../../../src-main/core/engine';
import { scaleValue } from '../../../src-main/core/engine/preprocess';
import { ProjectStore } from '../../../src-main/core/store';
import { FASHION_MNIST_SKIP, hasFashionMnist, imageAt, readFashionMnist, writeIdxPair } from '../../helpers/idx';
import { tmpDir } from '../../helpers/tmp';
import { jobWorkbench } from '../../helpers/workbench';
import { pdfInfo, pdfText } from '../report/poppler';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const WDBC = path.join(ROOT, 'tests/fixtures/wdbc.csv');
const N = 240;

const workbench = (): ReturnType<typeof jobWorkbench> => jobWorkbench();

if (!hasFashionMnist()) console.warn(FASHION_MNIST_SKIP);

/**
 * A row's map against its stored per-column errors, pixel column by pixel column: a pixel whose column is not a
 * model input (constant in the data: ignored at import) has no error.
 */
function expectStored(map: readonly number[], stored: { readonly columns: readonly string[]; readonly values: Float32Array }): void {
  let matched = 0;
  map.forEach((v, j) => {
    const c = stored.columns.indexOf(`p${j}`);
    if (c < 0) expect(v).toBe(0);
    else {
      // To 6 significant digits.
      expect(Math.abs(v - stored.values[c]!)).toBeLessThanOrEqual(1e-5 * Math.max(1e-3, Math.abs(stored.values[c]!)));
      matched++;
    }
  });
  expect(matched).toBe(stored.columns.length);
}

describe.skipIf(!hasFashionMnist())('Workbench: row.images and score.imageMeans', () => {
  const dir = tmpDir('residual-image-views-');
  const file = path.join(dir, 'images.residual');
  const { wb, wait } = workbench();
  const fashion = hasFashionMnist() ? readFashionMnist('t10k') : null;
  let datasetId = -1;
  let tableScore = -1;
  const score: Record<'ae' | 'iforest', number> = { ae: -1, iforest: -1 };

  beforeAll(async () => {
    const f = fashion!;
    const files = writeIdxPair(dir, 'few', Array.from({ length: N }, (_, i) => imageAt(f, i)), Array.from(f.labels.subarray(0, N)), 28, 28, false);
    await wb.invoke('project.open', { path: file, create: true });
    const imported = await wait(wb.invoke('data.import', { file: files.images, options: { labels: files.labels } }));
    datasetId = imported.kind === 'import' ? imported.result.dataset.id : -1;
    for (const kind of ['ae', 'iforest'] as const) {
      const settings = kind === 'ae' ? { kind, layers: [32, 8], epochs: 3, seed: 1 } : { kind, seed: 1 };
      const trained = await wait(wb.invoke('model.train', { datasetId, settings }));
      const modelId = trained.kind === 'train' ? trained.result.modelId : -1;
      const scored = await wait(wb.invoke('score.run', { modelId, datasetId }));
      score[kind] = scored.kind === 'score' ? scored.result.scoreId : -1;
    }
    const table = await wait(wb.invoke('data.import', { file: WDBC, options: { label: 'diagnosis', positive: 'malignant', id: 'id' } }));
    const tableId = table.kind === 'import' ? table.result.dataset.id : -1;
    const trained = await wait(wb.invoke('model.train', { datasetId: tableId, settings: { kind: 'ecod' } }));
    const scored = await wait(wb.invoke('score.run', { modelId: trained.kind === 'train' ? trained.result.modelId : -1, datasetId: tableId }));
    tableScore = scored.kind === 'score' ? scored.result.scoreId : -1;
  }, 300_000);

  afterAll(() => wb.close());

  it('gives an autoencoder\'s rows as pixels, reconstruction and per-pixel errors equal to the stored ones', async () => {
    const rows = [0, 17, 5, 239];
    const got = await wb.invoke('row.images', { scoreId: score.ae, rows });
    expect(got.shape).toEqual({ source: 'idx', width: 28, height: 28, channels: 1 });
    expect(got).toMatchObject({ map: 'error', reconstructs: true, signed: false });
    expect(got.scale).toBeGreaterThan(0);
    expect(got.rows.map((r) => r.row)).toEqual(rows);

    const store = ProjectStore.open(file);
    try {
      const stored = readRowErrors(store, score.ae);
      const pp = getModel(store, getScore(store, score.ae).modelId).preprocessing;
      const rank = [...stored.keys()].sort((a, b) => stored[b]! - stored[a]! || a - b);
      for (const r of got.rows) {
        // The pixels as imported (bytes / 255), row by row.
        const bytes = imageAt(fashion!, r.row);
        expect(r.pixels).toHaveLength(784);
        r.pixels.forEach((v, j) => expect(v).toBeCloseTo(bytes[j]! / 255, 4));
        expect(r.reconstruction).toHaveLength(784);
        expect(r.reconstruction!.every((v) => v >= 0 && v <= 1)).toBe(true);
        // The reconstruction differs from the input: an 8-wide bottleneck does not copy 784 pixels.
        expect(r.reconstruction!.some((v, j) => Math.abs(v - r.pixels[j]!) > 0.05)).toBe(true);
        const errs = readFeatureErrors(store, score.ae, r.row, r.row + 1);
        expect(r.errors).toHaveLength(784);
        expectStored(r.errors!, errs);
        // An autoencoder's score is the mean squared error over its inputs (the constant pixels' columns are left
        // out at import): the map adds up to it.
        expect(r.errors!.reduce((a, b) => a + b, 0) / errs.columns.length).toBeCloseTo(stored[r.row]!, 5);
        expect(r.score).toBe(stored[r.row]);
        // The reconstruction is the model's output in pixel units: scaled back as the model fitted each pixel, its
        // distance to the (clipped, scaled) input is the pixel's error, where the output was not clipped to 0–1.
        let checked = 0;
        r.reconstruction!.forEach((v, j) => {
          const f = pp.features.find((x) => x.name === `p${j}`);
          if (!f || f.kind !== 'numeric' || v <= 0 || v >= 1) return;
          // |input − output| in model units is √error; the reply rounds the output to 4 decimals (1e-4 / scale in model units).
          const gapZ = Math.abs(scaleValue(f, bytes[j]! / 255, pp.clip ?? 0) - scaleValue(f, v));
          expect(Math.abs(gapZ - Math.sqrt(r.errors![j]!))).toBeLessThanOrEqual(1e-4 / f.scale + 1e-3);
          checked++;
        });
        expect(checked).toBeGreaterThan(100);
        expect(r.rank).toBe(rank.indexOf(r.row) + 1);
        expect(r.id).toBe(`#${r.row + 1}`);
      }
    } finally {
      store.close();
    }
  });

  it('reconstructs the lowest-ranked images more closely than the highest-ranked ones', async () => {
    const top = await wb.invoke('score.rank', { scoreId: score.ae, offset: 0, limit: 5 });
    const bottom = await wb.invoke('score.rank', { scoreId: score.ae, offset: N - 5, limit: 5 });
    const gap = async (rows: readonly number[]): Promise<number> => {
      const got = await wb.invoke('row.images', { scoreId: score.ae, rows });
      let s = 0;
      for (const r of got.rows) r.pixels.forEach((v, j) => (s += Math.abs(v - r.reconstruction![j]!)));
      return s / (rows.length * 784);
    };
    const worst = await gap(top.rows.map((r) => r.row));
    const best = await gap(bottom.rows.map((r) => r.row));
    expect(best).toBeLessThan(worst);
  });

  it('reads only the pixels for thumbnails, and gives attributions without a reconstruction for IsolationForest', async () => {
    const thumbs = await wb.invoke('row.images', { scoreId: score.ae, rows: [3, 4], parts: 'pixels' });
    expect(thumbs.rows.map((r) => [r.row, r.pixels.length, r.reconstruction, r.errors])).toEqual([
      [3, 784, null, null],
      [4, 784, null, null],
    ]);
    expect(thumbs.scale).toBe(0);

    const forest = await wb.invoke('row.images', { scoreId: score.iforest, rows: [2, 9] });
    expect(forest).toMatchObject({ map: 'attribution', reconstructs: false });
    expect(forest.mapMeaning).toMatch(/no reconstruction/);
    const store = ProjectStore.open(file);
    try {
      for (const r of forest.rows) {
        expect(r.reconstruction).toBeNull();
        expectStored(r.errors!, readFeatureErrors(store, score.iforest, r.row, r.row + 1));
      }
    } finally {
      store.close();
    }
  });

  it('averages the stored maps over the flagged rows and over every row', async () => {
    const dist = await wb.invoke('score.distribution', { scoreId: score.ae });
    const means = await wb.invoke('score.imageMeans', { scoreId: score.ae });
    expect(means.threshold).toBe(dist.threshold.value);
    const store = ProjectStore.open(file);
    try {
      const rowsErr = readRowErrors(store, score.ae);
      const stored = readFeatureErrors(store, score.ae, 0, N);
      const all = stored.values;
      const cols = stored.columns.length;
      const flagged = [...rowsErr.keys()].filter((r) => rowsErr[r]! >= means.threshold);
      expect(flagged.length).toBeGreaterThan(0);
      expect(means.flagged.count).toBe(flagged.length);
      expect(means.all.count).toBe(N);
      expect(means.all.values).toHaveLength(784);
      for (const j of [0, 100, 406, 783]) {
        const c = stored.columns.indexOf(`p${j}`);
        if (c < 0) {
          expect([means.all.values[j], means.flagged.values[j]]).toEqual([0, 0]);
          continue;
        }
        let s = 0;
        for (let r = 0; r < N; r++) s += all[r * cols + c]!;
        expect(means.all.values[j]).toBeCloseTo(s / N, 6);
        expect(means.flagged.values[j]).toBeCloseTo(flagged.reduce((a, r) => a + all[r * cols + c]!, 0) / flagged.length, 6);
      }
      // The flagged rows reconstruct worse on average than all rows.
      const sum = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0);
      expect(sum(means.flagged.values)).toBeGreaterThan(sum(means.all.values));
      expect(means.scale).toBe(Math.max(...means.flagged.values, ...means.all.values));
      // Another threshold: above every score, none is flagged.
      const none = await wb.invoke('score.imageMeans', { scoreId: score.ae, threshold: Math.max(...rowsErr) + 1 });
      expect(none.flagged).toEqual({ count: 0, values: new Array(784).fill(0) });
    } finally {
      store.close();
    }
  });

  it('draws the gallery of the top images in the PDF report: three images per tile, with rank and score', async () => {
    const out = path.join(dir, 'images-report.pdf');
    const modelId = (await wb.invoke('project.overview', {})).scores.find((s) => s.scoreId === score.ae)!.modelId;
    await wait(wb.invoke('report.export', { modelId, datasetId, top: 12, out }));
    const text = pdfText(out);
    expect(text).toContain('Gallery of the top images');
    expect(text).toMatch(/The 12 highest-ranked images: the original, the model's reconstruction and the per-pixel error map/);
    const top = await wb.invoke('score.rank', { scoreId: score.ae, offset: 0, limit: 3 });
    for (const r of top.rows) expect(text).toMatch(new RegExp(`#${r.rank}\\s+${r.id}\\s+score`));
    // Every tile's three pictures and the colour scale's bar, as images 4× the 28-pixel side.
    const images = execFileSync('pdfimages', ['-list', out], { encoding: 'utf8' }).trim().split('\n').slice(2);
    const tiles = images.filter((l) => /^\s*\d+\s+\d+\s+image\s+112\s+112\s/.test(l));
    expect(tiles).toHaveLength(36);
    // 784 pixel columns do not make a report of dozens of pages: the data summary pools them into one line, the
    // preprocessing table groups the columns transformed alike, the profile table stops at its 100 highest.
    expect(text).toMatch(/p0 … p783 \(784 pixels\)/);
    expect(text).toMatch(/\d+ columns: p\d+, p\d+, p\d+,\s+…/);
    expect(text).toContain('the table lists the 100 highest');
    expect(pdfInfo(out).pages).toBeLessThan(20);
    // A report with a gallery (its images written after the document info) may be written again.
    await wait(wb.invoke('report.export', { modelId, datasetId, top: 12, out }));
    // A table dataset's report has no gallery.
    const tableOut = path.join(dir, 'table-report.pdf');
    const tableModel = (await wb.invoke('project.overview', {})).scores.find((s) => s.scoreId === tableScore)!.modelId;
    await wait(wb.invoke('report.export', { modelId: tableModel, out: tableOut, top: 5 }));
    expect(pdfText(tableOut)).not.toContain('Gallery of the top images');
  });

  it('gives a colour image\'s pixels as imported, three values a pixel, with one map value per pixel column', async () => {
    // Eight 6×4 PNGs in two subfolders, each pixel's colour a function of its place and the image.
    const folder = path.join(dir, 'colour');
    const colour = (k: number, x: number, y: number): [number, number, number] => [(40 * x + 7 * k) % 256, (60 * y + 13 * k) % 256, (25 * (x + y) + 90) % 256];
    for (let k = 0; k < 8; k++) {
      const sub = path.join(folder, k < 4 ? 'a' : 'b');
      fs.mkdirSync(sub, { recursive: true });
      const png = new PNG({ width: 6, height: 4 });
      for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) png.data.set([...colour(k, x, y), 255], (y * 6 + x) * 4);
      fs.writeFileSync(path.join(sub, `img${k}.png`), PNG.sync.write(png));
    }
    const imported = await wait(wb.invoke('data.import', { file: folder, options: { imageColour: true, imageSize: 6, name: 'colour' } }));
    const ds = imported.kind === 'import' ? imported.result.dataset : null;
    // A square size: the 6×4 images are resized to 6×6, so the expected pixels are the stored ones, read back here by name.
    const trained = await wait(wb.invoke('model.train', { datasetId: ds!.id, settings: { kind: 'ae', layers: [8, 4], epochs: 2, seed: 2 } }));
    const scored = await wait(wb.invoke('score.run', { modelId: trained.kind === 'train' ? trained.result.modelId : -1, datasetId: ds!.id }));
    const scoreId = scored.kind === 'score' ? scored.result.scoreId : -1;
    const got = await wb.invoke('row.images', { scoreId, rows: [0, 5] });
    expect(got.shape).toEqual({ source: 'images', width: 6, height: 6, channels: 3 });
    const rows = await wb.invoke('data.rows', { datasetId: ds!.id, rows: [0, 5] });
    const col = (name: string): number => rows.columns.findIndex((c) => c.name === name);
    got.rows.forEach((r, i) => {
      expect(r.pixels).toHaveLength(108);
      expect(r.reconstruction).toHaveLength(108);
      expect(r.errors).toHaveLength(108);
      for (let p = 0; p < 36; p++) {
        ['r', 'g', 'b'].forEach((c, k) => expect(r.pixels[3 * p + k]).toBeCloseTo(rows.rows[i]!.values[col(`p${p}_${c}`)] as number, 4));
      }
    });
    // The file name is the row's id.
    expect(got.rows[0]!.id).toMatch(/^a\/img\d\.png$/);
  });

  it('refuses a table dataset and rows outside the score, naming what is wrong', async () => {
    await expect(wb.invoke('row.images', { scoreId: tableScore, rows: [0] })).rejects.toThrow(/Dataset "wdbc" is not an image dataset.*row\.detail/);
    await expect(wb.invoke('score.imageMeans', { scoreId: tableScore })).rejects.toThrow(/not an image dataset/);
    await expect(wb.invoke('row.images', { scoreId: score.ae, rows: [N] })).rejects.toThrow(/Row 240 is not a row of the scored dataset \(0 to 239\)/);
    await expect(wb.invoke('row.images', { scoreId: score.ae, rows: Array.from({ length: 101 }, (_, i) => i) })).rejects.toThrow(/rows/);
  });
});
