/**
 * Fetching and verifying the official dataset archives.
 *
 * Downloads stream into a temporary file next to the destination, are checked
 * (length and md5) and then atomically renamed into place, so a partial or bad
 * download never replaces a good file. Existing files are md5-verified lazily:
 * the result is cached in a small sidecar file (`.<name>.md5.json`) keyed by
 * the file's size and mtime.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import axios from 'axios';
import { archiveHasOfficialBatches } from './cifar10';

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

export const MNIST_MD5: Readonly<Record<string, string>> = {
  'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
  'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
  't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
  't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
};

export const DEFAULT_MNIST_MIRRORS: readonly string[] = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
];

export const CIFAR10_ARCHIVE = 'cifar-10-binary.tar.gz';
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';

export interface DownloadOptions {
  /** Per-request timeout for connecting / stalls, ms. Default 30000. */
  timeoutMs?: number;
  /** Progress bar on stderr: default only when stderr is a TTY. */
  progress?: boolean;
  /** Where the progress bar goes (default process.stderr). */
  progressStream?: NodeJS.WritableStream;
}

export interface EnsureOptions extends DownloadOptions {
  /** Download missing files (default true). */
  download?: boolean;
  /** md5-verify files (default true). */
  verify?: boolean;
  /** Cache verification results in sidecar files (default true). */
  cacheVerification?: boolean;
  /** MNIST mirror base URLs, tried in order. Also QAHAN_MNIST_MIRRORS (comma-separated). */
  mnistMirrors?: readonly string[];
  /** CIFAR-10 archive URL(s). */
  cifar10Urls?: readonly string[];
  /** Override expected md5s by file name (tests, private mirrors). */
  md5?: Readonly<Record<string, string>>;
}

/** md5 of a file, streamed. */
export async function md5File(file: string): Promise<string> {
  const hash = crypto.createHash('md5');
  await new Promise<void>((resolve, reject) => {
    const s = fs.createReadStream(file);
    s.on('data', (c) => hash.update(c));
    s.on('error', reject);
    s.on('end', () => resolve());
  });
  return hash.digest('hex');
}

function sidecarPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.md5.json`);
}

interface Sidecar {
  size: number;
  mtimeMs: number;
  md5: string;
}

/**
 * md5 of `file`, from the sidecar cache when the file's size and mtime are
 * unchanged, else computed (and cached when `cache`).
 */
export async function cachedMd5(file: string, cache = true): Promise<string> {
  const st = fs.statSync(file);
  const side = sidecarPath(file);
  if (cache) {
    try {
      const c = JSON.parse(fs.readFileSync(side, 'utf8')) as Sidecar;
      if (c.size === st.size && c.mtimeMs === st.mtimeMs && typeof c.md5 === 'string') return c.md5;
    } catch {
      /* no or unreadable sidecar */
    }
  }
  const md5 = await md5File(file);
  if (cache) {
    try {
      const entry: Sidecar = { size: st.size, mtimeMs: st.mtimeMs, md5 };
      fs.writeFileSync(side, JSON.stringify(entry) + '\n');
    } catch {
      /* read-only data dir: just don't cache */
    }
  }
  return md5;
}

import { ChecksumError, DownloadError } from '../errors';
import { ProgressBar } from '../cli/progress';

export { ChecksumError };

/** Throws ChecksumError when the md5 of `file` is not `expected`. */
export async function verifyMd5(file: string, expected: string, cache = true): Promise<void> {
  const actual = await cachedMd5(file, cache);
  if (actual !== expected.toLowerCase()) throw new ChecksumError(file, expected, actual);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export { DownloadError };

function describeError(e: unknown): string {
  if (axios.isAxiosError(e)) {
    if (e.response) return `HTTP ${e.response.status}${e.response.statusText ? ' ' + e.response.statusText : ''}`;
    if (e.code) return `${e.code}${e.message && !e.message.includes(e.code) ? ' ' + e.message : ''}`;
  }
  const err = e as { code?: string; message?: string };
  if (err && err.code && err.message && !err.message.includes(err.code)) return `${err.code} ${err.message}`;
  return err?.message ?? String(e);
}

/**
 * Downloads one URL to a temporary file in `dest`'s folder, checks length and
 * (when given) md5, then renames it over `dest`. On failure the temp file is
 * removed and `dest` is untouched; the error says why.
 */
export async function downloadOnce(url: string, dest: string, md5: string | undefined, opts: DownloadOptions = {}): Promise<void> {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.part`);
  const stream = opts.progressStream ?? process.stderr;
  const tty = Boolean((stream as NodeJS.WriteStream).isTTY);
  const showProgress = opts.progress ?? tty;
  const timeout = opts.timeoutMs ?? 30000;
  try {
    const controller = new AbortController();
    const res = await axios.get(url, {
      responseType: 'stream',
      timeout,
      signal: controller.signal,
      maxRedirects: 5,
      decompress: false, // we want the .gz bytes as published
      validateStatus: (s) => s >= 200 && s < 300,
    });
    const total = Number(res.headers['content-length'] ?? 0) || 0;
    const hash = crypto.createHash('md5');
    const out = fs.createWriteStream(tmp);
    const bar = showProgress
      ? new ProgressBar(`downloading ${path.basename(dest)}`, total, { stream, formatCount: formatBytes, formatRate: (r) => `${formatBytes(r)}/s`, logEveryMs: 2000 })
      : null;
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const body = res.data as NodeJS.ReadableStream & { destroy(e?: Error): void };
      let stall: NodeJS.Timeout | undefined;
      const arm = () => {
        if (stall) clearTimeout(stall);
        stall = setTimeout(() => {
          const err = new Error(`stalled: no data for ${timeout} ms`);
          controller.abort();
          body.destroy(err);
          reject(err);
        }, timeout);
      };
      const fail = (e: Error) => {
        if (stall) clearTimeout(stall);
        out.destroy();
        reject(e);
      };
      arm();
      body.on('data', (chunk: Buffer) => {
        received += chunk.length;
        hash.update(chunk);
        bar?.update(received);
        arm();
        if (!out.write(chunk)) {
          body.pause();
          out.once('drain', () => body.resume());
        }
      });
      body.on('error', fail);
      body.on('aborted', () => fail(new Error('connection closed mid-transfer')));
      body.on('end', () => {
        if (stall) clearTimeout(stall);
        out.end((err?: Error | null) => (err ? reject(err) : resolve()));
      });
      out.on('error', fail);
    });
    bar?.update(received);
    bar?.done();
    if (total > 0 && received !== total) {
      throw new Error(`truncated: got ${received} of ${total} bytes`);
    }
    const got = hash.digest('hex');
    if (md5 && got !== md5.toLowerCase()) {
      throw new Error(`md5 mismatch: got ${got}, expected ${md5}`);
    }
    fs.renameSync(tmp, dest);
    // Freshly verified: record it so the next run doesn't re-hash.
    if (md5) {
      try {
        const st = fs.statSync(dest);
        fs.writeFileSync(sidecarPath(dest), JSON.stringify({ size: st.size, mtimeMs: st.mtimeMs, md5: got }) + '\n');
      } catch {
        /* ignore */
      }
    }
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* ignore */
    }
    throw new DownloadError(describeError(e));
  }
}

/**
 * Tries each URL in turn. All failing gives one error that lists every
 * attempt and says where to put the file by hand.
 */
