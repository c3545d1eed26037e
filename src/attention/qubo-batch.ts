/**
 * A batch's attention QUBOs as the methods that use them build them (qahan, qubo-ls): the similarity
 * part from scores and features, each image's cardinality penalty (automatic gamma unless fixed), and
 * optionally Gaussian noise on every coefficient (an analog annealer's control error).
 */
import { addCardinalityPenalty, AttentionQubos, automaticGamma, buildAttentionQubos, perturbQubos } from './qubo';
import { Rng } from './rng';
import type { ResolvedAttentionOptions } from './settings';

export interface BatchQubos {
  qubos: AttentionQubos;
  /** The cardinality penalty of each image. */
  gammas: Float64Array;
}

export interface BatchQuboInput {
  options: ResolvedAttentionOptions;
  /** B x N scores a and B x N x C features (host arrays). */
  scores: Float32Array;
  features: Float32Array;
  batch: number;
  channels: number;
  /** Relative sigma of the coefficient noise (0: none) and its seed. */
  quboNoise?: number;
  noiseSeed?: number;
}

export function buildBatchQubos(input: BatchQuboInput): BatchQubos {
  const o = input.options;
  const B = input.batch;
  const q = buildAttentionQubos({ batch: B, positions: o.positions, scores: input.scores, features: input.features, channels: input.channels, lambda: o.lambda, gamma: 0, k: o.k });
  const gammas = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    // automaticGamma reads the similarity-only model, so it runs before the penalty goes in.
    gammas[b] = o.gamma ?? automaticGamma(input.scores, q, b, o.lambda, o.k, o.gammaMargin);
    addCardinalityPenalty(q, b, gammas[b], o.k);
  }
  const noise = input.quboNoise ?? 0;
  if (noise > 0) {
    const rng = new Rng(input.noiseSeed ?? 0, 17);
    perturbQubos(q, noise, () => rng.normal());
  }
  return { qubos: q, gammas };
}
