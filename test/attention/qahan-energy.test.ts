/**
 * qahan-energy: its energy contributions against the QUBO of qubo.ts, the envelope (Danskin) gradient of
 * the exact minimum against finite differences, and training on the stripes fixture.
 */
import * as tf from '@tensorflow/tfjs';
import { NetworkSpec } from '../../src/attention/backbone';
import { energyContributions, energyContributionsFromSimilarity, maskEnergy } from '../../src/attention/methods/qahan-energy';
import { AttentionNetwork } from '../../src/attention/network';
import { buildAttentionQubosReference, cosineSimilarity, quboEnergy, toBqms } from '../../src/attention/qubo';
import { Rng } from '../../src/attention/rng';
import { ExactSolver } from '../../src/samplers/exact';
import { SimulatedAnnealingSampler } from '../../src/samplers/simulated-annealing';

const N = 10;
const K = 3;
const C = 4;
const LAMBDA = 0.3;
const f32 = (x: ArrayLike<number>) => Float32Array.from(x);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** min over k-subsets of -a.z + lambda sum_{i<j} S_ij z_i z_j (upper triangle of S read), its argmin and the gap to the runner-up. */
async function exactMinimum(a: ArrayLike<number>, S: Float64Array): Promise<{ energy: number; z: number[]; gap: number }> {
  const q = buildAttentionQubosReference({ batch: 1, positions: N, scores: Float64Array.from(a), similarity: S, lambda: LAMBDA, gamma: 0, k: K });
  const [set] = await new ExactSolver().sampleBatch(toBqms(q), { cardinality: K, maxStates: 2 });
  return { energy: set.energies[0], z: Array.from(set.samples[0], Number), gap: set.energies[1] - set.energies[0] };
}

/** A random instance whose optimum is unique with a margin (away from ties). */
async function instance(seed: number) {
  for (let s = seed; ; s++) {
    const rng = new Rng(s, 5);
    const a = Float64Array.from({ length: N }, () => 0.2 + 0.6 * rng.next());
    const F = Float64Array.from({ length: N * C }, () => rng.normal());
    const S = cosineSimilarity(F, N, C);
    const best = await exactMinimum(a, S);
    if (best.gap > 1e-2) return { a, F, S, ...best };
  }
}

describe('energy contributions', () => {
  test('u from the factored cosine equals m_i (a_i - lambda sum_{j != i} S_ij m_j) and rebuilds the QUBO energy', async () => {
    const { a, F, S, z } = await instance(1);
    const q = buildAttentionQubosReference({ batch: 1, positions: N, scores: a, similarity: S, lambda: LAMBDA, gamma: 0, k: K });
    const [u1, u2, e] = tf.tidy(() => {
      const m = tf.tensor2d(z, [1, N]);
      const at = tf.tensor2d(f32(a), [1, N]);
      const u = energyContributions(tf.tensor3d(f32(F), [1, N, C]), at, m, LAMBDA);
      return [u, energyContributionsFromSimilarity(tf.tensor3d(f32(S), [1, N, N]), at, m, LAMBDA), maskEnergy(u, at, m)];
    });
    const [v1, v2, ve] = [u1.dataSync(), u2.dataSync(), e.dataSync()];
    for (let i = 0; i < N; i++) {
      let r = 0;
      for (let j = 0; j < N; j++) if (j !== i) r += S[i * N + j] * z[j];
      expect(v1[i]).toBeCloseTo(z[i] * (a[i] - LAMBDA * r), 5);
      expect(v2[i]).toBeCloseTo(v1[i], 5);
    }
    expect(ve[0]).toBeCloseTo(quboEnergy(q, 0, z), 5);
    [u1, u2, e].forEach((t) => t.dispose());
  });
});

