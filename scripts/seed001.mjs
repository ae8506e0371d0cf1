#!/usr/bin/env node
/**
 * Seed 001's experiment, reproduced with the `residual` command (issue #14 item 5): a 784-64-784 autoencoder trained
 * on handwritten digits, a few shoes added to the digits it then scores, and where the shoes land in the ranking.
 *
 * Data, all from Debian packages (nothing downloaded): the 1,797 handwritten digits bundled with python3-sklearn
 * (8×8, grey levels 0–16; the UCI "optical recognition of handwritten digits" test set) and shoes (sneakers and ankle
 * boots) from the Fashion-MNIST test set of dataset-fashion-mnist. Debian has no MNIST digits, so the digits are
 * 8×8: each shoe is first shrunk to 8×8 by area averaging like them, then every image is written as an 8×8 PNG and
 * imported at 28×28 (`--size 28`, the seed's 784 inputs) — digits and shoes go through the very same enlargement, so
 * a shoe cannot stand out by its sharpness, only by its shape.
 *
 * The folders: DIR/train/<digit>/*.png (a seeded share of the digits) and DIR/test/<digit>/*.png plus
 * DIR/test/shoe/*.png (the other digits and the shoes); the subfolder is the label. Then, as the seed: train on the
 * training digits, score the test set with the shoes in it, and print the shoes' ranks; `residual latent` adds the
 * kNN comparison and the compression ratio.
 *
 *   node scripts/seed001.mjs [--dir DIR] [--train 1300] [--shoes 5] [--seed 0] [--epochs N] [--sandals] [--json]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { PNG } from 'pngjs';

export const DIGITS_CSV = '/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';
export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
/**
 * Fashion-MNIST's closed shoes, the seed's kind of shoe: sneakers and ankle boots, in turn. Its third shoe class, the
 * sandal (5), is strappy: at 8×8 it looks like pen strokes, and it ranks lower (see the README); `--sandals` adds them.
 */
export const SHOE_CLASSES = { 7: 'sneaker', 9: 'ankle-boot' };
export const SANDAL_CLASS = { 5: 'sandal' };

/** What is missing to run the experiment (Debian packages), or null. */
export function missingData() {
  const missing = [];
  if (!fs.existsSync(DIGITS_CSV)) missing.push(`${DIGITS_CSV} (apt-get install python3-sklearn)`);
  if (!fs.existsSync(path.join(FASHION_DIR, 't10k-images-idx3-ubyte.gz'))) missing.push(`${FASHION_DIR} (apt-get install dataset-fashion-mnist)`);
  return missing.length ? missing : null;
}

/** The 1,797 digits: 64 grey levels 0–16 each, and the class. */
export function readDigits() {
  const text = zlib.gunzipSync(fs.readFileSync(DIGITS_CSV)).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const v = line.split(',').map(Number);
      if (v.length !== 65 || v.some((x) => !Number.isFinite(x))) throw new Error(`${DIGITS_CSV} line ${i + 1}: expected 65 numbers`);
      return { pixels: v.slice(0, 64), label: v[64] };
    });
}

/** The first `count` shoes of the Fashion-MNIST test set, taking the shoe classes in turn (sandals first when asked): 28×28 bytes each. */
export function readShoes(count, sandals = false) {
  const images = zlib.gunzipSync(fs.readFileSync(path.join(FASHION_DIR, 't10k-images-idx3-ubyte.gz')));
  const labels = zlib.gunzipSync(fs.readFileSync(path.join(FASHION_DIR, 't10k-labels-idx1-ubyte.gz')));
  const n = images.readUInt32BE(4);
  const names = { ...(sandals ? SANDAL_CLASS : {}), ...SHOE_CLASSES };
  const classes = Object.keys(names).map(Number);
  const out = [];
  const next = new Map(classes.map((c) => [c, 0]));
  for (let k = 0; out.length < count && k < 3 * count + 3; k++) {
    const want = classes[k % classes.length];
    let i = next.get(want);
    while (i < n && labels[8 + i] !== want) i++;
    if (i >= n) continue;
    next.set(want, i + 1);
    out.push({ index: i, kind: names[want], pixels: images.subarray(16 + i * 784, 16 + (i + 1) * 784) });
  }
  return out;
}

/** A 28×28 image shrunk to 8×8 by area averaging (each output pixel the mean of the 3.5×3.5 source area it covers). */
export function shrink28to8(pixels) {
  const out = new Array(64).fill(0);
  const f = 28 / 8;
  for (let oy = 0; oy < 8; oy++) {
    for (let ox = 0; ox < 8; ox++) {
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(oy * f); y < Math.ceil((oy + 1) * f); y++) {
        const wy = Math.min(y + 1, (oy + 1) * f) - Math.max(y, oy * f);
        for (let x = Math.floor(ox * f); x < Math.ceil((ox + 1) * f); x++) {
          const wx = Math.min(x + 1, (ox + 1) * f) - Math.max(x, ox * f);
          sum += pixels[y * 28 + x] * wx * wy;
          area += wx * wy;
        }
      }
      out[oy * 8 + ox] = Math.round(sum / area);
    }
  }
  return out;
}

