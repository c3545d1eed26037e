import { addon } from '../../src/native/addon';
import type { NativeModel } from '../../src/native/addon';
import { energyOf, rng } from './helpers';

const native = addon();

describe('SA at constant beta samples the Boltzmann distribution', () => {
  // Integer biases (multiples of 0.5) run the dense integer kernel (int16 fields, threshold table).
  test.each([
    ['SPIN', 0.8, 'real'],
    ['BINARY', 1.3, 'real'],
    ['SPIN', 0.8, 'integer'],
    ['BINARY', 1.3, 'integer'],
  ] as const)('4 variables, %s, beta = %d, %s biases: chi-square over the 16 states', async (vartype, beta, kind) => {
    const r = rng(vartype === 'SPIN' ? 11 : 12);
    const bias = () => (kind === 'real' ? r() * 2 - 1 : (r() < 0.5 ? -0.5 : 0.5) * (1 + Math.floor(r() * 3)));
    const m: NativeModel = {
      numVariables: 4,
      vartype,
      linear: new Float64Array(4).map(bias),
      offset: 0.25,
      quadRow: Uint32Array.from([0, 0, 1, 2, 1]),
      quadCol: Uint32Array.from([1, 2, 2, 3, 3]),
      quadBias: new Float64Array(5).map(bias),
    };
    const reads = 20000;
    const [res] = await native.simulatedAnnealing([m], {
      numReads: reads,
      seed: 2024,
      threads: 2,
      numSweeps: 25,
      betaSchedule: new Float64Array(25).fill(beta),
    });
    const counts = new Array(16).fill(0);
    for (let k = 0; k < reads; k++) {
      let idx = 0;
      for (let i = 0; i < 4; i++) if (res.samples[k * 4 + i] === 1) idx |= 1 << i;
      counts[idx]++;
    }
    const w: number[] = [];
    for (let idx = 0; idx < 16; idx++) {
      const x = [0, 1, 2, 3].map((i) => ((idx >> i) & 1 ? 1 : vartype === 'SPIN' ? -1 : 0));
      w.push(Math.exp(-beta * energyOf(m, x)));
    }
    const Z = w.reduce((a, b) => a + b, 0);
    let chi2 = 0;
    for (let idx = 0; idx < 16; idx++) {
      const expected = (reads * w[idx]) / Z;
      chi2 += (counts[idx] - expected) ** 2 / expected;
    }
    // 15 degrees of freedom: P(chi2 > 40) ~ 4e-4.
    if (process.env.QAHAN_DEBUG) console.log(vartype, chi2);
    expect(chi2).toBeLessThan(40);
  });
});

/** Exact <s> of the P-slice Trotter chain for one spin (2x2 transfer matrix). */
function trotterMagnetisation(beta: number, h: number, gamma: number, P: number): number {
  const J = -0.5 * Math.log(Math.tanh((beta * gamma) / P));
  const s = [1, -1];
  const T = s.map((a) => s.map((b) => Math.exp((-beta / (2 * P)) * h * (a + b) + J * a * b)));
  let M = [
    [1, 0],
    [0, 1],
  ];
  for (let k = 0; k < P; k++)
    M = [0, 1].map((i) => [0, 1].map((j) => M[i][0] * T[0][j] + M[i][1] * T[1][j]));
  return (M[0][0] - M[1][1]) / (M[0][0] + M[1][1]);
}

describe('SQA: one spin in a transverse field', () => {
  test('Trotter estimate of <sz> approaches -(h/w) tanh(beta w) as P grows', async () => {
    const beta = 4;
    const h = 1;
    const gamma = 2;
    const w = Math.hypot(h, gamma);
    const exact = -(h / w) * Math.tanh(beta * w);
    const m: NativeModel = { numVariables: 1, vartype: 'SPIN', linear: Float64Array.from([h]), offset: 0 };
    const reads = 10000;
    const sigma = 1 / Math.sqrt(reads);
    const errors: number[] = [];
    for (const P of [4, 16, 64]) {
      const init = new Int8Array(reads).map((_, k) => (k % 2 ? 1 : -1));
      const sweeps = 200;
      const [res] = await native.pathIntegralAnnealing([m], {
        numReads: reads,
        seed: P,
        threads: 2,
        numSweeps: sweeps,
        beta,
        trotterSlices: P,
        gammaRange: [gamma, gamma],
        globalMoves: true,
        returnSlice: 0,
        initialStates: init,
      });
      const mean = res.samples.reduce((a, b) => a + b, 0) / reads;
      // The sampler matches the discretised chain, whose value tends to the quantum one.
      expect(Math.abs(mean - trotterMagnetisation(beta, h, gamma, P))).toBeLessThan(5 * sigma);
      errors.push(Math.abs(mean - exact));
      if (process.env.QAHAN_DEBUG) console.log(P, mean, trotterMagnetisation(beta, h, gamma, P), exact);
    }
    expect(errors[0]).toBeGreaterThan(0.2); // P = 4 is visibly off (discretisation error 0.33)
    expect(errors[2]).toBeLessThan(errors[0]);
    expect(errors[2]).toBeLessThan(5 * sigma);
    expect(errors[1]).toBeLessThan(errors[0]);
  });

  // Local moves only, on integer models: the integer-field sweeps (dense storage for one spin, sparse
  // neighbour arrays for 100 uncoupled ones) against the exact P-slice chain.
  test.each([
    ['dense', 1, 4000],
    ['sparse', 100, 400],
  ] as const)('integer %s path, local moves: <sz> matches the exact P-slice chain', async (_kind, n, reads) => {
    const beta = 4;
    const h = 1;
    const gamma = 2;
    const P = 16;
    const m: NativeModel = {
      numVariables: n, vartype: 'SPIN', linear: new Float64Array(n).fill(h), offset: 0,
      quadRow: new Uint32Array(0), quadCol: new Uint32Array(0), quadBias: new Float64Array(0),
    };
    const [res] = await native.pathIntegralAnnealing([m], {
      numReads: reads, seed: 5, threads: 2, numSweeps: 300, beta, trotterSlices: P, gammaRange: [gamma, gamma], returnSlice: 0,
    });
    const total = reads * n;
    const mean = res.samples.reduce((a, b) => a + b, 0) / total;
    expect(Math.abs(mean - trotterMagnetisation(beta, h, gamma, P))).toBeLessThan(5 / Math.sqrt(total));
  });

  test('returnSlice random and lowest are valid choices; bad ones are rejected', async () => {
    const m: NativeModel = { numVariables: 2, vartype: 'BINARY', linear: Float64Array.from([1, -1]), offset: 0 };
    for (const returnSlice of ['random', 'lowest', 3] as const) {
      const [r] = await native.pathIntegralAnnealing([m], {
        numReads: 4, seed: 1, threads: 1, numSweeps: 10, beta: 2, trotterSlices: 4, gammaRange: [1, 0.1], returnSlice,
      });
      expect(r.samples.length).toBe(8);
    }
    for (const returnSlice of [4, -1, 1.5, 'middle']) {
      expect(() =>
        native.pathIntegralAnnealing([m], {
          numReads: 4, seed: 1, threads: 1, numSweeps: 10, beta: 2, trotterSlices: 4, gammaRange: [1, 0.1],
          returnSlice: returnSlice as number,
        }),
      ).toThrow(/returnSlice/);
    }
  });
});
