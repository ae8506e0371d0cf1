/**
 * The fused kernel's helper thread (helper-worker.ts) as a module of its own: from source it runs through tsx, its
 * errors reach the main thread as errors with their message, and the built app starts it from out/main.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Helper, helperEntry, sharedLayout } from '../../../src-main/core/engine/fused/helper';
import { compileKernel, instantiate } from '../../../src-main/core/engine/fused/instance';
import { ACT, encodeFusedSetup, HELPER_CMD, type HelperCmd, LOSS } from '../../../src-main/core/engine/fused/layout';
import { FUSED_WASM_BASE64 } from '../../../src-main/core/engine/fused/wasm';
import { Prng } from '../../../src-main/core/engine/prng';
import { tmpDir } from '../../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const D = 6;
const ROWS = 8;
const module = compileKernel(Buffer.from(FUSED_WASM_BASE64, 'base64'));
const setup = encodeFusedSetup({
  maxRows: ROWS,
  loss: LOSS.mse,
  codeLayer: 0,
  inputDims: D,
  vaeHead: -1,
  latent: 0,
  scoreKl: 0,
  beta: 1,
  mmd: 0,
  mmdLambda: 0,
  layer: [
    { inReal: D, outReal: 3, act: ACT.tanh, dropAfter: 0 },
    { inReal: 3, outReal: D, act: ACT.linear, dropAfter: 0 },
  ],
});

/** This thread's instance of the network, with seeded weights, and a helper set up with the same. */
function pair(): { ex: ReturnType<typeof instantiate>; helper: Helper } {
  const ex = instantiate(module);
  new Uint8Array(ex.memory.buffer, ex.fz_setup_in(), setup.length).set(setup);
  expect(ex.fz_setup()).toBe(0);
  const P = ex.fz_param_count();
  const rng = new Prng(5);
  const params = new Float32Array(ex.memory.buffer, ex.fz_params(), P);
  for (let i = 0; i < P; i++) params[i] = rng.normal() * 0.3;
  const helper = Helper.start(module, setup, sharedLayout(P, 8, D, ROWS, []), params.slice());
  expect(helper, 'the helper thread started').not.toBeNull();
  return { ex, helper: helper! };
}

const helpers: Helper[] = [];
afterAll(() => helpers.forEach((h) => h.close()));

describe('the fused kernel helper thread', () => {
  it('runs from source (helper-worker.ts through tsx) and computes what this thread computes', () => {
    expect(helperEntry()).toBe(path.join(ROOT, 'src-main', 'core', 'engine', 'fused', 'helper-worker.ts'));
    const { ex, helper } = pair();
    helpers.push(helper);
    const rng = new Prng(9);
    const x = Float32Array.from({ length: ROWS * 8 }, (_, i) => (i % 8 < D ? rng.normal() : 0));
    helper.f32(helper.lay.inp, x.length).set(x);
    helper.post(HELPER_CMD.eval, { rows: ROWS }, { l1: 0.01 });
    new Float32Array(ex.memory.buffer, ex.fz_input(), x.length).set(x);
    const mine = ex.fz_eval_loss(ROWS, 0.01);
    helper.wait();
    expect(Number.isFinite(mine) && mine > 0).toBe(true);
    expect(helper.float('result')).toBe(mine);
  });

  it('an error in a command reaches the main thread as an error with its message, and the thread goes on', () => {
    const { ex, helper } = pair();
    helpers.push(helper);
    // More rows than its shared region holds: the helper's view of it cannot be made.
    helper.post(HELPER_CMD.eval, { rows: 10_000 }, { l1: 0 });
    expect(() => helper.wait()).toThrow(/^The fused kernel's helper thread failed: .*(length|bounds)/i);
    // Thrown once: the next command runs as usual.
    helper.post(HELPER_CMD.eval, { rows: 2 }, { l1: 0 });
    helper.wait();
    new Float32Array(ex.memory.buffer, ex.fz_input(), 16).fill(0);
    expect(helper.float('result')).toBe(ex.fz_eval_loss(2, 0));
    helper.post(99 as HelperCmd);
    expect(() => helper.wait()).toThrow("The fused kernel's helper thread failed: unknown command 99");
  });

  it('a setup that throws in the helper thread throws in Helper.start with its message', () => {
    const ex = instantiate(module);
    // Far more setup bytes than the helper's fresh instance has memory: copying them in throws there.
    const huge = new Uint8Array(ex.memory.buffer.byteLength + 4096);
    expect(() => Helper.start(module, huge, sharedLayout(4, 8, D, ROWS, []), new Float32Array(4))).toThrow(/^The fused kernel's helper thread could not set up its network: .*(length|bounds)/i);
  });
});

describe('the fused kernel helper thread in the built app', () => {
  const dir = tmpDir();
  const bin = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'residual.mjs'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, RESIDUAL_BACKEND: 'wasm', RESIDUAL_FUSED_THREADS: '2', RESIDUAL_HOME: dir },
    });

  it('starts from out/main/fused-helper.js: the CLI trains on two threads', { timeout: 300_000 }, () => {
    const rng = new Prng(3);
    const csv = path.join(dir, 'wide.csv');
    const cols = Array.from({ length: 12 }, (_, j) => `f${j}`);
    const lines = [cols.join(',')];
    for (let r = 0; r < 300; r++) {
      const a = rng.normal();
      lines.push(cols.map((_, j) => (a * Math.sin(j + 1) + 0.1 * rng.normal()).toFixed(4)).join(','));
    }
    fs.writeFileSync(csv, lines.join('\n') + '\n');
    const project = path.join(dir, 'wide.residual');
    // bin/residual.mjs builds out/ first when a source is newer.
    const imported = bin('import', csv, '--project', project, '--json');
    expect(imported.status, imported.stderr).toBe(0);
    expect(fs.existsSync(path.join(ROOT, 'out', 'main', 'fused-helper.js'))).toBe(true);
    const trained = bin('train', '--project', project, '--kind', 'ae', '--layers', '8,4', '--epochs', '2', '--val', '0', '--json');
    expect(trained.status, trained.stderr).toBe(0);
    const result = JSON.parse(trained.stdout) as { path: string; pathReason: string };
    expect(result.path).toBe('wasm-fused');
    expect(result.pathReason).toMatch(/; 2 threads$/);
  });
});
