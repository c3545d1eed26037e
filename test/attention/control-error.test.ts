/**
 * The QPU control-error model (scale checked against the Ising range), the cardinality repair, and the
 * 1-/2-swap reference optimum (checked against brute force over all k-subsets).
 */
import { isingOfImage, repairCardinality, withControlError } from '../../src/attention/control-error';
import { AttentionQubos, buildAttentionQubosReference, addCardinalityPenalty, automaticGamma, quboEnergy } from '../../src/attention/qubo';
import { referenceOptimum, twoSwapDescent } from '../../src/attention/reference-optimum';
import { Rng } from '../../src/attention/rng';

function randomQubos(B: number, N: number, k: number, seed: number): { q: AttentionQubos; scores: Float32Array } {
  const rng = new Rng(seed, 3);
  const C = 6;
  const scores = Float32Array.from({ length: B * N }, () => rng.next());
  // Non-negative features like a ReLU feature map, so similarities lie in [0, 1] as in the network.
  const features = Float32Array.from({ length: B * N * C }, () => Math.max(0, rng.normal()));
  const lambda = 0.5 / (k - 1);
  const q = buildAttentionQubosReference({ batch: B, positions: N, scores, features, channels: C, lambda, gamma: 0, k });
  for (let b = 0; b < B; b++) addCardinalityPenalty(q, b, automaticGamma(scores, q, b, lambda, k, 0.1), k);
  return { q, scores };
}

function* subsets(N: number, k: number): Generator<Uint8Array> {
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    const z = new Uint8Array(N);
    for (const i of idx) z[i] = 1;
    yield z;
    let t = k - 1;
    while (t >= 0 && idx[t] === N - k + t) t--;
    if (t < 0) return;
    idx[t]++;
    for (let u = t + 1; u < k; u++) idx[u] = idx[u - 1] + 1;
  }
}

describe('control error', () => {
  test('the Ising form reproduces the QUBO energy and its scale fits the h and J ranges exactly', () => {
    const { q } = randomQubos(3, 10, 3, 1);
    const rng = new Rng(5, 1);
    for (let b = 0; b < 3; b++) {
      const { h, J, scale } = isingOfImage(q, b, 4, 1);
      let hMax = 0;
      let jMax = 0;
      for (const v of h) hMax = Math.max(hMax, Math.abs(v / scale));
      for (const v of J) jMax = Math.max(jMax, Math.abs(v / scale));
      expect(Math.max(hMax / 4, jMax / 1)).toBeCloseTo(1, 12);
      // Energies agree up to the constant the Ising form drops.
      const diffs: number[] = [];
      for (let t = 0; t < 5; t++) {
        const z = Uint8Array.from({ length: 10 }, () => (rng.next() < 0.5 ? 1 : 0));
        const s = Array.from(z, (v) => 2 * v - 1);
        let e = 0;
        for (let i = 0; i < 10; i++) e += h[i] * s[i];
        for (let i = 0; i < 10; i++) for (let j = i + 1; j < 10; j++) e += J[i * 10 + j] * s[i] * s[j];
        diffs.push(quboEnergy(q, b, z) - e);
      }
      for (const d of diffs) expect(d).toBeCloseTo(diffs[0], 9);
    }
  });

  test('sigma = 0 changes nothing; the noise std in QPU units is sigma times the range half-width', () => {
    const { q } = randomQubos(40, 20, 5, 2);
    const same = withControlError(q, { sigma: 0, normal: () => 1 });
    for (let i = 0; i < q.linear.length; i++) expect(same.linear[i]).toBeCloseTo(q.linear[i], 9);
    const rng = new Rng(9, 2);
    const sigma = 0.02;
    const noisy = withControlError(q, { sigma, normal: () => rng.normal() });
    const dh: number[] = [];
    const dj: number[] = [];
    for (let b = 0; b < q.batch; b++) {
      const clean = isingOfImage(q, b);
      const dirty = isingOfImage(noisy, b);
      for (let i = 0; i < 20; i++) dh.push((dirty.h[i] - clean.h[i]) / clean.scale);
      for (let i = 0; i < 20; i++) for (let j = i + 1; j < 20; j++) dj.push((dirty.J[i * 20 + j] - clean.J[i * 20 + j]) / clean.scale);
    }
    const std = (x: number[]) => Math.sqrt(x.reduce((u, v) => u + v * v, 0) / x.length);
    // 800 h draws and 7,600 J draws: std within a few percent of sigma * 4 and sigma * 1.
    expect(std(dh) / (sigma * 4)).toBeGreaterThan(0.9);
    expect(std(dh) / (sigma * 4)).toBeLessThan(1.1);
    expect(std(dj) / (sigma * 1)).toBeGreaterThan(0.95);
    expect(std(dj) / (sigma * 1)).toBeLessThan(1.05);
    expect(() => withControlError(q, { sigma: -1, normal: () => 0 })).toThrow(RangeError);
  });
});

