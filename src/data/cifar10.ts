/**
 * CIFAR-10 binary version reader: records of 1 label byte + 3072 pixel bytes
 * (1024 R, 1024 G, 1024 B, each 32x32 row-major). Reads either the extracted
 * `cifar-10-batches-bin/*.bin` or `cifar-10-binary.tar.gz` directly, with a
 * small ustar reader (no dependency).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { DataFormatError, RawImageSet } from './mnist';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export const CIFAR10_TRAIN_BATCHES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const CIFAR10_TEST_BATCH = 'test_batch.bin';
const RECORD = 1 + 3072;

/** md5 of each official batch file: a repacked archive is accepted when its batches match these. */
export const CIFAR10_BATCH_MD5: Readonly<Record<string, string>> = {
  'data_batch_1.bin': '5dd7e06a14cb22eb9f671a540d1b7c25',
  'data_batch_2.bin': '5ea93a67294ea407fff1d09f752e9692',
  'data_batch_3.bin': '942cd6a4bcdd0dd3c604fbe906cb4421',
  'data_batch_4.bin': 'ae636b3ba5c66a11e91e8cb52e771fcb',
  'data_batch_5.bin': '53f37980c15c3d472c316c40844f3f0d',
  'test_batch.bin': '803d5f7f4d78ea53de84dbe85f74fb6d',
};

/**
 * Whether a CIFAR-10 tar.gz holds exactly the official batches (by their own md5s), whatever the
 * archive's own bytes: archives repacked elsewhere differ from the published one but not inside.
 */
export function archiveHasOfficialBatches(file: string): boolean {
  let entries: TarEntry[];
  try {
    entries = readTar(zlib.gunzipSync(fs.readFileSync(file)), file);
  } catch {
    return false;
  }
  const byBase = new Map(entries.map((e) => [path.posix.basename(e.name), e.data] as const));
  return Object.entries(CIFAR10_BATCH_MD5).every(([name, md5]) => {
    const data = byBase.get(name);
    return !!data && crypto.createHash('md5').update(data).digest('hex') === md5;
  });
}

export interface TarEntry {
  name: string;
  type: string;
  data: Buffer;
}

function cstr(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end >= 0 && end < start + len ? end : start + len);
}

