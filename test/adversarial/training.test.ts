/**
 * Issue 8, item 15: training options are validated before anything is loaded or written; a truncated,
 * empty or diverged (NaN) checkpoint is refused with an error naming the file; `--resume` with nothing to
 * resume is an error. Runs on a synthetic 16-image dataset with the 'none' method (no shared data needed).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import type { Dataset, DataSplit } from '../../src/data/dataset';
import { QahanError } from '../../src/errors';
import { CHECKPOINT_BIN, CHECKPOINT_JSON, CheckpointError, loadCheckpoint } from '../../src/train/checkpoint';
import { buildNetwork, readJsonl, train, TrainOptions } from '../../src/train/trainer';
import { wasmOrCpu } from '../train/test-backend';

jest.setTimeout(60_000);

let tmp: string;

beforeAll(async () => {
  await wasmOrCpu();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-adv-train-'));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function split(n: number, seed: number): DataSplit {
  const images = new Float32Array(n * 28 * 28);
  let x = seed;
  for (let i = 0; i < images.length; i++) images[i] = ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  return { images, labels, shape: [n, 28, 28, 1], indices: Uint32Array.from({ length: n }, (_, i) => i) };
}

const data: Dataset = {
  name: 'mnist',
  dataDir: '',
  train: split(16, 1),
  validation: split(0, 2),
  test: split(8, 3),
  numClasses: 10,
  classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  imageShape: [28, 28, 1],
  mean: [0],
  std: [1],
};

const base = (out: string): TrainOptions => ({ dataset: 'mnist', method: 'none', epochs: 1, out, seed: 0, data, batchSize: 8, progress: false });

async function cli(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    return { code: await main(args), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** A finished one-epoch run to damage; each test gets its own copy. */
let goodRun: string;
beforeAll(async () => {
  goodRun = path.join(tmp, 'good');
  await train(base(goodRun));
});

function copyRun(name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(goodRun, dir, { recursive: true });
  return dir;
}

