/**
 * Issue 8, items 2, 3, 12 and 14: hostile sizes and values given to models and sample sets fail fast with
 * TypeErrors/RangeErrors, allocating nothing large (each case is timed and its heap growth bounded).
 */
import { BinaryQuadraticModel } from '../../src/model/bqm';
import { MAX_VARIABLES } from '../../src/model/limits';
import { SampleSet } from '../../src/samplers/sample-set';

/** Memory that a large allocation grows: the JS heap plus ArrayBuffers (typed arrays live outside the heap). */
const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Runs fn, returning what it threw; fails when it takes longer than `ms` or grows memory by more than 64 MB. */
function thrown(fn: () => unknown, ms = 500): Error {
  const heap0 = used();
  const t0 = performance.now();
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  const elapsed = performance.now() - t0;
  expect(elapsed).toBeLessThan(ms);
  expect(used() - heap0).toBeLessThan(64 * 2 ** 20);
  if (!(error instanceof Error)) throw new Error(`expected a throw, got ${String(error)}`);
  return error;
}

/** A valid serialised set: 2 SPIN variables, 2 rows. Tests spoil one field at a time. */
function validJSON(): Record<string, any> {
  return new SampleSet({
    vartype: 'SPIN',
    numVariables: 2,
    samples: Int8Array.from([-1, 1, 1, 1]),
    energies: [-1, 1],
    numOccurrences: [2, 1],
  }).toJSON() as unknown as Record<string, any>;
}

describe('item 2: SampleSet.fromJSON checks sizes before allocating', () => {
  test('the 142-byte JSON with num_variables 2^31 and no rows is a RangeError, not a heap OOM', () => {
    const text = JSON.stringify({
      type: 'SampleSet', version: { sampleset_schema: '3.2.0' }, num_variables: 2147483648, num_rows: 0,
      sample_data: { data: [] }, vectors: { energy: { data: [] } }, variable_type: 'SPIN',
    });
    expect(text.length).toBeLessThan(200);
    const e = thrown(() => SampleSet.fromJSON(text));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/num_variables is 2147483648, more than the supported 67108864/);
  });

  test('num_rows and num_rows x num_variables are bounded too', () => {
    const j = validJSON();
    expect(thrown(() => SampleSet.fromJSON({ ...j, num_rows: 2 ** 40 }))).toBeInstanceOf(RangeError);
    const e = thrown(() => SampleSet.fromJSON({ ...j, num_rows: 2 ** 26, num_variables: 2 ** 5 }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/sample values/);
    expect(thrown(() => SampleSet.fromJSON({ ...j, num_variables: -1 }))).toBeInstanceOf(RangeError);
    expect(thrown(() => SampleSet.fromJSON({ ...j, num_variables: '2' }))).toBeInstanceOf(TypeError);
  });

  test('the SampleSet constructor bounds numVariables too (toJSON would list every label)', () => {
    const e = thrown(() => new SampleSet({ vartype: 'SPIN', numVariables: 2 ** 31, samples: new Int8Array(0), energies: [] }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/numVariables must be an integer in 0\.\.67108864/);
  });

  test('the largest allowed variable count with no rows and no labels is read without a large allocation', () => {
    const j = validJSON();
    delete j.variable_labels;
    const heap0 = used();
    const ss = SampleSet.fromJSON({ ...j, num_variables: MAX_VARIABLES, num_rows: 0, sample_data: { data: [] }, vectors: { energy: { data: [] } } });
    expect(ss.numVariables).toBe(MAX_VARIABLES);
    expect(ss.length).toBe(0);
    expect(used() - heap0).toBeLessThan(64 * 2 ** 20);
  });
});

describe('item 3: energies() refuses sizes beyond the native limits before calling the addon', () => {
  test('a zero-variable model with 2^30 rows is a RangeError, not a fatal allocation failure', () => {
    const empty = new BinaryQuadraticModel('SPIN', 0, 1.5);
    // 2^30 valid (empty) rows, without materialising them: every index reads as [].
    const rows = new Proxy({ length: 2 ** 30 }, { get: (t, k) => (k === 'length' ? t.length : []) }) as unknown as ArrayLike<ArrayLike<number>>;
    const e = thrown(() => empty.energies(rows));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/1073741824 rows/);
  });

  test('rows x variables beyond 2^30 values is a RangeError before the rows are read', () => {
    const bqm = new BinaryQuadraticModel('BINARY', 1024);
    const rows = { length: 2 ** 21 } as unknown as ArrayLike<ArrayLike<number>>;
    const e = thrown(() => bqm.energies(rows));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/values/);
    expect(thrown(() => bqm.energies({ length: -3 } as unknown as ArrayLike<ArrayLike<number>>))).toBeInstanceOf(TypeError);
    expect(thrown(() => bqm.energies(null as unknown as Int8Array))).toBeInstanceOf(TypeError);
  });

  test('ordinary calls still work, including a zero-variable model', () => {
    expect(Array.from(new BinaryQuadraticModel('SPIN', 0, 1.5).energies([[], [], []]))).toEqual([1.5, 1.5, 1.5]);
    const bqm = BinaryQuadraticModel.fromIsing([1, -1], [[0, 1, 2]]);
    expect(Array.from(bqm.energies([[1, 1], [-1, 1]]))).toEqual([2, -4]);
    expect(Array.from(bqm.energies(Int8Array.from([1, 1, -1, 1])))).toEqual([2, -4]);
  });

  test('a model cannot be made with more variables than the native core takes', () => {
    const e = thrown(() => new BinaryQuadraticModel('SPIN', 100_000_000));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/100000000, more than the supported 67108864/);
    expect(thrown(() => new BinaryQuadraticModel('SPIN').addLinear(MAX_VARIABLES, 1))).toBeInstanceOf(RangeError);
  });
});

