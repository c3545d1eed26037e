/**
 * qahan-free: the free QUBO (no cardinality term) annealed at the default budget against the exact
 * optimum, what it asks of the sampler, and training on the stripes fixture (with qahan-energy).
 */
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../../src/attention/backbone';
import { NetworkSpec } from '../../src/attention/backbone';
import { annealFreeMasks, buildFreeQubos } from '../../src/attention/methods/qahan-free';
import { AttentionNetwork } from '../../src/attention/network';
import { cosineSimilarity, quboEnergy, toBqms } from '../../src/attention/qubo';
import { Rng } from '../../src/attention/rng';
import { resolveAttentionOptions } from '../../src/attention/settings';
import { ExactSolver } from '../../src/samplers/exact';
import { PathIntegralAnnealingSampler } from '../../src/samplers/path-integral-annealing';
import type { SampleParams, Sampler } from '../../src/samplers/sampler';
import { SimulatedAnnealingSampler } from '../../src/samplers/simulated-annealing';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Scores logit-normal (mean 0, sd 1.5, so they spread over (0, 1)) and non-negative features sharing a
 * per-image component (a ReLU map: high similarities, so redundancy decides how many are kept).
 */
function instances(B: number, N: number, C: number, seed: number) {
  const rng = new Rng(seed, 13);
  const scores = new Float32Array(B * N);
  const features = new Float32Array(B * N * C);
  for (let b = 0; b < B; b++) {
    const common = Array.from({ length: C }, () => Math.max(0, rng.normal()));
    for (let i = 0; i < N; i++) {
      scores[b * N + i] = 1 / (1 + Math.exp(-1.5 * rng.normal()));
      for (let c = 0; c < C; c++) features[(b * N + i) * C + c] = Math.max(0, common[c] + 0.7 * rng.normal());
    }
  }
  return { scores, features };
}

/** A sampler that records the parameters it is called with. */
function recording(inner: Sampler): Sampler & { calls: SampleParams[] } {
  const calls: SampleParams[] = [];
  return { name: inner.name, parameters: inner.parameters, calls, sample: (m, p) => inner.sample(m, p), sampleBatch: (m, p) => (calls.push({ ...p }), inner.sampleBatch(m, p)) };
}

const kept = (mask: Float32Array, N: number) => Array.from({ length: mask.length / N }, (_, b) => mask.subarray(b * N, (b + 1) * N).reduce((u, v) => u + v, 0));

describe('the free QUBO', () => {
  test('linear tau - a_i, quadratic lambda S_ij, no offset', () => {
    const N = 6;
    const C = 3;
    const options = resolveAttentionOptions(N, { k: 2, lambda: 0.4, tau: 0.3 });
    const { scores, features } = instances(2, N, C, 1);
    const q = buildFreeQubos({ options, scores, features, batch: 2, channels: C });
    for (let b = 0; b < 2; b++) {
      const S = cosineSimilarity(features, N, C, b);
      for (let i = 0; i < N; i++) {
        expect(q.linear[b * N + i]).toBeCloseTo(0.3 - scores[b * N + i], 6);
        for (let j = i + 1; j < N; j++) expect(q.dense[b * N * N + i * N + j]).toBeCloseTo(0.4 * S[i * N + j], 6);
      }
      expect(q.offset[b]).toBe(0);
    }
  });

  test.each([
    [16, 8],
    [20, 8],
  ])('N = %d: the default budget (SQA 4 slices x 128 sweeps and SA 128 sweeps, 1 read, then flip-and-swap descent) finds the exact optimum on >= 99%% of 120 images', async (N, C) => {
    const B = 120;
    const options = resolveAttentionOptions(N);
    const { scores, features } = instances(B, N, C, N);
    const net = { positions: N, channels: C, options } as unknown as Backbone;
    const q = buildFreeQubos({ options, scores, features, batch: B, channels: C });
    const exact = await new ExactSolver().sampleBatch(toBqms(q), { maxStates: 1 });
    for (const inner of [new PathIntegralAnnealingSampler(), new SimulatedAnnealingSampler()]) {
      const sampler = recording(inner);
      const r = await annealFreeMasks(net, sampler, { scores, features }, B, { seed: 3 });
      // The free form has no cardinality to keep, though these samplers could keep one.
      expect(sampler.parameters).toContain('cardinality');
      expect(sampler.calls).toHaveLength(1);
      expect(sampler.calls[0]).not.toHaveProperty('cardinality');
      let hits = 0;
      for (let b = 0; b < B; b++) {
        const e = exact[b].first.energy;
        expect(r.energies[b]).toBeCloseTo(quboEnergy(q, b, r.mask.subarray(b * N, (b + 1) * N)), 9);
        if (r.energies[b] <= e + 1e-9 * Math.max(1, Math.abs(e))) hits++;
      }
      const counts = kept(r.mask, N);
      if (process.env.QAHAN_DEBUG) {
        const raw = await annealFreeMasks(net, inner, { scores, features }, B, { seed: 3, polish: false });
        const rawHits = exact.filter((x, b) => raw.energies[b] <= x.first.energy + 1e-9 * Math.max(1, Math.abs(x.first.energy))).length;
        console.log(N, inner.name, 'polished', hits, 'raw', rawHits, '/', B, 'kept', Math.min(...counts), '-', Math.max(...counts));
      }
      expect(hits / B).toBeGreaterThanOrEqual(0.99);
      // The number kept really varies, and with the default tau = 0 no mask is empty (a_i > 0).
      expect(new Set(counts).size).toBeGreaterThan(2);
      expect(Math.min(...counts)).toBeGreaterThan(0);
    }
  });

  test("control error on the annealer's read (no descent): the masks move; sigma 0 is the clean form", async () => {
    const N = 16;
    const C = 8;
    const B = 40;
    const options = resolveAttentionOptions(N);
    const { scores, features } = instances(B, N, C, 5);
    const net = { positions: N, channels: C, options } as unknown as Backbone;
    const sampler = new SimulatedAnnealingSampler({ threads: 1 });
    const clean = await annealFreeMasks(net, sampler, { scores, features }, B, { seed: 4, polish: false });
    const zero = await annealFreeMasks(net, sampler, { scores, features }, B, { seed: 4, controlError: 0, polish: false });
    expect(Array.from(zero.mask)).toEqual(Array.from(clean.mask));
    const noisy = await annealFreeMasks(net, sampler, { scores, features }, B, { seed: 4, controlError: 0.2, polish: false });
    expect(Array.from(noisy.mask)).not.toEqual(Array.from(clean.mask));
    // Energies are always the clean model's: noise can only make them worse on average.
    const mean = (x: Float64Array) => x.reduce((u, v) => u + v, 0) / x.length;
    expect(mean(noisy.energies)).toBeGreaterThanOrEqual(mean(clean.energies) - 1e-9);
  });
});

