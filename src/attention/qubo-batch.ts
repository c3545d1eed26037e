/**
 * A batch's attention QUBOs as the methods that solve them on the host build them (qubo-ls): the penalty
 * form of annealed-masks.ts (automatic gamma unless fixed), optionally with Gaussian noise on every
 * coefficient (quboNoise).
 */
import { buildAttentionProblem } from './annealed-masks';
import type { AttentionQubos } from './qubo';
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
  const { qubos, gammas } = buildAttentionProblem(input, input.quboNoise ?? 0, input.noiseSeed ?? 0);
  return { qubos, gammas };
}
