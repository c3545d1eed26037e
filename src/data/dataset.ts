/**
 * Dataset loading for training: MNIST and CIFAR-10 as normalised float32
 * NHWC arrays with a seed-fixed shuffle, validation split and optional limit.
 */
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { readCifar10Archive, readCifar10Dir, CIFAR10_CLASSES } from './cifar10';
import { ensureCifar10, ensureMnist, EnsureOptions } from './download';
import { readMnistPair, RawImageSet } from './mnist';
import { applyNoise, NoiseSpec } from './noise';
import { Random } from './random';

export type DatasetName = 'mnist' | 'cifar10';
export type SplitName = 'train' | 'validation' | 'test';

export interface LoadDatasetOptions extends EnsureOptions {
  name: DatasetName;
  /** Data folder; else QAHAN_DATA_DIR; else ~/.cache/qahan/data. */
  dataDir?: string;
  /** Use only this many training examples (train + validation), drawn after the seeded shuffle. The test set is capped in proportion. */
  limit?: number;
  /** Fraction of the (limited) training examples held out for validation. Default 0.1. */
  validationFraction?: number;
  /** Seed for the shuffle, the split and the noise. */
  seed: number;
  /** Corruption applied to pixels in [0, 1] before normalisation. */
  noise?: NoiseSpec;
  /** Which splits get the noise. Default ['test']. */
  noiseSplits?: SplitName[];
}

export interface DataSplit {
  /** Normalised pixels, NHWC. */
  images: Float32Array;
  labels: Uint8Array;
  /** [N, H, W, C] */
  shape: [number, number, number, number];
  /** Indices into the original (official) train or test set. */
  indices: Uint32Array;
}

export interface Dataset {
  name: DatasetName;
  dataDir: string;
  train: DataSplit;
  validation: DataSplit;
  test: DataSplit;
  numClasses: number;
  classNames: readonly string[];
  /** [H, W, C] */
  imageShape: [number, number, number];
  /** Per-channel mean and std of the train split's pixels, in 0-255 units (used for normalisation). */
  mean: number[];
  std: number[];
}

const OFFICIAL_SIZES: Record<DatasetName, { train: number; test: number }> = {
  mnist: { train: 60000, test: 10000 },
  cifar10: { train: 50000, test: 10000 },
};

/** Data folder: argument, else QAHAN_DATA_DIR, else ~/.cache/qahan/data ("~" expanded). */
export function resolveDataDir(dataDir?: string): string {
  const d = dataDir ?? process.env.QAHAN_DATA_DIR ?? path.join(os.homedir(), '.cache', 'qahan', 'data');
  const expanded = d === '~' ? os.homedir() : d.startsWith('~/') ? path.join(os.homedir(), d.slice(2)) : d;
  return path.resolve(expanded);
}

/** Test examples kept for a given train limit: ceil(limit · test/train) of the official sizes. */
export function testLimitFor(name: DatasetName, limit: number): number {
  const s = OFFICIAL_SIZES[name];
  return Math.ceil((limit * s.test) / s.train);
}

/** Loads the raw uint8 train/test sets, downloading/verifying as needed. */
export async function loadRaw(name: DatasetName, dataDir?: string, opts: EnsureOptions = {}): Promise<{ train: RawImageSet; test: RawImageSet }> {
  const dir = resolveDataDir(dataDir);
  if (name === 'mnist') {
    const f = await ensureMnist(dir, opts);
    return { train: readMnistPair(f.trainImages, f.trainLabels), test: readMnistPair(f.testImages, f.testLabels) };
  }
  if (name === 'cifar10') {
    const src = await ensureCifar10(dir, opts);
    return src.kind === 'batches' ? readCifar10Dir(src.dir) : readCifar10Archive(src.file);
  }
  throw new Error(`unknown dataset '${String(name)}' (expected mnist or cifar10)`);
}

