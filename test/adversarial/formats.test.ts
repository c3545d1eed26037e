/**
 * Issue 8, item 13: the text readers check sizes against the native limit before allocating, reject a bqp
 * pair given twice, `qahan solve` picks the format from the file's name and content (never its folders),
 * and BiqMac's sparse QUBO format is read and written.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { main } from '../../src/cli/main';
import { readBiqMac, readBqp, readGset, readIsing, writeBiqMac, guessFormat } from '../../src/formats';
import { BinaryQuadraticModel } from '../../src/model/bqm';

/** Memory that a large allocation grows: the JS heap plus ArrayBuffers (typed arrays live outside the heap). */
const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Runs fn, returning what it threw; fails when that takes longer than `ms` or grows memory by more than 64 MB. */
function thrown(fn: () => unknown, ms = 500): Error {
  const heap0 = used();
  const t0 = performance.now();
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(performance.now() - t0).toBeLessThan(ms);
  expect(used() - heap0).toBeLessThan(64 * 2 ** 20);
  if (!(error instanceof Error)) throw new Error(`expected a throw, got ${String(error)}`);
  return error;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Every BINARY state of n variables. */
const states = (n: number) => Array.from({ length: 1 << n }, (_, s) => Array.from({ length: n }, (_, i) => (s >> i) & 1));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-adv-formats-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sizes are checked against the native limit before allocating', () => {
  test('a Gset header "100000000 0" fails at once, naming the limit', () => {
    const e = thrown(() => readGset('100000000 0\n'), 50);
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('gset: line 1: the node count n is 100000000, more than the 67108864 variables qahan\'s native core supports');
    expect(thrown(() => readGset('67108865 0\n'), 50)).toBeInstanceOf(RangeError);
  });

  test('bqp and BiqMac headers too, and a bqp file cannot add up instances beyond the limit', () => {
    expect(thrown(() => readBqp('1\n100000000 0\n'), 50).message).toMatch(/n is 100000000, more than the 67108864/);
    expect(thrown(() => readBiqMac('100000000 0\n'), 50).message).toMatch(/dimension n is 100000000, more than the 67108864/);
    // Ten headers of 2^25 variables each, no entries: the third would take the file past 2^26.
    const many = ['10', ...Array.from({ length: 10 }, () => `${2 ** 25} 0`)].join('\n');
    const e = thrown(() => readBqp(many), 100);
    expect(e.message).toMatch(/line 4: the instances up to 3 declare 100663296 variables, more than the 67108864/);
    // An entry count beyond the file's lines fails before the model is made.
    expect(thrown(() => readBqp('1\n5000000 1000000000\n1 1 1\n'), 50).message).toMatch(/file ends after 1 of 1000000000 entries \(announced on line 2\)/);
  });

  test('an Ising label past the limit is named as the cause', () => {
    const e = thrown(() => readIsing('67108865 67108865 1\n'), 50);
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/line 1: i 67108865 would make a model of 67108865 spins, more than the 67108864/);
    expect(thrown(() => readIsing('0 67108864 1\n', { zeroBased: true }), 50)).toBeInstanceOf(RangeError);
  });

  test('qahan solve names the model size and the SQA slice limit, not a parameter the user never set, and fails fast', async () => {
    // 2^20 + 1 spins x 64 slices is past SQA's 2^26 slice values (the 2^26 spins x 16 slices, 8 MB instead of 512 MB).
    const file = path.join(dir, 'far-label.txt');
    fs.writeFileSync(file, '1048577 1048577 1\n');
    const t0 = performance.now();
    const r = await cli(['solve', file, '--sampler', 'sqa', '--slices', '64', '--json']);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the model has 1048577 variables .*sqa with 64 Trotter slices takes at most 1048576 .*use --sampler sa or --slices 63 or fewer/);
  });
});

describe('a bqp pair given twice is an error with its line numbers', () => {
  test('the same (i, j) twice, (i, j) then (j, i), and a diagonal entry twice', () => {
    let e = thrown(() => readBqp('1\n3 3\n1 2 1\n2 3 1\n1 2 4\n'));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('bqp: line 5: the pair (1, 2) was already given on line 3; each pair must appear once');
    e = thrown(() => readBqp('1\n3 2\n# c\n3 1 1\n1 3 1\n'));
    expect(e.message).toMatch(/line 5: the pair \(1, 3\) was already given on line 4/);
    e = thrown(() => readBqp('1\n2 2\n2 2 1\n2 2 1\n'));
    expect(e.message).toMatch(/line 4: the diagonal entry \(2, 2\) was already given on line 3/);
  });

  test('the same pair in two instances is fine', () => {
    const [a, b] = readBqp('2\n2 1\n1 2 1\n2 1\n1 2 3\n');
    expect(a.getQuadratic(0, 1)).toBe(-2);
    expect(b.getQuadratic(0, 1)).toBe(-6);
  });
});

