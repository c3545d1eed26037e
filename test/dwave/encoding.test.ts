import fs from 'fs';
import path from 'path';
import { BinaryQuadraticModel } from '../../src/model/bqm';
import { SampleSet } from '../../src/samplers/sample-set';
import {
  decodeBqAnswer,
  decodeQp,
  decodeQpAnswer,
  encodeBqAnswer,
  encodeQp,
  encodeQpAnswer,
  ProblemStructureError,
  pythonJson,
  qpArrays,
  readDimodBqm,
  readDimodBqmFile,
  writeDimodBqm,
} from '../../src/dwave/encoding';
import { FIXTURES, fixtureIt, fixture } from './fixtures';


const mapOf = (o: Record<string, number>) => new Map(Object.entries(o).map(([k, v]) => [Number(k), v] as [number, number]));

describe('qp problem encoding', () => {
  const ringSolver = { qubits: [0, 1, 3, 4], couplers: [[0, 1], [0, 4], [1, 3], [3, 4]] as [number, number][] };
  const clique5 = {
    qubits: [0, 1, 2, 3, 4],
    couplers: [[0, 1], [0, 2], [0, 3], [0, 4], [1, 2], [1, 3], [1, 4], [2, 3], [2, 4], [3, 4]] as [number, number][],
  };

  it('encodes the 4-qubit Ising example byte for byte (own copy of §5.1)', () => {
    const data = encodeQp({ linear: new Map([[0, -0.5], [1, 0.5]]), quadratic: new Map([['0,1', -1]]) }, ringSolver);
    expect(data).toEqual({ format: 'qp', lin: 'AAAAAAAA4L8AAAAAAADgPwAAAAAAAPh/AAAAAAAA+H8=', quad: 'AAAAAAAA8L8=' });
  });

  it('sums both orientations of a QUBO and activates qubits named only by a coupler (own copy of §5.2)', () => {
    const Q = new Map([['0,2', 2], ['2,0', 1], ['1,4', 0.5]]);
    const { lin, quad } = qpArrays({ linear: new Map([[0, -1], [2, -1], [3, -1]]), quadratic: Q }, clique5);
    expect(Array.from(lin)).toEqual([-1, 0, -1, -1, 0]);
    expect(Array.from(quad)).toEqual([0, 3, 0, 0, 0, 0, 0.5, 0, 0, 0]);
  });

  fixtureIt('matches fixtures/worked_example (ising and qubo) and decodes back', () => {
    const solver = fixture('worked_example/solver.json').properties;
    const ex = fixture('worked_example/ising_exchange.json');
    const problem = { linear: mapOf(ex.problem.h), quadratic: new Map(Object.entries(ex.problem.J as Record<string, number>)) };
    const sent = ex['1_POST_/problems/'].request_body[0].data;
    const data = encodeQp(problem, solver);
    expect(data.lin).toBe(sent.lin);
    expect(data.quad).toBe(sent.quad);
    const back = decodeQp(data, solver);
    expect(back.linear).toEqual(problem.linear);
    expect(back.quadratic).toEqual(new Map([['0,1', -1]]));

    const qx = fixture('worked_example/qubo_exchange.json');
    const c5 = fixture('solvers/qpu_clique5_mock.json').properties;
    const linear = new Map<number, number>();
    const quadratic = new Map<string, number>();
    for (const [k, v] of Object.entries(qx.problem.Q as Record<string, number>)) {
      const [a, b] = k.split(',').map(Number);
      if (a === b) linear.set(a, v);
      else quadratic.set(k, v);
    }
    const qdata = encodeQp({ linear, quadratic }, c5);
    expect(qdata.lin).toBe(qx.data.lin);
    expect(qdata.quad).toBe(qx.data.quad);
    const { lin, quad } = qpArrays({ linear, quadratic }, c5);
    expect(Array.from(lin)).toEqual(qx.lin_before_encoding);
    expect(Array.from(quad)).toEqual(qx.quad_before_encoding);
  });

  it('keeps the solver order, not a sorted one', () => {
    const solver = { qubits: [4, 1, 0], couplers: [[1, 4], [0, 1]] as [number, number][] };
    const data = encodeQp({ linear: new Map([[0, 1], [4, 2]]), quadratic: new Map([['1,0', 3], ['4,1', 5]]) }, solver);
    const back = decodeQp(data, solver);
    expect(qpArrays({ linear: new Map([[0, 1], [4, 2]]), quadratic: new Map([['1,0', 3], ['4,1', 5]]) }, solver).lin).toEqual(
      Float64Array.from([2, 0, 1]),
    );
    expect(back.quadratic).toEqual(new Map([['1,4', 5], ['0,1', 3]]));
  });

  it('rejects biases off the working graph', () => {
    expect(() => encodeQp({ linear: new Map([[2, 1]]), quadratic: new Map() }, ringSolver)).toThrow(ProblemStructureError);
    expect(() => encodeQp({ linear: new Map(), quadratic: new Map([['0,3', 1]]) }, ringSolver)).toThrow(ProblemStructureError);
  });
});

