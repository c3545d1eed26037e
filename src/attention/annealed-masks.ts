/**
 * Attention masks from a sampler, whatever it is (CPU annealer or QPU), and the two formulations:
 *
 * - When the sampler accepts `cardinality` (the native SA and SQA), it anneals the penalty QUBO of
 *   qubo.ts with pair swaps that keep exactly k ones: the penalty is then a constant and the schedule is
 *   scaled to the swaps' energy changes.
 * - Otherwise (a QPU, or the control-error model of one) the annealer can only flip single variables.
 *   The penalty form then spends ~96% of the QPU's h range on the cardinality and drowns the scores in
 *   control error, so by default this path anneals the *threshold* form
 *       E(z) = sum_i (tau - a_i) z_i + lambda sum_{i<j} S_ij z_i z_j,   tau = (a_(k) + a_(k+1)) / 2,
 *   which spends the whole range on scores and redundancy, and then repairs each sample to exactly k
 *   positions on the host with the clean penalty QUBO (control-error.ts). `qpuFormulation: 'penalty'`
 *   anneals the penalty form instead (also repaired). Measured in docs/method.md.
 *
 * Energies are always those of the clean penalty QUBO, so every path is scored on the same problem.
 */
import type { Sampler } from '../samplers/sampler';
import { repairCardinality, withControlError } from './control-error';
import { addCardinalityPenalty, AttentionQubos, automaticGamma, buildAttentionQubos, perturbQubos, quboEnergy, toBqms } from './qubo';
import { Rng } from './rng';
import type { ResolvedAttentionOptions } from './settings';

const now = () => performance.now();

export interface AttentionProblem {
  /** The penalty QUBOs (the problem of record) and each image's gamma. */
  qubos: AttentionQubos;
  gammas: Float64Array;
  /** The similarity-only QUBOs (no cardinality term); the threshold form adds tau to their linear part. */
  base: AttentionQubos;
}

export interface AttentionInput {
  options: ResolvedAttentionOptions;
  /** B x N scores and B x N x C features (host arrays). */
  scores: Float32Array;
  features: Float32Array;
  batch: number;
  channels: number;
}

/** Builds a batch's penalty QUBOs (automatic gamma unless fixed) and keeps the similarity-only part. */
export function buildAttentionProblem(input: AttentionInput, quboNoise = 0, noiseSeed = 0): AttentionProblem {
  const o = input.options;
  const B = input.batch;
  const base = buildAttentionQubos({ batch: B, positions: o.positions, scores: input.scores, features: input.features, channels: input.channels, lambda: o.lambda, gamma: 0, k: o.k });
  const qubos: AttentionQubos = { ...base, linear: Float64Array.from(base.linear), dense: Float64Array.from(base.dense), offset: Float64Array.from(base.offset) };
  const gammas = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    gammas[b] = o.gamma ?? automaticGamma(input.scores, base, b, o.lambda, o.k, o.gammaMargin);
    addCardinalityPenalty(qubos, b, gammas[b], o.k);
  }
  if (quboNoise > 0) {
    const rng = new Rng(noiseSeed, 17);
    perturbQubos(qubos, quboNoise, () => rng.normal());
  }
  return { qubos, gammas, base };
}

/** The threshold form: the similarity-only QUBO with tau_b = (a_(k) + a_(k+1)) / 2 added to every linear term. */
export function thresholdForm(base: AttentionQubos, scores: ArrayLike<number>, k: number): AttentionQubos {
  const N = base.positions;
  const out: AttentionQubos = { ...base, linear: Float64Array.from(base.linear), dense: base.dense, offset: Float64Array.from(base.offset) };
  const row = new Float64Array(N);
  for (let b = 0; b < base.batch; b++) {
    for (let i = 0; i < N; i++) row[i] = scores[b * N + i];
    row.sort();
    // Descending order: a_(k) is row[N - k], a_(k+1) is row[N - k - 1].
    const tau = k < N ? (row[N - k] + row[N - k - 1]) / 2 : row[0] - 1;
    for (let i = 0; i < N; i++) out.linear[b * N + i] += tau;
  }
  return out;
}

export interface AnnealOptions {
  seed: number;
  /** QPU control error: noise sigma as a fraction of the h/J range (forces the single-flip path). */
  controlError?: number;
  /** Take the single-flip (QPU) path even when the sampler could keep the cardinality itself. */
  singleFlip?: boolean;
  /** Sampler parameters beyond reads and seed (sweeps, slices, ...), already filtered to what the sampler accepts. */
  params?: Record<string, unknown>;
}

export interface AnnealedMasks {
  /** B * N, 0/1, exactly k ones per image. */
  mask: Float32Array;
  /** Clean penalty-QUBO energy of each mask. */
  energies: Float64Array;
  /** Positions the sampler's own answer kept, before any repair. */
  rawKept: Int32Array;
  /** Images whose answer needed a repair to k. */
  repaired: number;
  /** 'swap' (cardinality kept by the annealer) or the single-flip form that was annealed. */
  path: 'swap' | 'threshold' | 'penalty';
  annealMs: number;
}

/** Anneals a batch's problem with `sampler` and returns masks with exactly k positions. */
export async function annealAttention(sampler: Sampler, problem: AttentionProblem, options: ResolvedAttentionOptions, scores: ArrayLike<number>, o: AnnealOptions): Promise<AnnealedMasks> {
  const { qubos } = problem;
  const B = qubos.batch;
  const N = qubos.positions;
  const k = options.k;
  const swaps = sampler.parameters.includes('cardinality') && !o.singleFlip && !(o.controlError && o.controlError > 0);
  const params: Record<string, unknown> = { ...(o.params ?? {}), numReads: options.numReads, seed: o.seed };
  let form: AttentionQubos;
  let path: AnnealedMasks['path'];
  if (swaps) {
    form = qubos;
    path = 'swap';
    params.cardinality = k;
  } else {
    delete params.cardinality;
    path = options.qpuFormulation;
    form = path === 'threshold' ? thresholdForm(problem.base, scores, k) : qubos;
    if (o.controlError && o.controlError > 0) {
      const rng = new Rng(o.seed, 23);
      form = withControlError(form, { sigma: o.controlError, normal: () => rng.normal() });
    }
  }
  const t0 = now();
  const sets = await sampler.sampleBatch(toBqms(form), params);
  const annealMs = now() - t0;
  const mask = new Float32Array(B * N);
  const energies = new Float64Array(B);
  const rawKept = new Int32Array(B);
  let repaired = 0;
  const z = new Uint8Array(N);
  sets.forEach((set, b) => {
    // The lowest energy of the annealed form; for single-flip paths re-ranked after the repair would
    // need every read repaired, so the annealer's own best is taken, as a QPU user would.
    const best = set.first.sample;
    for (let i = 0; i < N; i++) z[i] = best[i] > 0 ? 1 : 0;
    rawKept[b] = z.reduce((u, v) => u + v, 0);
    if (repairCardinality(qubos, b, z, k) > 0) repaired++;
    for (let i = 0; i < N; i++) mask[b * N + i] = z[i];
    energies[b] = quboEnergy(qubos, b, z);
  });
  return { mask, energies, rawKept, repaired, path, annealMs };
}
