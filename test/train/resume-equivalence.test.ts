/**
 * A run killed after an epoch and resumed trains exactly what an uninterrupted run trains (docs/protocol.md,
 * section 8: the sweep is killed at each sitting's end): the same step losses and the same final weights and
 * Adam state, with the cosine schedule, flips, REINFORCE's baseline, Gumbel's tau and the annealer's seeds.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readJsonl, train, IterationRecord, EpochMetrics, TrainOptions } from '../../src/train/trainer';
import { loadDataset, Dataset } from '../../src/data/dataset';
import type { MethodName } from '../../src/attention/methods';
import { tmpDir, writeMnist } from '../data/fixtures';
import { wasmOrCpu } from './test-backend';

let data: Dataset;
beforeAll(async () => {
  await wasmOrCpu();
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
    // Test-time draws too (the annealed method's validation and test forwards): the forward count is checkpointed.
    const evals = (d: string) => [
      ...readJsonl<{ step: number; validationAccuracy: number; validationLoss: number }>(path.join(d, 'validation.jsonl')).map((r) => [r.step, r.validationAccuracy, r.validationLoss]),
      ...readJsonl<EpochMetrics>(path.join(d, 'metrics.jsonl')).map((r) => [r.epoch, r.testAccuracy, r.testLoss]),
    ];
    expect(evals(b)).toEqual(evals(a));
    expect(manifest(b).evalCalls).toBe(manifest(a).evalCalls);
    expect(manifest(a).evalCalls).toBeGreaterThan(0);
  });
}

test('a kill between an epoch\'s metrics line and its checkpoint: the epoch is trained again, and the run completes', async () => {
  const a = path.join(tmpDir(), 'a');
  const b = path.join(tmpDir(), 'b');
  await train({ ...options('gumbel', a), epochs: 2 });
  const kill = (m: EpochMetrics) => {
    if (m.epoch === 1) throw new Error('killed');
  };
  await expect(train({ ...options('gumbel', b), epochs: 2, onEpoch: kill })).rejects.toThrow('killed');
  // As if killed after epoch 2's metrics line was written but before its checkpoint replaced epoch 1's.
  const lines = readJsonl<EpochMetrics>(path.join(a, 'metrics.jsonl'));
  fs.appendFileSync(path.join(b, 'metrics.jsonl'), JSON.stringify(lines[1]) + '\n');
  const { runComplete } = await import('../../src/train/trainer');
  expect(runComplete(b, 2)).toBe(false);
  const r = await train({ ...options('gumbel', b), epochs: 2, resume: true });
  expect(r.alreadyComplete).toBe(false);
  expect(runComplete(b, 2)).toBe(true);
  const trainLoss = (d: string) => readJsonl<EpochMetrics>(path.join(d, 'metrics.jsonl')).map((m) => [m.epoch, m.trainLoss, m.steps]);
  expect(trainLoss(b)).toEqual(trainLoss(a));
});

test('a finished run without its checkpoint (a fresh checkout) is not trained again; evaluations it lacks fail clearly', async () => {
  const { runComplete } = await import('../../src/train/trainer');
  const { evaluateRun } = await import('../../src/train/experiment-run');
  const a = path.join(tmpDir(), 'a');
  await train({ ...options('none', a), epochs: 1, dataDir: undefined });
  fs.writeFileSync(path.join(a, 'noise.jsonl'), JSON.stringify({ kind: 'clean', level: 0, accuracy: 0.5, images: 40 }) + '\n');
  for (const f of ['checkpoint.json', 'checkpoint.bin']) fs.rmSync(path.join(a, f));
  expect(runComplete(a, 1)).toBe(true);
  const before = fs.readFileSync(path.join(a, 'metrics.jsonl'), 'utf8');
  const r = await train({ ...options('none', a), epochs: 1, resume: true });
  expect(r.alreadyComplete).toBe(true);
  expect(fs.readFileSync(path.join(a, 'metrics.jsonl'), 'utf8')).toBe(before);
  // Cached results are still read; a missing level needs the checkpoint and says so.
  expect(await evaluateRun(a, { sigmas: [], rates: [], quiet: true })).toHaveLength(1);
  await expect(evaluateRun(a, { sigmas: [0.3], rates: [], quiet: true })).rejects.toThrow(/checkpoint to compute them/);
  // Training it again from scratch drops the old evaluations.
  fs.rmSync(path.join(a, 'metrics.jsonl'));
  await train({ ...options('none', a), epochs: 1, resume: true });
  expect(fs.existsSync(path.join(a, 'noise.jsonl'))).toBe(false);
});

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
