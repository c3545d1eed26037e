/**
 * qahan: the mask is the lowest-energy sample of each image's attention QUBO (qubo.ts), all of the batch
 * annealed in one sampler.sampleBatch call. The sampler is whatever createSampler() gave (CPU annealer or
 * QPU); this module asks only which parameters it accepts, never which sampler it is. No gradient passes
 * through the mask; the scorer learns through F * m * a.
 */
import type { Sampler } from '../../samplers/sampler';
import type { Backbone, HostForward } from '../backbone';
import { annealAttention, buildAttentionProblem } from '../annealed-masks';
import type { ResolvedAttentionOptions } from '../settings';
import { AttentionMethod, MaskResult, stepSeed, testSeed } from './method';

const now = () => performance.now();

/**
 * The sampler parameters: reads, seed, and sweeps / Trotter slices / schedule shape where the sampler
 * accepts them. With `cardinality` the sampler keeps exactly k ones (swap moves) and scales its schedule
 * to the swaps; without it (a QPU) it anneals the penalty form on its own default schedule.
 */
export function samplerParams(sampler: Sampler, o: ResolvedAttentionOptions, seed: number): Record<string, unknown> {
  const has = (name: string) => sampler.parameters.includes(name);
  const p: Record<string, unknown> = { numReads: o.numReads, seed };
  if (has('numSweeps')) p.numSweeps = o.numSweeps;
  if (has('trotterSlices')) p.trotterSlices = o.trotterSlices;
  if (o.schedule && has('betaScheduleType')) p.betaScheduleType = o.schedule;
  if (o.schedule && has('gammaScheduleType')) p.gammaScheduleType = o.schedule;
  if (has('cardinality')) p.cardinality = o.k;
  return p;
}

/**
 * QAHAN's masks for a batch (host arrays in): builds one QUBO per image and anneals them all in one
 * sampleBatch call (annealed-masks.ts: pair swaps when the sampler keeps the cardinality, else the
 * single-flip QPU form repaired to k). `seed` seeds the reads and the QUBO noise.
 */
export async function annealMasks(net: Backbone, sampler: Sampler, host: HostForward, B: number, opts: { seed: number; quboNoise?: number }): Promise<MaskResult> {
  const t0 = now();
  const problem = buildAttentionProblem(
    { options: net.options, scores: host.scores, features: host.features, batch: B, channels: net.channels },
    opts.quboNoise ?? net.options.quboNoise,
    opts.seed,
  );
  const t1 = now();
  const r = await annealAttention(sampler, problem, net.options, host.scores, { seed: opts.seed, params: samplerParams(sampler, net.options, opts.seed) });
  const t2 = now();
  return { mask: r.mask, energies: r.energies, qubos: problem.qubos, gammas: problem.gammas, buildMs: t1 - t0, annealMs: t2 - t1 };
}

/** How an annealed method gets a batch's masks from host scores and features. */
export type AnnealedMasksFn = (net: Backbone, sampler: Sampler, host: HostForward, B: number, opts: { seed: number; quboNoise?: number }) => Promise<MaskResult>;

/**
 * The steps every annealed method shares: anneal outside the tape at training time (seeded per step) and
 * at test time (seeded per call, with the forward's QUBO noise); methods differ in `masks` and their head.
 */
export function annealedSteps(masks: AnnealedMasksFn): Required<Pick<AttentionMethod, 'prepare' | 'predictMask'>> {
  return {
    async prepare(ctx, x) {
      const t0 = now();
      const host = await ctx.net.scoresAndFeatures(x);
      const t1 = now();
      const r = await masks(ctx.net, ctx.sampler!, host, x.shape[0], { seed: stepSeed(ctx) });
      return { ...r, scoreMs: t1 - t0 };
    },
    async predictMask(ctx, fwd) {
      const host = await ctx.net.toHost(fwd.F, fwd.a);
      return (await masks(ctx.net, ctx.sampler!, host, fwd.batch, { seed: testSeed(ctx), quboNoise: ctx.quboNoise })).mask;
    },
  };
}

export const qahan: AttentionMethod = {
  name: 'qahan',
  role: 'annealed',
  hard: true,
  usesQubo: true,
  usesSampler: true,
  ...annealedSteps(annealMasks),
  head: ({ net }, { F, a }, prepared) => ({ logits: net.headFromConstantMask(F, a, prepared!.mask) }),
};
