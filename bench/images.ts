/**
 * Fashion-MNIST one-class detection (issue #14's acceptance): one class of the training set is normal (all its 6,000
 * images at full size), and a seeded sample of the other nine classes, 5 % as many images as the normal ones, are the
 * anomalies. Each detector is trained on all the rows, as an analyst without labels would, through the IDX import, and
 * scored on them: ROC AUC against "not the normal class" for the convolutional autoencoder ('conv', seed 003's 16-8-8),
 * the dense autoencoder ('ae') and IsolationForest on the pixels, per class and seed, with the spread over seeds.
 * Settings are the wizard's, except the conv's epochs, capped at CONV_EPOCHS (with its early stopping) so a full-size run
 * fits in minutes on one wasm thread. Needs Debian's dataset-fashion-mnist. Part of `npm run bench -- --only images`;
 * alone: `npx tsx bench/images.ts [--normal N] [--classes 0,1,7] [--seeds N] [--kinds conv,ae,iforest]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { rocAuc } from '../src-main/core/analysis';
import { importDataset } from '../src-main/core/data';
import { initBackend, readRowErrors, scoreDataset, trainModel } from '../src-main/core/engine';
import type { TrainSettings } from '../src-main/core/engine';
import { Prng } from '../src-main/core/engine/prng';
import { ProjectStore } from '../src-main/core/store';
import { isMain, table } from './util';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;
/** The conv's epoch cap (the wizard proposes up to 300 on small data; early stopping usually ends sooner). */
export const CONV_EPOCHS = 15;
/** Anomalies as a share of the normal images. */
const ANOMALY_SHARE = 0.05;

const KINDS: readonly { name: string; settings: Partial<TrainSettings> }[] = [
  { name: 'conv', settings: { kind: 'conv', epochs: CONV_EPOCHS } },
  { name: 'ae', settings: { kind: 'ae' } },
  { name: 'iforest', settings: { kind: 'iforest' } },
];

export interface ImagesOptions {
  /** Normal images per run (default: every training image of the class, 6,000). */
  readonly normal?: number;
  readonly classes?: readonly number[];
  readonly seeds?: number;
  readonly dir?: string;
  /** The detectors to run (default: conv, ae and iforest). */
  readonly kinds?: readonly string[];
}

export interface ImagesRun {
  readonly normalClass: number;
  readonly seed: number;
  readonly rows: number;
  readonly anomalies: number;
  /** Per kind: ROC AUC and training + scoring seconds. */
  readonly results: Record<string, { auc: number; seconds: number; epochs: number }>;
}

