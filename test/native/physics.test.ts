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
    ['packed', 100, 512],
  ] as const)('integer %s path, local moves: <sz> matches the exact P-slice chain', async (kind, n, reads) => {
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
      ...(kind === 'packed' ? { kernel: 'packed' as const } : {}),
    });
    if (kind === 'packed') expect(res.kernel).toBe('packed');
    const total = reads * n;
    const mean = res.samples.reduce((a, b) => a + b, 0) / total;
    expect(Math.abs(mean - trotterMagnetisation(beta, h, gamma, P))).toBeLessThan(5 / Math.sqrt(total));
  });

  // The packed kernel on a coupled model: a ring of 6 spins with +-1 and 2-unit couplings and fields,
  // against the exact marginal of slice 0 of the P-slice chain (64 x 64 transfer matrices).
  test('packed kernel, coupled ring of 6: slice 0 energies follow the exact P-slice marginal (chi-square)', async () => {
    const n = 6, P = 8, beta = 2, gamma = 1, reads = 2048;
    const J = [1, -1, 2, -1, 1, -2];
    const h = [1, 0, -1, 0, 0, 1];
    // 64 free spins beside the ring keep the model in sparse storage (n <= 64 is stored dense).
    const N = n + 64;
    const m: NativeModel = {
      numVariables: N, vartype: 'SPIN', linear: Float64Array.from({ length: N }, (_, i) => h[i] ?? 0), offset: 0,
      quadRow: Uint32Array.from(J.map((_, i) => i)), quadCol: Uint32Array.from(J.map((_, i) => (i + 1) % n)), quadBias: Float64Array.from(J),
    };
    const [res] = await native.pathIntegralAnnealing([m], {
      numReads: reads, seed: 3, threads: 2, numSweeps: 400, beta, trotterSlices: P, gammaRange: [gamma, gamma], returnSlice: 0, kernel: 'packed',
    });
    expect(res.kernel).toBe('packed');
    const S = 1 << n;
    const spin = (x: number, i: number) => ((x >> i) & 1 ? 1 : -1);
    const E = (x: number) => h.reduce((a, hi, i) => a + hi * spin(x, i), 0) + J.reduce((a, j, i) => a + j * spin(x, i) * spin(x, (i + 1) % n), 0);
    const w = beta / P, jp = -0.5 * Math.log(Math.tanh((beta * gamma) / P));
    const D = Array.from({ length: S }, (_, x) => Math.exp(-w * E(x)));
    const T = Array.from({ length: S }, (_, x) => Array.from({ length: S }, (_, y) => Math.exp(jp * Array.from({ length: n }, (_, i) => spin(x, i) * spin(y, i)).reduce((a, b) => a + b, 0))));
    // M = T (D T)^(P-1); p(s0) ~ D(s0) M[s0][s0].
    let M = T.map((row) => row.slice());
    for (let k = 1; k < P; k++) M = M.map((row) => Array.from({ length: S }, (_, y) => row.reduce((a, v, z) => a + v * D[z] * T[z][y], 0)));
    const byEnergy = new Map<number, number>();
    for (let x = 0; x < S; x++) byEnergy.set(E(x), (byEnergy.get(E(x)) ?? 0) + D[x] * M[x][x]);
    const z = [...byEnergy.values()].reduce((a, b) => a + b, 0);
    const seen = new Map<number, number>();
    for (let r = 0; r < reads; r++) {
      let x = 0;
      for (let i = 0; i < n; i++) if (res.samples[r * N + i] > 0) x |= 1 << i;
      seen.set(E(x), (seen.get(E(x)) ?? 0) + 1);
    }
    let chi2 = 0, df = -1, accE = 0, accO = 0;
    const levels = [...byEnergy.keys()].sort((a, b) => a - b);
    levels.forEach((e, k) => {
      accE += (reads * byEnergy.get(e)!) / z;
      accO += seen.get(e) ?? 0;
      if (accE >= 5 || k === levels.length - 1) {
        chi2 += ((accO - accE) ** 2) / accE;
        df++;
        accE = accO = 0;
      }
    });
    if (process.env.QAHAN_DEBUG) console.log(chi2, df);
    expect(df).toBeGreaterThanOrEqual(4);
    // Upper 0.1% point of chi-square (Wilson-Hilferty).
    const a = 2 / (9 * df);
    expect(chi2).toBeLessThan(df * Math.pow(1 - a + 3.09 * Math.sqrt(a), 3));
  });

  test('packed kernel: same samples on 1 and 2 threads, and local moves only', async () => {
    const n = 80;
    const m: NativeModel = {
      numVariables: n, vartype: 'BINARY', linear: new Float64Array(n).map((_, i) => (i % 3) - 1), offset: 0,
      quadRow: Uint32Array.from({ length: n }, (_, i) => i), quadCol: Uint32Array.from({ length: n }, (_, i) => (i + 1) % n),
      quadBias: Float64Array.from({ length: n }, (_, i) => (i % 2 ? 2 : -2)),
    };
    const run = (threads: number) =>
      native.pathIntegralAnnealing([m], { numReads: 1100, seed: 4, threads, numSweeps: 20, beta: 2, trotterSlices: 4, gammaRange: [2, 0.1], kernel: 'packed' }).then((r) => r[0]);
    const [a, b] = await Promise.all([run(1), run(2)]);
    expect(Buffer.from(a.samples.buffer).equals(Buffer.from(b.samples.buffer))).toBe(true);
    expect(Array.from(a.energies)).toEqual(Array.from(b.energies));
    // And on every vector width (each in a child process: the width is fixed at load).
    const { execFileSync } = await import('child_process');
    const path = await import('path');
    const root = path.resolve(__dirname, '..', '..');
    const script = `const a=require('node-gyp-build')(${JSON.stringify(root)});const n=${n};` +
      `const m={numVariables:n,vartype:'BINARY',linear:new Float64Array(n).map((_,i)=>(i%3)-1),offset:0,quadRow:Uint32Array.from({length:n},(_,i)=>i),` +
      `quadCol:Uint32Array.from({length:n},(_,i)=>(i+1)%n),quadBias:Float64Array.from({length:n},(_,i)=>(i%2?2:-2))};` +
      `a.pathIntegralAnnealing([m],{numReads:1100,seed:4,threads:1,numSweeps:20,beta:2,trotterSlices:4,gammaRange:[2,0.1],kernel:'packed'})` +
      `.then(r=>process.stdout.write(a.info().packedIsa+' '+Buffer.from(r[0].samples.buffer).toString('base64')));`;
    for (const isa of ['portable', 'avx2', 'avx512']) {
      const out = execFileSync(process.execPath, ['-e', script], { cwd: root, env: { ...process.env, QAHAN_PACKED_ISA: isa }, encoding: 'utf8' }).split(' ');
      if (isa === 'portable') expect(out[0]).toBe('portable');
      expect(out[1]).toBe(Buffer.from(a.samples.buffer).toString('base64'));
    }
    for (let r = 0; r < 1100; r++) expect(a.energies[r]).toBe(energyOf(m, a.samples.subarray(r * n, (r + 1) * n)));
    const [auto] = await native.pathIntegralAnnealing([m], { numReads: 64, seed: 4, threads: 0, numSweeps: 5, beta: 2, trotterSlices: 4, gammaRange: [2, 0.1] });
    expect(auto.kernel).toBe('packed');
    expect(() =>
      native.pathIntegralAnnealing([m], { numReads: 64, seed: 4, threads: 0, numSweeps: 5, beta: 2, trotterSlices: 4, gammaRange: [2, 0.1], kernel: 'packed', globalMoves: true }),
    ).toThrow(/local moves only/);
  });

  test("packed kernel: 'lowest' returns each read's lowest slice (every slice seen through returnSlice k)", async () => {
    const n = 90;
    const m: NativeModel = {
      numVariables: n, vartype: 'SPIN', linear: new Float64Array(n).map((_, i) => (i % 4 === 0 ? 1 : 0)), offset: 0.5,
      quadRow: Uint32Array.from({ length: n }, (_, i) => i), quadCol: Uint32Array.from({ length: n }, (_, i) => (i + 7) % n),
      quadBias: Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 : -1)),
    };
    const P = 4, reads = 100;
    const run = (returnSlice: number | 'lowest') =>
      native.pathIntegralAnnealing([m], { numReads: reads, seed: 8, threads: 0, numSweeps: 15, beta: 1, trotterSlices: P, gammaRange: [1.5, 1.5], returnSlice, kernel: 'packed' }).then((r) => r[0]);
    const slices = await Promise.all([0, 1, 2, 3].map((k) => run(k)));
    const lowest = await run('lowest');
    let differs = 0;
    for (let r = 0; r < reads; r++) {
      const es = slices.map((s) => s.energies[r]);
      const k = es.indexOf(Math.min(...es)); // ties go to the first slice
      expect(Array.from(lowest.samples.subarray(r * n, (r + 1) * n))).toEqual(Array.from(slices[k].samples.subarray(r * n, (r + 1) * n)));
      if (k !== 0) differs++;
    }
    expect(differs).toBeGreaterThan(10); // the choice matters at this temperature
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
