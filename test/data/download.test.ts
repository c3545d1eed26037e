import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { PassThrough } from 'stream';
import { cachedMd5, downloadOnce, downloadWithMirrors, ensureCifar10, ensureMnist, MNIST_FILES, verifyMd5 } from '../../src/data/download';
import { loadDataset } from '../../src/data/dataset';
import { cifarBatches, cifarTarGz, tmpDir, writeMnist } from './fixtures';

const md5 = (b: Uint8Array) => crypto.createHash('md5').update(b).digest('hex');

type Route = { status?: number; body?: Buffer; truncateAt?: number; delayMs?: number };
let routes: Record<string, Route> = {};
let hits: string[] = [];
let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const r = routes[req.url ?? ''];
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (r.status && r.status !== 200) {
      res.writeHead(r.status);
      res.end();
      return;
    }
    const body = r.body ?? Buffer.alloc(0);
    res.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
    if (r.truncateAt !== undefined) {
      res.write(body.subarray(0, r.truncateAt), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  routes = {};
  hits = [];
});

/** A port with nothing listening. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const quiet = { progress: false, timeoutMs: 5000 };
const payload = crypto.randomBytes(50_000);

describe('downloadOnce / downloadWithMirrors', () => {
  test('good download: file in place, sidecar written, no temp files left', async () => {
    routes['/f.bin'] = { body: payload };
    const d = tmpDir();
    const dest = path.join(d, 'sub', 'f.bin');
    await downloadOnce(`${base}/f.bin`, dest, md5(payload), quiet);
    expect(fs.readFileSync(dest).equals(payload)).toBe(true);
    expect(fs.existsSync(path.join(d, 'sub', '.f.bin.md5.json'))).toBe(true);
    expect(fs.readdirSync(path.join(d, 'sub')).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  test('progress bar goes to the given stream', async () => {
    routes['/f.bin'] = { body: payload };
    const out = new PassThrough();
    let text = '';
    out.on('data', (c) => (text += c.toString()));
    await downloadOnce(`${base}/f.bin`, path.join(tmpDir(), 'f.bin'), undefined, { progress: true, progressStream: out });
    expect(text).toMatch(/downloading f\.bin \[#+\] 100% 48\.8 KiB\/48\.8 KiB/);
  });

  test('md5 mismatch, truncated body, 404, connection refused → clear errors, no file', async () => {
    const d = tmpDir();
    const dest = path.join(d, 'f.bin');
    routes['/f.bin'] = { body: payload };
    await expect(downloadOnce(`${base}/f.bin`, dest, '0'.repeat(32), quiet)).rejects.toThrow(/md5 mismatch: got [0-9a-f]{32}, expected 0{32}/);
    routes['/t.bin'] = { body: payload, truncateAt: 10_000 };
    await expect(downloadOnce(`${base}/t.bin`, dest, md5(payload), quiet)).rejects.toThrow(/aborted|closed mid-transfer|truncated|ECONNRESET/);
    await expect(downloadOnce(`${base}/missing.bin`, dest, undefined, quiet)).rejects.toThrow(/HTTP 404/);
    const port = await closedPort();
    await expect(downloadOnce(`http://127.0.0.1:${port}/f.bin`, dest, undefined, quiet)).rejects.toThrow(/ECONNREFUSED/);
    expect(fs.readdirSync(d)).toEqual([]);
  });

  test('all mirrors failing: one error listing them, saying where to put the file', async () => {
    const d = tmpDir();
    const port = await closedPort();
    const urls = [`${base}/nope.gz`, `http://127.0.0.1:${port}/x.gz`];
    const err = await downloadWithMirrors(urls, path.join(d, 'x.gz'), undefined, quiet).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain(`could not download x.gz (offline?) — put the files in ${d}`);
    expect(msg).toContain(`${base}/nope.gz: HTTP 404`);
    expect(msg).toMatch(/x\.gz: ECONNREFUSED/);
  });

  test('falls back to the next mirror', async () => {
    routes['/m2/f.bin'] = { body: payload };
    const dest = path.join(tmpDir(), 'f.bin');
    const used = await downloadWithMirrors([`${base}/m1/f.bin`, `${base}/m2/f.bin`], dest, md5(payload), quiet);
    expect(used).toBe(`${base}/m2/f.bin`);
    expect(hits).toEqual(['/m1/f.bin', '/m2/f.bin']);
  });

  test('a good file survives a failed re-download', async () => {
    const d = tmpDir();
    const dest = path.join(d, 'f.bin');
    fs.writeFileSync(dest, payload);
    routes['/bad.bin'] = { body: Buffer.from('garbage') };
    routes['/trunc.bin'] = { body: Buffer.alloc(40_000, 7), truncateAt: 1000 };
    await expect(downloadOnce(`${base}/bad.bin`, dest, md5(payload), quiet)).rejects.toThrow(/md5 mismatch/);
    await expect(downloadOnce(`${base}/trunc.bin`, dest, undefined, quiet)).rejects.toThrow();
    await expect(downloadOnce(`${base}/404.bin`, dest, undefined, quiet)).rejects.toThrow(/404/);
    expect(fs.readFileSync(dest).equals(payload)).toBe(true);
    expect(fs.readdirSync(d)).toEqual(['f.bin']);
  });
});

describe('lazy md5 verification with a sidecar cache', () => {
  test('cached by size+mtime, recomputed when the file changes', async () => {
    const d = tmpDir();
    const f = path.join(d, 'a.bin');
    fs.writeFileSync(f, payload);
    expect(await cachedMd5(f)).toBe(md5(payload));
    const side = path.join(d, '.a.bin.md5.json');
    const entry = JSON.parse(fs.readFileSync(side, 'utf8'));
    expect(entry.md5).toBe(md5(payload));
    // The cache is trusted while size and mtime match (proof it is not recomputed):
    fs.writeFileSync(side, JSON.stringify({ ...entry, md5: 'cafe'.repeat(8) }));
    expect(await cachedMd5(f)).toBe('cafe'.repeat(8));
    // A changed file (mtime) is re-hashed.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(f, later, later);
    expect(await cachedMd5(f)).toBe(md5(payload));
    await expect(verifyMd5(f, '1'.repeat(32))).rejects.toThrow(new RegExp(`checksum mismatch for ${f.replace(/[.]/g, '\\.')}`));
  });
});

describe('ensureMnist / ensureCifar10 against a local mirror', () => {
  function serveMnist(): Record<string, string> {
    const src = tmpDir();
    const files = writeMnist(src, 60, 12);
    const sums: Record<string, string> = {};
    for (const [name, bytes] of Object.entries(files)) {
      routes[`/mnist/${name}`] = { body: bytes };
      sums[name] = md5(bytes);
    }
    return sums;
  }

  test('downloads the four files, then uses them without downloading again', async () => {
    const sums = serveMnist();
    const d = tmpDir();
    const opts = { ...quiet, mnistMirrors: [`${base}/down/`, `${base}/mnist/`], md5: sums };
    const files = await ensureMnist(d, opts);
    expect(Object.keys(files).sort()).toEqual(Object.keys(MNIST_FILES).sort());
    for (const name of Object.values(MNIST_FILES)) expect(fs.existsSync(path.join(d, 'mnist', name))).toBe(true);
    const n = hits.length;
    await ensureMnist(d, opts);
    expect(hits.length).toBe(n);
    const ds = await loadDataset({ name: 'mnist', dataDir: d, seed: 3, validationFraction: 0.25, ...opts });
    expect(ds.train.shape).toEqual([45, 28, 28, 1]);
    expect(ds.test.shape).toEqual([12, 28, 28, 1]);
  });

  test('a corrupt existing file is replaced by a verified download; offline gives a clear error', async () => {
    const sums = serveMnist();
    const d = tmpDir();
    const opts = { ...quiet, mnistMirrors: [`${base}/mnist/`], md5: sums };
    await ensureMnist(d, opts);
    const f = path.join(d, 'mnist', 'train-labels-idx1-ubyte.gz');
    const good = fs.readFileSync(f);
    fs.writeFileSync(f, Buffer.from('corrupt'));
    await ensureMnist(d, opts);
    expect(fs.readFileSync(f).equals(good)).toBe(true);

    fs.writeFileSync(f, Buffer.from('corrupt'));
    const port = await closedPort();
    await expect(ensureMnist(d, { ...opts, mnistMirrors: [`http://127.0.0.1:${port}/`] })).rejects.toThrow(
      /checksum mismatch for .*train-labels-idx1-ubyte\.gz.*re-download failed: could not download train-labels-idx1-ubyte\.gz \(offline\?\) — put the files in/s,
    );
    await expect(ensureMnist(d, { ...opts, download: false })).rejects.toThrow(/checksum mismatch for .*train-labels-idx1-ubyte\.gz/);
    expect(fs.readFileSync(f).toString()).toBe('corrupt'); // bad file only ever replaced by a verified one

    const empty = tmpDir();
    await expect(ensureMnist(empty, { ...opts, mnistMirrors: [`http://127.0.0.1:${port}/`] })).rejects.toThrow(
      `could not download train-images-idx3-ubyte.gz (offline?) — put the files in ${path.join(empty, 'mnist')}`,
    );
    await expect(ensureMnist(empty, { ...opts, download: false })).rejects.toThrow(/missing .*train-images-idx3-ubyte\.gz \(downloads disabled\)/);
  });

  test('CIFAR-10 archive is downloaded to <dataDir>/cifar-10/ and read', async () => {
    const gz = cifarTarGz(cifarBatches(5));
    routes['/cifar.tar.gz'] = { body: gz };
    const d = tmpDir();
    const opts = { ...quiet, cifar10Urls: [`${base}/cifar.tar.gz`], md5: { 'cifar-10-binary.tar.gz': md5(gz) } };
    const src = await ensureCifar10(d, opts);
    expect(src).toEqual({ kind: 'archive', file: path.join(d, 'cifar-10', 'cifar-10-binary.tar.gz') });
    const ds = await loadDataset({ name: 'cifar10', dataDir: d, seed: 1, validationFraction: 0, ...opts });
    expect(ds.train.shape).toEqual([25, 32, 32, 3]);
    expect(ds.test.shape).toEqual([5, 32, 32, 3]);
    // wrong checksum on the server → nothing written
    const d2 = tmpDir();
    await expect(ensureCifar10(d2, { ...opts, md5: { 'cifar-10-binary.tar.gz': '2'.repeat(32) } })).rejects.toThrow(/md5 mismatch/);
    expect(fs.readdirSync(path.join(d2, 'cifar-10'))).toEqual([]);
  });
});
