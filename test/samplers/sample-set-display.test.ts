import { inspect } from 'util';
import { SampleSet } from '../../src/samplers/sample-set';

function set(rows: number, n: number, labels?: string[]): SampleSet {
  const samples = new Int8Array(rows * n).map((_, k) => ((k * 7 + (k >> 3)) % 3 === 0 ? 1 : -1));
  return new SampleSet({ vartype: 'SPIN', numVariables: n, samples, energies: Array.from({ length: rows }, (_, r) => (r * 5) % 7 - 3.5), variables: labels });
}

describe('SampleSet you can read', () => {
  test('String(ss) is a dimod-like table with labels, energies and occurrences', () => {
    const ss = set(3, 3, ['paris', 'lyon', 'nice']);
    const text = String(ss);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\s+paris\s+lyon\s+nice\s+energy\s+num_oc\.$/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^0\s+\+1\s+-1\s+-1\s+-3\.5\s+1$/);
    expect(lines[4]).toBe("['SPIN', 3 rows, 3 samples, 3 variables]");
    expect(inspect(ss)).toBe(`SampleSet\n${text}`);
    expect(inspect(ss)).not.toMatch(/rowsCache|labels|data:/);
    expect(inspect(ss.first)).toMatch(/^\{ assignment: \{ paris: /);
  });

  test('large sets are truncated in rows and columns', () => {
    const text = set(1000, 50).toString();
    const lines = text.split('\n');
    expect(lines.length).toBe(1 + 11 + 1);
    expect(lines[0]).toMatch(/ 5 \.\.\. 44 /);
    expect(lines[6]).toMatch(/^\.\.\./);
    expect(lines[lines.length - 2]).toMatch(/^999 /);
  });

  test('rows iterate, filter, truncate, changeVartype, toTable', () => {
    const ss = set(6, 2, ['a', 'b']);
    const rows = [...ss];
    expect(rows).toHaveLength(6);
    expect(rows[0].assignment).toEqual({ a: ss.samples[0][0], b: ss.samples[0][1] });
    const low = ss.filter((r) => r.energy < 0);
    expect(low.variables).toEqual(['a', 'b']);
    expect([...low].every((r) => r.energy < 0)).toBe(true);
    const two = ss.truncate(2);
    expect(Array.from(two.energies)).toEqual([...ss.energies].sort((x, y) => x - y).slice(0, 2));
    expect(ss.truncate(2, false).energies[0]).toBe(ss.energies[0]);
    const bin = ss.changeVartype('BINARY', 1);
    expect(bin.vartype).toBe('BINARY');
    expect(Array.from(bin.samples[0])).toEqual(Array.from(ss.samples[0]).map((v) => (v + 1) / 2));
    expect(bin.energies[0]).toBe(ss.energies[0] + 1);
    expect(ss.toTable()[0]).toEqual({ a: ss.samples[0][0], b: ss.samples[0][1], energy: ss.energies[0], 'num_oc.': 1 });
  });
});
