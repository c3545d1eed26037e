import fs from 'fs';
import path from 'path';
import { readBqp } from '../../src/formats/bqp';
import { PathIntegralAnnealingSampler } from '../../src/samplers/path-integral-annealing';
import { SimulatedAnnealingSampler } from '../../src/samplers/simulated-annealing';

const dir = path.resolve(__dirname, '../../../shared/bench');
const present = fs.existsSync(path.join(dir, 'bqp/bqp50.txt'));
if (!present) console.warn(`skipping bqp50 optimum tests: ${dir} is absent`);

(present ? describe : describe.skip)('OR-Library bqp50 (proven optima)', () => {
  const best = present ? (JSON.parse(fs.readFileSync(path.join(dir, 'best_known.json'), 'utf8')) as Record<string, { best: number }>) : {};
  const models = present ? readBqp(fs.readFileSync(path.join(dir, 'bqp/bqp50.txt'), 'utf8')) : [];

  test('SA reaches the proven optimum of all ten instances', async () => {
    const sets = await new SimulatedAnnealingSampler().sampleBatch(models, { numReads: 16, numSweeps: 1000, seed: 1 });
    sets.forEach((ss, k) => expect(-ss.first.energy).toBe(best[`bqp50.${k + 1}`].best));
  });

  test('SQA reaches the proven optimum of all ten instances', async () => {
    const sets = await new PathIntegralAnnealingSampler().sampleBatch(models, { numReads: 8, numSweeps: 400, trotterSlices: 16, seed: 1 });
    sets.forEach((ss, k) => expect(-ss.first.energy).toBe(best[`bqp50.${k + 1}`].best));
  });
});
