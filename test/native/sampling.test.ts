import { addon } from '../../src/native/addon';
import type { NativeModel, NativeSampleResult } from '../../src/native/addon';
import { bruteMin, energyOf, expectCancelled, expectThrowsKind, randomModel, rng } from './helpers';

const native = addon();

function checkEnergies(m: NativeModel, r: NativeSampleResult): void {
  const n = m.numVariables;
  expect(r.numVariables).toBe(n);
  expect(r.samples.length).toBe(r.numReads * n);
  expect(r.energies.length).toBe(r.numReads);
  for (let k = 0; k < r.numReads; k++) {
    for (let i = 0; i < n; i++) {
      const v = r.samples[k * n + i];
      expect(m.vartype === 'SPIN' ? v === 1 || v === -1 : v === 0 || v === 1).toBe(true);
    }
    expect(r.energies[k]).toBeCloseTo(energyOf(m, r.samples, k * n), 9);
  }
}

function minOf(a: Float64Array): number {
  return a.reduce((x, y) => Math.min(x, y), Infinity);
}

/** 1-D chain with fields: exact minimum by dynamic programming. */
function chainModel(n: number, seed: number): { model: NativeModel; min: number } {
  const r = rng(seed);
  const h = new Float64Array(n).map(() => r() * 2 - 1);
  const J = Array.from({ length: n - 1 }, () => r() * 2 - 1);
  const model: NativeModel = {
    numVariables: n,
    vartype: 'SPIN',
    linear: h,
    offset: 0.5,
    quadRow: Uint32Array.from({ length: n - 1 }, (_, i) => i),
    quadCol: Uint32Array.from({ length: n - 1 }, (_, i) => i + 1),
    quadBias: Float64Array.from(J),
  };
  let best: Record<number, number> = { [-1]: -h[0], [1]: h[0] };
  for (let i = 1; i < n; i++) {
    const next: Record<number, number> = {};
    for (const s of [-1, 1]) next[s] = h[i] * s + Math.min(best[-1] - J[i - 1] * s, best[1] + J[i - 1] * s);
    best = next;
  }
  return { model, min: Math.min(best[-1], best[1]) + 0.5 };
}

describe('exactSolve', () => {
  test.each([
    ['SPIN', 'coo'],
    ['BINARY', 'coo'],
    ['SPIN', 'dense'],
    ['BINARY', 'dense'],
  ] as const)('matches a TypeScript brute force (%s, %s)', async (vt, fmt) => {
    for (let seed = 1; seed <= 3; seed++) {
      const m = randomModel(9, vt, fmt, seed * 17);
      const r = await native.exactSolve(m, { threads: 2 });
      expect(r.numReads).toBe(512);
      checkEnergies(m, r);
      for (let k = 1; k < r.numReads; k++) expect(r.energies[k]).toBeGreaterThanOrEqual(r.energies[k - 1]);
      expect(r.energies[0]).toBeCloseTo(bruteMin(m), 9);
      const top = await native.exactSolve(m, { threads: 1, maxStates: 5 });
      expect(top.numReads).toBe(5);
      expect(Array.from(top.energies)).toEqual(Array.from(r.energies.subarray(0, 5)));
    }
  });

  test('guards the size', async () => {
    const m = { numVariables: 31, vartype: 'SPIN' as const, linear: new Float64Array(31), offset: 0 };
    expectThrowsKind(() => native.exactSolve(m, { threads: 1 }), 'RangeError', /model.numVariables/);
    const m30 = { ...m, numVariables: 30, linear: new Float64Array(30) };
    expectThrowsKind(() => native.exactSolve(m30, { threads: 1 }), 'RangeError', /maxStates/); // 2^30 kept states
  });

  test('n = 16 over the whole Gray sequence, any thread count', async () => {
    const m = randomModel(16, 'BINARY', 'coo', 5, 0.3);
    const a = await native.exactSolve(m, { threads: 1, maxStates: 10 });
    const b = await native.exactSolve(m, { threads: 2, maxStates: 10 });
    expect(Buffer.from(a.samples.buffer).equals(Buffer.from(b.samples.buffer))).toBe(true);
    checkEnergies(m, a);
    expect(a.energies[0]).toBeCloseTo(bruteMin(m), 9);
  });
});

