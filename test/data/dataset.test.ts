import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { batchCount, batches, loadDataset, mirrorImages, resolveDataDir, testLimitFor } from '../../src/data/dataset';
import { tmpDir, writeMnist } from './fixtures';

const noDl = { download: false, verify: false } as const;

function meanStd(a: Float32Array): [number, number] {
  let s = 0;
  let q = 0;
  for (const v of a) {
    s += v;
    q += v * v;
  }
  const m = s / a.length;
  return [m, Math.sqrt(q / a.length - m * m)];
}

let dir: string;
beforeAll(() => {
  dir = tmpDir();
  writeMnist(dir, 600, 100);
});

describe('loadDataset', () => {
  test('shapes, normalisation, split', async () => {
    const ds = await loadDataset({ name: 'mnist', dataDir: dir, seed: 7, validationFraction: 0.2, ...noDl });
    expect(ds.train.shape).toEqual([480, 28, 28, 1]);
    expect(ds.validation.shape).toEqual([120, 28, 28, 1]);
    expect(ds.test.shape).toEqual([100, 28, 28, 1]);
    expect(ds.train.images).toBeInstanceOf(Float32Array);
    expect(ds.train.labels).toBeInstanceOf(Uint8Array);
    expect(ds.imageShape).toEqual([28, 28, 1]);
    const [m, s] = meanStd(ds.train.images);
    expect(Math.abs(m)).toBeLessThan(1e-4);
    expect(Math.abs(s - 1)).toBeLessThan(1e-4);
    // train and validation are disjoint and together cover the train set
    const all = new Set([...ds.train.indices, ...ds.validation.indices]);
    expect(all.size).toBe(600);
    // test set in official order without limit
    expect(Array.from(ds.test.indices.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
    // labels follow the indices (fixture label = index % 10)
    for (let k = 0; k < 20; k++) expect(ds.train.labels[k]).toBe(ds.train.indices[k] % 10);
  });

  test('seed-fixed: same seed same data, other seed other order', async () => {
    const a = await loadDataset({ name: 'mnist', dataDir: dir, seed: 1, ...noDl });
    const b = await loadDataset({ name: 'mnist', dataDir: dir, seed: 1, ...noDl });
    const c = await loadDataset({ name: 'mnist', dataDir: dir, seed: 2, ...noDl });
    expect(Buffer.from(a.train.images.buffer).equals(Buffer.from(b.train.images.buffer))).toBe(true);
    expect(Array.from(a.validation.indices)).toEqual(Array.from(b.validation.indices));
    expect(Array.from(a.train.indices)).not.toEqual(Array.from(c.train.indices));
    expect(a.validation.shape[0]).toBe(60); // default validationFraction 0.1
  });

  test('limit caps train and (in proportion) test', async () => {
    expect(testLimitFor('mnist', 1000)).toBe(167);
    expect(testLimitFor('cifar10', 1000)).toBe(200);
    expect(testLimitFor('mnist', 600)).toBe(100);
    const ds = await loadDataset({ name: 'mnist', dataDir: dir, seed: 5, limit: 300, validationFraction: 0.1, ...noDl });
    expect(ds.train.shape[0]).toBe(270);
    expect(ds.validation.shape[0]).toBe(30);
    expect(ds.test.shape[0]).toBe(50);
    expect(new Set(ds.test.indices).size).toBe(50);
    const again = await loadDataset({ name: 'mnist', dataDir: dir, seed: 5, limit: 300, validationFraction: 0.1, ...noDl });
    expect(Array.from(again.test.indices)).toEqual(Array.from(ds.test.indices));
  });

  test('noise goes on the test split by default, before normalisation', async () => {
    const clean = await loadDataset({ name: 'mnist', dataDir: dir, seed: 1, ...noDl });
    const noisy = await loadDataset({ name: 'mnist', dataDir: dir, seed: 1, noise: { kind: 'salt-pepper', rate: 0.2 }, ...noDl });
    expect(Buffer.from(noisy.train.images.buffer).equals(Buffer.from(clean.train.images.buffer))).toBe(true);
    expect(Buffer.from(noisy.test.images.buffer).equals(Buffer.from(clean.test.images.buffer))).toBe(false);
    // salt = 1 → (1 - mean) / std after normalisation
    const salt = (1 - clean.mean[0] / 255) / (clean.std[0] / 255);
    const lo = (0 - clean.mean[0] / 255) / (clean.std[0] / 255);
    let changed = 0;
    for (let i = 0; i < noisy.test.images.length; i++) {
      if (noisy.test.images[i] !== clean.test.images[i]) {
        changed++;
        const v = noisy.test.images[i];
        expect(Math.abs(v - salt) < 1e-5 || Math.abs(v - lo) < 1e-5).toBe(true);
      }
    }
    expect(changed / noisy.test.images.length).toBeGreaterThan(0.05);
    const all = await loadDataset({ name: 'mnist', dataDir: dir, seed: 1, noise: { kind: 'gaussian', sigma: 0.1 }, noiseSplits: ['train'], ...noDl });
    expect(Buffer.from(all.test.images.buffer).equals(Buffer.from(clean.test.images.buffer))).toBe(true);
    expect(Buffer.from(all.train.images.buffer).equals(Buffer.from(clean.train.images.buffer))).toBe(false);
  });

  test('argument errors', async () => {
    await expect(loadDataset({ name: 'svhn' as never, dataDir: dir, seed: 1 })).rejects.toThrow(/unknown dataset 'svhn'/);
    await expect(loadDataset({ name: 'mnist', dataDir: dir, seed: 1, validationFraction: 1, ...noDl })).rejects.toThrow(/validationFraction/);
    await expect(loadDataset({ name: 'mnist', dataDir: dir, seed: 1, limit: 0, ...noDl })).rejects.toThrow(/limit/);
  });
});

describe('data dir resolution', () => {
  const saved = process.env.QAHAN_DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.QAHAN_DATA_DIR;
    else process.env.QAHAN_DATA_DIR = saved;
  });
  test('argument, then QAHAN_DATA_DIR, then ~/.cache/qahan/data', () => {
    process.env.QAHAN_DATA_DIR = '/tmp/envdata';
    expect(resolveDataDir('/x/y')).toBe('/x/y');
    expect(resolveDataDir()).toBe('/tmp/envdata');
    expect(resolveDataDir('~/d')).toBe(path.join(os.homedir(), 'd'));
    delete process.env.QAHAN_DATA_DIR;
    expect(resolveDataDir()).toBe(path.join(os.homedir(), '.cache', 'qahan', 'data'));
  });
  test('loadDataset uses QAHAN_DATA_DIR', async () => {
    process.env.QAHAN_DATA_DIR = dir;
    const ds = await loadDataset({ name: 'mnist', seed: 1, limit: 60, ...noDl });
    expect(ds.dataDir).toBe(dir);
  });
});

