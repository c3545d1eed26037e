/** Small synthetic fixtures in the official MNIST / CIFAR-10 formats. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { encodeIdx } from '../../src/data/mnist';
import { encodeCifarRecords, encodeTar } from '../../src/data/cifar10';
import { Random } from '../../src/data/random';

const made: string[] = [];
// Registered at the top level of whichever test file imports this module.
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

export function tmpDir(prefix = 'qahan-data-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export function mnistArrays(n: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const r = new Random(seed);
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < 784; p++) images[i * 784 + p] = r.next() < 0.2 ? r.int(256) : 0;
  }
  return { images, labels };
}

export function mnistFileBytes(n: number, seed: number): { images: Buffer; labels: Buffer } {
  const a = mnistArrays(n, seed);
  return { images: encodeIdx([n, 28, 28], a.images), labels: encodeIdx([n], a.labels) };
}

/** Writes the four MNIST .gz files (or raw when gz=false) into <dataDir>/mnist. */
export function writeMnist(dataDir: string, nTrain = 120, nTest = 30, gz = true): Record<string, Buffer> {
  const dir = path.join(dataDir, 'mnist');
  fs.mkdirSync(dir, { recursive: true });
  const tr = mnistFileBytes(nTrain, 1);
  const te = mnistFileBytes(nTest, 2);
  const files: Record<string, Buffer> = {
    'train-images-idx3-ubyte': tr.images,
    'train-labels-idx1-ubyte': tr.labels,
    't10k-images-idx3-ubyte': te.images,
    't10k-labels-idx1-ubyte': te.labels,
  };
  const written: Record<string, Buffer> = {};
  for (const [name, buf] of Object.entries(files)) {
    const bytes = gz ? zlib.gzipSync(buf) : buf;
    const fname = gz ? `${name}.gz` : name;
    fs.writeFileSync(path.join(dir, fname), bytes);
    written[fname] = bytes;
  }
  return written;
}

export function cifarBatch(n: number, seed: number): { images: Uint8Array; labels: Uint8Array; bytes: Buffer } {
  const r = new Random(seed);
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = (i + seed) % 10;
    for (let p = 0; p < 1024; p++) {
      images[i * 3072 + 3 * p] = 200 + r.int(56); // R high
      images[i * 3072 + 3 * p + 1] = 100 + r.int(56); // G mid
      images[i * 3072 + 3 * p + 2] = r.int(56); // B low
    }
  }
  return { images, labels, bytes: encodeCifarRecords(images, labels) };
}

export const CIFAR_BATCH_NAMES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

export function cifarBatches(perBatch = 12): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  CIFAR_BATCH_NAMES.forEach((n, i) => (out[n] = cifarBatch(perBatch, i + 1).bytes));
  return out;
}

export function cifarTarGz(batches: Record<string, Buffer>): Buffer {
  const files: { name: string; data: Uint8Array }[] = [{ name: 'cifar-10-batches-bin/batches.meta.txt', data: Buffer.from('airplane\nautomobile\n') }];
  for (const [n, b] of Object.entries(batches)) files.push({ name: `cifar-10-batches-bin/${n}`, data: b });
  return zlib.gzipSync(encodeTar(files));
}