describe('samplers reach the ground state', () => {
  const cases: Array<[string, NativeModel]> = [];
  let seed = 100;
  for (const vt of ['SPIN', 'BINARY'] as const)
    for (const fmt of ['coo', 'dense'] as const)
      for (const n of [5, 12]) cases.push([`${vt} ${fmt} n=${n}`, randomModel(n, vt, fmt, seed++, n === 12 ? 0.4 : 0.8)]);

  test.each(cases)('SA: %s', async (_name, m) => {
    const exact = await native.exactSolve(m, { threads: 2, maxStates: 1 });
    const [r] = await native.simulatedAnnealing([m], { numReads: 16, seed: 3, threads: 2, numSweeps: 300 });
    checkEnergies(m, r);
    expect(r.storage).toBe('dense');
    expect(r.betaRange).toEqual(native.defaultBetaRange(m));
    expect(minOf(r.energies)).toBeCloseTo(exact.energies[0], 9);
  });

  test.each(cases)('SQA: %s', async (_name, m) => {
    const exact = await native.exactSolve(m, { threads: 2, maxStates: 1 });
    const [r] = await native.pathIntegralAnnealing([m], {
      numReads: 16,
      seed: 4,
      threads: 2,
      numSweeps: 300,
      beta: 8,
      trotterSlices: 8,
      gammaRange: [3, 0.01],
    });
    checkEnergies(m, r);
    expect(r.gammaRange).toEqual([3, 0.01]);
    expect(r.betaRange).toEqual([8, 8]);
    expect(minOf(r.energies)).toBeCloseTo(exact.energies[0], 9);
  });

  test('sparse (CSR) chain, n = 150: SA and SQA find the DP optimum', async () => {
    const { model, min } = chainModel(150, 9);
    const [sa] = await native.simulatedAnnealing([model], { numReads: 8, seed: 1, threads: 2, numSweeps: 2000 });
    expect(sa.storage).toBe('sparse');
    checkEnergies(model, sa);
    expect(minOf(sa.energies)).toBeCloseTo(min, 9);
    const [q] = await native.pathIntegralAnnealing([model], {
      numReads: 8,
      seed: 1,
      threads: 2,
      numSweeps: 1000,
      beta: 20,
      trotterSlices: 8,
      gammaRange: [2, 0.01],
      globalMoves: true,
    });
    expect(q.storage).toBe('sparse');
    checkEnergies(model, q);
    expect(minOf(q.energies)).toBeCloseTo(min, 9);
  });

  test('large dense model (float32 fields): energies are exact', async () => {
    const m = randomModel(300, 'BINARY', 'dense', 77, 0.5);
    const [r] = await native.simulatedAnnealing([m], { numReads: 2, seed: 1, threads: 2, numSweeps: 50 });
    expect(r.storage).toBe('dense');
    checkEnergies(m, r);
    const [q] = await native.pathIntegralAnnealing([m], {
      numReads: 2, seed: 1, threads: 2, numSweeps: 20, beta: 5, trotterSlices: 4, gammaRange: [2, 0.1],
    });
    checkEnergies(m, q);
  });
});

describe('batches, seeding, schedules', () => {
  const models = [randomModel(20, 'SPIN', 'coo', 1, 0.3), randomModel(70, 'BINARY', 'coo', 2, 0.05), randomModel(8, 'BINARY', 'dense', 3)];

  test('same seed, threads 1 and 2: byte-identical samples (SA and SQA)', async () => {
    const p = { numReads: 6, seed: 42, numSweeps: 100 };
    const a = await native.simulatedAnnealing(models, { ...p, threads: 1 });
    const b = await native.simulatedAnnealing(models, { ...p, threads: 2 });
    const q = { ...p, beta: 4, trotterSlices: 4, gammaRange: [2, 0.05] as [number, number], globalMoves: true };
    const c = await native.pathIntegralAnnealing(models, { ...q, threads: 1 });
    const d = await native.pathIntegralAnnealing(models, { ...q, threads: 2 });
    for (let i = 0; i < models.length; i++) {
      expect(Buffer.from(a[i].samples.buffer).equals(Buffer.from(b[i].samples.buffer))).toBe(true);
      expect(Buffer.from(c[i].samples.buffer).equals(Buffer.from(d[i].samples.buffer))).toBe(true);
      checkEnergies(models[i], a[i]);
      checkEnergies(models[i], c[i]);
    }
    expect(a[1].storage).toBe('sparse');
    // Read r of model b depends on (seed, b, r) only: model 0 alone gives the same reads.
    const solo = await native.simulatedAnnealing([models[0]], { ...p, threads: 2 });
    expect(Array.from(solo[0].samples)).toEqual(Array.from(a[0].samples));
    const other = await native.simulatedAnnealing([models[0]], { ...p, seed: 43, threads: 2 });
    expect(Array.from(other[0].samples)).not.toEqual(Array.from(a[0].samples));
  });

  test('initial states at beta = infinity-ish are kept when they are local minima', async () => {
    const m = models[2];
    const exact = await native.exactSolve(m, { threads: 1, maxStates: 1 });
    const init = new Int8Array(3 * 8);
    for (let r = 0; r < 3; r++) init.set(exact.samples, r * 8);
    const [r] = await native.simulatedAnnealing([m], {
      numReads: 3, seed: 1, threads: 1, numSweeps: 5, betaSchedule: new Float64Array(5).fill(1e6), initialStates: init,
    });
    expect(Array.from(r.samples)).toEqual(Array.from(init));
    const [q] = await native.pathIntegralAnnealing([m], {
      numReads: 3, seed: 1, threads: 1, numSweeps: 5, beta: 1e6, trotterSlices: 3, gammaRange: [1e-9, 1e-9], initialStates: init,
    });
    expect(Array.from(q.samples)).toEqual(Array.from(init));
  });

  test('schedules: explicit beta/gamma/s schedules and the reported ranges', async () => {
    const m = models[0];
    const [a] = await native.simulatedAnnealing([m], {
      numReads: 2, seed: 1, threads: 1, numSweeps: 10, betaRange: [0.1, 3], betaScheduleType: 'linear',
    });
    expect(a.betaRange).toEqual([0.1, 3]);
    const [b] = await native.simulatedAnnealing([m], {
      numReads: 2, seed: 1, threads: 1, numSweeps: 999, betaSchedule: Float64Array.from([0.5, 1, 2]),
    });
    expect(b.betaRange).toEqual([0.5, 2]);
    const [c] = await native.pathIntegralAnnealing([m], {
      numReads: 2, seed: 1, threads: 1, numSweeps: 10, beta: 2, trotterSlices: 4, gammaRange: [1, 0.5],
      gammaSchedule: Float64Array.from([3, 2, 1]),
    });
    expect(c.gammaRange).toEqual([3, 1]);
    const [d] = await native.pathIntegralAnnealing([m], {
      numReads: 2, seed: 1, threads: 1, numSweeps: 10, beta: 2, trotterSlices: 4, gammaRange: [4, 0],
      sSchedule: Float64Array.from([0, 0.5, 1]),
    });
    expect(d.gammaRange).toEqual([4, 0]);
    expect(d.betaRange).toEqual([0, 2]);
    for (const r of [a, b, c, d]) checkEnergies(m, r);
  });

  test('energies() agrees with the TypeScript energy', () => {
    for (const m of models) {
      const r = rng(m.numVariables);
      const k = 5;
      const x = new Int8Array(k * m.numVariables).map(() => (r() < 0.5 ? (m.vartype === 'SPIN' ? -1 : 0) : 1));
      const e = native.energies(m, x, k);
      for (let i = 0; i < k; i++) expect(e[i]).toBeCloseTo(energyOf(m, x, i * m.numVariables), 9);
    }
  });

  test('default beta range follows the hardest flip and the smallest gap', () => {
    const m: NativeModel = {
      numVariables: 3, vartype: 'SPIN', linear: Float64Array.from([0.5, 0, -2]), offset: 0,
      quadRow: Uint32Array.from([0, 1]), quadCol: Uint32Array.from([1, 2]), quadBias: Float64Array.from([1, -3]),
    };
    const [hot, cold] = native.defaultBetaRange(m);
    expect(hot).toBeCloseTo(Math.log(2) / (2 * 5), 12); // spin 2: |-2| + |-3|
    expect(cold).toBeCloseTo(Math.log(100) / (2 * 0.5), 12);
  });
});