describe('qahan solve picks the format from the file name and content, not the folders', () => {
  const square = '4 4\n1 2 1\n2 3 1\n3 4 1\n4 1 1\n';

  test('a Gset file in a folder named bqp_suite is read as Gset', async () => {
    const folder = path.join(dir, 'bqp_suite');
    fs.mkdirSync(folder);
    const file = path.join(folder, 'G-square.txt');
    fs.writeFileSync(file, square);
    expect(guessFormat(file, square)).toBe('gset');
    const r = await cli(['solve', file, '--sampler', 'exact', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ format: 'gset', cut: 4 });
  });

  test('the guess, by content first', () => {
    expect(guessFormat('/data/bqp/anything.txt', '#c\n 1 \n 2 1\n 1 2 3\n')).toBe('bqp');
    expect(guessFormat('/data/bqp/bqp50.txt', '# x\n1 2 -1\n')).toBe('ising');
    expect(guessFormat('/data/G1.txt', square)).toBe('gset');
    // Two numbers first: a diagonal entry (no Gset graph has a self-loop) or a BiqMac-style name make it BiqMac.
    expect(guessFormat('/data/q.txt', '3 2\n1 2 1\n3 3 -2\n')).toBe('biqmac');
    expect(guessFormat('/bqp_suite/G1.txt', square)).toBe('gset');
    expect(guessFormat('/x/bqp100-1.sparse', square)).toBe('biqmac');
    expect(guessFormat('/x/gka1a', square)).toBe('biqmac');
    expect(guessFormat('/gka/maxcut.txt', square)).toBe('gset');
  });

  test('a reader error says how the format was guessed', async () => {
    const file = path.join(dir, 'loop.txt');
    fs.writeFileSync(file, '2 1\n1 1 1\n3 3 1\n');
    const r = await cli(['solve', file, '--sampler', 'exact']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/loop\.txt: biqmac: line 1 announces 1 entries, the file has 2 \(read as biqmac, guessed .*--format/);
  });
});

describe('BiqMac sparse format', () => {
  // min x'Qx with Q symmetric, given once per pair: Q11 = 3, Q12 = Q21 = -2, Q23 = Q32 = 1.5, Q33 = -2.
  const text = '# a comment\n3 4\n1 1 3\n1 2 -2\n3 2 1.5\n3 3 -2\n';

  test('reads E(x) = x\'Qx as a minimisation, diagonal entries linear', () => {
    const bqm = readBiqMac(text);
    expect(bqm.vartype).toBe('BINARY');
    expect(bqm.numVariables).toBe(3);
    for (const x of states(3)) {
      const q = [[3, -2, 0], [-2, 0, 1.5], [0, 1.5, -2]];
      let e = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) e += q[i][j] * x[i] * x[j];
      expect(bqm.energy(x)).toBeCloseTo(e, 12);
    }
  });

  test('rejects a pair given twice, a bad count, a label out of range', () => {
    expect(thrown(() => readBiqMac('2 2\n1 2 1\n2 1 1\n')).message).toBe(
      'biqmac: line 3: the pair (1, 2) was already given on line 2; each pair must appear once',
    );
    expect(thrown(() => readBiqMac('2 3\n1 2 1\n')).message).toMatch(/announces 3 entries, the file has 1/);
    expect(thrown(() => readBiqMac('2 1\n1 3 1\n'))).toBeInstanceOf(RangeError);
    expect(thrown(() => readBiqMac('2 1\n1 2\n'))).toBeInstanceOf(SyntaxError);
  });

  test('writeBiqMac round-trips, SPIN models included (offset as a comment)', () => {
    const bqm = readBiqMac(text);
    const back = readBiqMac(writeBiqMac(bqm));
    for (const x of states(3)) expect(back.energy(x)).toBe(bqm.energy(x));
    const spin = BinaryQuadraticModel.fromIsing([0.5, -1], [[0, 1, 2]]);
    const written = writeBiqMac(spin);
    expect(written.split('\n')[0]).toMatch(/^# offset /);
    const binary = readBiqMac(written);
    const offset = spin.changeVartype('BINARY').offset;
    for (const x of states(2)) expect(binary.energy(x) + offset).toBeCloseTo(spin.energy(x.map((v) => 2 * v - 1)), 12);
  });

  test('qahan solve --format biqmac reports the objective (the energy, minimised)', async () => {
    const file = path.join(dir, 'tiny.bq');
    fs.writeFileSync(file, text);
    const r = await cli(['solve', file, '--format', 'biqmac', '--sampler', 'exact', '--json']);
    expect(r.code).toBe(0);
    // Best (unique): x = (0, 0, 1) with energy -2; next (1, 1, 0) with -1.
    expect(JSON.parse(r.out)).toMatchObject({ format: 'biqmac', energy: -2, objective: -2, sample: [0, 0, 1] });
    const guessed = await cli(['solve', file, '--sampler', 'exact', '--json']);
    expect(JSON.parse(guessed.out)).toMatchObject({ format: 'biqmac', energy: -2 });
  });
});
