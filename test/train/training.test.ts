import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readJsonl, train, EpochMetrics, IterationRecord } from '../../src/train/trainer';
import { loadDataset, Dataset } from '../../src/data/dataset';
import { wasmOrCpu } from './test-backend';

const DATA = path.resolve(__dirname, '../../../shared/data');
const haveData = fs.existsSync(path.join(DATA, 'mnist'));
if (!haveData) console.warn(`MNIST not found in ${DATA}: the training tests are skipped`);
const maybe = haveData ? test : test.skip;

let tmp: string;
let data: Dataset;

beforeAll(async () => {
  if (!haveData) return;
  await wasmOrCpu();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-train-'));
  data = await loadDataset({ name: 'mnist', dataDir: DATA, limit: 2000, seed: 0, validationFraction: 0, download: false });
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

maybe('qahan beats chance clearly after one epoch on 2,000 MNIST images', async () => {
  const out = path.join(tmp, 'qahan');
  const r = await train({ dataset: 'mnist', method: 'qahan', epochs: 1, out, seed: 0, data, progress: false });
  const rows = readJsonl<EpochMetrics>(path.join(out, 'metrics.jsonl'));
  expect(rows).toHaveLength(1);
  for (const key of ['epoch', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'seconds']) expect(typeof (rows[0] as unknown as Record<string, unknown>)[key]).toBe('number');
  expect(rows[0].testAccuracy).toBeGreaterThan(0.5);
  expect(r.epochs[0].annealSeconds).toBeGreaterThan(0);
  const its = readJsonl<IterationRecord>(path.join(out, 'iterations.jsonl'));
  expect(its.length).toBe(Math.ceil(2000 / 32));
  // A finished run is recognised and not retrained.
  const again = await train({ dataset: 'mnist', method: 'qahan', epochs: 1, out, seed: 0, data, resume: true, progress: false });
  expect(again.alreadyComplete).toBe(true);
});

maybe('resume continues from the checkpoint', async () => {
  const small = { ...data, train: { ...data.train, images: data.train.images.subarray(0, 256 * 784), labels: data.train.labels.subarray(0, 256), shape: [256, 28, 28, 1] as [number, number, number, number] } };
  const out = path.join(tmp, 'none');
  await train({ dataset: 'mnist', method: 'none', epochs: 1, out, seed: 1, data: small, progress: false });
  const r = await train({ dataset: 'mnist', method: 'none', epochs: 2, out, seed: 1, data: small, resume: true, progress: false });
  expect(r.alreadyComplete).toBe(false);
  const rows = readJsonl<EpochMetrics>(path.join(out, 'metrics.jsonl'));
  expect(rows.map((m) => m.epoch)).toEqual([1, 2]);
  expect(rows[1].steps).toBe(16);
  const its = readJsonl<IterationRecord>(path.join(out, 'iterations.jsonl'));
  expect(its.map((i) => i.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
});
