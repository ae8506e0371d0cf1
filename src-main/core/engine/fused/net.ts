import { createHash } from 'node:crypto';
import { weightsOf, type StepSeeds } from '../model';
import { Prng } from '../prng';
import type { Activation, Architecture, EnginePath, LossKind, ModelKind } from '../types';
import { fusedThreads, Helper, sharedLayout } from './helper';
import { compileKernel, instantiate, type WasmModule } from './instance';
import { ACT, encodeFusedSetup, type FusedExports, type FusedLayerSetup, HELPER_CMD, LOSS, MAXL, PART } from './layout';
import { priorSamples } from '../family/mmd';
import { FUSED_WASM_BASE64 } from './wasm';

/**
 * The fused dense engine: a plain, sparse or denoising autoencoder whose training step (forward, loss,
 * backward, Adam) and scoring pass (forward + per-row and per-column errors) each run as one call into a
 * WebAssembly SIMD kernel (fused.c) over contiguous float32 memory. Weights go in and out in the same
 * layout as the TensorFlow.js Network (arch.variables order), so either path scores the other's models.
 */

/** Env var: '1' uses the fused path wherever it is supported (any backend), '0' never; unset: automatic. */
export const FUSED_ENV = 'RESIDUAL_FUSED';

export type { EnginePath };

// The kernel's codes (layout.json): every activation and loss must have one, or this does not type-check.
const ACT_CODE: Readonly<Record<Activation | 'linear', (typeof ACT)[keyof typeof ACT]>> = ACT;
const LOSS_CODE: Readonly<Record<LossKind, (typeof LOSS)[keyof typeof LOSS]>> = LOSS;
/** tf.train.adam as train.ts builds it. */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

let compiled: WasmModule | null = null;
let loadError: string | null = null;

/** The compiled kernel, or null with the reason (no WebAssembly SIMD in this runtime …). */
function kernel(): WasmModule | null {
  if (compiled || loadError) return compiled;
  try {
    compiled = compileKernel(Buffer.from(FUSED_WASM_BASE64, 'base64'));
  } catch (e) {
    loadError = `the fused WebAssembly kernel did not load (${e instanceof Error ? e.message : String(e)})`;
  }
  return compiled;
}

/** What the fused path needs to know of a run (TrainSettings or a stored model's settings). */
export interface FusedSettings {
  readonly kind: ModelKind;
  readonly loss: LossKind;
  readonly dropout: number;
  readonly l1: number;
  readonly noiseStd: number;
  /** VAE: weight of the KL term (per input dim, as Network.loss), and whether scores include the KL. */
  readonly beta?: number;
  readonly scoreWithKl?: boolean;
  /** AAE: whether scores add the code's negative log-density under the standard normal prior (per input dim). */
  readonly scoreWithPrior?: boolean;
  /** WAE: weight λ of the MMD between the codes and prior samples while training. */
  readonly mmdLambda?: number;
  /** Loaded to score a large dataset (score.ts): a second thread from fewer multiply-adds per row (fusedThreads). */
  readonly scoreJob?: boolean;
}

/** Why the fused path cannot run this model (null: it can). */
export function fusedUnsupported(arch: Architecture): string | null {
  if (arch.kind === 'conv') return 'convolutions run on TensorFlow.js (the fused kernel is dense only)';
  if (arch.variables.length / 2 > MAXL) return `more than ${MAXL} dense layers`;
  if (!(arch.activation in ACT_CODE)) return `activation ${arch.activation}`;
  if (!kernel()) return loadError;
  return null;
}

/**
 * Which path a job takes on a tfjs backend, and why: RESIDUAL_FUSED=1 forces the fused path where the model
 * allows it, =0 forbids it; otherwise the fused path runs where it is the faster one — on the wasm and cpu
 * backends (one fused SIMD pass beats tfjs's op-by-op dispatch there); native TensorFlow keeps its own.
 */
export function choosePath(arch: Architecture, backend: string): { path: EnginePath; reason: string } {
  const env = process.env[FUSED_ENV]?.trim();
  if (env === '0') return { path: 'tfjs', reason: `${FUSED_ENV}=0` };
  const why = fusedUnsupported(arch);
  if (why) return { path: 'tfjs', reason: why };
  if (env === '1') return { path: 'wasm-fused', reason: `${FUSED_ENV}=1` };
  if (backend === 'wasm' || backend === 'cpu') return { path: 'wasm-fused', reason: `faster than tfjs on the ${backend} backend` };
  return { path: 'tfjs', reason: `native ${backend} backend` };
}

