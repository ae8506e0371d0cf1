/**
 * CLI start-up (issue #11): the wall-clock time of whole `residual` processes, median of 10 runs each, beside
 * `node -e ''` (the floor no Node command can beat). `help` must not load SQLite or TensorFlow.js; `info` opens a
 * small project; `train` and `score` load TensorFlow.js only then.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'residual.mjs');
const RUNS = 10;

export interface CliFigure {
  readonly name: string;
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  /** The target from the issue, or null for figures shown for reference. */
  readonly targetSeconds: number | null;
}

function timeRuns(args: readonly string[], runs = RUNS): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RESIDUAL_BACKEND: 'wasm' } });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.toString().slice(0, 500)}`);
    out.push(s);
  }
  return out;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function benchCli(): CliFigure[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residual-bench-cli-'));
  try {
    const project = path.join(dir, 'glass.residual');
    // The first call builds out/ when a source changed; it is not timed.
    timeRuns([BIN, 'import', path.join(ROOT, 'tests', 'fixtures', 'glass.csv'), '--project', project], 1);
    const figure = (name: string, args: readonly string[], targetSeconds: number | null, runs = RUNS): CliFigure => {
      const xs = timeRuns(args, runs);
      return { name, medianSeconds: median(xs), minSeconds: Math.min(...xs), maxSeconds: Math.max(...xs), targetSeconds };
    };
    return [
      figure("node -e '' (floor)", ['-e', ''], null),
      figure('residual help', [BIN, 'help'], 0.3),
      figure('residual info (214-row project)', [BIN, 'info', '--project', project], 0.5),
      figure('residual models', [BIN, 'models', '--project', project], null),
      figure('residual train --epochs 5 (loads TensorFlow.js)', [BIN, 'train', '--project', project, '--epochs', '5'], null, 5),
      figure('residual score (loads TensorFlow.js)', [BIN, 'score', '--project', project], null, 5),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
