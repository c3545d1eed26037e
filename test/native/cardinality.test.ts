/**
 * Cardinality-keeping pair swaps (params.cardinality): the count of ones never changes, SA at a fixed
 * beta samples the Boltzmann law restricted to the k-subsets, SQA's Trotter action restricted the same
 * way is sampled exactly too, and the swap schedule finds the constrained optimum of random models.
 */
import { addon } from '../../src/native/addon';
import type { NativeModel } from '../../src/native/addon';
import { energyOf, randomModel, rng } from './helpers';

const native = addon();

function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < 1 << n; m++) {
    const x = Array.from({ length: n }, (_, i) => (m >> i) & 1);
    if (x.reduce((a, b) => a + b, 0) === k) out.push(x);
  }
  return out;
}

function chiSquare(counts: Map<string, number>, states: number[][], weights: number[], reads: number): number {
  const Z = weights.reduce((a, b) => a + b, 0);
  let chi2 = 0;
  states.forEach((x, s) => {
    const expected = (reads * weights[s]) / Z;
    chi2 += ((counts.get(x.join('')) ?? 0) - expected) ** 2 / expected;
  });
  return chi2;
}

describe('pair swaps keep the cardinality', () => {
  test.each([
    ['BINARY', 'dense'],
    ['BINARY', 'coo'],
    ['SPIN', 'coo'],
  ] as const)('SA and SQA, %s %s: every sample has exactly k ones', async (vartype, format) => {
    const n = 30;
    const k = 7;
    const m = randomModel(n, vartype, format, 3);
    const one = 1;
    const [sa] = await native.simulatedAnnealing([m], { numReads: 20, seed: 1, threads: 2, numSweeps: 50, cardinality: k });
    const [sqa] = await native.pathIntegralAnnealing([m], { numReads: 20, seed: 1, threads: 2, numSweeps: 50, beta: 2, trotterSlices: 4, gammaRange: [2, 0.01], cardinality: k });
    for (const res of [sa, sqa]) {
      for (let r = 0; r < 20; r++) {
        let c = 0;
        for (let i = 0; i < n; i++) c += res.samples[r * n + i] === one ? 1 : 0;
        expect(c).toBe(k);
        const x = Array.from(res.samples.subarray(r * n, (r + 1) * n));
        expect(res.energies[r]).toBeCloseTo(energyOf(m, x), 9);
      }
    }
  });

  test('bad cardinality and initial states are RangeErrors; globalMoves is refused', () => {
    const m = randomModel(6, 'BINARY', 'dense', 4);
    expect(() => native.simulatedAnnealing([m], { numReads: 1, seed: 0, threads: 1, numSweeps: 1, cardinality: 7 })).toThrow(/params.cardinality must be between 0 and 6/);
    expect(() => native.simulatedAnnealing([m], { numReads: 1, seed: 0, threads: 1, numSweeps: 1, cardinality: -1 })).toThrow(/params.cardinality must be between 0 and 6/);
    expect(() =>
      native.simulatedAnnealing([m], { numReads: 1, seed: 0, threads: 1, numSweeps: 1, cardinality: 2, initialStates: Int8Array.from([1, 1, 1, 0, 0, 0]) }),
    ).toThrow(/has 3 ones, but params.cardinality is 2/);
    expect(() =>
      native.pathIntegralAnnealing([m], { numReads: 1, seed: 0, threads: 1, numSweeps: 1, beta: 1, trotterSlices: 2, gammaRange: [1, 0.1], globalMoves: true, cardinality: 2 }),
    ).toThrow(/globalMoves cannot be combined/);
  });
});