/** A network in one WebAssembly instance: padded weights, gradients, Adam moments, activations. */
export class FusedNet {
  private readonly ex: FusedExports;
  /**
   * Per kernel layer: real in/out widths and padded ones, in arch.variables order. A VAE's two heads (z_mean,
   * z_logvar) are one kernel layer, [mean | log-variance], each half `latentP` wide (`head`).
   */
  private readonly layers: { inR: number; outR: number; inP: number; outP: number; head: boolean }[];
  /** The VAE's head layer (-1: none) and its latent width, real and padded. */
  private readonly head: number;
  private readonly latent: number;
  private readonly latentP: number;
  private readonly codeLayer: number;
  private readonly dropLayers: number[];
  readonly maxRows: number;
  private readonly inPad: number;
  private adamT = 0;
  private acc1 = Math.fround(ADAM.beta1);
  private acc2 = Math.fround(ADAM.beta2);
  /** The second thread, for networks big enough to pay for it (see fusedThreads). */
  private helper: Helper | null = null;
  private scoreBufs: { cols: number; owners: number; row: number; feat: number; recon: number; acc: number; ownersOf: Int32Array | null } | null = null;

  private constructor(
    readonly arch: Architecture,
    private readonly s: FusedSettings,
    maxRows: number,
  ) {
    const mod = kernel();
    if (!mod) throw new Error(loadError ?? 'fused kernel unavailable');
    this.ex = instantiate(mod);
    this.maxRows = maxRows;
    const vars = arch.variables;
    this.layers = [];
    const acts: (Activation | 'linear')[] = [];
    this.head = -1;
    this.latent = 0;
    for (let i = 0; i < vars.length; i += 2) {
      const [inR, outR] = vars[i]!.shape as [number, number];
      const name = vars[i]!.name;
      if (name.startsWith('z_logvar/')) continue; // joined to z_mean's layer
      if (name.startsWith('z_mean/')) {
        this.head = this.layers.length;
        this.latent = outR;
        const w = 2 * ((outR + 3) & ~3);
        this.layers.push({ inR, outR: w, inP: (inR + 3) & ~3, outP: w, head: true });
        acts.push('linear');
        continue;
      }
      this.layers.push({ inR, outR, inP: (inR + 3) & ~3, outP: (outR + 3) & ~3, head: false });
      // The output and an AAE's or WAE's code layer are linear.
      acts.push(name.startsWith('out/') || name.startsWith('code/') ? 'linear' : arch.activation);
    }
    this.latentP = (this.latent + 3) & ~3;
    const L = this.layers.length;
    const hidden = arch.layers.length;
    // The code layer (L1 of a sparse AE); a VAE's code is its sample, which the kernel keeps apart.
    this.codeLayer = this.head >= 0 ? -1 : hidden - 1;
    // As Network.forward: dropout after every hidden layer but the code (a VAE: but its heads); never after the output.
    const noDrop = this.head >= 0 ? this.head : this.codeLayer;
    this.dropLayers = s.dropout > 0 ? this.layers.map((_, l) => l).filter((l) => l < L - 1 && l !== noDrop) : [];
    const layer = this.layers.map((ly, l): FusedLayerSetup => ({ inReal: ly.inR, outReal: ly.outR, act: ACT_CODE[acts[l]!], dropAfter: this.dropLayers.includes(l) ? 1 : 0 }));
    const setup = encodeFusedSetup({
      maxRows,
      loss: LOSS_CODE[s.loss],
      codeLayer: this.codeLayer,
      inputDims: arch.inputDims,
      vaeHead: this.head,
      latent: this.latent,
      scoreKl: this.head >= 0 && s.scoreWithKl ? 1 : 0,
      beta: s.beta ?? 1,
      mmd: this.wae ? 1 : 0,
      mmdLambda: s.mmdLambda ?? 0,
      layer,
    });
    new Uint8Array(this.ex.memory.buffer, this.ex.fz_setup_in(), setup.length).set(setup);
    if (this.ex.fz_setup() !== 0) throw new Error('the fused kernel could not allocate its memory');
    this.inPad = this.layers[0]!.inP;
    const macs = this.layers.reduce((sum, ly) => sum + ly.inR * ly.outR, 0);
    // A WAE's MMD couples the rows of a batch: its kernel runs on one thread.
    if (fusedThreads(macs, s.scoreJob === true) === 2 && !this.wae) {
      // The helper reads its rows' dropout masks and (VAE) sampling noise from shared memory.
      const shared = this.dropLayers.map((l) => ({ l, outP: this.layers[l]!.outP }));
      if (this.head >= 0) shared.push({ l: this.head, outP: this.latentP });
      const lay = sharedLayout(this.ex.fz_param_count(), this.inPad, arch.inputDims, maxRows, shared);
      // Without a helper (no worker threads here) the kernel simply runs on one thread.
      this.helper = Helper.start(mod, setup, lay, this.f32(this.ex.fz_params(), this.ex.fz_param_count()).slice());
    }
  }

