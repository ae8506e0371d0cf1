/**
 * Deep SVDD's and OC-NN's math on cases computed by hand (the centre with its eps nudge, both SVDD objectives, R² as the
 * (1 − ν)-quantile, OC-NN's objective and its r as the ν-quantile), integrated gradients' completeness, and
 * finite-difference checks of the gradients the training takes (TensorFlow.js) and the explanations integrate (plain
 * TypeScript) against an independent float64 evaluation of each objective.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/core/engine';
import { IntegratedGradients, spreadRemainder } from '../../../src-main/core/engine/family/attribution';
import { activate, DenseStack, type LayerActivation } from '../../../src-main/core/engine/family/dense';
import { ocnnLoss, ocnnScores, ocnnThreshold } from '../../../src-main/core/engine/family/ocnn';
import { oneClassArchitecture, oneClassBlob, oneClassLayers, OneClassScorer, readOneClassBlob } from '../../../src-main/core/engine/family/oneclass';
import { initialKernels, OneClassNetwork } from '../../../src-main/core/engine/family/oneclass-train';
import { CENTER_EPS, initCenter, quantile, radiusSquared, squaredDistances, svddLoss, svddScores, weightPenalty } from '../../../src-main/core/engine/family/svdd';
import { Prng } from '../../../src-main/core/engine/prng';
import type { Activation } from '../../../src-main/core/engine/types';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('Deep SVDD, by hand', () => {
  it('centre: the mean of the first forward pass, coordinates within eps of 0 pushed to ±eps by their sign (0 → +eps)', () => {
    // Means: (0.05 − 0.15)/2 = −0.05 → −0.1; (1 + 3)/2 = 2; (0.04 + 0.06)/2 = 0.05 → +0.1; 0 → +0.1.
    const c = initCenter([0.05, 1, 0.04, 0, -0.15, 3, 0.06, 0], 2, 4);
    expect(Array.from(c)).toEqual([-CENTER_EPS, 2, CENTER_EPS, CENTER_EPS]);
    expect(CENTER_EPS).toBe(0.1);
    expect(Array.from(initCenter([0.3, -0.5], 1, 2))).toEqual([0.3, -0.5]);
  });

  it('one-class objective: the mean squared distance to c; soft-boundary: R² + 1/(νn) Σ max(0, d − R²); scores minus R²', () => {
    // Rows (1, 2) and (3, 0), c = (1, 1): d = 1 and 4 + 1 = 5.
    const d = squaredDistances([1, 2, 3, 0], 2, 2, [1, 1]);
    expect(Array.from(d)).toEqual([1, 5]);
    expect(svddLoss('one-class', d, 0, 0.1)).toBe(3);
    // R² = 2, ν = 0.5: 2 + (0 + 3) / (0.5 · 2) = 5.
    expect(svddLoss('soft-boundary', d, 2, 0.5)).toBe(5);
    expect(Array.from(svddScores('one-class', d, 2))).toEqual([1, 5]);
    expect(Array.from(svddScores('soft-boundary', d, 2))).toEqual([-1, 3]);
    // λ/2 Σ‖W‖²: 0.5/2 · (1 + 4 + 9) = 3.5.
    expect(weightPenalty([[1, 2], [3]], 0.5)).toBe(3.5);
  });

  it('R² is the (1 − ν)-quantile of the squared distances (numpy linear interpolation)', () => {
    // Sorted 1..5, p = 0.9: position 3.6 → 4 + 0.6 · (5 − 4) = 4.6.
    expect(radiusSquared([5, 1, 4, 2, 3], 0.1)).toBeCloseTo(4.6, 12);
    expect(radiusSquared([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([7], 0.3)).toBe(7);
    // With R² so fitted, a share ν of the rows lies outside the sphere (here 10 of 100).
    const dist = Array.from({ length: 100 }, (_, i) => i * i);
    const r2 = radiusSquared(dist, 0.1);
    expect(dist.filter((x) => x > r2).length).toBe(10);
  });
});

describe('OC-NN, by hand', () => {
  it('objective ½Σ‖W‖² + 1/ν · mean(max(0, r − ŷ)) − r', () => {
    // ½ (1 + 1 + 4) = 3; hinge terms 0, 1.2, 0, 0.1 → 1.3 / (0.5 · 4) = 0.65; − 0.2.
    expect(ocnnLoss([0.5, -1, 2, 0.1], 0.2, 0.5, [[1, 1], [2]])).toBeCloseTo(3.45, 12);
  });

  it('r is the ν-quantile of the outputs: a share ν of the rows falls below it; the score is r − ŷ', () => {
    expect(ocnnThreshold([5, 1, 3, 2, 4], 0.25)).toBe(2);
    expect(ocnnThreshold([5, 1, 3, 2, 4], 0.1)).toBeCloseTo(1.4, 12);
    const y = Array.from({ length: 200 }, (_, i) => Math.sin(i) * 3);
    const r = ocnnThreshold(y, 0.1);
    expect(y.filter((v) => v < r).length).toBe(20);
    expect(Array.from(ocnnScores([1, 3], 2))).toEqual([1, -1]);
    // For fixed weights the ν-quantile minimises the r-terms of the objective: nudging r either way costs.
    const at = (rv: number): number => ocnnLoss(y, rv, 0.1, []);
    expect(at(r)).toBeLessThanOrEqual(at(r + 0.05));
    expect(at(r)).toBeLessThanOrEqual(at(r - 0.05));
  });
});

describe('integrated gradients', () => {
  it('spreads the discretisation gap in proportion to |attribution| (evenly when all are 0), so they sum to the target', () => {
    const a = Float64Array.from([1, -1, 2]);
    expect(spreadRemainder(a, 3)).toBe(1);
    expect(Array.from(a)).toEqual([1.25, -0.75, 2.5]);
    const z = new Float64Array(2);
    spreadRemainder(z, 1);
    expect(Array.from(z)).toEqual([0.5, 0.5]);
  });

  it('f(z) = z₀² + 3z₁ − z₀z₂ from b: the midpoint sum is exact for a quadratic, and complete', () => {
    const f = (z: Float64Array, g: Float64Array): number => {
      g[0] = 2 * z[0]! - z[2]!;
      g[1] = 3;
      g[2] = -z[0]!;
      return z[0]! ** 2 + 3 * z[1]! - z[0]! * z[2]!;
    };
    const b = Float64Array.from([1, 0, 0]);
    const ig = new IntegratedGradients(f, b, 4);
    const sb = ig.baselineScore();
    expect(sb).toBe(1);
    const out = new Float64Array(3);
    const { score, gap } = ig.attribute([3, 2, 1], 0, sb, out);
    expect(score).toBe(9 + 6 - 3);
    expect(Math.abs(gap)).toBeLessThan(1e-12);
    // By hand along z = b + α(x − b) = (1 + 2α, 2α, α): ∫ 2(1+2α) − α dα · 2 = 2 (2 + 2 − ½) = 7; 3 · 2 = 6; ∫ −(1+2α) dα · 1 = −2.
    expect(out[0]).toBeCloseTo(7, 12);
    expect(out[1]).toBeCloseTo(6, 12);
    expect(out[2]).toBeCloseTo(-2, 12);
    expect(out[0]! + out[1]! + out[2]!).toBeCloseTo(score - sb, 12);
  });
});

/** Float64 forward of a bias-free stack (kernels [in, out] row-major), independent of DenseStack. */
function forward64(kernels: readonly ArrayLike<number>[], widths: readonly number[], acts: readonly LayerActivation[], x: ArrayLike<number>): number[] {
  let h = Array.from(x);
  for (let l = 0; l < kernels.length; l++) {
    const next = new Array<number>(widths[l + 1]!).fill(0);
    for (let i = 0; i < widths[l]!; i++) for (let o = 0; o < widths[l + 1]!; o++) next[o]! += h[i]! * kernels[l]![i * widths[l + 1]! + o]!;
    h = next.map((v) => activate(acts[l]!, v));
  }
  return h;
}