export async function downloadWithMirrors(urls: readonly string[], dest: string, md5: string | undefined, opts: DownloadOptions = {}): Promise<string> {
  const failures: string[] = [];
  for (const url of urls) {
    try {
      await downloadOnce(url, dest, md5, opts);
      return url;
    } catch (e) {
      failures.push(`${url}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new DownloadError(
    `could not download ${path.basename(dest)} (offline?) — put the files in ${path.dirname(dest)}\n  ` + failures.join('\n  '),
  );
}

function mirrorsFrom(opts: EnsureOptions): readonly string[] {
  if (opts.mnistMirrors && opts.mnistMirrors.length) return opts.mnistMirrors;
  const env = process.env.QAHAN_MNIST_MIRRORS;
  if (env && env.trim()) return env.split(',').map((s) => s.trim()).filter(Boolean);
  return DEFAULT_MNIST_MIRRORS;
}

function joinUrl(base: string, name: string): string {
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}

/**
 * Makes sure `file` exists and has md5 `expected`: verifies an existing file
 * (lazily), downloads a missing one, and re-downloads one whose checksum is
 * wrong (the bad file is only replaced by a verified download).
 */
async function ensureFile(file: string, urls: readonly string[], expected: string | undefined, opts: EnsureOptions): Promise<void> {
  const verify = opts.verify ?? true;
  const cache = opts.cacheVerification ?? true;
  if (fs.existsSync(file)) {
    if (!verify || !expected) return;
    try {
      await verifyMd5(file, expected, cache);
      return;
    } catch (e) {
      if (!(e instanceof ChecksumError) || opts.download === false) throw e;
      try {
        await downloadWithMirrors(urls, file, expected, opts);
        return;
      } catch (d) {
        throw new Error(`${e.message}; re-download failed: ${(d as Error).message}`);
      }
    }
  }
  if (opts.download === false) {
    throw new Error(`missing ${file} (downloads disabled) — put the file there`);
  }
  await downloadWithMirrors(urls, file, verify ? expected : undefined, opts);
}

/** Where an MNIST file is: the official .gz name, or the same without .gz (raw IDX). */
export function findMnistFile(dir: string, gzName: string): string | null {
  const gz = path.join(dir, gzName);
  if (fs.existsSync(gz)) return gz;
  const raw = path.join(dir, gzName.replace(/\.gz$/, ''));
  if (fs.existsSync(raw)) return raw;
  return null;
}

/**
 * Ensures the four MNIST files are in `<dataDir>/mnist/` (downloading what is
 * missing) and returns their paths. Raw (un-gzipped) IDX files are accepted as
 * they are (the published md5s are of the .gz files).
 */
export async function ensureMnist(dataDir: string, opts: EnsureOptions = {}): Promise<Record<keyof typeof MNIST_FILES, string>> {
  const dir = path.join(dataDir, 'mnist');
  const mirrors = mirrorsFrom(opts);
  const out = {} as Record<keyof typeof MNIST_FILES, string>;
  for (const key of Object.keys(MNIST_FILES) as (keyof typeof MNIST_FILES)[]) {
    const name = MNIST_FILES[key];
    const found = findMnistFile(dir, name);
    if (found && !found.endsWith('.gz')) {
      out[key] = found;
      continue;
    }
    const file = path.join(dir, name);
    const expected = opts.md5?.[name] ?? MNIST_MD5[name];
    await ensureFile(
      file,
      mirrors.map((m) => joinUrl(m, name)),
      expected,
      opts,
    );
    out[key] = file;
  }
  return out;
}

export type Cifar10Source = { kind: 'batches'; dir: string } | { kind: 'archive'; file: string };

/** Extracted CIFAR-10 batch folders that are accepted, in order. */
export function cifar10BatchDirs(dataDir: string): string[] {
  return [path.join(dataDir, 'cifar-10-batches-bin'), path.join(dataDir, 'cifar-10', 'cifar-10-batches-bin')];
}

/**
 * Finds CIFAR-10: an extracted `cifar-10-batches-bin/` folder (with all six
 * batches), else `<dataDir>/cifar-10/cifar-10-binary.tar.gz` (verified,
 * downloaded when missing).
 */
export async function ensureCifar10(dataDir: string, opts: EnsureOptions = {}): Promise<Cifar10Source> {
  const needed = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  for (const dir of cifar10BatchDirs(dataDir)) {
    if (needed.every((f) => fs.existsSync(path.join(dir, f)))) return { kind: 'batches', dir };
  }
  const file = path.join(dataDir, 'cifar-10', CIFAR10_ARCHIVE);
  const expected = opts.md5?.[CIFAR10_ARCHIVE] ?? CIFAR10_MD5;
  // A repacked archive (other tar/gzip settings) fails the published md5 but may hold the official
  // batches byte for byte; accept it when every batch matches its own published md5.
  if ((opts.verify ?? true) && !opts.md5?.[CIFAR10_ARCHIVE] && fs.existsSync(file)) {
    const actual = await cachedMd5(file, opts.cacheVerification ?? true);
    if (actual !== expected && archiveHasOfficialBatches(file)) return { kind: 'archive', file };
  }
  await ensureFile(file, opts.cifar10Urls ?? [CIFAR10_URL], expected, opts);
  return { kind: 'archive', file };
}