describe('cancel and progress', () => {
  test('progress is reported and cancel rejects within 0.5 s', async () => {
    const m = randomModel(400, 'SPIN', 'dense', 5, 0.5);
    const token = new native.CancelToken();
    const calls: Array<[number, number]> = [];
    const p = native.simulatedAnnealing([m], {
      numReads: 64, seed: 1, threads: 2, numSweeps: 1_000_000, cancelToken: token,
      onProgress: (done, total) => calls.push([done, total]),
    });
    await new Promise((r) => setTimeout(r, 350));
    expect(token.cancelled).toBe(false);
    token.cancel();
    expect(token.cancelled).toBe(true);
    const t0 = Date.now();
    let err: unknown;
    try {
      await p;
    } catch (e) {
      err = e;
    }
    expect(Date.now() - t0).toBeLessThan(500);
    expectCancelled(err);
    expect(calls.length).toBeGreaterThan(0);
    for (const [done, total] of calls) {
      expect(total).toBe(64 * 1_000_000);
      expect(done).toBeGreaterThan(0);
      expect(done).toBeLessThanOrEqual(total);
    }
  });

  test('a pre-cancelled token rejects at once; exactSolve and SQA cancel too', async () => {
    const m = randomModel(10, 'SPIN', 'coo', 6);
    const t = new native.CancelToken();
    t.cancel();
    await native.simulatedAnnealing([m], { numReads: 1, seed: 1, threads: 1, numSweeps: 10, cancelToken: t }).then(
      () => fail('should reject'),
      expectCancelled,
    );
    await native.exactSolve(m, { threads: 1, cancelToken: t }).then(() => fail('should reject'), expectCancelled);
    const t2 = new native.CancelToken();
    const big = randomModel(200, 'SPIN', 'coo', 7, 0.1);
    const p = native.pathIntegralAnnealing([big], {
      numReads: 8, seed: 1, threads: 2, numSweeps: 10_000_000, beta: 3, trotterSlices: 16, gammaRange: [2, 0.1], cancelToken: t2,
    });
    setTimeout(() => t2.cancel(), 50);
    await p.then(() => fail('should reject'), expectCancelled);
  });

  test('progress reaches the total on a finished job', async () => {
    const m = randomModel(10, 'SPIN', 'coo', 8);
    let last: [number, number] = [0, 0];
    await native.simulatedAnnealing([m, m], {
      numReads: 3, seed: 1, threads: 2, numSweeps: 7, onProgress: (d, t) => (last = [d, t]),
    });
    expect(last).toEqual([2 * 3 * 7, 2 * 3 * 7]);
  });
});