function rows(n: number, d: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: n * d }, () => rng.normal());
}

describe('gradients against finite differences', () => {
  const d = 4;
  const n = 12;
  const x = rows(n, d, 3);

  /** The objective in float64 from kernels (the float32 values as stored), for the finite differences. */
  function objective64(kind: 'deepsvdd' | 'ocnn', activation: Activation, kernels: Float32Array[], s: { objective: 'one-class' | 'soft-boundary'; nu: number; weightDecay: number }, c: Float64Array | null, state: { radius2: number; r: number }): number {
    const layers = oneClassLayers({ kind, inputDims: d, layers: [5, 3], activation });
    const widths = [d, ...layers.map((l) => l.outputs)];
    const acts = layers.map((l) => l.activation);
    const outs = Array.from({ length: n }, (_, r) => forward64(kernels, widths, acts, x.subarray(r * d, (r + 1) * d)));
    if (kind === 'deepsvdd') {
      const dist = squaredDistances(outs.flat(), n, 3, c!);
      return svddLoss(s.objective, dist, state.radius2, s.nu) + weightPenalty(kernels, s.weightDecay);
    }
    // OC-NN's penalty is on V and w, the last hidden layer and the output, only.
    return ocnnLoss(outs.map((o) => o[0]!), state.r, s.nu, kernels.slice(-2));
  }

  const cases = [
    { kind: 'deepsvdd', activation: 'tanh', s: { objective: 'one-class', nu: 0.1, weightDecay: 0.01 } },
    { kind: 'deepsvdd', activation: 'sigmoid', s: { objective: 'soft-boundary', nu: 0.3, weightDecay: 0.001 } },
    { kind: 'ocnn', activation: 'sigmoid', s: { objective: 'one-class', nu: 0.25, weightDecay: 0 } },
    { kind: 'ocnn', activation: 'tanh', s: { objective: 'one-class', nu: 0.5, weightDecay: 0 } },
  ] as const;

  for (const t of cases) {
    it(`${t.kind} ${t.s.objective} (${t.activation}): TensorFlow.js's gradient of the training objective matches central differences of the float64 objective`, () => {
      const arch = oneClassArchitecture({ kind: t.kind, inputDims: d, layers: [5, 3], activation: t.activation });
      const kernels = initialKernels(oneClassLayers({ kind: t.kind, inputDims: d, layers: [5, 3], activation: t.activation }), new Prng(11));
      const net = new OneClassNetwork(arch, kernels);
      try {
        const c = t.kind === 'deepsvdd' ? Float64Array.from([0.3, -0.2, 0.5]) : null;
        if (c) net.setCenter(c);
        // R² and r away from any row's kink (the hinge's max is not differentiable there).
        const outs = Array.from({ length: n }, (_, r) => {
          const l = oneClassLayers({ kind: t.kind, inputDims: d, layers: [5, 3], activation: t.activation });
          return forward64(kernels, [d, ...l.map((q) => q.outputs)], l.map((q) => q.activation), x.subarray(r * d, (r + 1) * d));
        });
        if (t.kind === 'deepsvdd') net.state.radius2 = quantile(squaredDistances(outs.flat(), n, 3, c!), 0.6) + 1e-3;
        else net.state.r = quantile(outs.map((o) => o[0]!), t.s.nu) + 1e-3;
        // What training updates: every kernel of Deep SVDD; V and w of OC-NN (its encoder stays as pre-trained).
        expect(net.trainable.length).toBe(2);
        expect(kernels.length).toBe(t.kind === 'ocnn' ? 3 : 2);
        const { value, grads } = tf.variableGrads(() => net.objective(tf.tensor2d(x, [n, d]), t.s), net.trainable);
        expect(value.dataSync()[0]!).toBeCloseTo(objective64(t.kind, t.activation, kernels, t.s, c, net.state), 4);
        let checked = 0;
        for (let l = kernels.length - net.trainable.length; l < kernels.length; l++) {
          const g = grads[net.kernels[l]!.name]!.dataSync();
          for (let i = 0; i < kernels[l]!.length; i += 3) {
            const k = kernels.map((a) => Float32Array.from(a));
            const w = k[l]![i]!;
            k[l]![i] = w + 1e-3;
            const plus = k[l]![i]!;
            const fp = objective64(t.kind, t.activation, k, t.s, c, net.state);
            k[l]![i] = w - 1e-3;
            const minus = k[l]![i]!;
            const fm = objective64(t.kind, t.activation, k, t.s, c, net.state);
            const fd = (fp - fm) / (plus - minus);
            expect(g[i]!).toBeCloseTo(fd, 3);
            checked++;
          }
        }
        expect(checked).toBeGreaterThan(5);
        tf.dispose([value, ...Object.values(grads)]);
      } finally {
        net.dispose();
      }
    });
  }

  it('the scorer (plain TypeScript) gives TensorFlow.js\'s outputs, and its input gradient matches central differences', () => {
    for (const kind of ['deepsvdd', 'ocnn'] as const) {
      for (const activation of ['relu', 'elu', 'tanh', 'sigmoid', 'leakyRelu'] as const) {
        const layers = oneClassLayers({ kind, inputDims: d, layers: [6, 3], activation });
        const kernels = initialKernels(layers, new Prng(5));
        const arch = oneClassArchitecture({ kind, inputDims: d, layers: [6, 3], activation });
        const net = new OneClassNetwork(arch, kernels);
        const tfOut = tf.tidy(() => net.forward(tf.tensor2d(x, [n, d])).dataSync());
        net.dispose();
        const stack = new DenseStack(layers.map((l, i) => ({ kernel: kernels[i]!, inputs: l.inputs, outputs: l.outputs, activation: l.activation })));
        const k = stack.outputs;
        for (let r = 0; r < n; r++) {
          const o = stack.forward(x, r * d);
          for (let j = 0; j < k; j++) expect(o[j]!).toBeCloseTo(tfOut[r * k + j]!, 5);
        }
        const state = { center: kind === 'deepsvdd' ? Float64Array.from([0.2, 0.1, -0.4]) : null, radius2: 0.3, r: 0.1, baseline: new Float64Array(d) };
        const scorer = new OneClassScorer(arch, kernels, state, 'soft-boundary');
        const z = Float64Array.from(x.subarray(0, d), (v) => v + 0.01);
        const g = new Float64Array(d);
        scorer.scoreAt(z, g);
        for (let j = 0; j < d; j++) {
          const zp = Float64Array.from(z);
          zp[j]! += 1e-6;
          const zm = Float64Array.from(z);
          zm[j]! -= 1e-6;
          expect(g[j]!).toBeCloseTo((scorer.scoreAt(zp) - scorer.scoreAt(zm)) / 2e-6, 5);
        }
      }
    }
  });
});