/** Per-channel mean and std (population) of uint8 HWC images, over the given examples (default all), in 0-255 units. */
export function channelStats(raw: RawImageSet, indices?: ArrayLike<number>): { mean: number[]; std: number[] } {
  const C = raw.channels;
  const per = raw.height * raw.width * C;
  const sum = new Float64Array(C);
  const sq = new Float64Array(C);
  const n = indices ? indices.length : raw.count;
  for (let k = 0; k < n; k++) {
    const base = (indices ? indices[k] : k) * per;
    // accumulate per image in integers-as-doubles (exact), then add
    const s = new Float64Array(C);
    const q = new Float64Array(C);
    for (let i = 0; i < per; i += C) {
      for (let c = 0; c < C; c++) {
        const v = raw.images[base + i + c];
        s[c] += v;
        q[c] += v * v;
      }
    }
    for (let c = 0; c < C; c++) {
      sum[c] += s[c];
      sq[c] += q[c];
    }
  }
  const count = n * raw.height * raw.width;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sq, (q, c) => Math.sqrt(Math.max(0, q / count - mean[c] * mean[c])));
  return { mean, std };
}

function makeSplit(raw: RawImageSet, idx: Uint32Array, mean: number[], std: number[], noise: NoiseSpec | undefined, noiseSeed: number): DataSplit {
  const C = raw.channels;
  const per = raw.height * raw.width * C;
  const images = new Float32Array(idx.length * per);
  const labels = new Uint8Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const src = idx[k] * per;
    const dst = k * per;
    for (let i = 0; i < per; i++) images[dst + i] = raw.images[src + i] / 255;
    labels[k] = raw.labels[idx[k]];
  }
  const px = noise && noise.kind !== 'none' ? applyNoise(images, noise, noiseSeed, C) : images;
  const m = mean.map((v) => v / 255);
  const inv = std.map((v) => (v > 0 ? 255 / v : 1));
  for (let i = 0; i < px.length; i += C) {
    for (let c = 0; c < C; c++) px[i + c] = (px[i + c] - m[c]) * inv[c];
  }
  return { images: px, labels, shape: [idx.length, raw.height, raw.width, C], indices: idx };
}

/**
 * Loads a dataset. The official train set is shuffled with `seed`; the first
 * `limit` examples (all when absent) are split into validation (the first
 * round(n · validationFraction)) and train. With `limit`, the test set is a
 * seeded sample of testLimitFor(name, limit) examples, else the whole test set
 * in its official order. Pixels are normalised per channel with the train
 * split's mean and std.
 */
export async function loadDataset(opts: LoadDatasetOptions): Promise<Dataset> {
  const { name, seed } = opts;
  if (name !== 'mnist' && name !== 'cifar10') throw new Error(`unknown dataset '${String(name)}' (expected mnist or cifar10)`);
  if (!Number.isFinite(seed)) throw new RangeError(`loadDataset: seed must be a number, got ${seed}`);
  const vf = opts.validationFraction ?? 0.1;
  if (!(vf >= 0 && vf < 1)) throw new RangeError(`validationFraction must be in [0, 1), got ${vf}`);
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit > 0)) {
    throw new RangeError(`limit must be a positive integer, got ${opts.limit}`);
  }
  const dataDir = resolveDataDir(opts.dataDir);
  const raw = await loadRaw(name, dataDir, opts);

  const rng = new Random(seed);
  const perm = rng.permutation(raw.train.count);
  const n = Math.min(opts.limit ?? raw.train.count, raw.train.count);
  const nVal = Math.round(n * vf);
  const valIdx = perm.slice(0, nVal);
  const trainIdx = perm.slice(nVal, n);
  if (trainIdx.length === 0) throw new Error(`no training examples left (limit ${n}, validationFraction ${vf})`);

  let testIdx: Uint32Array;
  if (opts.limit !== undefined) {
    const nt = Math.min(testLimitFor(name, opts.limit), raw.test.count);
    testIdx = new Random(seed ^ 0x7e57).permutation(raw.test.count).slice(0, nt);
  } else {
    testIdx = Uint32Array.from({ length: raw.test.count }, (_, i) => i);
  }

  const { mean, std } = channelStats(raw.train, trainIdx);
  const noisy = new Set<SplitName>(opts.noiseSplits ?? ['test']);
  const noiseFor = (s: SplitName) => (noisy.has(s) ? opts.noise : undefined);
  const noiseSeed = (s: SplitName) => (seed * 31 + (s === 'train' ? 1 : s === 'validation' ? 2 : 3)) >>> 0;
  return {
    name,
    dataDir,
    train: makeSplit(raw.train, trainIdx, mean, std, noiseFor('train'), noiseSeed('train')),
    validation: makeSplit(raw.train, valIdx, mean, std, noiseFor('validation'), noiseSeed('validation')),
    test: makeSplit(raw.test, testIdx, mean, std, noiseFor('test'), noiseSeed('test')),
    numClasses: 10,
    classNames: name === 'mnist' ? ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] : CIFAR10_CLASSES,
    imageShape: [raw.train.height, raw.train.width, raw.train.channels],
    mean,
    std,
  };
}