describe('qahan-free and qahan-energy learn the stripes task', () => {
  const SPEC: NetworkSpec = { inputShape: [8, 8, 1], numClasses: 2, convs: [{ filters: 4, kernel: 3 }], hidden: 0 };

  function stripes(B: number, rng: Rng): { x: tf.Tensor4D; y: tf.Tensor2D } {
    const x = new Float32Array(B * 64);
    const y = new Float32Array(B * 2);
    for (let b = 0; b < B; b++) {
      const vertical = rng.next() < 0.5;
      const phase = rng.next() < 0.5 ? 0 : 1;
      for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) x[b * 64 + r * 8 + c] = ((vertical ? c : r) + phase) % 2 + 0.3 * rng.next();
      y[b * 2 + (vertical ? 1 : 0)] = 1;
    }
    return { x: tf.tensor4d(x, [B, 8, 8, 1]), y: tf.tensor2d(y, [B, 2]) };
  }

  test.each(['qahan-free', 'qahan-energy'] as const)('%s', async (method) => {
    const net = new AttentionNetwork(SPEC, { method, seed: 2, sampler: new SimulatedAnnealingSampler({ threads: 1 }), attention: { k: 4, numSweeps: 64, numReads: 2 } });
    const opt = tf.train.adam(0.03);
    const rng = new Rng(7);
    const losses: number[] = [];
    const keptMeans: number[] = [];
    for (let step = 0; step < 40; step++) {
      const { x, y } = stripes(16, rng);
      const r = await net.trainStep(x, y, opt);
      losses.push(r.loss);
      // Only the free form reports a varying count.
      expect(r.kept !== undefined).toBe(method === 'qahan-free');
      if (r.kept) {
        expect(r.kept.std).toBeGreaterThanOrEqual(0);
        keptMeans.push(r.kept.mean);
      }
      x.dispose();
      y.dispose();
    }
    const { x, y } = stripes(128, new Rng(99));
    const { correct } = await net.evaluateBatch(x, y);
    const { mask, logits } = await net.predict(x);
    const counts = kept(mask!, net.positions);
    if (process.env.QAHAN_DEBUG) console.log(method, 'accuracy', correct / 128, 'kept', keptMeans.map((v) => v.toFixed(1)).join(' '));
    if (method === 'qahan-energy') expect(new Set(counts)).toEqual(new Set([4]));
    else expect(Math.min(...counts)).toBeGreaterThan(0);
    const first = losses.slice(0, 5).reduce((u, v) => u + v, 0) / 5;
    const last = losses.slice(-5).reduce((u, v) => u + v, 0) / 5;
    expect(last).toBeLessThan(first);
    expect(correct / 128).toBeGreaterThan(0.75);
    [x, y, logits].forEach((t) => t.dispose());
    net.dispose();
    opt.dispose();
  });
});