describe('qp answers', () => {
  fixtureIt('decodes the real Advantage answer (MSB-first bits)', () => {
    const f = fixture('answers/qp_answer_dwave_docs_real.json');
    const d = decodeQpAnswer(f.response.answer, 'SPIN');
    expect(d.activeVariables).toEqual(f.decoded.active_variables);
    expect(Array.from(d.energies)).toEqual(f.decoded.energies);
    expect(Array.from(d.numOccurrences)).toEqual(f.decoded.num_occurrences);
    expect([Array.from(d.samples.subarray(0, 2)), Array.from(d.samples.subarray(2, 4))]).toEqual(f.decoded.samples_on_active_variables);
    expect(d.numVariables).toBe(5760);
    expect(d.timing.qpu_access_time).toBe(15831.76);
  });

  fixtureIt('decodes the cloud-client answer with padded solution bytes', () => {
    const f = fixture('answers/qp_problem_completed_cloudclient_tests.json');
    const d = decodeQpAnswer(f.response.answer, 'SPIN');
    expect(d.activeVariables).toEqual(f.decoded.active_variables);
    expect(Array.from(d.samples)).toEqual(f.decoded.solutions[0]);
    expect(Array.from(d.energies)).toEqual(f.decoded.energies);
    expect(Array.from(d.numOccurrences)).toEqual(f.decoded.num_occurrences);
  });

  fixtureIt('decodes and re-encodes the worked-example answers byte for byte', () => {
    const ex = fixture('worked_example/ising_exchange.json');
    const a = ex['3_GET_/problems/{id}/'].response_200.answer;
    const d = decodeQpAnswer(a, 'SPIN');
    expect(d.activeVariables).toEqual([0, 1]);
    expect(Array.from(d.samples)).toEqual([-1, -1, 1, 1]);
    const again = encodeQpAnswer({ ...d, timing: a.timing, answerMode: 'raw' });
    expect(again).toEqual(a);
    expect(JSON.stringify(again)).toBe(JSON.stringify(a));

    const qx = fixture('worked_example/qubo_exchange.json');
    const q = decodeQpAnswer(qx.answer, 'BINARY');
    expect([Array.from(q.samples.subarray(0, 5)), Array.from(q.samples.subarray(5, 10))]).toEqual(qx.decoded.solutions);
    expect(Array.from(q.energies)).toEqual(qx.decoded.energies_from_sapi);
    expect(Array.from(q.energies, (e) => e + qx.problem.offset)).toEqual(qx.decoded.energies_after_client_adds_offset);
    const qa = encodeQpAnswer({ ...q, timing: {} });
    expect(qa).toEqual(qx.answer);
  });

  it('builds histogram answers: merged, counted and sorted by energy', () => {
    const a = encodeQpAnswer({
      activeVariables: [30, 31],
      samples: Int8Array.from([1, 1, -1, -1, 1, 1, 1, -1]),
      energies: [-1, -1, -1, 1],
      numVariables: 5760,
    });
    expect(a.solutions).toBe(Buffer.from([0xc0, 0x00, 0x80]).toString('base64'));
    const d = decodeQpAnswer(a, 'SPIN');
    expect(Array.from(d.numOccurrences)).toEqual([2, 1, 1]);
    expect(Array.from(d.energies)).toEqual([-1, -1, 1]);
    // 9 active variables take 2 bytes per row.
    const nine = encodeQpAnswer({ activeVariables: [0, 1, 2, 3, 4, 5, 6, 7, 8], samples: Int8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1]), energies: [0], numVariables: 9 });
    expect(Buffer.from(nine.solutions, 'base64')).toEqual(Buffer.from([0x00, 0x80]));
    expect(Array.from(decodeQpAnswer(nine, 'BINARY').samples)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('treats a missing num_occurrences as all ones (raw mode)', () => {
    const a = encodeQpAnswer({ activeVariables: [2], samples: Int8Array.from([1, -1]), energies: [1, -1], numVariables: 3, answerMode: 'raw' });
    delete a.num_occurrences;
    expect(Array.from(decodeQpAnswer(a, 'SPIN').numOccurrences)).toEqual([1, 1]);
  });
});

describe('DIMODBQM v2', () => {
  const xy = () => BinaryQuadraticModel.fromQubo([[0, 1, -1]]);
  const spin3 = () => {
    const m = new BinaryQuadraticModel('SPIN', 3, 0.75);
    m.addLinear(0, 0.5).addLinear(2, -1).addQuadratic(0, 1, 1).addQuadratic(1, 2, -0.25);
    return m;
  };

  it('writes the header like Python json.dumps(sort_keys=True) padded to 64 bytes', () => {
    const buf = writeDimodBqm(spin3());
    expect(buf.subarray(0, 10)).toEqual(Buffer.from([0x44, 0x49, 0x4d, 0x4f, 0x44, 0x42, 0x51, 0x4d, 2, 0]));
    const hl = buf.readUInt32LE(10);
    expect((14 + hl) % 64).toBe(0);
    expect(buf.subarray(14, 14 + hl).toString().trimEnd()).toBe(
      '{"dtype": "float64", "itype": "int32", "ntype": "int32", "shape": [3, 2], "type": "BinaryQuadraticModel", "variables": false, "vartype": "SPIN"}',
    );
    expect(buf.length).toBe(192 + 8 + 36 + 48);
    expect(pythonJson(['x', ['a', 1], 'é'])).toBe('["x", ["a", 1], "\\u00e9"]');
  });

  fixtureIt('equals fixtures/bqm/*.bin byte for byte and reads back', () => {
    const cases: [string, BinaryQuadraticModel, (string | number)[] | undefined][] = [
      ['bqm_int_labels_spin_v2', spin3(), undefined],
      ['bqm_xy_binary_v2', xy(), ['x', 'y']],
    ];
    for (const [name, bqm, labels] of cases) {
      const expected = fs.readFileSync(path.join(FIXTURES, `bqm/${name}.bin`));
      const meta = fixture(`bqm/${name}.json`);
      const buf = writeDimodBqm(bqm, { labels });
      expect(buf.length).toBe(meta.size);
      expect(buf.toString('hex')).toBe(meta.hex);
      expect(buf.equals(expected)).toBe(true);
      const back = readDimodBqmFile(expected);
      expect(back.labels).toEqual(labels ?? [0, 1, 2]);
      expect(back.bqm.vartype).toBe(bqm.vartype);
      expect(back.bqm.offset).toBe(bqm.offset);
      expect(Array.from(back.bqm.linear)).toEqual(Array.from(bqm.linear));
      expect([...back.bqm.quadraticTerms()].sort()).toEqual([...bqm.quadraticTerms()].sort());
    }
    // The docs' upload checksums follow from the bytes.
    const meta = fixture('bqm/bqm_xy_binary_v2.json');
    const crypto = require('crypto') as typeof import('crypto');
    const buf = writeDimodBqm(xy(), { labels: ['x', 'y'] });
    expect(crypto.createHash('md5').update(buf).digest('base64')).toBe(meta['part_1_Content-MD5_base64']);
  });

  it('round-trips a random model, zero-bias interactions included', () => {
    const m = new BinaryQuadraticModel('BINARY', 40, -2.5);
    let s = 7;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
    for (let i = 0; i < 40; i++) m.addLinear(i, rnd());
    for (let t = 0; t < 150; t++) {
      const i = Math.floor(((rnd() + 2) / 4) * 40);
      const j = Math.floor(((rnd() + 2) / 4) * 40);
      if (i !== j) m.addQuadratic(i, j, t % 10 === 0 ? 0 : rnd());
    }
    const back = readDimodBqm(writeDimodBqm(m));
    expect(back.numVariables).toBe(40);
    expect(back.numInteractions).toBe(m.numInteractions);
    expect(Array.from(back.linear)).toEqual(Array.from(m.linear));
    const key = (t: [number, number, number]) => `${t[0]},${t[1]}`;
    const want = new Map([...m.quadraticTerms()].map((t) => [key(t), t[2]]));
    const got = new Map([...back.quadraticTerms()].map((t) => [key(t), t[2]]));
    expect(got).toEqual(want);
    // Tuple labels become JSON lists in a VARS section padded to 64 bytes.
    const small = BinaryQuadraticModel.fromQubo([[0, 1, 2]]);
    const f = readDimodBqmFile(writeDimodBqm(small, { labels: [['a', 0], ['b', 1]] }));
    expect(f.labels).toEqual([['a', 0], ['b', 1]]);
    expect(f.hasLabels).toBe(true);
  });
});

describe('bq answers', () => {
  fixtureIt('decodes the hybrid answer over the original labels', () => {
    const f = fixture('answers/bq_answer_hybrid_bqm_example.json');
    const ss = decodeBqAnswer(f['GET_/problems/{id}/'].answer, { labels: ['x', 'y'] });
    expect(ss.vartype).toBe('BINARY');
    expect(Array.from(ss.samples[0])).toEqual([f.decoded.samples[0].x, f.decoded.samples[0].y]);
    expect(Array.from(ss.energies)).toEqual(f.decoded.energy);
    expect(Array.from(ss.numOccurrences)).toEqual(f.decoded.num_occurrences);
    expect(ss.info.run_time).toBe(4981622);
    // Columns follow the caller's label order.
    const swapped = decodeBqAnswer(f['GET_/problems/{id}/'].answer, { labels: ['y', 'x'] });
    expect(Array.from(swapped.samples[0])).toEqual([1, 1]);
  });

  fixtureIt('unpacks LSB-first uint32 words (40 SPIN variables), here and in SampleSet.fromJSON', () => {
    const f = fixture('answers/bq_sampleset_packing_example.json');
    const expected = new Int8Array(40).fill(-1);
    expected[0] = expected[9] = expected[33] = 1;
    const ss = decodeBqAnswer({ format: 'bq', data: f.sampleset });
    expect(ss.samples[0]).toEqual(expected);
    expect(ss.samples[1]).toEqual(new Int8Array(40).fill(1));
    const viaSampleSet = SampleSet.fromJSON(f.sampleset);
    expect(viaSampleSet.samples[0]).toEqual(expected);
    expect(viaSampleSet.samples[1]).toEqual(new Int8Array(40).fill(1));
    // And packing gives back the same words.
    const again = encodeBqAnswer(ss);
    expect(again.data.sample_data.data).toEqual(f.sampleset.sample_data.data);
  });

  it('round-trips packed and unpacked, with permuted answer labels and extra vectors', () => {
    const samples = Int8Array.from([1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1]);
    const ss = new SampleSet({ vartype: 'BINARY', numVariables: 34, samples, energies: [2.5], info: { timing: {}, run_time: 10 } });
    for (const packed of [true, false]) {
      const a = encodeBqAnswer(ss, { packed, vectors: { is_feasible: { data: [true], data_type: 'bool' } } });
      expect(a.data.info).toEqual({ run_time: 10 });
      const back = decodeBqAnswer(a);
      expect(back.data).toEqual(samples);
      expect(Array.from(back.energies)).toEqual([2.5]);
      expect((back.info.vectors as Record<string, unknown[]>).is_feasible).toEqual([true]);
    }
    // A server may list the variables in another order: columns are matched by label.
    const a = encodeBqAnswer(ss, { packed: false, labels: Array.from({ length: 34 }, (_, i) => 33 - i) });
    const back = decodeBqAnswer(a);
    expect(Array.from(back.data)).toEqual(Array.from(samples).reverse());
    expect(() => decodeBqAnswer(a, { labels: ['nope'] })).toThrow(RangeError);
  });
});
