import { seededUniform as rng } from '../../src/data/random';
import { BinaryQuadraticModel } from '../../src/model/bqm';
import { ExactSolver } from '../../src/samplers/exact';
import { PathIntegralAnnealingSampler } from '../../src/samplers/path-integral-annealing';
import { SampleSet } from '../../src/samplers/sample-set';
import { SimulatedAnnealingSampler } from '../../src/samplers/simulated-annealing';

function randomModel(n: number, vartype: 'SPIN' | 'BINARY', density: number, seed: number): BinaryQuadraticModel {
  const r = rng(seed);
  const bqm = new BinaryQuadraticModel(vartype, n, r() - 0.5);
  for (let i = 0; i < n; i++) bqm.addLinear(i, 2 * r() - 1);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (r() < density) bqm.addQuadratic(i, j, 2 * r() - 1);
  return bqm;
}

const sa = new SimulatedAnnealingSampler();
const sqa = new PathIntegralAnnealingSampler();
const exact = new ExactSolver();

describe('samplers on random models, n <= 16', () => {
  const cases: [number, 'SPIN' | 'BINARY', number][] = [
    [6, 'SPIN', 1], [10, 'BINARY', 0.5], [12, 'SPIN', 0.3], [14, 'BINARY', 1], [16, 'SPIN', 0.25],
  ];
  test.each(cases)('n=%d %s density %d: SA and SQA find the exact ground state; energies match TypeScript', async (n, vt, density) => {
    const bqm = randomModel(n, vt, density, n * 7 + (vt === 'SPIN' ? 1 : 2));
    const ground = (await exact.sample(bqm, { maxStates: 1 })).first.energy;
    for (const [sampler, params] of [
      [sa, { numReads: 20, numSweeps: 500, seed: 5 }],
      [sqa, { numReads: 10, numSweeps: 300, trotterSlices: 8, seed: 5 }],
    ] as const) {
      const ss = await sampler.sample(bqm, params);
      expect(ss.length).toBe(params.numReads);
      expect(ss.first.energy).toBeCloseTo(ground, 9);
      ss.samples.forEach((row, r) => expect(ss.energies[r]).toBeCloseTo(bqm.energy(row), 9));
    }
  });

  test('the exact solver lists all 2^n states in energy order, with the right energies', async () => {
    const bqm = randomModel(8, 'BINARY', 0.6, 3);
    const ss = await exact.sample(bqm);
    expect(ss.length).toBe(256);
    const seen = new Set(ss.samples.map((s) => s.join('')));
    expect(seen.size).toBe(256);
    for (let r = 1; r < ss.length; r++) expect(ss.energies[r]).toBeGreaterThanOrEqual(ss.energies[r - 1]);
    ss.samples.forEach((row, r) => expect(ss.energies[r]).toBeCloseTo(bqm.energy(row), 10));
  });
});

