/**
 * The image views' costs (issue #14 item 3): through the Workbench, on 10,000 Fashion-MNIST images scored by a dense
 * autoencoder (784-64-16, 2 epochs: the views' cost does not depend on how well it learned), the calls the app makes:
 * a screen of thumbnails (row.images, pixels only), a gallery page (24 rows with reconstruction and error map, the
 * first call loading the backend and the colour scale), a full batch of 100, and the mean maps (score.imageMeans),
 * each with its reply's JSON size. Median of 5 after the first. Needs Debian's dataset-fashion-mnist. Part of
 * `npm run bench -- --only views`; alone: `npx tsx bench/image-views.ts [--images N]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FASHION_MNIST_DIR } from './images';
import { isMain, table } from './util';
import { imageAt, readFashionMnist, writeIdxPair } from '../tests/helpers/idx';
import { jobWorkbench } from '../tests/helpers/workbench';

export interface ViewFigure {
  readonly call: string;
  readonly rows: number;
  readonly firstMs: number;
  readonly medianMs: number;
  readonly jsonBytes: number;
}

const RUNS = 5;

export async function benchImageViews(opts: { images?: number } = {}): Promise<ViewFigure[] | null> {
  if (!fs.existsSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'))) return null;
  const n = opts.images ?? 10_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residual-bench-views-'));
  const { wb, wait } = jobWorkbench();
  try {
    const f = readFashionMnist('t10k');
    const count = Math.min(n, f.count);
    const files = writeIdxPair(dir, 'fashion', Array.from({ length: count }, (_, i) => imageAt(f, i)), Array.from(f.labels.subarray(0, count)), 28, 28, false);
    await wb.invoke('project.open', { path: path.join(dir, 'views.residual'), create: true });
    const imported = await wait(wb.invoke('data.import', { file: files.images, options: { labels: files.labels } }));
    const datasetId = imported.kind === 'import' ? imported.result.dataset.id : -1;
    const trained = await wait(wb.invoke('model.train', { datasetId, settings: { kind: 'ae', layers: [64, 16], epochs: 2, seed: 1 } }));
    const scored = await wait(wb.invoke('score.run', { modelId: trained.kind === 'train' ? trained.result.modelId : -1, datasetId }));
    const scoreId = scored.kind === 'score' ? scored.result.scoreId : -1;
    const ranked = (await wb.invoke('score.rank', { scoreId, offset: 0, limit: 200 })).rows.map((r) => r.row);
    const measure = async (call: string, rows: number, run: () => Promise<unknown>): Promise<ViewFigure> => {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i <= RUNS; i++) {
        const t0 = performance.now();
        const reply = await run();
        times.push(performance.now() - t0);
        bytes = JSON.stringify(reply).length;
      }
      const rest = times.slice(1).sort((a, b) => a - b);
      return { call, rows, firstMs: times[0]!, medianMs: rest[Math.floor(rest.length / 2)]!, jsonBytes: bytes };
    };
    return [
      await measure("row.images, parts 'pixels' (a screen of thumbnails)", 30, () => wb.invoke('row.images', { scoreId, rows: ranked.slice(0, 30), parts: 'pixels' })),
      await measure('row.images (a gallery page)', 24, () => wb.invoke('row.images', { scoreId, rows: ranked.slice(30, 54) })),
      await measure('row.images (the most a call takes)', 100, () => wb.invoke('row.images', { scoreId, rows: ranked.slice(100, 200) })),
      await measure('score.imageMeans (every row)', count, () => wb.invoke('score.imageMeans', { scoreId })),
    ];
  } finally {
    await wb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function viewsTable(figures: readonly ViewFigure[]): string {
  return table(
    ['call', 'rows', 'first', `median of ${RUNS}`, 'reply (JSON)'],
    figures.map((f) => [f.call, f.rows.toLocaleString('en-US'), `${f.firstMs.toFixed(0)} ms`, `${f.medianMs.toFixed(0)} ms`, `${(f.jsonBytes / 1024).toFixed(0)} KiB`]),
    [0],
  );
}

if (isMain(import.meta.url)) {
  const at = process.argv.indexOf('--images');
  const figures = await benchImageViews(at > 0 ? { images: Number(process.argv[at + 1]) } : {});
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(figures ? viewsTable(figures) : `Debian's dataset-fashion-mnist is not installed (${FASHION_MNIST_DIR}): nothing measured.`);
}
