/** Issue 8, item 13: an oversized path integral is refused before the default schedule walks the model. */
import { BinaryQuadraticModel } from '../../src/model/bqm';
import { PathIntegralAnnealingSampler } from '../../src/samplers/path-integral-annealing';

test('SQA on 2^22 + 1 spins x 16 slices fails in well under a second, naming trotterSlices x numVariables', async () => {
  const n = 2 ** 22 + 1;
  const bqm = BinaryQuadraticModel.fromIsing(new Float64Array(n).fill(0.5), [[0, 1, 1]]);
  const t0 = performance.now();
  await expect(new PathIntegralAnnealingSampler().sample(bqm, { numReads: 1, numSweeps: 1 })).rejects.toThrow(/trotterSlices x numVariables must be at most 2\^26: models\[0\] has 4194305 variables x 16 slices/);
  expect(performance.now() - t0).toBeLessThan(1000);
});