describe('reproducibility, cancellation, progress, batches', () => {
  const bqm = randomModel(64, 'SPIN', 0.3, 99);

  test.each([
    ['sa', sa, { numReads: 6, numSweeps: 200 }],
    ['sqa', sqa, { numReads: 4, numSweeps: 100, trotterSlices: 4 }],
  ] as const)('%s: same seed, 1 and 2 threads: identical sample sets', async (_name, sampler, params) => {
    const one = await sampler.sample(bqm, { ...params, seed: 42, threads: 1 });
    const two = await sampler.sample(bqm, { ...params, seed: 42, threads: 2 });
    expect(Buffer.from(two.data.buffer, two.data.byteOffset, two.data.byteLength).equals(Buffer.from(one.data.buffer, one.data.byteOffset, one.data.byteLength))).toBe(true);
    expect(Array.from(two.energies)).toEqual(Array.from(one.energies));
    const other = await sampler.sample(bqm, { ...params, seed: 43, threads: 1 });
    expect(Array.from(other.data)).not.toEqual(Array.from(one.data));
  });

  test('an AbortSignal stops a long run within half a second', async () => {
    const big = randomModel(300, 'SPIN', 0.5, 1);
    const controller = new AbortController();
    let abortedAt = 0;
    const run = sa.sample(big, { numReads: 64, numSweeps: 1_000_000, seed: 1, signal: controller.signal });
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 150);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // The run alone would take minutes; it must end within half a second of the abort.
    expect(performance.now() - abortedAt).toBeLessThan(500);
    // Already aborted: rejects without starting.
    await expect(sa.sample(big, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('onProgress reports sweeps up to the total', async () => {
    const seen: [number, number][] = [];
    await sa.sample(randomModel(200, 'SPIN', 0.5, 2), { numReads: 4, numSweeps: 20000, seed: 1, onProgress: (p) => seen.push([p.done, p.total]) });
    expect(seen.length).toBeGreaterThan(0);
    const [done, total] = seen[seen.length - 1];
    expect(total).toBe(4 * 20000);
    expect(done).toBeLessThanOrEqual(total);
    for (let k = 1; k < seen.length; k++) expect(seen[k][0]).toBeGreaterThanOrEqual(seen[k - 1][0]);
  });

  test('sampleBatch equals one call per model with the same seeds for model 0', async () => {
    const models = [randomModel(10, 'BINARY', 0.5, 1), randomModel(12, 'SPIN', 0.5, 2), randomModel(8, 'BINARY', 1, 3)];
    const batch = await sa.sampleBatch(models, { numReads: 5, numSweeps: 300, seed: 9 });
    expect(batch).toHaveLength(3);
    for (let b = 0; b < 3; b++) {
      expect(batch[b].numVariables).toBe(models[b].numVariables);
      expect(batch[b].vartype).toBe(models[b].vartype);
      const ground = (await exact.sample(models[b], { maxStates: 1 })).first.energy;
      expect(batch[b].first.energy).toBeCloseTo(ground, 9);
    }
    const alone = await sa.sample(models[0], { numReads: 5, numSweeps: 300, seed: 9 });
    expect(Array.from(alone.data)).toEqual(Array.from(batch[0].data));
  });

  test('bad parameters are rejected with the argument named', async () => {
    await expect(sa.sample(bqm, { numReads: 0 })).rejects.toThrow(/numReads/);
    await expect(sa.sample(bqm, { numSweeps: -5 })).rejects.toThrow(/numSweeps/);
    await expect(sa.sample(bqm, { threads: 0 })).rejects.toThrow(/threads/);
    await expect(sa.sample(bqm, { seed: -1 })).rejects.toThrow(/seed/);
    await expect(sa.sample(bqm, { numSweep: 10 } as never)).rejects.toThrow(/unknown parameter 'numSweep'/);
    await expect(sqa.sample(bqm, { beta: -1 })).rejects.toThrow(/beta/);
    await expect(sqa.sample(bqm, { trotterSlices: 0 })).rejects.toThrow(/trotterSlices/);
    await expect(sa.sample(bqm, { betaRange: [1, NaN] })).rejects.toThrow(/betaRange/);
    await expect(sa.sample(bqm, { initialStates: [[1, 0]] })).rejects.toThrow(/initialStates/);
  });

  test('initial states with zero sweeps at a cold schedule stay put', async () => {
    const small = randomModel(5, 'SPIN', 1, 4);
    const start = [1, -1, 1, -1, 1];
    const ss = await sa.sample(small, { numReads: 3, betaSchedule: [1e-9], initialStates: [start], seed: 1 });
    expect(ss.length).toBe(3);
  });
});

describe('SampleSet', () => {
  const ss = new SampleSet({
    vartype: 'SPIN', numVariables: 2,
    samples: Int8Array.from([1, -1, -1, -1, 1, -1, 1, 1]),
    energies: [0.5, -1, 0.5, 2],
    info: { timing: { samplingMs: 1 } },
  });
  test('first, lowest, aggregate, sorted', () => {
    expect(ss.length).toBe(4);
    expect(ss.samples[1][0]).toBe(-1);
    expect(ss.first).toMatchObject({ energy: -1, numOccurrences: 1 });
    expect(Array.from(ss.first.sample)).toEqual([-1, -1]);
    expect(ss.lowest().length).toBe(1);
    const agg = ss.aggregate();
    expect(agg.length).toBe(3);
    expect(Array.from(agg.numOccurrences)).toEqual([2, 1, 1]);
    expect(Array.from(ss.sorted().energies)).toEqual([-1, 0.5, 0.5, 2]);
  });
  test('dimod JSON round trip', () => {
    const back = SampleSet.fromJSON(JSON.parse(JSON.stringify(ss)));
    expect(Array.from(back.data)).toEqual(Array.from(ss.data));
    expect(Array.from(back.energies)).toEqual(Array.from(ss.energies));
    expect(back.vartype).toBe('SPIN');
    expect(ss.toJSON()).toMatchObject({ type: 'SampleSet', num_rows: 4, num_variables: 2, variable_type: 'SPIN' });
  });
});
