import * as tf from '@tensorflow/tfjs';

/**
 * The adversarial autoencoder's losses (Makhzani, Shlens, Jaitly, Goodfellow and Frey 2016): a discriminator D on the
 * code tells samples of the prior p(z) = N(0, I) ("real", label 1) from the encoder's codes q(z) ("fake", label 0), and
 * the encoder, as the generator, learns to make D call its codes real. From D's logits ℓ (D = sigmoid(ℓ)):
 *
 *   discriminator:  mean over prior samples of −log σ(ℓ) + mean over codes of −log(1 − σ(ℓ))
 *                 = mean softplus(−ℓ_real) + mean softplus(ℓ_fake)
 *   generator:      mean over codes of −log σ(ℓ) = mean softplus(−ℓ_fake)   (the non-saturating form)
 *
 * and the prior's negative log-density of a code, which an AAE's score may add: ½‖z‖² + ½·d_z·log 2π.
 * Pure functions in float64 with their analytic gradients (checked against finite differences in the tests), and the
 * TensorFlow.js expressions training runs.
 */

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log(1 + e^x) without overflow: max(x, 0) + log1p(e^−|x|). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function mean(xs: ArrayLike<number>, f: (v: number) => number): number {
  if (xs.length === 0) throw new RangeError('an adversarial loss needs at least one logit');
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += f(xs[i]!);
  return s / xs.length;
}

/** The discriminator's loss on its logits for prior samples (real) and codes (fake). */
export function discriminatorLoss(real: ArrayLike<number>, fake: ArrayLike<number>): number {
  return mean(real, (l) => softplus(-l)) + mean(fake, (l) => softplus(l));
}

/** d discriminatorLoss / d logits: (σ(ℓ) − 1)/n_real for the real ones, σ(ℓ)/n_fake for the fake ones. */
export function discriminatorLossGrad(real: ArrayLike<number>, fake: ArrayLike<number>): { real: Float64Array; fake: Float64Array } {
  return {
    real: Float64Array.from(real, (l) => (sigmoid(l) - 1) / real.length),
    fake: Float64Array.from(fake, (l) => sigmoid(l) / fake.length),
  };
}

/** The generator's (encoder's) loss on the discriminator's logits for its codes. */
export function generatorLoss(fake: ArrayLike<number>): number {
  return mean(fake, (l) => softplus(-l));
}

/** d generatorLoss / d logits: (σ(ℓ) − 1)/n. */
export function generatorLossGrad(fake: ArrayLike<number>): Float64Array {
  return Float64Array.from(fake, (l) => (sigmoid(l) - 1) / fake.length);
}

/** −log N(z; 0, I) of one code of width dz (row `row` of z, row-major). */
export function priorNll(z: ArrayLike<number>, dz: number, row = 0): number {
  let s = 0;
  for (let k = 0; k < dz; k++) s += z[row * dz + k]! ** 2;
  return 0.5 * s + dz * HALF_LOG_2PI;
}

/** d priorNll / dz = z. */
export function priorNllGrad(z: ArrayLike<number>, dz: number, row = 0): Float64Array {
  return Float64Array.from({ length: dz }, (_, k) => z[row * dz + k]!);
}

export function tfDiscriminatorLoss(real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  return tf.add(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fake)));
}

export function tfGeneratorLoss(fake: tf.Tensor): tf.Scalar {
  return tf.mean(tf.softplus(tf.neg(fake)));
}

/** −log N(z; 0, I) per row of z (n × d_z). */
export function tfPriorNll(z: tf.Tensor2D): tf.Tensor1D {
  return tf.add(tf.mul(0.5, tf.sum(tf.square(z), 1)), z.shape[1] * HALF_LOG_2PI);
}
