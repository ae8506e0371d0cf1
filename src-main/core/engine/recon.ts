import * as tf from '@tensorflow/tfjs';
import { ClassicalDetector } from './classical';
import { EnsembleScorer } from './ensemble';
import { OneClassScorer } from './family/oneclass';
import { FusedNet } from './fused/net';
import type { Network } from './model';

/** Rows per forward pass: bounds the tensors of wide networks (wasm's heap grows but never shrinks). */
const FORWARD_ROWS = 1024;

export interface BatchErrors {
  /** Per row: mean over model dims of the squared error (+ KL/dims for a VAE scored with KL, + −log p(z)/dims for an AAE scored with its prior). */
  readonly row: Float32Array;
  /** Per row × explained column: squared errors summed over the column's dims (one-hot, indicator). */
  readonly feature: Float32Array;
  /** The reconstruction in model units (rows × dims), only when asked for. */
  readonly recon: Float32Array | null;
}

/**
 * Reconstruction errors of `n` rows of model inputs (row-major, n × dims). The squares are taken in
 * float64 on the host so that per-column sums add up to the row error × dims exactly as stored.
 */
export async function reconstructionErrors(
  net: Network | FusedNet | ClassicalDetector | EnsembleScorer | OneClassScorer,
  x: Float32Array,
  n: number,
  owners: Int32Array,
  columns: number,
  opts: { withKl: boolean; keepRecon: boolean; into?: { readonly row: Float32Array; readonly feature: Float32Array }; rows?: number | readonly number[] },
): Promise<BatchErrors> {
  // IsolationForest / ECOD: their scores and per-column contributions (`rows`: the dataset rows of x, for ECOD's own-row count).
  if (net instanceof ClassicalDetector) return net.errors(x, n, owners, columns, opts.keepRecon, opts.into, opts.rows);
  // An ensemble: its members' errors, standardised and combined (src-main/core/engine/ensemble.ts).
  if (net instanceof EnsembleScorer) return net.errors(x, n, owners, columns, opts.keepRecon, opts.into, opts.rows);
  // Deep SVDD / OC-NN: their scores and per-column integrated-gradients attributions (family/oneclass.ts).
  if (net instanceof OneClassScorer) return net.errors(x, n, owners, columns, opts.keepRecon, opts.into);
  // The fused kernel computes the same float64 sums in its forward pass (a VAE's KL too, when its settings say so).
  if (net instanceof FusedNet) return net.errors(x, n, owners, columns, opts.keepRecon, opts.into);
  const d = net.arch.inputDims;
  const rec = new Float32Array(n * d);
  const klv = opts.withKl ? new Float32Array(n) : null;
  for (let start = 0; start < n; start += FORWARD_ROWS) {
    const m = Math.min(FORWARD_ROWS, n - start);
    const [recon, kl] = tf.tidy(() => {
      const r = net.reconstruct(tf.tensor2d(x.subarray(start * d, (start + m) * d), [m, d]));
      // A VAE's KL (an AAE's prior term) is computed anyway; it joins the score only when asked for.
      const latent = r.kl ?? r.prior;
      return [r.recon, klv && latent ? latent : tf.zeros([0])];
    });
    rec.set((await recon.data()) as Float32Array, start * d);
    if (klv) klv.set((await kl.data()) as Float32Array, start);
    tf.dispose([recon, kl]);
  }
  const row = new Float32Array(n);
  const feature = new Float32Array(n * columns);
  const acc = new Float64Array(columns);
  for (let r = 0; r < n; r++) {
    acc.fill(0);
    let total = 0;
    const base = r * d;
    for (let j = 0; j < d; j++) {
      const e = (rec[base + j]! - x[base + j]!) ** 2;
      acc[owners[j]!]! += e;
      total += e;
    }
    row[r] = total / d + (klv ? klv[r]! / d : 0);
    feature.set(acc, r * columns);
  }
  return { row, feature, recon: opts.keepRecon ? rec : null };
}
