/**
 * MNIST IDX reader (gzipped or raw). Every error names the file.
 *
 * IDX layout: magic (0x00 0x00, type byte 0x08 = unsigned byte, rank byte),
 * then `rank` big-endian uint32 dimensions, then the data.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { MNIST_FILES, findMnistFile } from './download';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Uint8 images [count, height, width, channels] (HWC) with labels. */
export interface RawImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

import { DataFormatError } from '../errors';

export { DataFormatError };

/** Reads a file, gunzipping it when it is gzip (by magic bytes). */
export function readMaybeGzip(file: string): Buffer {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new DataFormatError(file, `cannot read (${(e as Error).message})`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return zlib.gunzipSync(buf);
    } catch (e) {
      throw new DataFormatError(file, `corrupt or truncated gzip data (${(e as Error).message})`);
    }
  }
  if (file.endsWith('.gz')) throw new DataFormatError(file, 'not a gzip file (bad magic bytes)');
  return buf;
}

/** Parses an unsigned-byte IDX buffer. `expectedRank` checks the rank byte. */
export function parseIdx(buf: Uint8Array, file: string, expectedRank?: number): IdxArray {
  if (buf.length < 4) throw new DataFormatError(file, `too short for an IDX header (${buf.length} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new DataFormatError(file, `bad IDX magic number 0x${Buffer.from(buf.subarray(0, 4)).toString('hex')}`);
  }
  if (buf[2] !== 0x08) throw new DataFormatError(file, `unsupported IDX element type 0x${buf[2].toString(16)} (expected 0x08, unsigned byte)`);
  const rank = buf[3];
  if (expectedRank !== undefined && rank !== expectedRank) {
    throw new DataFormatError(file, `bad IDX magic number 0x0000080${rank}: expected rank ${expectedRank}, got ${rank}`);
  }
  const headerLen = 4 + 4 * rank;
  if (buf.length < headerLen) throw new DataFormatError(file, `truncated IDX header (${buf.length} of ${headerLen} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - headerLen;
  if (have < size) throw new DataFormatError(file, `truncated: ${have} data bytes, header says ${size} (${dims.join('x')})`);
  if (have > size) throw new DataFormatError(file, `${have - size} unexpected trailing bytes after ${dims.join('x')} data`);
  return { dims, data: buf.subarray(headerLen, headerLen + size) };
}

/** Reads an MNIST image file + label file pair and checks they agree. */
export function readMnistPair(imagesFile: string, labelsFile: string): RawImageSet {
  const img = parseIdx(readMaybeGzip(imagesFile), imagesFile, 3);
  const lab = parseIdx(readMaybeGzip(labelsFile), labelsFile, 1);
  const [count, height, width] = img.dims;
  if (height !== 28 || width !== 28) throw new DataFormatError(imagesFile, `images are ${height}x${width}, expected 28x28`);
  if (count === 0) throw new DataFormatError(imagesFile, 'contains no images');
  if (lab.dims[0] !== count) {
    throw new DataFormatError(labelsFile, `has ${lab.dims[0]} labels but ${path.basename(imagesFile)} has ${count} images`);
  }
  for (let i = 0; i < lab.data.length; i++) {
    if (lab.data[i] > 9) throw new DataFormatError(labelsFile, `label ${lab.data[i]} at index ${i} is not a digit 0-9`);
  }
  return { images: img.data, labels: lab.data, count, height, width, channels: 1 };
}

/**
 * Reads MNIST from a folder holding the four official files (`.gz` or raw).
 * No downloading or checksums here: see ensureMnist in ./download.
 */
export function readMnist(dir: string): { train: RawImageSet; test: RawImageSet } {
  const get = (name: string) => {
    const f = findMnistFile(dir, name);
    if (!f) throw new Error(`MNIST file ${path.join(dir, name)} not found`);
    return f;
  };
  return {
    train: readMnistPair(get(MNIST_FILES.trainImages), get(MNIST_FILES.trainLabels)),
    test: readMnistPair(get(MNIST_FILES.testImages), get(MNIST_FILES.testLabels)),
  };
}

/** Builds an IDX buffer (for fixtures and tools). */
export function encodeIdx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}