  /** Threads the kernel runs on (1, or 2 with a helper). */
  get threads(): 1 | 2 {
    return this.helper ? 2 : 1;
  }

  /** Sends the current weights to the helper thread. */
  private syncHelper(): void {
    const h = this.helper;
    if (!h) return;
    h.wait();
    h.f32(h.lay.w, h.lay.params).set(this.f32(this.ex.fz_params(), this.ex.fz_param_count()));
    h.post(HELPER_CMD.setWeights);
  }

  /** Rows [from, to) of a kernel buffer into a shared region (row stride `width` floats). */
  private share(ptr: number, width: number, from: number, to: number, off: number): void {
    this.helper!.f32(off, (to - from) * width).set(this.f32(ptr + from * width * 4, (to - from) * width));
  }

  /** A network with the given weights (arch.variables order); `maxRows` bounds the rows of one call. */
  static create(arch: Architecture, s: FusedSettings, weights: Uint8Array | Float32Array, maxRows: number): FusedNet {
    const net = new FusedNet(arch, s, maxRows);
    net.setWeights(weightsOf(arch, weights));
    return net;
  }

  private f32(ptr: number, len: number): Float32Array {
    return new Float32Array(this.ex.memory.buffer, ptr, len);
  }

  /** Padded parameter memory ↔ the arch-ordered flat layout. */
  private copyParams(flat: Float32Array, toKernel: boolean): void {
    const p = this.f32(this.ex.fz_params(), this.ex.fz_param_count());
    let src = 0;
    let dst = 0;
    for (const ly of this.layers) {
      if (ly.head) {
        // z_mean then z_logvar (kernel, bias each) in the flat layout; one [mean | log-variance] layer here.
        const c = this.latent;
        const half = this.latentP;
        for (const part of [0, 1]) {
          for (let i = 0; i < ly.inR; i++) {
            const a = flat.subarray(src + i * c, src + (i + 1) * c);
            const at = dst + i * ly.outP + part * half;
            if (toKernel) p.set(a, at);
            else a.set(p.subarray(at, at + c));
          }
          src += ly.inR * c;
          const at = dst + ly.inP * ly.outP + part * half;
          if (toKernel) p.set(flat.subarray(src, src + c), at);
          else flat.set(p.subarray(at, at + c), src);
          src += c;
        }
        dst += ly.inP * ly.outP + ly.outP;
        continue;
      }
      for (let i = 0; i < ly.inR; i++) {
        const a = flat.subarray(src + i * ly.outR, src + (i + 1) * ly.outR);
        if (toKernel) p.set(a, dst + i * ly.outP);
        else a.set(p.subarray(dst + i * ly.outP, dst + i * ly.outP + ly.outR));
      }
      src += ly.inR * ly.outR;
      dst += ly.inP * ly.outP;
      if (toKernel) p.set(flat.subarray(src, src + ly.outR), dst);
      else flat.set(p.subarray(dst, dst + ly.outR), src);
      src += ly.outR;
      dst += ly.outP;
    }
  }

  setWeights(flat: Float32Array): void {
    this.copyParams(flat, true);
    this.syncHelper();
  }

  /** The weights in arch.variables order (the stored format). */
  weights(): Float32Array {
    const flat = new Float32Array(this.arch.parameterCount);
    this.copyParams(flat, false);
    return flat;
  }

