import * as tf from '@tensorflow/tfjs';
import { AttentionNetwork, NetworkSpec } from '../../src/attention/network';
import { buildAttentionQubos, buildAttentionQubosReference, cosineSimilarity, quboEnergy, nativeQuboBuilderAvailable } from '../../src/attention/qubo';
import { resolveAttentionOptions } from '../../src/attention/options';
import { createSampler } from '../../src/samplers/create-sampler';
import { annealMasks } from '../../src/attention/methods/qahan';

// 8 x 6 x 1 input -> conv(4,3)-pool -> 4 x 3 x 4: N = 12 positions.
const SPEC: NetworkSpec = { inputShape: [8, 6, 1], numClasses: 3, convs: [{ filters: 4, kernel: 3 }], hidden: 0 };

function input(B: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([B, 8, 6, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
}

/** Lowest energy over all 2^N states of image b (brute force in TypeScript). */
function bruteForce(q: ReturnType<typeof buildAttentionQubosReference>, b: number): { energy: number; states: number[][] } {
  const N = q.positions;
  let best = Infinity;
  let states: number[][] = [];
  const z = new Array(N).fill(0);
  for (let s = 0; s < 1 << N; s++) {
    for (let i = 0; i < N; i++) z[i] = (s >> i) & 1;
    const e = quboEnergy(q, b, z);
    if (e < best - 1e-9) {
      best = e;
      states = [z.slice()];
    } else if (Math.abs(e - best) <= 1e-9) states.push(z.slice());
  }
  return { energy: best, states };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('attention QUBO', () => {
  test('expansion of E(z) = -a.z + lambda sum S z z + gamma (sum z - k)^2', () => {
    const N = 5;
    const C = 3;
    const feats = Float32Array.from({ length: N * C }, (_, i) => Math.sin(i * 1.7) + 1);
    const scores = Float32Array.from({ length: N }, (_, i) => (i + 1) / 7);
    const q = buildAttentionQubosReference({ batch: 1, positions: N, scores, features: feats, channels: C, lambda: 0.3, gamma: 1.1, k: 2 });
    const S = cosineSimilarity(feats, N, C);
    for (let s = 0; s < 1 << N; s++) {
      const z = Array.from({ length: N }, (_, i) => (s >> i) & 1);
      let e = 0;
      let count = 0;
      for (let i = 0; i < N; i++) {
        e -= scores[i] * z[i];
        count += z[i];
        for (let j = i + 1; j < N; j++) e += 0.3 * S[i * N + j] * z[i] * z[j];
      }
      e += 1.1 * (count - 2) ** 2;
      expect(quboEnergy(q, 0, z)).toBeCloseTo(e, 5);
    }
  });

  test('the native builder matches the reference', () => {
    if (!nativeQuboBuilderAvailable()) {
      console.warn('native buildAttentionQubos not available: skipped');
      return;
    }
    const B = 3;
    const N = 7;
    const C = 4;
    const feats = Float32Array.from({ length: B * N * C }, (_, i) => Math.abs(Math.cos(i * 0.37)));
    const scores = Float32Array.from({ length: B * N }, (_, i) => (i % 5) / 5);
    const inp = { batch: B, positions: N, scores, features: feats, channels: C, lambda: 0.2, gamma: 1.3, k: 3 };
    const a = buildAttentionQubos(inp);
    const r = buildAttentionQubosReference(inp);
    for (let i = 0; i < r.linear.length; i++) expect(a.linear[i]).toBeCloseTo(r.linear[i], 5);
    for (let b = 0; b < B; b++) {
      expect(a.offset[b]).toBeCloseTo(r.offset[b], 6);
      for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) expect(a.dense[b * N * N + i * N + j]).toBeCloseTo(r.dense[b * N * N + i * N + j], 5);
    }
  });

  test('defaults: k = 12 of 49, automatic gamma', () => {
    const o = resolveAttentionOptions(49);
    expect(o.k).toBe(12);
    expect(o.gamma).toBeUndefined();
  });
});

describe('QAHAN layer', () => {
  test('the mask is the exact optimum of the QUBO the layer built (ExactSolver)', async () => {
    const net = new AttentionNetwork(SPEC, { method: 'qahan', sampler: createSampler('exact'), seed: 3, attention: { k: 4 } });
    expect(net.positions).toBe(12);
    const B = 4;
    const x = input(B, 1);
    const { scores, features } = await net.scoresAndFeatures(x);
    const r = await annealMasks(net, net.sampler!, { scores, features }, B, { seed: 1 });
    const o = net.options;
    const q = r.qubos!;
    // The layer's QUBO is the reference expansion with its per-image gamma.
    for (let b = 0; b < B; b++) {
      const ref = buildAttentionQubosReference({ batch: 1, positions: 12, scores: scores.subarray(b * 12, (b + 1) * 12), features: features.subarray(b * 12 * net.channels, (b + 1) * 12 * net.channels), channels: net.channels, lambda: o.lambda, gamma: r.gammas![b], k: o.k });
      for (let i = 0; i < 12; i++) expect(q.linear[b * 12 + i]).toBeCloseTo(ref.linear[i], 5);
      for (let i = 0; i < 144; i++) expect(q.dense[b * 144 + i]).toBeCloseTo(ref.dense[i], 5);
      expect(q.offset[b]).toBeCloseTo(ref.offset[0], 5);
    }
    for (let b = 0; b < B; b++) {
      const m = Array.from(r.mask.subarray(b * 12, (b + 1) * 12));
      const opt = bruteForce(q, b);
      expect(quboEnergy(q, b, m)).toBeCloseTo(opt.energy, 5);
      expect(opt.states.map((s) => s.join(''))).toContain(m.join(''));
      expect(m.reduce((u, v) => u + v, 0)).toBe(4);
    }
    // predict() uses the same mask.
    const p = await net.predict(x);
    expect(Array.from(p.mask!)).toEqual(Array.from(r.mask));
    p.logits.dispose();
    x.dispose();
    net.dispose();
  });

  test('SA with a larger budget finds the same optimum on N = 12', async () => {
    const net = new AttentionNetwork(SPEC, { method: 'qahan', sampler: createSampler('sa'), seed: 5, attention: { k: 3, numReads: 8, numSweeps: 1000 } });
    const B = 6;
    const x = input(B, 2);
    const { features } = await net.scoresAndFeatures(x);
    // Scores spread over (0, 1), as after training (untrained ones differ by ~1e-3, below any cold beta).
    const scores = Float32Array.from({ length: B * 12 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1 / 2 + 0.5);
    const r = await annealMasks(net, net.sampler!, { scores, features }, B, { seed: 1 });
    const q = r.qubos!;
    for (let b = 0; b < B; b++) expect(quboEnergy(q, b, r.mask.subarray(b * 12, (b + 1) * 12))).toBeCloseTo(bruteForce(q, b).energy, 5);
    x.dispose();
    net.dispose();
  });

  test('no gradient reaches the mask; the scorer learns through the kept positions', async () => {
    const net = new AttentionNetwork(SPEC, { method: 'qahan', sampler: createSampler('exact'), seed: 7, attention: { k: 4 } });
    const B = 3;
    const x = input(B, 4);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3) as tf.Tensor2D;
    const { scores, features } = await net.scoresAndFeatures(x);
    const { mask } = await annealMasks(net, net.sampler!, { scores, features }, B, { seed: 1 });
    const F = net.features(x);
    const a = tf.tensor2d(scores, [B, 12]);
    const m = tf.tensor2d(mask, [B, 12]);
    const lossOf = (aa: tf.Tensor2D, mm: tf.Tensor2D) => tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(net.headFromMask(F, aa, mm))), 1))) as tf.Scalar;
    // dL/da is zero exactly where the mask is 0 and nonzero where it keeps a position.
    const ga = await tf.grad((aa: tf.Tensor) => lossOf(aa as tf.Tensor2D, m))(a).data();
    for (let i = 0; i < B * 12; i++) {
      if (mask[i] === 0) expect(Math.abs(ga[i])).toBe(0);
      else expect(Math.abs(ga[i])).toBeGreaterThan(0);
    }
    // A full training step gives the scorer nonzero gradients (through F * m * a), with the mask a constant.
    const { grads } = tf.variableGrads(() => lossOf(tf.sigmoid(net.scoreLogits(net.features(x))), m), net.variables);
    const names = net.variableNames;
    const scorerGrad = await grads[net.variables[names.indexOf('scorer/kernel')].name].abs().sum().data();
    expect(scorerGrad[0]).toBeGreaterThan(0);
    const convGrad = await grads[net.variables[names.indexOf('conv0/kernel')].name].abs().sum().data();
    expect(convGrad[0]).toBeGreaterThan(0);
    Object.values(grads).forEach((g) => g.dispose());
    const opt = tf.train.adam(1e-3);
    const before = net.variables.map((v) => v.dataSync().slice());
    const res = await net.trainStep(x, labels, opt);
    expect(Number.isFinite(res.loss)).toBe(true);
    expect(res.timings.annealMs).toBeGreaterThan(0);
    const changed = net.variables.map((v, i) => v.dataSync().some((val, j) => val !== before[i][j]));
    expect(changed[names.indexOf('scorer/kernel')]).toBe(true);
    [x, labels, F, a, m].forEach((t) => t.dispose());
    net.dispose();
  });
});
