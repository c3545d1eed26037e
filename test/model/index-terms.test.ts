import { BinaryQuadraticModel, Variable } from '../../src/model/bqm';

// fromQubo / fromIsing / from read an array of index terms through a direct loop (issue 11's fast path).
// Any other iterable takes the general path, so `terms.values()` gives the same input the other way: both
// must build the same model and throw the same errors.

type Terms = (readonly [Variable, Variable, number] | ArrayLike<number>)[];

/** Everything observable about a model, -0 told apart from 0. */
function snapshot(bqm: BinaryQuadraticModel) {
  const bits = (x: number) => (Object.is(x, -0) ? '-0' : x);
  return {
    vartype: bqm.vartype,
    n: bqm.numVariables,
    labelled: bqm.isLabelled,
    variables: bqm.variables,
    offset: bqm.offset,
    linear: Array.from(bqm.linear, bits),
    quadratic: [...bqm.interactions()].map(([u, v, b]) => [u, v, bits(b)]),
  };
}

/** The documented meaning, term by term through the public methods. */
function reference(vartype: 'SPIN' | 'BINARY', linear: ArrayLike<number>, terms: Terms, offset: number): BinaryQuadraticModel {
  const bqm = new BinaryQuadraticModel(vartype, linear.length, offset);
  for (let i = 0; i < linear.length; i++) bqm.addLinear(i, linear[i]);
  for (const t of terms) {
    if (t[0] === t[1]) bqm.addLinear(t[0] as number, t[2] as number);
    else bqm.addQuadratic(t[0] as Variable, t[1] as Variable, t[2] as number);
  }
  return bqm;
}

function randomTerms(seed: number, n: number, m: number, diagonal: boolean): [number, number, number][] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const out: [number, number, number][] = [];
  for (let t = 0; t < m; t++) {
    const i = Math.floor(rnd() * n);
    let j = Math.floor(rnd() * n);
    if (!diagonal && j === i) j = (i + 1) % n;
    out.push([i, j, Math.round((rnd() * 2 - 1) * 8) / 4]); // quarters: repeated pairs sum exactly, zeros occur
  }
  return out;
}

