/**
 * qahan-free: an attention QUBO without a cardinality term,
 *
 *   E(z) = sum_i (tau - a_i) z_i + lambda sum_{i<j} S_ij z_i z_j,
 *
 * so how many positions are kept follows from the signs of the coefficients: a position stays when its
 * score beats tau net of its redundancy with the other kept ones. The whole h/J range goes to scores and
 * redundancy (qahan's penalty takes ~96% of it), and a single-flip annealer (a QPU) anneals it as it is,
 * with no repair. The sampler gets no `cardinality`. Pooling divides by the number kept (at least 1).
 * The mask is a constant of the graph; the scorer learns through F * m * a, as in qahan.
 */
import * as tf from '@tensorflow/tfjs';
import type { Sampler } from '../../samplers/sampler';
import type { Backbone, HostForward } from '../backbone';
import { withControlError } from '../control-error';
import { AttentionQubos, buildAttentionQubos, perturbQubos, quboEnergy, toBqms } from '../qubo';
import { Rng } from '../rng';
import type { ResolvedAttentionOptions } from '../settings';
import { AttentionMethod, Forward, MaskResult } from './method';
import { annealedSteps, samplerParams } from './qahan';
import { swapLocalSearch } from '../swap-search';

const now = () => performance.now();

export interface FreeInput {
  options: ResolvedAttentionOptions;
  /** B x N scores and B x N x C features (host arrays). */
  scores: Float32Array;
  features: Float32Array;
  batch: number;
  channels: number;
}

/** The batch's free QUBOs: linear tau - a_i, quadratic lambda S_ij, offset 0. */
export function buildFreeQubos(input: FreeInput): AttentionQubos {
  const o = input.options;
  // gamma 0: the builder's similarity-only part (linear -a_i); k is then irrelevant.
  const q = buildAttentionQubos({ batch: input.batch, positions: o.positions, scores: input.scores, features: input.features, channels: input.channels, lambda: o.lambda, gamma: 0, k: o.k });
  const linear = Float64Array.from(q.linear);
  for (let i = 0; i < linear.length; i++) linear[i] += o.tau;
  return { ...q, linear, offset: new Float64Array(input.batch) };
}

/** samplerParams without `cardinality`: the free form has none to keep. */
export function freeSamplerParams(sampler: Sampler, o: ResolvedAttentionOptions, seed: number): Record<string, unknown> {
  const p = samplerParams(sampler, o, seed);
  delete p.cardinality;
  return p;
}

export interface FreeMaskResult extends MaskResult {
  qubos: AttentionQubos;
  /** Clean free-QUBO energy of each mask. */
  energies: Float64Array;
}

/**
 * qahan-free's masks for a batch: build the free QUBOs, optionally add coefficient noise (quboNoise,
 * relative to the largest coefficient) or a QPU's control error (sigma of the h/J range), and anneal
 * them in one sampleBatch call. The mask is each image's lowest read, then (unless `polish` is false)
 * refined on the host by descent over single flips and swaps on the clean model (freeDescent), a few
 * O(N^2) passes per image: the default single-flip budget (1 read, 128 sweeps) lands next to the
 * optimum but not always on it (SQA, 4 slices: 94% at N = 16, 83% at N = 20 without it). Energies are
 * those of the clean model.
 */
export async function annealFreeMasks(
  net: Pick<Backbone, 'positions' | 'channels' | 'options'>,
  sampler: Sampler,
  host: HostForward,
  B: number,
  opts: { seed: number; quboNoise?: number; controlError?: number; polish?: boolean },
): Promise<FreeMaskResult> {
  const N = net.positions;
  const t0 = now();
  const qubos = buildFreeQubos({ options: net.options, scores: host.scores, features: host.features, batch: B, channels: net.channels });
  let form = qubos;
  const quboNoise = opts.quboNoise ?? net.options.quboNoise;
  if (quboNoise > 0) {
    const rng = new Rng(opts.seed, 17);
    form = perturbQubos({ ...qubos, linear: Float64Array.from(qubos.linear), dense: Float64Array.from(qubos.dense) }, quboNoise, () => rng.normal());
  }
  if (opts.controlError && opts.controlError > 0) {
    const rng = new Rng(opts.seed, 23);
    form = withControlError(form, { sigma: opts.controlError, normal: () => rng.normal() });
  }
  const t1 = now();
  const sets = await sampler.sampleBatch(toBqms(form), freeSamplerParams(sampler, net.options, opts.seed));
  const mask = new Float32Array(B * N);
  const energies = new Float64Array(B);
  const z = new Uint8Array(N);
  sets.forEach((set, b) => {
    const best = set.first.sample;
    for (let i = 0; i < N; i++) z[i] = best[i] > 0 ? 1 : 0;
    const r = opts.polish === false ? { mask: z, energy: quboEnergy(qubos, b, z) } : freeDescent(qubos, b, z);
    for (let i = 0; i < N; i++) mask[b * N + i] = r.mask[i];
    energies[b] = r.energy;
  });
  return { mask, energies, qubos, buildMs: t1 - t0, annealMs: now() - t1 };
}

