import { seededUniform as rng } from '../../src/data/random';
import { BinaryQuadraticModel } from '../../src/model/bqm';
import { addon as loadAddon } from '../../src/native/addon';

// Until build/Release is rebuilt with parallelTempering and tabuSearch, skip rather than fail.
const built = typeof (loadAddon() as unknown as Record<string, unknown>).parallelTempering === 'function';
const describeBuilt = built ? describe : describe.skip;
import { createSampler } from '../../src/samplers/create-sampler';
import { ExactSolver } from '../../src/samplers/exact';
import { ParallelTemperingSampler } from '../../src/samplers/parallel-tempering';
import { TabuSampler } from '../../src/samplers/tabu';

function randomModel(n: number, vartype: 'SPIN' | 'BINARY', density: number, seed: number): BinaryQuadraticModel {
  const r = rng(seed);
  const bqm = new BinaryQuadraticModel(vartype, n, r() - 0.5);
  for (let i = 0; i < n; i++) bqm.addLinear(i, 2 * r() - 1);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (r() < density) bqm.addQuadratic(i, j, 2 * r() - 1);
  return bqm;
}

const rows = (ss: Iterable<{ sample: ArrayLike<number> }>) => [...ss].map((x) => Array.from(x.sample));

const pt = new ParallelTemperingSampler();
const tabu = new TabuSampler();
const exact = new ExactSolver();

describeBuilt('ParallelTemperingSampler and TabuSampler', () => {
  test.each([
    [8, 'SPIN', 1],
    [12, 'BINARY', 0.5],
    [16, 'SPIN', 0.3],
    [18, 'BINARY', 0.8],
  ] as const)('n=%d %s density %d: both reach the exact ground state; energies are exact', async (n, vt, density) => {
    const bqm = randomModel(n, vt, density, n * 13 + 1);
    const ground = (await exact.sample(bqm, { maxStates: 1 })).first.energy;
    for (const ss of [await pt.sample(bqm, { numReads: 4, numSweeps: 300, seed: 2 }), await tabu.sample(bqm, { numReads: 4, seed: 2 })]) {
      expect(ss.first.energy).toBeCloseTo(ground, 9);
      for (const { sample, energy } of ss) expect(energy).toBeCloseTo(bqm.energy(sample), 9);
      expect(ss.length).toBe(4);
    }
  });

  test('same seed, same samples on 1 and 2 threads', async () => {
    const bqm = randomModel(40, 'SPIN', 0.1, 77);
    const a = await pt.sample(bqm, { numReads: 4, numSweeps: 200, seed: 9, threads: 1 });
    const b = await pt.sample(bqm, { numReads: 4, numSweeps: 200, seed: 9, threads: 2 });
    expect(Array.from(b.energies)).toEqual(Array.from(a.energies));
    expect(rows(b)).toEqual(rows(a));
    const c = await tabu.sample(bqm, { numReads: 4, numRestarts: 3, seed: 9, threads: 1 });
    const d = await tabu.sample(bqm, { numReads: 4, numRestarts: 3, seed: 9, threads: 2 });
    expect(Array.from(d.energies)).toEqual(Array.from(c.energies));
    expect(rows(d)).toEqual(rows(c));
  });

  test('timeLimit stops the search; initialStates seed tabu; info reports the ladder', async () => {
    const bqm = randomModel(60, 'BINARY', 0.3, 5);
    const t0 = performance.now();
    const ss = await tabu.sample(bqm, { numReads: 2, timeLimit: 0.2, seed: 1, threads: 2 });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(ss.info.parameters).toMatchObject({ timeLimit: 0.2 });
    const start = Array.from(ss.first.sample);
    const again = await tabu.sample(bqm, { numReads: 1, numRestarts: 1, initialStates: [start], seed: 3 });
    expect(again.first.energy).toBeLessThanOrEqual(ss.first.energy + 1e-9);
    const p = await pt.sample(bqm, { numReads: 2, timeLimit: 0.2, seed: 1, threads: 2, numReplicas: 6 });
    expect(p.info.parameters).toMatchObject({ numReplicas: 6, clusterMoves: false });
    expect((p.info.parameters as { betas: number[] }).betas).toHaveLength(6);
  });

  test('parameters are checked', async () => {
    const bqm = randomModel(5, 'SPIN', 1, 1);
    await expect(pt.sample(bqm, { numSweepz: 3 } as never)).rejects.toThrow(TypeError);
    await expect(pt.sample(bqm, { timeLimit: 0 })).rejects.toThrow(RangeError);
    await expect(pt.sample(bqm, { clusterMoves: 'yes' as never })).rejects.toThrow(RangeError);
    await expect(tabu.sample(bqm, { tenure: -1 })).rejects.toThrow(RangeError);
    await expect(tabu.sample(bqm, { annealSweeps: -1 })).rejects.toThrow(RangeError);
    await expect(tabu.sample(bqm, { annealSweeps: 1.5 })).rejects.toThrow(RangeError);
    await expect(tabu.sample(bqm, { numRestarts: 0 })).rejects.toThrow(RangeError);
  });

  test('createSampler knows pt and tabu', () => {
    expect(createSampler('pt').name).toBe('pt');
    expect(createSampler({ sampler: 'tabu' }).name).toBe('tabu');
  });
});