describe('batches', () => {
  test('tensors with one-hot labels, shuffled by seed, remainder handling', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined); // tfjs's "install tfjs-node" banner
    await tf.setBackend('cpu');
    const ds = await loadDataset({ name: 'mnist', dataDir: dir, seed: 1, limit: 100, validationFraction: 0, ...noDl });
    const before = tf.memory().numTensors;
    const sizes: number[] = [];
    const seen: number[] = [];
    for (const b of batches(ds.train, 32)) {
      expect(b.xs.shape).toEqual([b.size, 28, 28, 1]);
      expect(b.ys.shape).toEqual([b.size, 10]);
      const ys = await b.ys.array();
      ys.forEach((row, i) => expect(row.indexOf(1)).toBe(b.labels[i]));
      sizes.push(b.size);
      seen.push(...b.labels);
      tf.dispose([b.xs, b.ys]);
    }
    expect(sizes).toEqual([32, 32, 32, 4]);
    expect(seen).toEqual(Array.from(ds.train.labels));
    expect(batchCount(ds.train, 32)).toBe(4);
    expect(batchCount(ds.train, 32, true)).toBe(3);
    expect([...batches(ds.train, 32, { dropRemainder: true })].map((b) => (tf.dispose([b.xs, b.ys]), b.size))).toEqual([32, 32, 32]);
    const s1 = [...batches(ds.train, 100, { shuffleSeed: 9 })][0];
    const s2 = [...batches(ds.train, 100, { shuffleSeed: 9 })][0];
    expect(Array.from(s1.labels)).toEqual(Array.from(s2.labels));
    expect(Array.from(s1.labels)).not.toEqual(Array.from(ds.train.labels));
    const x1 = await s1.xs.data();
    // first shuffled image equals some image of the split
    const per = 784;
    const first = Array.from(x1.subarray(0, per));
    let found = false;
    for (let i = 0; i < 100 && !found; i++) found = Array.from(ds.train.images.subarray(i * per, (i + 1) * per)).every((v, k) => v === first[k]);
    expect(found).toBe(true);
    tf.dispose([s1.xs, s1.ys, s2.xs, s2.ys]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('mirrorImages reverses each row of the flagged images, channels kept together', () => {
    // 2 images of 2 x 3 pixels, 2 channels: value = 100 k + 10 h + w, channel c adds 0.5 c.
    const x = Float32Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => {
      const c = i % 2, w = Math.floor(i / 2) % 3, h = Math.floor(i / 6) % 2, k = Math.floor(i / 12);
      return 100 * k + 10 * h + w + 0.5 * c;
    });
    const y = x.slice();
    mirrorImages(y, [2, 2, 3, 2], [false, true]);
    expect(Array.from(y.subarray(0, 12))).toEqual(Array.from(x.subarray(0, 12)));
    expect(Array.from(y.subarray(12))).toEqual([102, 102.5, 101, 101.5, 100, 100.5, 112, 112.5, 111, 111.5, 110, 110.5]);
  });

  test('flipSeed mirrors about half the images, the same ones for the same seed, never the split itself', async () => {
    await tf.setBackend('cpu');
    const ds = await loadDataset({ name: 'mnist', dataDir: dir, seed: 1, limit: 100, validationFraction: 0, ...noDl });
    const pixels = ds.train.images.slice();
    const flippedOf = async (flipSeed: number) => {
      const [b] = [...batches(ds.train, 100, { shuffleSeed: 4, flipSeed })];
      const [plain] = [...batches(ds.train, 100, { shuffleSeed: 4 })];
      const xs = await b.xs.data(), ps = await plain.xs.data();
      tf.dispose([b.xs, b.ys, plain.xs, plain.ys]);
      const mirrored = Float32Array.from(ps);
      mirrorImages(mirrored, [100, 28, 28, 1], new Array(100).fill(true));
      const flags: boolean[] = [];
      for (let k = 0; k < 100; k++) {
        const img = Array.from(xs.subarray(k * 784, (k + 1) * 784));
        const same = img.every((v, i) => v === ps[k * 784 + i]);
        const mirror = img.every((v, i) => v === mirrored[k * 784 + i]);
        // Each image is either itself or its mirror (a symmetric image would be both).
        expect(same || mirror).toBe(true);
        flags.push(mirror && !same);
      }
      return flags;
    };
    const a = await flippedOf(7), b = await flippedOf(7), c = await flippedOf(8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const count = a.filter(Boolean).length;
    expect(count).toBeGreaterThan(30); // Binomial(100, 1/2): 30..70 holds with probability > 0.9999
    expect(count).toBeLessThan(70);
    expect(Array.from(ds.train.images)).toEqual(Array.from(pixels));
  });
});