/** Logits from a host mask: pooled sum_i m_i a_i F_i / max(1, sum_i m_i), per image. */
function freeHead(net: Backbone, fwd: Forward, mask: Float32Array): tf.Tensor2D {
  return tf.tidy(() => {
    const m = tf.tensor2d(mask, [fwd.batch, net.positions]);
    const kept = tf.maximum(tf.sum(m, 1, true), 1);
    const pooled = tf.div(tf.sum(tf.mul(fwd.F, tf.expandDims(tf.mul(m, fwd.a), 2)), 1), kept) as tf.Tensor2D;
    return net.classify(pooled);
  });
}

export const qahanFree: AttentionMethod = {
  name: 'qahan-free',
  role: 'annealed',
  // The number kept varies per image.
  hard: false,
  usesQubo: true,
  usesSampler: true,
  ...annealedSteps(annealFreeMasks),
  head: ({ net }, fwd, prepared) => ({ logits: freeHead(net, fwd, prepared!.mask) }),
  maskedHead: freeHead,
};

/**
 * Descent over single flips and swaps (drop one kept position, add one unkept) on image b's free QUBO,
 * until neither improves. A swap between two similar positions is the typical near-miss of a single-flip
 * annealer on this form: each flip alone raises the energy, the pair does not.
 */
export function freeDescent(q: AttentionQubos, b: number, start: ArrayLike<number>): { mask: Uint8Array; energy: number } {
  let r = flipLocalSearch(q, b, start);
  for (;;) {
    const s = swapLocalSearch(q, b, r.mask);
    if (!(s.energy < r.energy - 1e-12 * Math.max(1, Math.abs(r.energy)))) return r;
    r = flipLocalSearch(q, b, s.mask);
  }
}

/** The free form's optimum without redundancy: keep a_i > tau (the linear terms' signs). B * N. */
export function thresholdMask(q: AttentionQubos): Float32Array {
  const mask = new Float32Array(q.linear.length);
  for (let i = 0; i < mask.length; i++) mask[i] = q.linear[i] < 0 ? 1 : 0;
  return mask;
}

/**
 * Best-improvement single-flip descent on image b's free QUBO from `start` (length N, nonzero = kept):
 * flip the position that lowers the energy most until none does. The free form has no cardinality, so
 * this is its 1-opt local search (the analogue of qubo-ls's swaps) and refines the reference optimum.
 */
export function flipLocalSearch(q: AttentionQubos, b: number, start: ArrayLike<number>): { mask: Uint8Array; energy: number } {
  const N = q.positions;
  const dense = q.dense.subarray(b * N * N, (b + 1) * N * N);
  const pair = (i: number, j: number) => (i < j ? dense[i * N + j] : dense[j * N + i]);
  const z = new Uint8Array(N);
  for (let i = 0; i < N; i++) z[i] = start[i] ? 1 : 0;
  // f[x]: the energy change of adding x (x unkept), minus that of dropping it (x kept).
  const f = new Float64Array(N);
  for (let x = 0; x < N; x++) {
    let v = q.linear[b * N + x];
    for (let l = 0; l < N; l++) if (l !== x && z[l]) v += pair(x, l);
    f[x] = v;
  }
  let scale = 1;
  for (let x = 0; x < N; x++) scale = Math.max(scale, Math.abs(f[x]));
  for (;;) {
    let best = -1e-12 * scale;
    let bx = -1;
    for (let x = 0; x < N; x++) {
      const d = z[x] ? -f[x] : f[x];
      if (d < best) {
        best = d;
        bx = x;
      }
    }
    if (bx < 0) break;
    z[bx] ^= 1;
    const sign = z[bx] ? 1 : -1;
    for (let x = 0; x < N; x++) if (x !== bx) f[x] += sign * pair(x, bx);
  }
  return { mask: z, energy: quboEnergy(q, b, z) };
}
