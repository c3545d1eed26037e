/**
 * qubo-ls (ablation of QAHAN without annealing): the same attention QUBO as qahan, minimised on the host
 * by best-improvement 1-swap local search from the top-k mask. Against qahan it isolates the annealer;
 * against topk, the QUBO. Trained like qahan (mask constant).
 */
import type { Backbone, HostForward } from '../backbone';
import { buildBatchQubos } from '../qubo-batch';
import { swapLocalSearch } from '../swap-search';
import { topKMask } from '../top-k';
import { AttentionMethod, MaskResult, stepSeed, testSeed } from './method';

const now = () => performance.now();

/** Masks of a batch (host arrays in): each image's QUBO, then swap local search from its top-k. */
export function localSearchMasks(net: Backbone, host: HostForward, B: number, opts: { quboNoise?: number; noiseSeed?: number } = {}): MaskResult {
  const N = net.positions;
  const t0 = now();
  const { qubos, gammas } = buildBatchQubos({
    options: net.options,
    scores: host.scores,
    features: host.features,
    batch: B,
    channels: net.channels,
    quboNoise: opts.quboNoise ?? net.options.quboNoise,
    noiseSeed: opts.noiseSeed,
  });
  const t1 = now();
  const start = topKMask(host.scores, B, N, net.k);
  const mask = new Float32Array(B * N);
  const energies = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const r = swapLocalSearch(qubos, b, start.subarray(b * N, (b + 1) * N));
    mask.set(r.mask, b * N);
    energies[b] = r.energy;
  }
  return { mask, energies, qubos, gammas, buildMs: t1 - t0, annealMs: now() - t1 };
}

export const quboLs: AttentionMethod = {
  name: 'qubo-ls',
  role: 'ablation',
  hard: true,
  usesQubo: true,
  usesSampler: false,
  async prepare(ctx, x) {
    const t0 = now();
    const host = await ctx.net.scoresAndFeatures(x);
    const t1 = now();
    return { ...localSearchMasks(ctx.net, host, x.shape[0], { noiseSeed: stepSeed(ctx) }), scoreMs: t1 - t0 };
  },
  head: ({ net }, { F, a }, prepared) => ({ logits: net.headFromConstantMask(F, a, prepared!.mask) }),
  async predictMask(ctx, fwd) {
    const host = await ctx.net.toHost(fwd.F, fwd.a);
    return localSearchMasks(ctx.net, host, fwd.batch, { quboNoise: ctx.quboNoise, noiseSeed: testSeed(ctx) }).mask;
  },
};