describe('SA swaps at constant beta sample the Boltzmann law on the k-subsets', () => {
  test.each([
    ['BINARY', 1.1],
    ['SPIN', 0.7],
  ] as const)('n = 7, k = 3, %s, beta = %d: chi-square over the 35 subsets', async (vartype, beta) => {
    const n = 7;
    const k = 3;
    const m = randomModel(n, vartype, 'dense', vartype === 'SPIN' ? 21 : 22, 0.8);
    const reads = 30000;
    const [res] = await native.simulatedAnnealing([m], { numReads: reads, seed: 77, threads: 2, numSweeps: 20, betaSchedule: new Float64Array(20).fill(beta), cardinality: k });
    const counts = new Map<string, number>();
    for (let r = 0; r < reads; r++) {
      const key = Array.from(res.samples.subarray(r * n, (r + 1) * n), (v) => (v === 1 ? 1 : 0)).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const states = subsets(n, k);
    const weights = states.map((x) => Math.exp(-beta * energyOf(m, x.map((v) => (v ? 1 : vartype === 'SPIN' ? -1 : 0)))));
    // Only k-subsets may appear at all.
    expect([...counts.keys()].every((key) => key.split('').filter((c) => c === '1').length === k)).toBe(true);
    const chi2 = chiSquare(counts, states, weights, reads);
    // 34 degrees of freedom: P(chi2 > 70) ~ 3e-4.
    expect(chi2).toBeLessThan(70);
  });
});

describe('SQA swaps sample the restricted Trotter action exactly', () => {
  test('n = 5, k = 2, P = 2: chi-square over the 100 (slice 0, slice 1) pairs', async () => {
    const n = 5;
    const k = 2;
    const P = 2;
    const beta = 1.5;
    const gamma = 0.8;
    const m = randomModel(n, 'BINARY', 'dense', 31, 1);
    const reads = 40000;
    const res = await Promise.all(
      [0, 1].map((slice) =>
        native.pathIntegralAnnealing([m], {
          numReads: reads,
          seed: 5,
          threads: 2,
          beta,
          trotterSlices: P,
          numSweeps: 30,
          gammaRange: [gamma, gamma],
          gammaSchedule: new Float64Array(30).fill(gamma),
          returnSlice: slice,
          cardinality: k,
        }),
      ),
    );
    // Both slices of the same read come from the same stream: the pair (slice 0, slice 1) is one draw.
    const states = subsets(n, k);
    const jp = -0.5 * Math.log(Math.tanh((beta * gamma) / P));
    const spin = (x: number[]) => x.map((v) => 2 * v - 1);
    const pairs: number[][] = [];
    const weights: number[] = [];
    for (const a of states)
      for (const b of states) {
        pairs.push([...a, ...b]);
        const sa = spin(a);
        const sb = spin(b);
        // P = 2 with periodic boundaries couples the two slices twice.
        const link = 2 * jp * sa.reduce((u, v, i) => u + v * sb[i], 0);
        weights.push(Math.exp((-beta / P) * (energyOf(m, a) + energyOf(m, b)) + link));
      }
    const counts = new Map<string, number>();
    for (let r = 0; r < reads; r++) {
      const key = [...res[0][0].samples.subarray(r * n, (r + 1) * n), ...res[1][0].samples.subarray(r * n, (r + 1) * n)].join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const chi2 = chiSquare(counts, pairs, weights, reads);
    // 99 degrees of freedom: P(chi2 > 160) ~ 1e-4.
    expect(chi2).toBeLessThan(160);
  });
});

describe('the default swap schedule finds the constrained optimum', () => {
  test("SA (4 reads) and SQA (1 read, 8 slices) with the swap range, 20 random dense BINARY models, n = 14, k = 4", async () => {
    const r = rng(9);
    const n = 14;
    const k = 4;
    const states = subsets(n, k);
    let saHits = 0;
    let sqaHits = 0;
    for (let t = 0; t < 20; t++) {
      const m: NativeModel = randomModel(n, 'BINARY', 'dense', 100 + t, 1);
      // A large cardinality penalty like the attention QUBOs': it must not matter to swap moves.
      const gamma = 5 + 5 * r();
      for (let i = 0; i < n; i++) m.linear[i] += gamma * (1 - 2 * k);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m.dense![i * n + j] += 2 * gamma;
      const best = Math.min(...states.map((x) => energyOf(m, x)));
      const [hot, cold] = native.defaultBetaRange(m, k);
      expect(hot).toBeGreaterThan(0);
      expect(cold).toBeGreaterThan(hot);
      const [sa] = await native.simulatedAnnealing([m], { numReads: 4, seed: t, threads: 1, numSweeps: 200, cardinality: k });
      const [sqa] = await native.pathIntegralAnnealing([m], { numReads: 1, seed: t, threads: 1, numSweeps: 200, beta: cold, trotterSlices: 8, gammaRange: [1 / hot, 1e-3 / hot], cardinality: k });
      if (Math.min(...sa.energies) <= best + 1e-9) saHits++;
      if (sqa.energies[0] <= best + 1e-9) sqaHits++;
    }
    if (process.env.QAHAN_DEBUG) console.log({ saHits, sqaHits });
    expect(saHits).toBeGreaterThanOrEqual(19);
    expect(sqaHits).toBeGreaterThanOrEqual(19);
  });
});