function writePng(file, grey8x8) {
  const png = new PNG({ width: 8, height: 8, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(grey8x8);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
}

/** A small seeded generator (mulberry32), for the split of the digits. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes DIR/train/<digit>/, DIR/test/<digit>/ and DIR/test/shoe/: `train` digits (a seeded draw) to train on, the
 * rest of them and `shoes` shoes to score. Returns the counts and the shoes' ids as the import names them.
 */
export function writeFolders(dir, { train = 1300, shoes = 5, seed = 0, sandals = false } = {}) {
  const digits = readDigits();
  const order = digits.map((_, i) => i);
  const random = rng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const trainCount = Math.min(train, digits.length - 1);
  order.forEach((d, k) => {
    const part = k < trainCount ? 'train' : 'test';
    // Grey levels 0–16 to 0–255.
    writePng(path.join(dir, part, String(digits[d].label), `digit-${String(d).padStart(4, '0')}.png`), digits[d].pixels.map((v) => Math.round((v * 255) / 16)));
  });
  const shoeIds = readShoes(shoes, sandals).map((s) => {
    const name = `${s.kind}-${String(s.index).padStart(4, '0')}.png`;
    writePng(path.join(dir, 'test', 'shoe', name), shrink28to8(s.pixels));
    return `shoe/${name}`;
  });
  return { trainDigits: trainCount, testDigits: digits.length - trainCount, shoes: shoeIds };
}

/** The CSV export's rows (rank, id, …): RFC 4180, the ids here never quoted. */
function ranksOf(csv) {
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  const cols = header.split(',');
  const rankAt = cols.indexOf('rank');
  const idAt = cols.indexOf('id');
  return new Map(lines.map((l) => l.split(',')).map((f) => [f[idAt], Number(f[rankAt])]));
}

/**
 * The experiment through `residual` (a function running one command: argv → { code, out, err }), in `dir`. Returns
 * the commands run, the shoes' ranks among the test images, and the latent view's figures.
 */
export async function runSeed001(residual, { dir, train = 1300, shoes = 5, seed = 0, sandals = false, epochs, log = () => {} }) {
  const folders = writeFolders(path.join(dir, 'images'), { train, shoes, seed, sandals });
  const project = path.join(dir, 'seed001.residual');
  const commands = [];
  const run = async (...argv) => {
    commands.push(`residual ${argv.join(' ')}`);
    log(`$ residual ${argv.join(' ')}`);
    const r = await residual(argv);
    if (r.code !== 0) throw new Error(`residual ${argv.join(' ')} failed (${r.code}): ${r.err || r.out}`);
    return r.out;
  };
  await run('import', path.join(dir, 'images', 'train'), '--project', project, '--name', 'digits', '--size', '28');
  await run('import', path.join(dir, 'images', 'test'), '--project', project, '--name', 'digits+shoes', '--size', '28');
  const trained = JSON.parse(await run('train', '--project', project, '--dataset', 'digits', '--kind', 'ae', '--layers', '64', '--seed', String(seed), ...(epochs ? ['--epochs', String(epochs)] : []), '--json'));
  const modelId = trained.modelId ?? trained.model?.id;
  await run('score', '--project', project, '--model', String(modelId), '--dataset', 'digits+shoes');
  const top = await run('top', '--project', project, '--model', String(modelId), '--dataset', 'digits+shoes', '-n', '10');
  log(top);
  const ranks = ranksOf(await run('export', '--project', project, '--model', String(modelId), '--dataset', 'digits+shoes'));
  const latent = JSON.parse(await run('latent', '--project', project, '--model', String(modelId), '--dataset', 'digits+shoes', '--seed', String(seed), '--json'));
  const rows = folders.testDigits + folders.shoes.length;
  const shoeRanks = folders.shoes.map((id) => ({ id, rank: ranks.get(id) ?? null }));
  return { commands, project, modelId, architecture: trained.architecture ?? null, rows, trainDigits: folders.trainDigits, shoeRanks, top, latent };
}

async function main() {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, train: { type: 'string' }, shoes: { type: 'string' }, seed: { type: 'string' }, epochs: { type: 'string' }, sandals: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const missing = missingData();
  if (missing) {
    process.stderr.write(`seed001: missing ${missing.join(' and ')}.\n`);
    return 2;
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dir = values.dir ? path.resolve(values.dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'residual-seed001-'));
  fs.mkdirSync(dir, { recursive: true });
  const residual = async (argv) => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'residual.mjs'), ...argv], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (!values.json && r.stderr) process.stderr.write(r.stderr);
    return { code: r.status ?? 1, out: r.stdout, err: r.stderr };
  };
  const num = (v, d) => (v === undefined ? d : Number(v));
  const result = await runSeed001(residual, {
    dir,
    train: num(values.train, 1300),
    shoes: num(values.shoes, 5),
    seed: num(values.seed, 0),
    sandals: values.sandals ?? false,
    ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
    log: values.json ? () => {} : (t) => process.stdout.write(`${t}\n`),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...result, latent: { ...result.latent, points: undefined } }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`\nSeed 001: model #${result.modelId} trained on ${result.trainDigits} digits, scoring ${result.rows} test images (${result.shoeRanks.length} of them shoes):\n`);
  for (const s of result.shoeRanks) process.stdout.write(`  ${s.id.padEnd(28)} rank ${s.rank} of ${result.rows} (top ${((100 * s.rank) / result.rows).toFixed(1)} %)\n`);
  process.stdout.write(`Project: ${result.project}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`seed001: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