describe('the one-class scorer', () => {
  it('blob round trip: kernels, centre, R², r and baseline as stored', () => {
    const arch = oneClassArchitecture({ kind: 'deepsvdd', inputDims: 3, layers: [4, 2], activation: 'relu' });
    expect(arch.summary).toBe('3-4-2');
    expect(arch.parameterCount).toBe(3 * 4 + 4 * 2);
    expect(arch.variables.map((v) => v.name)).toEqual(['enc0/kernel', 'rep/kernel', 'svdd/center', 'svdd/radius2', 'baseline/input']);
    const kernels = initialKernels(oneClassLayers({ kind: 'deepsvdd', inputDims: 3, layers: [4, 2], activation: 'relu' }), new Prng(1));
    const state = { center: Float64Array.from([0.5, -0.25]), radius2: 1.5, r: 0, baseline: Float64Array.from([0, 1, -2]) };
    const back = readOneClassBlob(arch, oneClassBlob(arch, kernels, state));
    expect(back.kernels).toEqual(kernels);
    expect(back.state).toEqual(state);
    const oc = oneClassArchitecture({ kind: 'ocnn', inputDims: 3, layers: [4], activation: 'sigmoid' });
    expect(oc.summary).toBe('3-4-1');
    expect(oc.variables.map((v) => v.name)).toEqual(['enc0/kernel', 'out/kernel', 'ocnn/r', 'baseline/input']);
    expect(() => readOneClassBlob(arch, new Uint8Array(8))).toThrow(/damaged/);
  });

  it('per-column attributions sum to the score minus the baseline row\'s score; exact for a linear Deep SVDD', () => {
    const d = 5;
    const x = rows(30, d, 9);
    for (const [kind, activation] of [['deepsvdd', 'relu'], ['deepsvdd', 'linear'], ['ocnn', 'sigmoid']] as const) {
      const act = activation === 'linear' ? 'relu' : activation;
      const layers = activation === 'linear' ? [3] : [4, 2];
      const arch = oneClassArchitecture({ kind, inputDims: d, layers, activation: act });
      const kernels = initialKernels(oneClassLayers({ kind, inputDims: d, layers, activation: act }), new Prng(2));
      const state = { center: kind === 'deepsvdd' ? Float64Array.from(layers.length === 1 ? [0.1, 0.2, 0.3] : [0.4, -0.1]) : null, radius2: 0, r: 0.05, baseline: Float64Array.from([0.1, 0, -0.2, 0.3, 0]) };
      const scorer = new OneClassScorer(arch, kernels, state, 'one-class');
      // Columns: dims 0–1 → column 0, 2 → 1, 3–4 → 2.
      const owners = Int32Array.from([0, 0, 1, 2, 2]);
      const e = scorer.errors(x, 30, owners, 3, true);
      const scores = scorer.scores(x, 30);
      for (let r = 0; r < 30; r++) {
        expect(e.row[r]).toBeCloseTo(scores[r]!, 5);
        const sum = e.feature[r * 3]! + e.feature[r * 3 + 1]! + e.feature[r * 3 + 2]!;
        expect(sum).toBeCloseTo(scores[r]! - scorer.baselineScore, 4);
      }
      expect(Array.from(e.recon!.subarray(0, d))).toEqual(Array.from(Float32Array.from(state.baseline)));
      if (activation === 'linear') {
        // ‖Wᵀz − c‖² is quadratic in z: the midpoint sum is exact, nothing was spread.
        const ig = new IntegratedGradients((z, g) => scorer.scoreAt(z, g), state.baseline);
        const out = new Float64Array(d);
        expect(Math.abs(ig.attribute(x, 0, scorer.baselineScore, out).gap)).toBeLessThan(1e-9);
      }
    }
  });
});