function octal(buf: Buffer, start: number, len: number, file: string): number {
  // GNU base-256 for big sizes
  if (buf[start] & 0x80) {
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + buf[i];
    return v;
  }
  const s = cstr(buf, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new DataFormatError(file, `corrupt tar header (bad octal field '${s}')`);
  return parseInt(s, 8);
}

/** Lists the regular files in a tar buffer (ustar, GNU long names, pax paths). */
export function readTar(tar: Buffer, file: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let off = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break; // end-of-archive block
    const stored = octal(h, 148, 8, file);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (sum !== stored) throw new DataFormatError(file, `corrupt tar header at offset ${off} (checksum mismatch)`);
    const size = octal(h, 124, 12, file);
    const type = String.fromCharCode(h[156] || 0x30);
    let name = cstr(h, 0, 100);
    if (h.toString('latin1', 257, 262) === 'ustar') {
      const prefix = cstr(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const dataStart = off + 512;
    if (dataStart + size > tar.length) throw new DataFormatError(file, `truncated tar: entry '${name}' needs ${size} bytes, ${tar.length - dataStart} left`);
    const data = tar.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = cstr(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      paxPath = m ? m[1] : null;
      continue;
    }
    if (type === 'g') continue;
    if (longName) name = longName;
    if (paxPath) name = paxPath;
    longName = null;
    paxPath = null;
    entries.push({ name, type, data });
  }
  return entries;
}

/** Parses CIFAR-10 records into HWC uint8 images. */
export function parseCifarBatches(buffers: { name: string; data: Uint8Array }[]): RawImageSet {
  let count = 0;
  for (const b of buffers) {
    if (b.data.length === 0 || b.data.length % RECORD !== 0) {
      throw new DataFormatError(b.name, `size ${b.data.length} is not a multiple of the ${RECORD}-byte CIFAR-10 record (truncated or corrupt)`);
    }
    count += b.data.length / RECORD;
  }
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const b of buffers) {
    const d = b.data;
    const recs = d.length / RECORD;
    for (let r = 0; r < recs; r++, n++) {
      const base = r * RECORD;
      const label = d[base];
      if (label > 9) throw new DataFormatError(b.name, `record ${r}: label ${label} is not in 0-9`);
      labels[n] = label;
      const o = n * 3072;
      const p = base + 1;
      for (let i = 0; i < 1024; i++) {
        images[o + 3 * i] = d[p + i];
        images[o + 3 * i + 1] = d[p + 1024 + i];
        images[o + 3 * i + 2] = d[p + 2048 + i];
      }
    }
  }
  return { images, labels, count, height: 32, width: 32, channels: 3 };
}

/** Reads extracted batches from a `cifar-10-batches-bin` folder. */
export function readCifar10Dir(dir: string): { train: RawImageSet; test: RawImageSet } {
  const load = (names: string[]) =>
    parseCifarBatches(
      names.map((n) => {
        const f = path.join(dir, n);
        if (!fs.existsSync(f)) throw new Error(`CIFAR-10 batch ${f} not found`);
        return { name: f, data: fs.readFileSync(f) };
      }),
    );
  return { train: load(CIFAR10_TRAIN_BATCHES), test: load([CIFAR10_TEST_BATCH]) };
}

/** Reads `cifar-10-binary.tar.gz` without extracting it to disk. */
export function readCifar10Archive(file: string): { train: RawImageSet; test: RawImageSet } {
  let tar: Buffer;
  try {
    tar = zlib.gunzipSync(fs.readFileSync(file));
  } catch (e) {
    throw new DataFormatError(file, `corrupt or truncated gzip data (${(e as Error).message})`);
  }
  const entries = readTar(tar, file);
  const byBase = new Map<string, TarEntry>();
  for (const e of entries) if (e.type === '0' || e.type === '\0') byBase.set(path.posix.basename(e.name), e);
  const pick = (n: string) => {
    const e = byBase.get(n);
    if (!e) throw new DataFormatError(file, `archive has no ${n}`);
    return { name: `${file}:${e.name}`, data: e.data };
  };
  return { train: parseCifarBatches(CIFAR10_TRAIN_BATCHES.map(pick)), test: parseCifarBatches([pick(CIFAR10_TEST_BATCH)]) };
}

/** Encodes CIFAR-10 records from HWC images (for fixtures and tools). */
export function encodeCifarRecords(images: Uint8Array, labels: Uint8Array): Buffer {
  const n = labels.length;
  const out = Buffer.alloc(n * RECORD);
  for (let k = 0; k < n; k++) {
    const base = k * RECORD;
    out[base] = labels[k];
    for (let i = 0; i < 1024; i++) {
      out[base + 1 + i] = images[k * 3072 + 3 * i];
      out[base + 1 + 1024 + i] = images[k * 3072 + 3 * i + 1];
      out[base + 1 + 2048 + i] = images[k * 3072 + 3 * i + 2];
    }
  }
  return out;
}

/** Writes a minimal ustar archive (for fixtures and tools). */
export function encodeTar(files: { name: string; data: Uint8Array }[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const h = Buffer.alloc(512);
    h.write(f.name, 0, 100, 'utf8');
    h.write('0000644\0', 100, 'latin1');
    h.write('0000000\0', 108, 'latin1');
    h.write('0000000\0', 116, 'latin1');
    h.write(f.data.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
    h.write('00000000000\0', 136, 'latin1');
    h.write('        ', 148, 'latin1');
    h[156] = 0x30;
    h.write('ustar\0', 257, 'latin1');
    h.write('00', 263, 'latin1');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += h[i];
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    parts.push(h, Buffer.from(f.data), Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
