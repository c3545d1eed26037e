/**
 * A run killed after an epoch and resumed trains exactly what an uninterrupted run trains (docs/protocol.md,
 * section 8: the sweep is killed at each sitting's end): the same step losses and the same final weights and
 * Adam state, with the cosine schedule, flips, REINFORCE's baseline, Gumbel's tau and the annealer's seeds.
 */
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../src/train/backend';
import { readJsonl, train, IterationRecord, EpochMetrics, TrainOptions } from '../../src/train/trainer';
import { loadDataset, Dataset } from '../../src/data/dataset';
import type { MethodName } from '../../src/attention/methods';
import { tmpDir, writeMnist } from '../data/fixtures';

let data: Dataset;
beforeAll(async () => {
  try {
    await initBackend('wasm');
  } catch {
    await initBackend('cpu');
  }
  const dataDir = tmpDir();
  writeMnist(dataDir, 160, 40, false);
  data = await loadDataset({ name: 'mnist', dataDir, seed: 0, validationFraction: 0.2, download: false });
});

const options = (method: MethodName, out: string, sampler?: 'sa'): TrainOptions => ({
  dataset: 'mnist', method, epochs: 3, out, seed: 3, data, progress: false, lr: 3e-3, lrSchedule: 'cosine', augment: 'flip',
  evalEvery: 2, validationFraction: 0.2, batchSize: 16, ...(sampler ? { sampler } : {}),
});

for (const [method, sampler] of [['reinforce', undefined], ['gumbel', undefined], ['qahan', 'sa']] as const) {
  test(`${method}: killed after epoch 1 and resumed = uninterrupted`, async () => {
    const a = path.join(tmpDir(), 'a');
    const b = path.join(tmpDir(), 'b');
    await train(options(method, a, sampler));
    const kill = (m: EpochMetrics) => {
      if (m.epoch === 1) throw new Error('killed');
    };
    await expect(train({ ...options(method, b, sampler), onEpoch: kill })).rejects.toThrow('killed');
    expect(readJsonl<EpochMetrics>(path.join(b, 'metrics.jsonl'))).toHaveLength(1);
    await train({ ...options(method, b, sampler), resume: true });
    const losses = (d: string) => readJsonl<IterationRecord>(path.join(d, 'iterations.jsonl')).map((r) => [r.step, r.loss]);
    expect(losses(b)).toEqual(losses(a));
    const trainLoss = (d: string) => readJsonl<EpochMetrics>(path.join(d, 'metrics.jsonl')).map((r) => [r.epoch, r.trainLoss, r.steps]);
    expect(trainLoss(b)).toEqual(trainLoss(a));
    expect(fs.readFileSync(path.join(b, 'checkpoint.bin')).equals(fs.readFileSync(path.join(a, 'checkpoint.bin')))).toBe(true);
    const manifest = (d: string) => JSON.parse(fs.readFileSync(path.join(d, 'checkpoint.json'), 'utf8'));
    expect(manifest(b).baseline).toEqual(manifest(a).baseline);
    expect(manifest(b).step).toBe(manifest(a).step);
  });
}

// (The batch order and flips are seeded by the run's seed and the epoch alone: trainer.ts, batches().)
test('seed s pairs runs across methods: every method (and another k) starts from the same weights', async () => {
  const { buildNetwork, samplerFor } = await import('../../src/train/trainer');
  const weights = async (method: MethodName, k?: number) => {
    const net = buildNetwork('mnist', method, 5, samplerFor(method, 'sa'), k ? { k } : {}, 'deep');
    const w = await Promise.all(net.variables.map(async (v) => Array.from(await v.data())));
    net.dispose();
    return w;
  };
  const ref = await weights('none');
  for (const m of ['qahan', 'qahan-free', 'gumbel', 'reinforce', 'topk', 'soft'] as MethodName[]) expect(await weights(m)).toEqual(ref);
  expect(await weights('topk', 23)).toEqual(ref);
});
