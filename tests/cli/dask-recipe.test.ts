/**
 * The Dask scoring recipe (issue #15, deliverable 5): scripts/dask_score.py scores a folder of CSV partitions on a
 * LocalCluster of 2 worker processes with the model `residual export-model` wrote, each worker evaluating the ONNX graph
 * with numpy; every row's score and flag equal the app's. Needs Debian's python3 with python3-onnx and
 * python3-distributed (scripts/system-deps.mjs installs them); skipped with a message where they are missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'tests', 'fixtures');
const RECIPE = path.join(ROOT, 'scripts', 'dask_score.py');
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Why the recipe cannot run here (null: it can). */
function missingPython(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import numpy, onnx, distributed'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} is not installed`;
  if (r.status !== 0) return `${PYTHON} lacks a module (${r.stderr.trim().split('\n').pop() ?? ''}); apt-get install python3-onnx python3-distributed`;
  return null;
}
const why = missingPython();
if (why) console.warn(`Skipping the Dask recipe test: ${why}.`);

function run(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [RECIPE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** The CSV rows (no quoted commas in the fixture), split on commas. */
function csvRows(file: string): string[][] {
  return fs.readFileSync(file, 'utf8').trim().split(/\r?\n/).map((l) => l.split(','));
}

describe.skipIf(why !== null)('scripts/dask_score.py (Dask distributed, numpy evaluator)', () => {
  const dir = tmpDir('residual-dask-recipe-');
  const project = path.join(dir, 'vowel.residual');
  const model = path.join(dir, 'model-1.onnx');
  const parts = path.join(dir, 'parts');
  // Per model, the app's score and flag of each row, by its 0-based row number in the source file.
  const app = new Map<number, Map<number, { score: number; flagged: boolean }>>();
  let starts: number[] = [];
  // Models 2–5 use the rest of the exporter's operators: log1p (Sign, Abs, Log), clipping (Min, Max), a VAE's KL term
  // (Exp, ReduceSum), an AAE's prior term, Elu, LeakyRelu, Tanh, Sigmoid activations and BCE's sigmoid output.
  // Models 6–10 are the one-class kinds, ensembles and IsolationForest (core/export/onnx-family.ts): a float64 bias-free
  // network (MatMul), Deep SVDD's distance minus R², OC-NN's r − ŷ, the members' standardised evidence (Log, Exp, Where,
  // Equal) and the forest's trees (ai.onnx.ml TreeEnsembleRegressor), alone and as an ensemble member.
  const others: readonly (readonly string[])[] = [
    ['--kind', 'vae', '--activation', 'elu', '--score-with-kl', '--log1p', 'V3,V4', '--clip', '3'],
    ['--kind', 'aae', '--activation', 'leakyRelu', '--score-with-prior', '--scaler', 'robust'],
    ['--kind', 'wae', '--activation', 'tanh'],
    ['--kind', 'sparse', '--activation', 'sigmoid', '--loss', 'bce', '--scaler', 'minmax'],
    ['--kind', 'deepsvdd', '--objective', 'soft-boundary', '--activation', 'elu', '--pretrain', '1'],
    ['--kind', 'ocnn', '--pretrain', '1'],
    ['--kind', 'ensemble', '--members', 'ae,vae,wae', '--activation', 'tanh'],
    ['--kind', 'iforest'],
    ['--kind', 'ensemble', '--members', 'ae,iforest', '--log1p', 'V3,V4'],
  ];

  beforeAll(async () => {
    // vowel.csv without a label: its text column Class is a categorical input (one-hot through LabelEncoder in the
    // graph). Some values left empty: missing numbers (the median, an indicator) and a missing category.
    const lines = fs.readFileSync(path.join(FIXTURES, 'vowel.csv'), 'utf8').trim().split(/\r?\n/);
    const body = lines.slice(1).map((line, i) => {
      const cells = line.split(',');
      if (i % 37 === 5) cells[3] = '';
      if (i % 53 === 7) cells[cells.length - 1] = '';
      return cells.join(',');
    });
    const data = path.join(dir, 'vowel-missing.csv');
    fs.writeFileSync(data, [lines[0], ...body].join('\n') + '\n');
    expect((await cli('import', data, '--project', project)).code).toBe(0);
    const trainings = [['--kind', 'ae'], ...others];
    for (const [i, args] of trainings.entries()) {
      const m = String(i + 1);
      const t = await cli('train', '--project', project, ...args, '--layers', '8,3', '--epochs', '3', '--seed', '1');
      expect(t.code, t.err).toBe(0);
      expect((await cli('score', '--project', project, '--model', m)).code).toBe(0);
      const exported = await cli('export-model', '--project', project, '--model', m, '--out', path.join(dir, `model-${m}.onnx`));
      expect(exported.code, exported.err).toBe(0);
      const ranked = path.join(dir, `ranked-${m}.csv`);
      const r = await cli('export', '--project', project, '--model', m, '--out', ranked);
      expect(r.code, r.err).toBe(0);
      const [header, ...rows] = csvRows(ranked);
      const [id, score, flagged] = ['id', 'score', 'flagged'].map((c) => header!.indexOf(c));
      const byRow = new Map<number, { score: number; flagged: boolean }>();
      // Without an id column the app names a row by its 1-based number, "#N".
      for (const row of rows) byRow.set(Number(row[id!]!.replace(/^#/, '')) - 1, { score: Number(row[score!]), flagged: row[flagged!] === 'true' });
      app.set(i + 1, byRow);
    }
    // The source rows as 4 partitions of unequal size, the header in each.
    starts = [0, 200, 520, 800, body.length];
    fs.mkdirSync(parts);
    for (let p = 0; p < 4; p++) fs.writeFileSync(path.join(parts, `part-${p}.csv`), [lines[0], ...body.slice(starts[p], starts[p + 1])].join('\n') + '\n');
  }, 240_000);

  /** Runs the recipe with model `m` on 2 workers and checks every row against the app's score and flag. */
  async function checkModel(m: number): Promise<void> {
    const mine = app.get(m)!;
    const out = path.join(dir, `scores-${m}`);
    const r = await run(['--model', path.join(dir, `model-${m}.onnx`), '--input', parts, '--out', out, '--workers', '2', '--json']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as { partitions: number; rows: number; workers: number; rows_per_second: number };
    expect(summary).toMatchObject({ partitions: 4, rows: mine.size, workers: 2 });
    expect(summary.rows_per_second).toBeGreaterThan(0);
    let checked = 0;
    let flagged = 0;
    for (let p = 0; p < 4; p++) {
      const [header, ...rows] = csvRows(path.join(out, `part-${p}.scores.csv`));
      expect(header).toEqual(['row', 'score', 'flagged']);
      expect(rows).toHaveLength(starts[p + 1]! - starts[p]!);
      for (const [row, score, flag] of rows) {
        const theirs = mine.get(starts[p]! + Number(row))!;
        expect(Math.abs(Number(score) - theirs.score), `model ${m} partition ${p} row ${row}`).toBeLessThanOrEqual(1e-4 * Math.abs(theirs.score));
        expect(flag === 'true', `model ${m} partition ${p} row ${row} flagged`).toBe(theirs.flagged);
        if (theirs.flagged) flagged++;
        checked++;
      }
    }
    expect(checked).toBe(mine.size);
    // The threshold in force flags some rows, not all: the flags above were a real comparison.
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThan(checked);
  }

  it('scores every partition on 2 workers, each row as the app scored it (ae)', async () => {
    await checkModel(1);
  }, 120_000);

  it.each(others.map((args, i) => [i + 2, args.join(' ')] as const))('the same for model %i (%s)', async (m) => {
    await checkModel(m);
  }, 120_000);

  it('refuses an operator it does not implement, a file Residual did not export, and a bad value, naming them', async () => {
    // The exported model with one node's operator changed to Softmax (python3-onnx rewrites it).
    const foreign = path.join(dir, 'softmax.onnx');
    const edit = spawnSync(PYTHON, ['-c', 'import onnx,sys; m=onnx.load(sys.argv[1]); m.graph.node[0].op_type="Softmax"; onnx.save(m, sys.argv[2])', model, foreign], { encoding: 'utf8' });
    expect(edit.status, edit.stderr).toBe(0);
    const soft = await run(['--model', foreign, '--input', parts, '--out', path.join(dir, 'no'), '--workers', '1']);
    expect(soft.code).toBe(2);
    expect(soft.err).toMatch(/is the operator Softmax, which this numpy evaluator does not implement.*onnxruntime/);
    const notOurs = path.join(dir, 'other.onnx');
    const strip = spawnSync(PYTHON, ['-c', 'import onnx,sys; m=onnx.load(sys.argv[1]); del m.metadata_props[:]; onnx.save(m, sys.argv[2])', model, notOurs], { encoding: 'utf8' });
    expect(strip.status, strip.stderr).toBe(0);
    const other = await run(['--model', notOurs, '--input', parts, '--out', path.join(dir, 'no'), '--workers', '1']);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/not an ONNX model that Residual exported/);
    // A partition with a text where a numeric column is: the file, line and column are named.
    const bad = path.join(dir, 'bad');
    fs.mkdirSync(bad);
    const lines = fs.readFileSync(path.join(parts, 'part-0.csv'), 'utf8').split('\n');
    lines[3] = lines[3]!.replace(/^([^,]*),([^,]*),/, '$1,oops,');
    fs.writeFileSync(path.join(bad, 'p.csv'), lines.join('\n'));
    const value = await run(['--model', model, '--input', bad, '--out', path.join(dir, 'no'), '--workers', '1']);
    expect(value.code).toBe(2);
    expect(value.err).toMatch(/p\.csv: line 4, column "V2": "oops" is not a number/);
  }, 120_000);
});