  /** The last gradients in arch.variables order (tests). */
  gradients(): Float32Array {
    const saved = this.f32(this.ex.fz_params(), this.ex.fz_param_count()).slice();
    this.f32(this.ex.fz_params(), this.ex.fz_param_count()).set(this.f32(this.ex.fz_grads(), this.ex.fz_param_count()));
    const g = this.weights();
    this.f32(this.ex.fz_params(), this.ex.fz_param_count()).set(saved);
    return g;
  }

  /** All weights as one little-endian float32 blob, and its SHA-256 (as Network.serialize). */
  serialize(): { blob: Buffer; sha256: string } {
    const w = this.weights();
    const blob = Buffer.from(w.buffer, w.byteOffset, w.byteLength);
    return { blob, sha256: createHash('sha256').update(blob).digest('hex') };
  }

  /** A copy of the (padded) weights, to restore the best epoch later. */
  snapshot(): Float32Array {
    return this.f32(this.ex.fz_params(), this.ex.fz_param_count()).slice();
  }

  restore(snap: Float32Array): void {
    this.f32(this.ex.fz_params(), this.ex.fz_param_count()).set(snap);
    this.syncHelper();
  }

  /** Rows into the kernel's input buffer (padding columns stay 0). */
  private load(ptr: number, x: Float32Array, n: number): void {
    this.place(this.f32(ptr, n * this.inPad), x, n);
  }

  /** n rows of model inputs into a buffer whose rows are padded to inPad. */
  private place(buf: Float32Array, x: Float32Array, n: number): void {
    const d = this.arch.inputDims;
    const pad = this.inPad;
    if (d === pad) buf.set(x.subarray(0, n * d));
    else {
      // Element by element: a subarray per row would allocate n views (garbage the score job made by the thousand).
      for (let r = 0, src = 0, dst = 0; r < n; r++, src += d, dst += pad) {
        for (let j = 0; j < d; j++) buf[dst + j] = x[src + j]!;
      }
    }
  }