describe('the envelope gradient equals finite differences of min_z E (exact solver, N = 10, k = 3)', () => {
  const h = 1e-5;

  test.each([1, 2, 3])('instance %d: dE*/da_i = -z*_i and dE*/dS_ij = lambda z*_i z*_j', async (seed) => {
    const { a, S, z } = await instance(100 * seed);
    const [ga, gS] = tf.tidy(() => {
      const m = tf.tensor2d(z, [1, N]);
      const f = (at: tf.Tensor, St: tf.Tensor) => tf.sum(maskEnergy(energyContributionsFromSimilarity(St as tf.Tensor3D, at as tf.Tensor2D, m, LAMBDA), at as tf.Tensor2D, m));
      return tf.grads(f)([tf.tensor2d(f32(a), [1, N]), tf.tensor3d(f32(S), [1, N, N])]);
    });
    const gradA = ga.dataSync();
    const gradS = gS.dataSync();
    for (let i = 0; i < N; i++) {
      const up = Float64Array.from(a);
      const down = Float64Array.from(a);
      up[i] += h;
      down[i] -= h;
      const fd = ((await exactMinimum(up, S)).energy - (await exactMinimum(down, S)).energy) / (2 * h);
      expect(fd).toBeCloseTo(-z[i], 6);
      expect(gradA[i]).toBeCloseTo(fd, 5);
    }
    for (let i = 0; i < N; i++) {
      for (let j = i + 1; j < N; j++) {
        // The QUBO reads the upper entry; the tape sees S_ij and S_ji, so their gradients add up.
        const up = Float64Array.from(S);
        const down = Float64Array.from(S);
        up[i * N + j] += h;
        down[i * N + j] -= h;
        const fd = ((await exactMinimum(a, up)).energy - (await exactMinimum(a, down)).energy) / (2 * h);
        expect(fd).toBeCloseTo(LAMBDA * z[i] * z[j], 6);
        expect(gradS[i * N + j] + gradS[j * N + i]).toBeCloseTo(fd, 5);
      }
    }
    ga.dispose();
    gS.dispose();
  });

  test('through the cosine: dE*/dF from the tape equals finite differences of min_z E over the features', async () => {
    const { a, F, z } = await instance(7);
    const g = tf.tidy(() => {
      const m = tf.tensor2d(z, [1, N]);
      const at = tf.tensor2d(f32(a), [1, N]);
      return tf.grad((Ft: tf.Tensor) => tf.sum(maskEnergy(energyContributions(Ft as tf.Tensor3D, at, m, LAMBDA), at, m)))(tf.tensor3d(f32(F), [1, N, C]));
    });
    const grad = g.dataSync();
    const hf = 1e-4;
    let checked = 0;
    for (let e = 0; e < N * C; e++) {
      const up = Float64Array.from(F);
      const down = Float64Array.from(F);
      up[e] += hf;
      down[e] -= hf;
      const eu = await exactMinimum(a, cosineSimilarity(up, N, C));
      const ed = await exactMinimum(a, cosineSimilarity(down, N, C));
      // Away from ties only: the argmin must not move.
      if (eu.z.join() !== z.join() || ed.z.join() !== z.join()) continue;
      const fd = (eu.energy - ed.energy) / (2 * hf);
      expect(Math.abs(grad[e] - fd)).toBeLessThan(2e-4 + 1e-3 * Math.abs(fd));
      checked++;
    }
    expect(checked).toBe(N * C);
    g.dispose();
  });
});

describe('the head', () => {
  const SPEC: NetworkSpec = { inputShape: [8, 8, 1], numClasses: 2, convs: [{ filters: 4, kernel: 3 }], hidden: 0 };

  test('with lambda = 0 it is qahan\'s head (u_i = m_i a_i); with lambda > 0 the conv weights get a different gradient', async () => {
    const sampler = new SimulatedAnnealingSampler({ threads: 1 });
    const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const nets = [0, 0.2].map((lambda) => ['qahan', 'qahan-energy'].map((method) => new AttentionNetwork(SPEC, { method: method as 'qahan', seed: 1, sampler, attention: { k: 4, lambda } })));
    const mask = new Float32Array(4 * 16);
    for (let b = 0; b < 4; b++) for (let i = 0; i < 4; i++) mask[b * 16 + 3 * i + b] = 1;
    const gradsOf = (net: AttentionNetwork) => {
      const prepared = { mask, buildMs: 0, annealMs: 0, scoreMs: 0 };
      const { grads } = tf.variableGrads(() => {
        const F = net.features(x);
        const s = net.scoreLogits(F);
        const fwd = { F, s, a: tf.sigmoid(s) as tf.Tensor2D, batch: 4 };
        return tf.sum(net.strategy.head({ net, sampler, step: 0, state: {} }, fwd, prepared).logits) as tf.Scalar;
      }, net.variables);
      return net.variables.map((v) => Array.from(grads[v.name].dataSync()));
    };
    const diff = (u: number[][], v: number[][]) => Math.max(...u.map((row, r) => Math.max(...row.map((g, c) => Math.abs(g - v[r][c])))));
    const [[q0, e0], [q1, e1]] = nets;
    expect(diff(gradsOf(q0), gradsOf(e0))).toBeLessThan(1e-6);
    expect(diff(gradsOf(q1), gradsOf(e1))).toBeGreaterThan(1e-4);
    nets.flat().forEach((n) => n.dispose());
    x.dispose();
  });
});