describe('item 12: SampleSet.fromJSON rejects bad values with clear errors', () => {
  test('the valid set reads back (labels reordered)', () => {
    const j = validJSON();
    j.variable_labels = [1, 0];
    const ss = SampleSet.fromJSON(JSON.stringify(j));
    expect(ss.samples.map((r) => Array.from(r))).toEqual([[1, -1], [1, 1]]);
    expect(Array.from(ss.energies)).toEqual([-1, 1]);
    expect(Array.from(ss.numOccurrences)).toEqual([2, 1]);
  });

  const spoil = (edit: (j: Record<string, any>) => void) => {
    const j = validJSON();
    edit(j);
    return thrown(() => SampleSet.fromJSON(j));
  };

  test('SPIN values 0 or 5 and BINARY values -1 are RangeErrors naming the cell', () => {
    let e = spoil((j) => (j.sample_data.data[1][0] = 0));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/sample_data\.data\[1\]\[0\] is 0, not a SPIN value/);
    e = spoil((j) => (j.sample_data.data[0][1] = 5));
    expect(e.message).toMatch(/data\[0\]\[1\] is 5/);
    e = spoil((j) => (j.variable_type = 'BINARY'));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/is -1, not a BINARY value/);
  });

  test('strings among the samples are TypeErrors', () => {
    const e = spoil((j) => (j.sample_data.data[0][0] = '1'));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/data\[0\]\[0\] is "1", not a number/);
    expect(spoil((j) => (j.sample_data.data[0] = '11'))).toBeInstanceOf(TypeError);
    expect(spoil((j) => (j.sample_data.data = 'AAAA'))).toBeInstanceOf(TypeError);
  });

  test('duplicate labels are rejected', () => {
    const e = spoil((j) => (j.variable_labels = [0, 0]));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/label 0 appears twice \(columns 0 and 1\)/);
    // String labels are kept as the set's variables (issue 11); repeated ones are still refused.
    expect(spoil((j) => (j.variable_labels = ['a', 'a']))).toBeInstanceOf(RangeError);
    expect(spoil((j) => (j.variable_labels = [1.5, 0]))).toBeInstanceOf(RangeError);
  });

  test('non-numeric or non-finite energies are rejected', () => {
    let e = spoil((j) => (j.vectors.energy.data[1] = 'low'));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toMatch(/energy\.data\[1\] is "low"/);
    e = spoil((j) => (j.vectors.energy.data[0] = null));
    expect(e).toBeInstanceOf(TypeError);
    e = spoil((j) => (j.vectors.energy.data[0] = Infinity));
    expect(e).toBeInstanceOf(RangeError);
    e = spoil((j) => j.vectors.energy.data.pop());
    expect(e.message).toMatch(/vectors\.energy has 1 entries; num_rows says 2/);
    expect(spoil((j) => delete j.vectors.energy)).toBeInstanceOf(TypeError);
  });

  test('negative or fractional occurrences are rejected', () => {
    let e = spoil((j) => (j.vectors.num_occurrences.data[0] = -1));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/num_occurrences\.data\[0\] is -1, not a non-negative integer/);
    e = spoil((j) => (j.vectors.num_occurrences.data[1] = 0.5));
    expect(e.message).toMatch(/num_occurrences\.data\[1\] is 0\.5/);
    expect(spoil((j) => (j.vectors.num_occurrences.data[1] = 2 ** 31))).toBeInstanceOf(RangeError);
  });

  test('short or long rows and a wrong row count are rejected', () => {
    let e = spoil((j) => j.sample_data.data[1].pop());
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/data\[1\] has 1 values; expected 2/);
    e = spoil((j) => j.sample_data.data[0].push(1));
    expect(e.message).toMatch(/data\[0\] has 3 values/);
    e = spoil((j) => j.sample_data.data.pop());
    expect(e.message).toMatch(/sample_data has 1 rows; num_rows says 2/);
  });

  test('packed rows: one word per 32 variables, each a 32-bit word', () => {
    const j = validJSON();
    j.sample_packed = true;
    j.sample_data.data = [[0b10], [0b11]];
    expect(SampleSet.fromJSON(j).samples.map((r) => Array.from(r))).toEqual([[-1, 1], [1, 1]]);
    expect(spoil((k) => ((k.sample_packed = true), (k.sample_data.data = [[2], [2 ** 32]])))).toBeInstanceOf(RangeError);
    expect(spoil((k) => ((k.sample_packed = true), (k.sample_data.data = [[2, 0], [3]])))).toBeInstanceOf(RangeError);
    expect(spoil((k) => (k.sample_packed = 'yes'))).toBeInstanceOf(TypeError);
  });
});

