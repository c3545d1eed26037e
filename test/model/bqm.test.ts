import { BinaryQuadraticModel } from '../../src/model/bqm';
import { fromDimodJSON, toDimodJSON } from '../../src/model/dimod-json';

function allStates(n: number, vartype: 'SPIN' | 'BINARY'): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < 1 << n; s++) out.push(Array.from({ length: n }, (_, i) => ((s >> i) & 1 ? 1 : vartype === 'SPIN' ? -1 : 0)));
  return out;
}

function randomBqm(n: number, vartype: 'SPIN' | 'BINARY', seed: number): BinaryQuadraticModel {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const bqm = new BinaryQuadraticModel(vartype, n, rnd());
  for (let i = 0; i < n; i++) bqm.addLinear(i, rnd());
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (rnd() > -0.2) bqm.addQuadratic(i, j, rnd());
  return bqm;
}

describe('BinaryQuadraticModel', () => {
  test('fromQubo: terms, diagonal as linear, (i,j) and (j,i) add up', () => {
    const bqm = BinaryQuadraticModel.fromQubo([[0, 0, -1], [0, 1, 2], [1, 0, 0.5], [2, 2, 3]], 1.5);
    expect(bqm.vartype).toBe('BINARY');
    expect(bqm.numVariables).toBe(3);
    expect(Array.from(bqm.linear)).toEqual([-1, 0, 3]);
    expect(bqm.getQuadratic(1, 0)).toBe(2.5);
    expect(bqm.energy([1, 1, 0])).toBe(1.5 - 1 + 2.5);
  });

  test('fromQubo: object, Map and dense matrix give the same model', () => {
    const a = BinaryQuadraticModel.fromQubo({ '0,0': 1, '0,1': -2, '1,1': 3 });
    const b = BinaryQuadraticModel.fromQubo(new Map([['0,0', 1], ['0,1', -2], ['1,1', 3]]));
    const c = BinaryQuadraticModel.fromQubo([[1, -2], [0, 3]]);
    for (const s of allStates(2, 'BINARY')) {
      expect(b.energy(s)).toBe(a.energy(s));
      expect(c.energy(s)).toBe(a.energy(s));
    }
  });

  test('fromIsing', () => {
    const bqm = BinaryQuadraticModel.fromIsing([1, -1], [[0, 1, 0.5]], 2);
    expect(bqm.vartype).toBe('SPIN');
    expect(bqm.energy([1, 1])).toBe(2 + 1 - 1 + 0.5);
    expect(() => BinaryQuadraticModel.fromIsing([0], [[0, 0, 1]])).toThrow(RangeError);
  });

  test.each(['SPIN', 'BINARY'] as const)('changeVartype from %s is exact on every state', (vt) => {
    const bqm = randomBqm(6, vt, 11);
    const other = bqm.changeVartype(vt === 'SPIN' ? 'BINARY' : 'SPIN');
    const back = other.changeVartype(vt);
    for (const s of allStates(6, vt)) {
      const t = s.map((v) => (vt === 'SPIN' ? (v + 1) / 2 : 2 * v - 1));
      expect(other.energy(t)).toBeCloseTo(bqm.energy(s), 10);
      expect(back.energy(s)).toBeCloseTo(bqm.energy(s), 10);
    }
  });

  test('bad input names the argument', () => {
    expect(() => BinaryQuadraticModel.fromQubo([[0, 1, NaN]])).toThrow(/finite/);
    expect(() => BinaryQuadraticModel.fromQubo([[-1, 1, 1]])).toThrow(RangeError);
    expect(() => BinaryQuadraticModel.fromQubo([[0.5, 1, 1]])).toThrow(RangeError);
    expect(() => new BinaryQuadraticModel('SPIN', 2).addQuadratic(1, 1, 1)).toThrow(/two different/);
    expect(() => new BinaryQuadraticModel('ternary' as never)).toThrow(TypeError);
    const bqm = new BinaryQuadraticModel('SPIN', 2);
    expect(() => bqm.energy([1, 0])).toThrow(/samples?\[1\]|sample\[1\]/);
    expect(() => bqm.energy([1])).toThrow(/2 values/);
  });

  test('dimod JSON round trip and a model serialised by Python dimod', () => {
    const bqm = randomBqm(5, 'SPIN', 3);
    const { bqm: back } = fromDimodJSON(JSON.parse(JSON.stringify(toDimodJSON(bqm))));
    for (const s of allStates(5, 'SPIN')) expect(back.energy(s)).toBeCloseTo(bqm.energy(s), 12);
    // What dimod 0.12 writes for BQM({'a': 1, 'b': -1}, {('a','b'): 0.5}, 1.5, 'BINARY').to_serializable().
    const python = {
      type: 'BinaryQuadraticModel', version: { bqm_schema: '3.0.0' }, use_bytes: false, index_type: 'int32', bias_type: 'float64',
      num_variables: 2, num_interactions: 1, variable_labels: ['a', 'b'], variable_type: 'BINARY', offset: 1.5, info: {},
      linear_biases: [1.0, -1.0], quadratic_head: [1], quadratic_tail: [0], quadratic_biases: [0.5],
    };
    const { bqm: m, labels } = fromDimodJSON(python);
    expect(labels).toEqual(['a', 'b']);
    expect(m.energy([1, 1])).toBe(1.5 + 1 - 1 + 0.5);
    expect(() => fromDimodJSON({ ...python, version: { bqm_schema: '2.0.0' } })).toThrow(/schema/);
  });
});

describe('dense-backed models', () => {
  test('fromDense samples without materialising terms, and terms appear when asked for', () => {
    const n = 5;
    const linear = [1, -1, 0.5, 0, 2];
    const dense = new Float64Array(n * n);
    dense[0 * n + 1] = 0.5;
    dense[2 * n + 4] = -1.5;
    dense[3 * n + 1] = 9; // below the diagonal: ignored
    const bqm = BinaryQuadraticModel.fromDense('BINARY', linear, dense, 0.25);
    expect(bqm.toNative().dense).toBeDefined();
    expect(bqm.numInteractions).toBe(2);
    expect(bqm.getQuadratic(4, 2)).toBe(-1.5);
    expect(bqm.energy([1, 1, 1, 0, 1])).toBe(0.25 + 1 - 1 + 0.5 + 2 + 0.5 - 1.5);
    bqm.addVariable(6);
    expect(bqm.numVariables).toBe(7);
    expect(bqm.getQuadratic(0, 1)).toBe(0.5);
    expect(() => BinaryQuadraticModel.fromDense('SPIN', [0, 0], [0, NaN, 0, 0])).toThrow(/dense\[1\]/);
  });
});
