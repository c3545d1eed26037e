/**
 * Known statistics of the real MNIST and CIFAR-10 files in ../shared/data
 * (next to the repository). Skipped, with a message, when that folder is absent.
 */
import * as fs from 'fs';
import * as path from 'path';
import { channelStats, loadDataset, loadRaw } from '../../src/data/dataset';
import { MNIST_FILES } from '../../src/data/download';

const SHARED = path.resolve(__dirname, '../../../shared/data');
const haveMnist = Object.values(MNIST_FILES).every((f) => fs.existsSync(path.join(SHARED, 'mnist', f)));
const haveCifar = fs.existsSync(path.join(SHARED, 'cifar-10', 'cifar-10-binary.tar.gz'));
if (!haveMnist) console.log(`real MNIST not found in ${SHARED}/mnist — skipping the real-data MNIST test`);
if (!haveCifar) console.log(`real CIFAR-10 not found in ${SHARED}/cifar-10 — skipping the real-data CIFAR-10 test`);

const counts = (labels: Uint8Array) => {
  const c = new Array(10).fill(0);
  for (const l of labels) c[l]++;
  return c;
};

// Read-only shared folder: verify checksums, but do not write sidecar caches or download.
const opts = { download: false, cacheVerification: false } as const;

(haveMnist ? test : test.skip)('real MNIST: official md5s, pixel mean/std, label counts', async () => {
  const raw = await loadRaw('mnist', SHARED, opts);
  expect(raw.train.count).toBe(60000);
  expect(raw.test.count).toBe(10000);
  const { mean, std } = channelStats(raw.train);
  expect(mean[0]).toBeCloseTo(33.318, 3);
  expect(std[0]).toBeCloseTo(78.567, 3);
  expect(counts(raw.train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  const ds = await loadDataset({ name: 'mnist', dataDir: SHARED, seed: 1, limit: 6000, ...opts });
  expect(ds.train.shape).toEqual([5400, 28, 28, 1]);
  expect(ds.validation.shape).toEqual([600, 28, 28, 1]);
  expect(ds.test.shape).toEqual([1000, 28, 28, 1]);
});

(haveCifar ? test : test.skip)('real CIFAR-10: per-channel mean, 5000 images per class', async () => {
  // The shared archive is a repack of the official data: its own md5 differs from the published
  // c32a1d4a…, so the loader verifies the six batches inside against their published md5s instead.
  const raw = await loadRaw('cifar10', SHARED, opts);
  expect(raw.train.count).toBe(50000);
  expect(raw.test.count).toBe(10000);
  const { mean } = channelStats(raw.train);
  expect(mean[0]).toBeCloseTo(125.307, 2);
  expect(mean[1]).toBeCloseTo(122.95, 2);
  expect(mean[2]).toBeCloseTo(113.865, 2);
  expect(counts(raw.train.labels)).toEqual(new Array(10).fill(5000));
  expect(counts(raw.test.labels)).toEqual(new Array(10).fill(1000));
}, 60000);
