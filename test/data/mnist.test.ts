import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { encodeIdx, parseIdx, readMnist, readMnistPair } from '../../src/data/mnist';
import { mnistArrays, tmpDir, writeMnist } from './fixtures';

describe('MNIST IDX reader', () => {
  test('reads gzipped and raw files', () => {
    for (const gz of [true, false]) {
      const d = tmpDir();
      writeMnist(d, 50, 20, gz);
      const { train, test } = readMnist(path.join(d, 'mnist'));
      const want = mnistArrays(50, 1);
      expect(train.count).toBe(50);
      expect(test.count).toBe(20);
      expect([train.height, train.width, train.channels]).toEqual([28, 28, 1]);
      expect(Buffer.from(train.images).equals(Buffer.from(want.images))).toBe(true);
      expect(Array.from(train.labels)).toEqual(Array.from(want.labels));
    }
  });

  function pairWith(images: Buffer, labels: Buffer, gz = true): { img: string; lab: string } {
    const d = tmpDir();
    const img = path.join(d, gz ? 'train-images-idx3-ubyte.gz' : 'train-images-idx3-ubyte');
    const lab = path.join(d, gz ? 'train-labels-idx1-ubyte.gz' : 'train-labels-idx1-ubyte');
    fs.writeFileSync(img, gz ? zlib.gzipSync(images) : images);
    fs.writeFileSync(lab, gz ? zlib.gzipSync(labels) : labels);
    return { img, lab };
  }
  const a = mnistArrays(5, 3);
  const goodImages = encodeIdx([5, 28, 28], a.images);
  const goodLabels = encodeIdx([5], a.labels);

  test('bad magic number names the file', () => {
    const bad = Buffer.from(goodImages);
    bad[0] = 0x12;
    const { img, lab } = pairWith(bad, goodLabels);
    expect(() => readMnistPair(img, lab)).toThrow(new RegExp(`${img.replace(/[.]/g, '\\.')}: bad IDX magic`));
    // label file given where images are expected: rank mismatch
    const p2 = pairWith(goodLabels, goodLabels);
    expect(() => readMnistPair(p2.img, p2.lab)).toThrow(/train-images-idx3-ubyte\.gz: bad IDX magic number 0x00000801: expected rank 3/);
  });

  test('truncated data and truncated gzip are reported', () => {
    const p = pairWith(goodImages.subarray(0, goodImages.length - 100), goodLabels);
    expect(() => readMnistPair(p.img, p.lab)).toThrow(/train-images-idx3-ubyte\.gz: truncated: 3820 data bytes, header says 3920/);
    const d = tmpDir();
    const img = path.join(d, 'train-images-idx3-ubyte.gz');
    const gz = zlib.gzipSync(goodImages);
    fs.writeFileSync(img, gz.subarray(0, gz.length - 30));
    const lab = path.join(d, 'l.gz');
    fs.writeFileSync(lab, zlib.gzipSync(goodLabels));
    expect(() => readMnistPair(img, lab)).toThrow(/train-images-idx3-ubyte\.gz: corrupt or truncated gzip/);
    fs.writeFileSync(img, goodImages); // .gz name, raw content
    expect(() => readMnistPair(img, lab)).toThrow(/not a gzip file/);
  });

  test('count mismatch, bad dimensions, bad labels, trailing bytes', () => {
    const p = pairWith(goodImages, encodeIdx([4], a.labels.subarray(0, 4)));
    expect(() => readMnistPair(p.img, p.lab)).toThrow(/train-labels-idx1-ubyte\.gz: has 4 labels but train-images-idx3-ubyte\.gz has 5 images/);
    const p2 = pairWith(encodeIdx([5, 28, 27], a.images.subarray(0, 5 * 28 * 27)), goodLabels);
    expect(() => readMnistPair(p2.img, p2.lab)).toThrow(/images are 28x27, expected 28x28/);
    const badLab = Uint8Array.from(a.labels);
    badLab[2] = 11;
    const p3 = pairWith(goodImages, encodeIdx([5], badLab));
    expect(() => readMnistPair(p3.img, p3.lab)).toThrow(/label 11 at index 2/);
    expect(() => parseIdx(Buffer.concat([goodLabels, Buffer.from([1, 2])]), 'x.idx', 1)).toThrow(/x\.idx: 2 unexpected trailing bytes/);
    expect(() => parseIdx(Buffer.from([0, 0, 8]), 'y.idx')).toThrow(/y\.idx: too short/);
  });

  test('missing file is named', () => {
    const d = tmpDir();
    expect(() => readMnist(d)).toThrow(/train-images-idx3-ubyte\.gz not found/);
  });
});