describe('training options are validated before anything happens', () => {
  test.each([
    [{ lr: -1 }, RangeError, /lr \(the learning rate\) must be in \(0, 1\], got -1/],
    [{ lr: 0 }, RangeError, /lr/],
    [{ lr: NaN }, RangeError, /lr/],
    [{ lr: 5 }, RangeError, /lr/],
    [{ lr: '0.1' }, TypeError, /lr must be a number/],
    [{ epochs: 0 }, RangeError, /epochs must be an integer in 1\.\.1000000, got 0/],
    [{ epochs: 1.5 }, RangeError, /epochs/],
    [{ batchSize: 0 }, RangeError, /batchSize/],
    [{ batchSize: 2 ** 20 }, RangeError, /batchSize must be an integer in 1\.\.65536/],
    [{ limit: -5 }, RangeError, /limit/],
    [{ seed: -1 }, RangeError, /seed/],
    [{ evalBatchSize: 0.5 }, RangeError, /evalBatchSize/],
    [{ resume: 'yes' }, TypeError, /resume/],
  ])('%p', async (bad, type, message) => {
    const out = path.join(tmp, 'never-created');
    const t0 = performance.now();
    const err = await train({ ...base(out), ...(bad as object) }).catch((e) => e);
    expect(err).toBeInstanceOf(type);
    expect(err.message).toMatch(message);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('qahan train --lr -1 is a usage error (exit 2), before any data is loaded', async () => {
    const out = path.join(tmp, 'cli-lr');
    const r = await cli(['train', '--lr=-1', '--out', out, '--data-dir', path.join(tmp, 'no-data'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--lr \(the learning rate\) must be in \(0, 1\], got "-1"/);
    expect((await cli(['train', '--lr', '0', '--out', out, '--quiet'])).code).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('checkpoints that cannot be resumed are refused, naming the file', () => {
  test('the good checkpoint resumes (a second epoch continues from step 2)', async () => {
    const dir = copyRun('resume-ok');
    const r = await train({ ...base(dir), epochs: 2, resume: true });
    expect(r.epochs.map((m) => [m.epoch, m.steps])).toEqual([[1, 2], [2, 4]]);
  });

  test('a truncated checkpoint.bin', async () => {
    const dir = copyRun('truncated-bin');
    const bin = path.join(dir, CHECKPOINT_BIN);
    const size = fs.statSync(bin).size;
    fs.truncateSync(bin, Math.floor(size / 2));
    const err = await train({ ...base(dir), epochs: 2, resume: true }).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err).toBeInstanceOf(QahanError);
    expect(err.name).toBe('CheckpointError');
    expect(err.file).toBe(bin);
    expect(err.message).toContain(bin);
    expect(err.message).toMatch(/corrupt: \d+ bytes where checkpoint\.json describes \d+ \(truncated\?\)/);
  });

  test('an empty or truncated checkpoint.json', async () => {
    const dir = copyRun('bad-json');
    const json = path.join(dir, CHECKPOINT_JSON);
    const text = fs.readFileSync(json, 'utf8');
    fs.writeFileSync(json, '');
    let err = await train({ ...base(dir), epochs: 2, resume: true }).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.message).toMatch(new RegExp(`^${json.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the checkpoint is corrupt: the file is empty`));
    fs.writeFileSync(json, text.slice(0, text.length / 2));
    err = await train({ ...base(dir), epochs: 2, resume: true }).catch((e) => e);
    expect(err.message).toMatch(/checkpoint\.json: the checkpoint is corrupt: the file is not valid JSON/);
    fs.writeFileSync(json, JSON.stringify({ ...JSON.parse(text), variables: [{ name: 'x', shape: [-1], offset: 0 }] }));
    err = await train({ ...base(dir), epochs: 2, resume: true }).catch((e) => e);
    expect(err.message).toMatch(/checkpoint\.json: the checkpoint is corrupt: variables\[0\] \(x\) has shape \[-1\]/);
  });

  test('NaN weights are refused, and the network is left untouched', async () => {
    const dir = copyRun('nan');
    const bin = path.join(dir, CHECKPOINT_BIN);
    const buf = fs.readFileSync(bin);
    buf.writeFloatLE(NaN, 4 * 3);
    fs.writeFileSync(bin, buf);
    const net = buildNetwork('mnist', 'none', 5);
    try {
      const before = Array.from(await net.variables[0].data());
      const err = await loadCheckpoint(dir, net).catch((e) => e);
      expect(err).toBeInstanceOf(CheckpointError);
      expect(err.message).toContain(bin);
      expect(err.message).toMatch(/holds NaN at index 3: the run had diverged; refusing to resume/);
      expect(Array.from(await net.variables[0].data())).toEqual(before);
      expect(net.step).toBe(0);
    } finally {
      net.dispose();
    }
  });

  test('checkpoint.json without its .bin is damage, not a fresh start', async () => {
    const dir = copyRun('no-bin');
    fs.rmSync(path.join(dir, CHECKPOINT_BIN));
    const err = await train({ ...base(dir), epochs: 2, resume: true }).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.message).toMatch(/checkpoint\.bin: is missing/);
    // Nothing was overwritten.
    expect(readJsonl(path.join(dir, 'metrics.jsonl'))).toHaveLength(1);
  });

  test('a checkpoint of another method is refused before the data loads', async () => {
    const dir = copyRun('other-method');
    const err = await train({ ...base(dir), method: 'soft', epochs: 2, resume: true }).catch((e) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.message).toMatch(/checkpoint\.json: the checkpoint is of a 'none' run, this one trains 'soft'/);
  });

  test('a corrupt metrics.jsonl line names the file and line', async () => {
    const dir = copyRun('bad-metrics');
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), '{"epoch": 2, "trai');
    expect(() => readJsonl(path.join(dir, 'metrics.jsonl'))).toThrow(/metrics\.jsonl: line 2 is corrupt/);
  });
});

describe('--resume with nothing to resume', () => {
  test('the CLI refuses a missing folder or a folder without a checkpoint (exit 2)', async () => {
    const missing = path.join(tmp, 'does-not-exist');
    let r = await cli(['train', '--method', 'none', '--resume', '--out', missing, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--resume: nothing to resume, .*does-not-exist does not exist/);
    expect(fs.existsSync(missing)).toBe(false);
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    r = await cli(['train', '--method', 'none', '--resume', '--out', empty, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds no checkpoint\.json/);
  });

  test('the library says on stderr that it starts a new run', async () => {
    const out = path.join(tmp, 'fresh');
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      await train({ ...base(out), resume: true, progress: true });
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toMatch(/resume: .*fresh does not exist; starting a new run from epoch 1/);
  });
});