describe('index terms (the fast path)', () => {
  test('fromIsing, fromQubo and from build what the general path and the term-by-term reference build', () => {
    for (const seed of [1, 2, 3]) {
      const n = 30;
      const h = Array.from({ length: n - 5 }, (_, i) => (i % 4) - 1.5); // the terms reach beyond h
      const J = randomTerms(seed, n, 200, false); // (i, j) and (j, i) both occur and add up
      const ising = BinaryQuadraticModel.fromIsing(h, J, 0.25);
      expect(snapshot(ising)).toEqual(snapshot(BinaryQuadraticModel.fromIsing(h, J.values(), 0.25)));
      expect(snapshot(ising)).toEqual(snapshot(reference('SPIN', h, J, 0.25)));
      expect(ising.isLabelled).toBe(false);

      const Q = randomTerms(seed + 10, n, 200, true);
      const qubo = BinaryQuadraticModel.fromQubo(Q, -1);
      expect(snapshot(qubo)).toEqual(snapshot(BinaryQuadraticModel.fromQubo(Q.values(), -1)));
      expect(snapshot(qubo)).toEqual(snapshot(reference('BINARY', [], Q, -1)));

      const spin = BinaryQuadraticModel.from('SPIN', Float64Array.from(h), Q);
      expect(snapshot(spin)).toEqual(snapshot(BinaryQuadraticModel.from('SPIN', h, Q.values())));
      expect(snapshot(spin)).toEqual(snapshot(reference('SPIN', h, Q, 0)));
    }
  });

  test('typed-array rows, an empty model and -0 biases read as before', () => {
    const rows = [Float64Array.of(0, 2, 1.5), Int32Array.of(2, 0, 1)];
    const a = BinaryQuadraticModel.fromQubo(rows);
    expect(snapshot(a)).toEqual(snapshot(BinaryQuadraticModel.fromQubo(rows.values() as never)));
    expect(a.getQuadratic(0, 2)).toBe(2.5);
    expect(a.numVariables).toBe(3);
    expect(snapshot(BinaryQuadraticModel.fromQubo([]))).toEqual(snapshot(new BinaryQuadraticModel('BINARY')));
    const z = BinaryQuadraticModel.fromIsing([-0, 1], [[0, 1, -0]]);
    expect(snapshot(z)).toEqual(snapshot(BinaryQuadraticModel.fromIsing([-0, 1], [[0, 1, -0]].values() as Iterable<[number, number, number]>)));
  });

  test('a string label anywhere makes the same labelled model as before', () => {
    const terms: Terms = [[0, 1, 1], [1, 2, -1], ['a', 0, 2], [3, 'a', 0.5]];
    const a = BinaryQuadraticModel.fromQubo(terms as [Variable, Variable, number][]);
    expect(a.isLabelled).toBe(true);
    expect(a.variables).toEqual([0, 1, 2, 'a', 3]);
    expect(snapshot(a)).toEqual(snapshot(BinaryQuadraticModel.fromQubo((terms as [Variable, Variable, number][]).values())));
    const b = BinaryQuadraticModel.fromIsing([1, 2], terms as [Variable, Variable, number][]);
    expect(b.variables).toEqual([0, 1, 2, 'a', 3]);
    expect(b.getLinear(1)).toBe(2);
  });

  test('bad input throws the same error on both paths', () => {
    const big = BinaryQuadraticModel.MAX_VARIABLES;
    const cases: [string, () => unknown, () => unknown][] = [];
    const add = (name: string, terms: unknown[], h?: unknown, offset = 0) => {
      if (h === undefined) {
        cases.push([name, () => BinaryQuadraticModel.fromQubo(terms as never, offset), () => BinaryQuadraticModel.fromQubo(terms.values() as never, offset)]);
      } else {
        cases.push([name, () => BinaryQuadraticModel.fromIsing(h as never, terms as never, offset), () => BinaryQuadraticModel.fromIsing(h as never, terms.values() as never, offset)]);
      }
    };
    add('negative index', [[0, 1, 1], [-1, 1, 1]]);
    add('fractional index', [[0.5, 1, 1]]);
    add('NaN index', [[NaN, 1, 1]]);
    add('infinite label', [[Infinity, 1, 1]]);
    add('index beyond the limit', [[0, big, 1]]);
    add('NaN bias', [[0, 1, NaN]]);
    add('infinite bias', [[0, 1, 1], [1, 2, -Infinity]]);
    add('string bias', [[0, 1, '1']]);
    add('short row', [[0, 1]]);
    add('null row', [null]);
    add('bigint label', [[0, 1n, 1]]);
    add('object label', [[0, {}, 1]]);
    add('self-coupling in J', [[0, 1, 1], [1, 1, 2]], [0, 0]);
    add('NaN field', [[0, 1, 1]], [0, NaN]);
    add('bad field and bad index: the index first', [[0, -2, 1]], [NaN]);
    add('bad offset', [[0, 1, 1]], undefined, NaN);
    add('bad offset and bad field: the offset first', [[0, 1, 1]], [NaN], NaN);
    for (const [name, fast, general] of cases) {
      let expected: Error | undefined;
      try {
        general();
      } catch (e) {
        expected = e as Error;
      }
      expect([name, expected]).not.toEqual([name, undefined]);
      let got: Error | undefined;
      try {
        fast();
      } catch (e) {
        got = e as Error;
      }
      expect([name, got?.constructor, got?.message]).toEqual([name, expected!.constructor, expected!.message]);
    }
    // The messages themselves (what users see).
    expect(() => BinaryQuadraticModel.fromQubo([[0, -1, 1]])).toThrow(/term 0 j must be a non-negative integer variable label, got -1 \(rows of three numbers/);
    expect(() => BinaryQuadraticModel.fromIsing([0, 0], [[1, 1, 2]])).toThrow('J has a self-coupling (1, 1); put fields in h');
    expect(() => BinaryQuadraticModel.fromQubo([[0, 1, NaN]])).toThrow('quadratic bias of (0, 1) must be a finite number, got NaN');
  });

  test('fromQuboMatrix matches the same entries read as terms', () => {
    const n = 12;
    const Q = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => ((i * 7 + j * 3) % 5 === 0 ? ((i + 2 * j) % 7) - 3 : 0)));
    Q[n - 1][n - 1] = 1; // the last variable appears in the terms too
    const terms = Q.flatMap((row, i) => row.flatMap((b, j) => (b === 0 ? [] : [[i, j, b] as [number, number, number]])));
    expect(snapshot(BinaryQuadraticModel.fromQuboMatrix(Q, 2))).toEqual(snapshot(BinaryQuadraticModel.fromQubo(terms.values(), 2)));
    const bad = Q.map((r) => r.slice());
    bad[3][5] = NaN;
    expect(() => BinaryQuadraticModel.fromQuboMatrix(bad)).toThrow('quadratic bias of (3, 5) must be a finite number, got NaN');
    bad[3][5] = 0;
    bad[4][4] = Infinity;
    expect(() => BinaryQuadraticModel.fromQuboMatrix(bad)).toThrow('linear bias of 4 must be a finite number, got Infinity');
  });
});