export interface Batch {
  /** [B, H, W, C] float32 */
  xs: tf.Tensor4D;
  /** [B, numClasses] one-hot float32 */
  ys: tf.Tensor2D;
  /** The labels of this batch. */
  labels: Uint8Array;
  size: number;
}

export interface BatchOptions {
  /** Shuffle order with this seed (different seed per epoch, e.g. seed + epoch). Default: in order. */
  shuffleSeed?: number;
  /** Drop a final partial batch. Default false. */
  dropRemainder?: boolean;
  numClasses?: number;
  /**
   * Mirror each image left to right with probability 1/2, decided by a stream with this seed (give each
   * epoch its own). Default: no mirroring.
   */
  flipSeed?: number;
}

/** Mirrors images [b, H, W, C] of x left to right in place where flip[k] is true. */
export function mirrorImages(x: Float32Array, shape: [number, number, number, number], flip: ArrayLike<boolean>): void {
  const [b, H, W, C] = shape;
  for (let k = 0; k < b; k++) {
    if (!flip[k]) continue;
    for (let h = 0; h < H; h++) {
      const row = (k * H + h) * W * C;
      for (let w = 0; w < W >> 1; w++) {
        const l = row + w * C, r = row + (W - 1 - w) * C;
        for (let c = 0; c < C; c++) {
          const t = x[l + c];
          x[l + c] = x[r + c];
          x[r + c] = t;
        }
      }
    }
  }
}

/** Yields batches as tf tensors. The caller disposes each batch's tensors. */
export function* batches(split: DataSplit, batchSize: number, opts: BatchOptions = {}): Generator<Batch> {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const [N, H, W, C] = split.shape;
  const per = H * W * C;
  const K = opts.numClasses ?? 10;
  const order = opts.shuffleSeed !== undefined ? new Random(opts.shuffleSeed).permutation(N) : null;
  const flips = opts.flipSeed !== undefined ? new Random(opts.flipSeed) : null;
  for (let start = 0; start < N; start += batchSize) {
    const b = Math.min(batchSize, N - start);
    if (b < batchSize && opts.dropRemainder) return;
    let x: Float32Array;
    const labels = new Uint8Array(b);
    if (order) {
      x = new Float32Array(b * per);
      for (let k = 0; k < b; k++) {
        const i = order[start + k];
        x.set(split.images.subarray(i * per, (i + 1) * per), k * per);
        labels[k] = split.labels[i];
      }
    } else {
      x = split.images.slice(start * per, (start + b) * per);
      labels.set(split.labels.subarray(start, start + b));
    }
    // x is the batch's own copy (set from the shuffle or sliced), never the split's pixels.
    if (flips) {
      mirrorImages(x, [b, H, W, C], Array.from({ length: b }, () => flips.nextUint32() >= 0x80000000));
    }
    const y = new Float32Array(b * K);
    for (let k = 0; k < b; k++) y[k * K + labels[k]] = 1;
    yield { xs: tf.tensor4d(x, [b, H, W, C]), ys: tf.tensor2d(y, [b, K]), labels, size: b };
  }
}

/** Number of batches `batches()` yields. */
export function batchCount(split: DataSplit, batchSize: number, dropRemainder = false): number {
  return dropRemainder ? Math.floor(split.shape[0] / batchSize) : Math.ceil(split.shape[0] / batchSize);
}
