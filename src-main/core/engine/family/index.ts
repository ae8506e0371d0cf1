import { choosePath, type EnginePath } from '../fused/net';
import type { Architecture, TrainSettings } from '../types';
import type { Stepper } from '../train';
import { makeAaeStepper, makeWaeFusedStepper, makeWaeTfStepper } from './train';

/**
 * The rest of the seeds' autoencoder family: the adversarial autoencoder ('aae', Makhzani et al. 2016) and the
 * Wasserstein autoencoder with an MMD penalty ('wae', Tolstikhin et al. 2018). Their math (mmd.ts, aae.ts) is pure and
 * tested by hand; train.ts runs their training steps. Both score like any autoencoder: by reconstruction error.
 */

export { discriminatorLayers, discriminatorParameters } from './train';

/** What each kind adds to the plain autoencoder, in a sentence (CLI, report, model card). */
export const FAMILY_WORDS = {
  aae: 'adversarial autoencoder (Makhzani et al. 2016): a discriminator on the code pulls the codes towards a standard normal prior',
  wae: 'Wasserstein autoencoder, WAE-MMD (Tolstikhin et al. 2018): an MMD penalty with an inverse multiquadratic kernel pulls the codes towards a standard normal prior',
} as const;

/**
 * The path a run trains on. An AAE alternates three phases and a second network per batch, which the fused kernel (one
 * dense autoencoder, one loss) does not do: it trains on TensorFlow.js (and scores on the fused kernel where that is
 * faster, like every autoencoder). A WAE is a dense autoencoder plus the MMD on its code, which the kernel computes: it
 * trains where choosePath says, like the others.
 */
export function trainingPath(arch: Architecture, backend: string): { path: EnginePath; reason: string } {
  if (arch.kind === 'aae') return { path: 'tfjs', reason: 'adversarial training (reconstruction, discriminator and generator phases per batch) runs on TensorFlow.js' };
  const chosen = choosePath(arch, backend);
  if (arch.kind === 'wae' && chosen.path === 'wasm-fused') return { path: chosen.path, reason: `${chosen.reason}; the MMD in the kernel` };
  return chosen;
}

/** The training stepper of an 'aae' or 'wae' run. */
export function makeFamilyStepper(path: EnginePath, arch: Architecture, s: TrainSettings, weights: Float32Array): Stepper {
  if (arch.kind === 'aae') return makeAaeStepper(arch, s, weights);
  return path === 'wasm-fused' ? makeWaeFusedStepper(arch, s, weights) : makeWaeTfStepper(arch, s, weights);
}
