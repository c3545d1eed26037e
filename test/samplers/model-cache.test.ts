/**
 * Issue 16, call overhead: a BinaryQuadraticModel keeps one native handle (the parsed model and its
 * derived forms) until it changes. The cache must not change a single sample, and any mutation must
 * drop it.
 */
import { BinaryQuadraticModel } from '../../src/model/bqm';
import { addon } from '../../src/native/addon';
import { PathIntegralAnnealingSampler } from '../../src/samplers/path-integral-annealing';
import { SimulatedAnnealingSampler } from '../../src/samplers/simulated-annealing';
import { rng } from '../native/helpers';

function denseModel(n: number, seed: number, vartype: 'SPIN' | 'BINARY'): BinaryQuadraticModel {
  const r = rng(seed);
  const dense = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dense[i * n + j] = Math.round((r() * 2 - 1) * 8) / 4;
  return BinaryQuadraticModel.fromDense(vartype, Float64Array.from({ length: n }, () => r() - 0.5), dense, 0.5);
}

function sparseModel(n: number, seed: number): BinaryQuadraticModel {
  const r = rng(seed);
  const bqm = new BinaryQuadraticModel('BINARY', n, 1);
  for (let i = 0; i < n; i++) {
    bqm.addLinear(i, r() - 0.5);
    bqm.addQuadratic(i, (i + 1) % n, r() < 0.5 ? -1.5 : 0.75);
  }
  return bqm;
}

import type { SampleSet } from '../../src/samplers/sample-set';

/** All rows of a SampleSet, back to back. */
function flat(ss: SampleSet): Int8Array {
  const rows = ss.samples as unknown as Int8Array[] | Int8Array;
  if (rows instanceof Int8Array) return rows;
  const out = new Int8Array(rows.length * ss.numVariables);
  rows.forEach((row, r) => out.set(row, r * ss.numVariables));
  return out;
}

const same = (a: Int8Array, b: Int8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('native model cache', () => {
  test.each([
    ['dense SPIN', () => denseModel(300, 1, 'SPIN')],
    ['dense BINARY', () => denseModel(80, 2, 'BINARY')],
    ['sparse BINARY', () => sparseModel(200, 3)],
  ])('%s: SA through the cached handle gives byte-identical samples and energies to a plain model', async (_n, make) => {
    const bqm = make();
    const sa = new SimulatedAnnealingSampler();
    const params = { numReads: 6, numSweeps: 50, seed: 11, threads: 2 };
    const first = await sa.sample(bqm, params);
    const again = await sa.sample(bqm, params);
    const [plain] = await addon().simulatedAnnealing([bqm.toNative()], { ...params });
    expect(same(flat(first), plain.samples)).toBe(true);
    expect(Array.from(first.energies)).toEqual(Array.from(plain.energies));
    expect(same(flat(again), flat(first))).toBe(true);
    expect(bqm.nativeHandle()).toBe(bqm.nativeHandle());
  });

  test.each([
    ['dense SPIN', () => denseModel(120, 4, 'SPIN')],
    ['dense BINARY', () => denseModel(90, 5, 'BINARY')],
    ['sparse BINARY', () => sparseModel(150, 6)],
  ])('%s: SQA defaults computed natively equal the TypeScript rule bit for bit, and the samples match', async (_n, make) => {
    const bqm = make();
    const sqa = new PathIntegralAnnealingSampler();
    const ss = await sqa.sample(bqm, { numReads: 3, numSweeps: 20, trotterSlices: 4, seed: 5, threads: 1 });
    // The rule as it was computed in TypeScript before the cache.
    const m = bqm.changeVartype('SPIN').maxAbsBiases();
    const scale = Math.max(1e-12, Math.max(m.linear, m.quadratic));
    const cold = addon().defaultBetaRange(bqm.toNative())[1];
    const beta = Math.sqrt((10 / scale) * cold);
    expect(ss.info.parameters!.beta).toBe(beta);
    expect((ss.info.parameters!.gammaRange as number[])[0]).toBe(3 * scale);
    expect((ss.info.parameters!.gammaRange as number[])[1]).toBe(1e-3 * scale);
    const [plain] = await addon().pathIntegralAnnealing([bqm.toNative()], {
      numReads: 3, numSweeps: 20, trotterSlices: 4, seed: 5, threads: 1, beta, gammaRange: [3 * scale, 1e-3 * scale],
    });
    expect(same(flat(ss), plain.samples)).toBe(true);
  });

  test.each([
    ['addLinear', (b: BinaryQuadraticModel) => b.addLinear(3, 0.75)],
    ['addQuadratic', (b: BinaryQuadraticModel) => b.addQuadratic(1, 7, -2)],
    ['a new variable', (b: BinaryQuadraticModel) => b.addLinear(b.numVariables, 1)],
    ['the offset', (b: BinaryQuadraticModel) => (b.offset += 3)],
  ])('a change of %s drops the cache: energies match a fresh model', async (_n, mutate) => {
    const bqm = sparseModel(100, 7);
    const sa = new SimulatedAnnealingSampler();
    await sa.sample(bqm, { numReads: 4, numSweeps: 20, seed: 1 });
    const before = bqm.nativeHandle();
    mutate(bqm);
    expect(bqm.nativeHandle()).not.toBe(before);
    const ss = await sa.sample(bqm, { numReads: 4, numSweeps: 20, seed: 1 });
    const fresh = bqm.copy();
    const all = flat(ss);
    const rows = Array.from({ length: ss.length }, (_, r) => all.subarray(r * bqm.numVariables, (r + 1) * bqm.numVariables));
    rows.forEach((x, r) => expect(Math.abs(fresh.energy(x) - ss.energies[r])).toBeLessThan(1e-9));
    const [plain] = await addon().simulatedAnnealing([fresh.toNative()], { numReads: 4, numSweeps: 20, seed: 1, threads: 0 });
    expect(same(flat(ss), plain.samples)).toBe(true);
    expect(Array.from(ss.energies)).toEqual(Array.from(plain.energies));
  });

  (addon().prepareModel ? test : test.skip)('a repeated sample() on an unchanged n = 1000 dense model costs little beyond sampling', async () => {
    const bqm = denseModel(1000, 8, 'SPIN');
    for (const sampler of [new SimulatedAnnealingSampler(), new PathIntegralAnnealingSampler()]) {
      await sampler.sample(bqm, { numReads: 2, numSweeps: 1, seed: 1 });
      const over: number[] = [];
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        const ss = await sampler.sample(bqm, { numReads: 2, numSweeps: 1, seed: k });
        over.push(performance.now() - t0 - Number(ss.info.timing.samplingMs));
      }
      // 38 ms (SA) and ~400 ms (SQA) before the cache; generous for a loaded machine.
      expect(Math.min(...over)).toBeLessThan(15);
    }
  });
});