  /**
   * Noise, dropout masks and a VAE's sampling noise of one step, from its seeds (the fused path's own streams:
   * same seed, same run). `sample: false` samples a VAE's latent at its mean (tests compare that with tfjs).
   */
  private randomInputs(x: Float32Array, n: number, seeds: StepSeeds, sample = true): boolean {
    const d = this.arch.inputDims;
    let noisy = false;
    if (this.s.kind === 'denoising' && this.s.noiseStd > 0) {
      noisy = true;
      this.load(this.ex.fz_target(), x, n);
      const rng = new Prng(seeds.noise);
      const std = this.s.noiseStd;
      const buf = this.f32(this.ex.fz_input(), n * this.inPad);
      for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) buf[r * this.inPad + j] = x[r * d + j]! + rng.normal() * std;
    } else {
      this.load(this.ex.fz_input(), x, n);
    }
    if (this.dropLayers.length) {
      const rng = new Prng(seeds.dropout);
      const keep = 1 - this.s.dropout;
      const scale = 1 / keep;
      for (const l of this.dropLayers) {
        const m = this.f32(this.ex.fz_mask(l), n * this.layers[l]!.outP);
        for (let i = 0; i < m.length; i++) m[i] = rng.next() < this.s.dropout ? 0 : scale;
      }
    }
    if (this.wae) {
      // The same prior samples as the tfjs path draws from this seed (family/mmd.ts priorSamples), padded.
      const ly = this.layers[this.codeLayer]!;
      const z = priorSamples(n, ly.outR, seeds.sample);
      const buf = this.f32(this.ex.fz_prior(), n * ly.outP);
      buf.fill(0);
      for (let r = 0; r < n; r++) buf.set(z.subarray(r * ly.outR, (r + 1) * ly.outR), r * ly.outP);
    }
    if (this.head >= 0) {
      const eps = this.f32(this.ex.fz_mask(this.head), n * this.latentP);
      eps.fill(0);
      if (sample) {
        const rng = new Prng(seeds.sample);
        for (let r = 0; r < n; r++) for (let j = 0; j < this.latent; j++) eps[r * this.latentP + j] = rng.normal();
      }
    }
    return noisy;
  }

  /** A Wasserstein autoencoder: training adds λ·MMD(codes, prior samples) at its code layer. */
  private get wae(): boolean {
    return this.s.kind === 'wae';
  }

  /** The terms of the last training step's objective: its reconstruction loss and (a WAE) its MMD before λ. */
  lastTerms(): { reconstruction: number; mmd: number } {
    return { reconstruction: this.ex.fz_part(PART.reconstruction), mmd: this.ex.fz_part(PART.mmd) };
  }

  private get l1(): number {
    return this.s.kind === 'sparse' ? this.s.l1 : 0;
  }

  /** One Adam step on n ≤ maxRows rows: the batch loss before the update. */
  trainStep(x: Float32Array, n: number, seeds: StepSeeds, learningRate: number): number {
    const noisy = this.randomInputs(x, n, seeds);
    // tf.train.adam keeps beta^t as float32 variables and corrects by 1 - beta^t.
    const omb1 = Math.fround(1 - this.acc1);
    const omb2 = Math.fround(1 - this.acc2);
    const h = this.helper;
    let loss: number;
    if (h) {
      // The helper takes the second half of the rows (their noise and masks were drawn with the rest); with
      // one row it takes none but still applies the update, so both copies of the weights stay equal.
      const a = Math.ceil(n / 2);
      this.share(this.ex.fz_input(), this.inPad, a, n, h.lay.inp);
      if (noisy) this.share(this.ex.fz_target(), this.inPad, a, n, h.lay.tgt);
      for (const m of h.lay.masks) this.share(this.ex.fz_mask(m.l), m.outP, a, n, m.off);
      h.post(HELPER_CMD.grad, { rows: n - a, batchRows: n, hasTarget: noisy ? 1 : 0 }, { l1: this.l1 });
      // Inputs, targets and masks are row-major, so the first a rows are where the kernel reads them.
      const mine = this.ex.fz_grad_part(a, n, noisy ? 1 : 0, this.l1);
      h.wait();
      const theirs = h.float('result');
      const P = this.ex.fz_param_count();
      h.f32(h.lay.gm, P).set(this.f32(this.ex.fz_grads(), P));
      this.f32(this.ex.fz_other_grads(), P).set(h.f32(h.lay.gw, P));
      h.post(HELPER_CMD.adam, {}, { lr: learningRate, beta1: ADAM.beta1, beta2: ADAM.beta2, eps: ADAM.epsilon, omb1, omb2 });
      this.ex.fz_adam_shared(learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon, omb1, omb2);
      loss = mine + theirs;
    } else {
      loss = this.ex.fz_train_step(n, noisy ? 1 : 0, this.l1, learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon, omb1, omb2);
    }
    this.adamT++;
    this.acc1 = Math.fround(this.acc1 * Math.fround(ADAM.beta1));
    this.acc2 = Math.fround(this.acc2 * Math.fround(ADAM.beta2));
    return loss;
  }

  /** Loss and gradients without an update (tests compare them with tf's). */
  lossAndGradients(x: Float32Array, n: number, seeds: StepSeeds, opts: { sample?: boolean } = {}): { loss: number; gradients: Float32Array } {
    const noisy = this.randomInputs(x, n, seeds, opts.sample ?? true);
    const loss = this.ex.fz_grad_only(n, noisy ? 1 : 0, this.l1);
    return { loss, gradients: this.gradients() };
  }

  /** The deterministic objective (no dropout/noise) averaged over all rows of x. */
  evalLoss(x: Float32Array): number {
    const d = this.arch.inputDims;
    const n = x.length / d;
    let sum = 0;
    for (let start = 0; start < n; start += this.maxRows) {
      const m = Math.min(this.maxRows, n - start);
      this.load(this.ex.fz_input(), x.subarray(start * d, (start + m) * d), m);
      const h = this.helper;
      if (h && m >= 2) {
        const a = Math.ceil(m / 2);
        this.share(this.ex.fz_input(), this.inPad, a, m, h.lay.inp);
        h.post(HELPER_CMD.eval, { rows: m - a }, { l1: this.l1 });
        sum += this.ex.fz_eval_loss(a, this.l1) * a;
        h.wait();
        sum += h.float('result') * (m - a);
      } else {
        sum += this.ex.fz_eval_loss(m, this.l1) * m;
      }
    }
    return sum / n;
  }

  /**
   * Reconstruction errors of n rows, as reconstructionErrors: per row the mean squared error over the model
   * dims, per explained column the squared errors summed (float64) over its dims, the reconstruction if asked.
   */
  errors(
    x: Float32Array,
    n: number,
    owners: Int32Array,
    columns: number,
    keepRecon: boolean,
    into?: { readonly row: Float32Array; readonly feature: Float32Array },
  ): { row: Float32Array; feature: Float32Array; recon: Float32Array | null } {
    const d = this.arch.inputDims;
    const b = this.scoreBuffers(owners, columns);
    // Into the caller's buffers when given (the score job reuses one pair for every batch).
    const row = into && into.row.length >= n ? into.row.subarray(0, n) : new Float32Array(n);
    const feature = into && into.feature.length >= n * columns ? into.feature.subarray(0, n * columns) : new Float32Array(n * columns);
    const recon = keepRecon ? new Float32Array(n * d) : null;
    // An AAE scored with its prior reads its codes from this thread's kernel after each pass: no helper then.
    const prior = this.s.kind === 'aae' && this.s.scoreWithPrior === true;
    const h = recon || prior ? null : this.helper;
    if (h) new Int32Array(h.sab, h.lay.own, d).set(owners);
    for (let start = 0; start < n; start += this.maxRows) {
      const m = Math.min(this.maxRows, n - start);
      const a = h && m >= 2 ? Math.ceil(m / 2) : m;
      if (h && a < m) {
        // The helper's rows go straight into the shared buffer, and it starts before this thread copies its own.
        this.place(h.f32(h.lay.inp, (m - a) * this.inPad), x.subarray((start + a) * d, (start + m) * d), m - a);
        h.post(HELPER_CMD.score, { rows: m - a, columns });
      }
      this.load(this.ex.fz_input(), x.subarray(start * d, (start + a) * d), a);
      this.ex.fz_score(a, b.owners, columns, b.row, b.feat, recon ? b.recon : 0, b.acc);
      row.set(this.f32(b.row, a), start);
      if (prior) this.addPriorTerm(row, start, a);
      feature.set(this.f32(b.feat, a * columns), start * columns);
      if (recon) recon.set(this.f32(b.recon, m * d), start * d);
      if (h && a < m) {
        h.wait();
        row.set(h.f32(h.lay.row, m - a), start + a);
        feature.set(h.f32(h.lay.feat, (m - a) * columns), (start + a) * columns);
      }
    }
    return { row, feature, recon };
  }

  /** Adds −log N(z; 0, I) / dims of the last scoring pass's codes to rows [start, start + m) of row. */
  private addPriorTerm(row: Float32Array, start: number, m: number): void {
    const ly = this.layers[this.codeLayer]!;
    const z = this.f32(this.ex.fz_code(), m * ly.outP);
    const d = this.arch.inputDims;
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let k = 0; k < ly.outR; k++) s += z[r * ly.outP + k]! ** 2;
      row[start + r] = row[start + r]! + (0.5 * s + 0.5 * ly.outR * Math.log(2 * Math.PI)) / d;
    }
  }

  private scoreBuffers(owners: Int32Array, cols: number): NonNullable<FusedNet['scoreBufs']> {
    let b = this.scoreBufs;
    if (!b || b.cols !== cols) {
      const d = this.arch.inputDims;
      const r = this.maxRows;
      b = {
        cols,
        owners: this.ex.fz_alloc(d * 4),
        row: this.ex.fz_alloc(r * 4),
        feat: this.ex.fz_alloc(r * cols * 4),
        recon: this.ex.fz_alloc(r * d * 4),
        acc: this.ex.fz_alloc(Math.max(1, cols) * 8),
        ownersOf: null,
      };
      if (!b.owners || !b.row || !b.feat || !b.recon || !b.acc) throw new Error('the fused kernel could not allocate its scoring memory');
      this.scoreBufs = b;
    }
    if (b.ownersOf !== owners) {
      new Int32Array(this.ex.memory.buffer, b.owners, owners.length).set(owners);
      b.ownersOf = owners;
    }
    return b;
  }

  /** Adam steps taken. */
  get steps(): number {
    return this.adamT;
  }

  /** Stops the helper thread, if any (the instance's memory goes with the object). */
  dispose(): void {
    this.helper?.close();
    this.helper = null;
  }
}