export function hasFashionMnist(): boolean {
  return fs.existsSync(path.join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
}

export async function benchImages(o: ImagesOptions = {}, log: (line: string) => void = console.log): Promise<ImagesRun[] | null> {
  if (!hasFashionMnist()) {
    log(`Fashion-MNIST one-class skipped: ${FASHION_MNIST_DIR} is absent (apt-get install dataset-fashion-mnist).`);
    return null;
  }
  const backend = await initBackend();
  const images = zlib.gunzipSync(fs.readFileSync(path.join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))).subarray(16);
  const labels = zlib.gunzipSync(fs.readFileSync(path.join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz'))).subarray(8);
  const px = 28 * 28;
  const classes = o.classes ?? [0, 1, 7];
  const seeds = o.seeds ?? 2;
  const dir = fs.mkdtempSync(path.join(o.dir ?? os.tmpdir(), 'residual-images-'));
  log(`backend ${backend.name}; classes ${classes.map((c) => CLASS_NAMES[c]).join(', ')}; seeds 0–${seeds - 1}; conv epochs ≤ ${CONV_EPOCHS}`);
  const runs: ImagesRun[] = [];
  try {
    for (const normalClass of classes) {
      for (let seed = 0; seed < seeds; seed++) {
        const rng = new Prng(1000 * normalClass + seed);
        const normal: number[] = [];
        const others: number[] = [];
        for (let i = 0; i < labels.length; i++) (labels[i] === normalClass ? normal : others).push(i);
        const keptNormal = o.normal !== undefined && o.normal < normal.length ? sample(normal, o.normal, rng) : normal;
        const anomalies = sample(others, Math.round(keptNormal.length * ANOMALY_SHARE), rng);
        const rows = [...keptNormal, ...anomalies];
        const file = path.join(dir, `c${normalClass}-s${seed}-images-idx3-ubyte`);
        const head = Buffer.alloc(16);
        head.writeUInt32BE(0x803, 0);
        head.writeUInt32BE(rows.length, 4);
        head.writeUInt32BE(28, 8);
        head.writeUInt32BE(28, 12);
        fs.writeFileSync(file, Buffer.concat([head, ...rows.map((i) => images.subarray(i * px, (i + 1) * px))]));
        const truth = Float64Array.from(rows, (_, k) => (k < keptNormal.length ? 0 : 1));
        const store = ProjectStore.open(path.join(dir, `c${normalClass}-s${seed}.residual`), { create: true });
        try {
          const { dataset } = await importDataset(store, file);
          const results: ImagesRun['results'] = {};
          for (const k of kindsOf(o)) {
            const t = performance.now();
            const trained = await trainModel(store, { dataset: dataset.id, settings: { ...k.settings, seed } });
            const { scoreId } = await scoreDataset(store, { modelId: trained.modelId });
            results[k.name] = { auc: rocAuc(readRowErrors(store, scoreId), truth), seconds: (performance.now() - t) / 1000, epochs: trained.epochs };
          }
          const run = { normalClass, seed, rows: rows.length, anomalies: anomalies.length, results };
          runs.push(run);
          log(`${CLASS_NAMES[normalClass]} seed ${seed} (${rows.length} rows, ${anomalies.length} anomalies): ${kindsOf(o).map((k) => `${k.name} ${results[k.name]!.auc.toFixed(3)} (${results[k.name]!.seconds.toFixed(0)} s${k.name === 'iforest' ? '' : `, ${results[k.name]!.epochs} epochs`})`).join(', ')}`);
        } finally {
          store.close();
        }
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(render(runs));
  return runs;
}

/** `k` distinct items of `xs`, seeded (a partial Fisher–Yates shuffle). */
function sample(xs: readonly number[], k: number, rng: Prng): number[] {
  const a = [...xs];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.next() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}

/** Per normal class: each kind's mean ROC AUC over the seeds, and its spread (max − min). */
export function render(runs: readonly ImagesRun[]): string {
  const classes = [...new Set(runs.map((r) => r.normalClass))];
  // The kinds that ran (--kinds may have left some out).
  const kinds = KINDS.filter((k) => runs.every((r) => r.results[k.name] !== undefined));
  const cell = (xs: number[]): string => (xs.length > 1 ? `${mean(xs).toFixed(3)} (±${((Math.max(...xs) - Math.min(...xs)) / 2).toFixed(3)})` : xs[0]!.toFixed(3));
  const rows = classes.map((c) => {
    const mine = runs.filter((r) => r.normalClass === c);
    return [`${CLASS_NAMES[c]} (${mine[0]!.rows} rows)`, ...kinds.map((k) => cell(mine.map((r) => r.results[k.name]!.auc)))];
  });
  rows.push(['mean', ...kinds.map((k) => mean(runs.map((r) => r.results[k.name]!.auc)).toFixed(3))]);
  return table(['normal class', ...kinds.map((k) => `${k.name} ROC AUC`)], rows);
}

function kindsOf(o: Pick<ImagesOptions, 'kinds'>): typeof KINDS {
  return o.kinds ? KINDS.filter((k) => o.kinds!.includes(k.name)) : KINDS;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  const at = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  await benchImages({
    ...(at('--normal') ? { normal: Number(at('--normal')) } : {}),
    ...(at('--classes') ? { classes: at('--classes')!.split(',').map(Number) } : {}),
    ...(at('--seeds') ? { seeds: Number(at('--seeds')) } : {}),
    ...(at('--kinds') ? { kinds: at('--kinds')!.split(',') } : {}),
  });
}
