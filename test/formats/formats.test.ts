import fs from 'fs';
import path from 'path';
import { readBqp, writeBqp } from '../../src/formats/bqp';
import { readGset } from '../../src/formats/gset';
import { readIsing, writeIsing } from '../../src/formats/ising';

describe('bqp', () => {
  const text = ' 2 \n 3 4 \n 1 1 5 \n 1 2 -3 \n 2 3 2 \n 3 3 -1 \n 2 1 \n 1 2 4 \n';
  test('reads the minimisation form of the maximisation in the file', () => {
    const [a, b] = readBqp(text);
    expect(a.numVariables).toBe(3);
    // f(x) = 5 x1 - 1 x3 + 2(-3 x1 x2 + 2 x2 x3); E = -f.
    const f = (x: number[]) => 5 * x[0] - x[2] + 2 * (-3 * x[0] * x[1] + 2 * x[1] * x[2]);
    for (const x of [[1, 0, 0], [1, 1, 1], [0, 1, 1], [1, 0, 1]]) expect(a.energy(x)).toBe(-f(x));
    expect(b.energy([1, 1])).toBe(-8);
  });
  test('writes back what it reads', () => {
    const again = readBqp(writeBqp(readBqp(text)));
    expect(again[0].energy([1, 1, 1])).toBe(readBqp(text)[0].energy([1, 1, 1]));
  });
  test('truncated and malformed files give clear errors', () => {
    expect(() => readBqp(' 1 \n 3 4 \n 1 1 5 \n')).toThrow(/ends after 1 of 4/);
    expect(() => readBqp(' 1 \n 3 1 \n 1 4 5 \n')).toThrow(/outside 1..3/);
    expect(() => readBqp(' 1 \n 3 1 \n 1 x 5 \n')).toThrow(SyntaxError);
  });
  const shared = path.resolve(__dirname, '../../../shared/bench/bqp/bqp50.txt');
  (fs.existsSync(shared) ? test : test.skip)('reads the ten OR-Library bqp50 instances', () => {
    const models = readBqp(fs.readFileSync(shared, 'utf8'));
    expect(models).toHaveLength(10);
    models.forEach((m) => expect(m.numVariables).toBe(50));
  });
});

describe('gset', () => {
  test('cut = (W - E) / 2', () => {
    const g = readGset('4 4\n1 2 1\n2 3 1\n3 4 1\n4 1 -1\n');
    expect(g.totalWeight).toBe(2);
    const s = [1, -1, 1, -1];
    // Every edge is cut: cut weight = 1 + 1 + 1 - 1 = 2.
    expect(g.cutFromEnergy(g.bqm.energy(s))).toBe(2);
    expect(g.cutFromEnergy(g.bqm.energy([1, 1, 1, 1]))).toBe(0);
    expect(() => readGset('3 2\n1 2 1\n')).toThrow(/2 edges, found 1/);
  });
});

describe('ising', () => {
  test('fields on the diagonal, couplings off it, 1-indexed, comments skipped', () => {
    const bqm = readIsing('# a comment\n1 1 0.5\n1 2 -1\n2 3 2\n');
    expect(bqm.numVariables).toBe(3);
    expect(bqm.energy([1, 1, -1])).toBe(0.5 - 1 - 2);
    const again = readIsing(writeIsing(bqm));
    expect(again.energy([1, -1, -1])).toBe(bqm.energy([1, -1, -1]));
  });
});