describe('cardinality repair', () => {
  test('any mask ends with exactly k positions; a mask that already has k is untouched', () => {
    const { q } = randomQubos(20, 16, 4, 3);
    const rng = new Rng(1, 4);
    for (let b = 0; b < 20; b++) {
      const z = Uint8Array.from({ length: 16 }, () => (rng.next() < 0.5 ? 1 : 0));
      const before = z.reduce((u, v) => u + v, 0);
      const changed = repairCardinality(q, b, z, 4);
      expect(z.reduce((u, v) => u + v, 0)).toBe(4);
      expect(changed).toBe(Math.abs(before - 4));
    }
    const z = new Uint8Array(16);
    z.set([1, 1, 1, 1], 5);
    const copy = Uint8Array.from(z);
    expect(repairCardinality(q, 0, z, 4)).toBe(0);
    expect(z).toEqual(copy);
  });

  test('without redundancy (lambda = 0) it keeps exactly the top-k scores, from all positions or from none', () => {
    const rng = new Rng(4, 5);
    const N = 12;
    const k = 3;
    const scores = Float32Array.from({ length: N }, () => rng.next());
    const q = buildAttentionQubosReference({ batch: 1, positions: N, scores, similarity: new Float64Array(N * N), lambda: 0, gamma: 0, k });
    addCardinalityPenalty(q, 0, 2, k);
    const top = Array.from({ length: N }, (_, i) => i).sort((i, j) => scores[j] - scores[i]).slice(0, k).sort((i, j) => i - j);
    for (const fill of [1, 0]) {
      const z = new Uint8Array(N).fill(fill);
      repairCardinality(q, 0, z, k);
      expect([...z.keys()].filter((i) => z[i])).toEqual(top);
    }
  });
});

describe('reference optimum', () => {
  test('1-/2-swap descent from top-k equals the brute-force optimum over all k-subsets (N = 14, k = 4) on >= 95% of 40 instances, and never ends above its start', () => {
    const B = 40;
    const N = 14;
    const k = 4;
    const { q, scores } = randomQubos(B, N, k, 5);
    let hits = 0;
    for (let b = 0; b < B; b++) {
      let best = Infinity;
      for (const z of subsets(N, k)) best = Math.min(best, quboEnergy(q, b, z));
      const order = Array.from({ length: N }, (_, i) => i).sort((i, j) => scores[b * N + j] - scores[b * N + i]);
      const start = new Uint8Array(N);
      for (let t = 0; t < k; t++) start[order[t]] = 1;
      const r = twoSwapDescent(q, b, start);
      expect(r.mask.reduce((u, v) => u + v, 0)).toBe(k);
      expect(r.energy).toBeLessThanOrEqual(quboEnergy(q, b, start) + 1e-12);
      expect(r.energy).toBeGreaterThanOrEqual(best - 1e-9);
      if (r.energy <= best + 1e-9) hits++;
      // With the optimum itself among the starts, the reference is the optimum.
      let opt: Uint8Array | undefined;
      for (const z of subsets(N, k)) if (quboEnergy(q, b, z) <= best + 1e-12) opt = z;
      expect(referenceOptimum(q, b, [start, opt!]).energy).toBeCloseTo(best, 9);
    }
    expect(hits / B).toBeGreaterThanOrEqual(0.95);
  });
});