describe('item 14: fromQubo and fromQuboMatrix are unambiguous', () => {
  const terms = (b: BinaryQuadraticModel) => ({ linear: Array.from(b.linear), quadratic: [...b.quadraticTerms()].sort() });

  test('rows of three numbers are always [i, j, bias] terms, even three of them', () => {
    const m = BinaryQuadraticModel.fromQubo([[1, 2, 0], [0, 1, 3], [0, 0, 1]]);
    // Terms: (1,2) bias 0, (0,1) bias 3, (0,0) linear 1.
    expect(terms(m)).toEqual({ linear: [1, 0, 0], quadratic: [[0, 1, 3], [1, 2, 0]] });
  });

  test('the same numbers as a dense matrix go through fromQuboMatrix', () => {
    const m = BinaryQuadraticModel.fromQuboMatrix([[1, 2, 0], [0, 1, 3], [0, 0, 1]]);
    expect(terms(m)).toEqual({ linear: [1, 1, 1], quadratic: [[0, 1, 2], [1, 2, 3]] });
    for (const x of [[0, 0, 0], [1, 1, 0], [1, 1, 1], [0, 1, 1]]) {
      expect(m.energy(x)).toBe(x[0] + x[1] + x[2] + 2 * x[0] * x[1] + 3 * x[1] * x[2]);
    }
  });

  test('a square matrix of another size is still read as a matrix (documented)', () => {
    const m = BinaryQuadraticModel.fromQubo([[1, -2], [0, 3]]);
    expect(terms(m)).toEqual({ linear: [1, 3], quadratic: [[0, 1, -2]] });
  });

  test('a 3 x 3 matrix that cannot be terms is an error naming fromQuboMatrix, not a guess', () => {
    const e = thrown(() => BinaryQuadraticModel.fromQubo([[0.5, -1, 0], [-1, 2, 0], [0, 0, 1]]));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/term 0 i .*fromQuboMatrix/);
  });

  test('rows that are neither terms nor a square matrix name fromQuboMatrix', () => {
    expect(() => BinaryQuadraticModel.fromQubo([[1, 2], [3, 4], [5, 6]])).toThrow(/fromQuboMatrix/);
    expect(() => BinaryQuadraticModel.fromQuboMatrix([[1, 2], [3]])).toThrow(RangeError);
  });
});
