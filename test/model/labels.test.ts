import fs from 'fs';
import os from 'os';
import path from 'path';
import { DWaveHybridSampler, DWaveQpuSampler, MockSapiServer, SapiClient } from '../../src/dwave';
import { BinaryQuadraticModel } from '../../src/model/bqm';
import { fromDimodJSON, toDimodJSON } from '../../src/model/dimod-json';
import { ExactSolver } from '../../src/samplers/exact';
import { PathIntegralAnnealingSampler } from '../../src/samplers/path-integral-annealing';
import { SampleSet } from '../../src/samplers/sample-set';
import { SimulatedAnnealingSampler } from '../../src/samplers/simulated-annealing';

const cities = () => BinaryQuadraticModel.fromIsing({ paris: 1, lyon: -0.5 }, [['paris', 'lyon', 1], ['lyon', 'nice', -2]]);

describe('labelled variables', () => {
  test('terms, fields and Maps keep labels in insertion order', () => {
    const a = BinaryQuadraticModel.fromQubo([['paris', 'lyon', 1], ['lyon', 'lyon', -2], [7, 'paris', 0.5]]);
    expect(a.variables).toEqual(['paris', 'lyon', 7]);
    expect(a.isLabelled).toBe(true);
    expect(a.getLinear('lyon')).toBe(-2);
    expect(a.getQuadratic('paris', 7)).toBe(0.5);
    const b = BinaryQuadraticModel.fromQubo(new Map<[string, string] | string, number>([[['paris', 'lyon'], 1], ['lyon,lyon', -2]]));
    expect(b.variables).toEqual(['paris', 'lyon']);
    expect(b.energy({ paris: 1, lyon: 1 })).toBe(-1);
    const c = cities();
    expect(c.variables).toEqual(['paris', 'lyon', 'nice']);
    expect(c.energy({ paris: -1, lyon: 1, nice: 1 })).toBe(-1 - 0.5 - 1 - 2);
    const d = BinaryQuadraticModel.fromIsing(new Map([['x', 1]]), new Map([['x,y', 2]]));
    expect(d.variables).toEqual(['x', 'y']);
    const e = BinaryQuadraticModel.from('BINARY', { a: 1, 2: 3 }, [['a', 2, -1]], 0.5);
    expect(e.variables).toEqual([2, 'a']); // object keys: integer-like keys come first in JS
    expect(e.energy({ a: 1, 2: 1 })).toBe(0.5 + 1 + 3 - 1);
  });

  test('integer models keep the fast path: no label table, same native arrays', () => {
    const m = BinaryQuadraticModel.fromQubo([[0, 1, 1], [2, 2, -1]]);
    expect(m.isLabelled).toBe(false);
    expect(m.variables).toEqual([0, 1, 2]);
    expect(m.toNative().quadRow).toEqual(Uint32Array.from([0]));
    const labelled = new BinaryQuadraticModel('SPIN', ['a', 'b']);
    labelled.addQuadratic('a', 'b', 1).addVariable(5);
    expect(labelled.variables).toEqual(['a', 'b', 5]);
    // A string on an integer model turns it labelled, keeping 0..n-1.
    const grown = new BinaryQuadraticModel('SPIN', 2).addLinear('z', 1);
    expect(grown.variables).toEqual([0, 1, 'z']);
    expect(() => grown.getLinear('nope')).toThrow(/"nope" is not in the model/);
  });

  test('addVariable, removeVariable, fixVariable, relabel, scale, normalize, copy', () => {
    const m = cities();
    const before = (p: number, l: number, n: number) => m.energy({ paris: p, lyon: l, nice: n });
    const energies = [-1, 1].flatMap((p) => [-1, 1].map((n) => before(p, -1, n)));
    const fixed = m.copy().fixVariable('lyon', -1);
    expect(fixed.variables).toEqual(['paris', 'nice']);
    expect([-1, 1].flatMap((p) => [-1, 1].map((n) => fixed.energy({ paris: p, nice: n })))).toEqual(energies);
    expect(m.variables).toEqual(['paris', 'lyon', 'nice']); // copy is independent
    expect(() => m.copy().fixVariable('lyon', 0)).toThrow(/SPIN value/);

    const r = m.copy().relabel({ paris: 'PAR', nice: 'NCE' });
    expect(r.variables).toEqual(['PAR', 'lyon', 'NCE']);
    expect(r.getQuadratic('lyon', 'NCE')).toBe(-2);
    expect(() => m.copy().relabel({ paris: 'lyon' })).toThrow(/both to "lyon"/);
    const back = m.copy().relabel(new Map<string | number, string | number>([['paris', 0], ['lyon', 1], ['nice', 2]]));
    expect(back.isLabelled).toBe(false);

    const removed = m.copy().removeVariable('paris');
    expect(removed.variables).toEqual(['lyon', 'nice']);
    expect(removed.numInteractions).toBe(1);
    expect(removed.getQuadratic('nice', 'lyon')).toBe(-2);
    const int = BinaryQuadraticModel.fromQubo([[0, 1, 1], [1, 2, 2]]).removeVariable(0);
    expect(int.variables).toEqual([1, 2]);
    expect(int.getQuadratic(1, 2)).toBe(2);

    const s = m.copy().scale(2);
    expect(s.getQuadratic('lyon', 'nice')).toBe(-4);
    const nm = m.copy();
    nm.offset = 3;
    const factor = nm.normalize();
    expect(factor).toBe(0.5);
    expect(nm.getQuadratic('lyon', 'nice')).toBe(-1);
    expect(nm.offset).toBe(1.5);
    expect(m.changeVartype('BINARY').variables).toEqual(['paris', 'lyon', 'nice']);
  });

  test('dimod JSON keeps labels both ways', () => {
    const m = cities();
    const json = JSON.parse(JSON.stringify(toDimodJSON(m)));
    expect(json.variable_labels).toEqual(['paris', 'lyon', 'nice']);
    const { bqm } = fromDimodJSON(json);
    expect(bqm.variables).toEqual(['paris', 'lyon', 'nice']);
    expect(bqm.getQuadratic('nice', 'lyon')).toBe(-2);
    const tuple = fromDimodJSON({ ...json, variable_labels: [['x', 0], 'lyon', 3] }).bqm;
    expect(tuple.variables).toEqual(['["x",0]', 'lyon', 3]);
  });

  test.each([
    ['sa', () => new SimulatedAnnealingSampler({ numReads: 8, numSweeps: 200, seed: 1 })],
    ['sqa', () => new PathIntegralAnnealingSampler({ numReads: 4, numSweeps: 200, seed: 1 })],
    ['exact', () => new ExactSolver()],
  ] as const)('%s returns labelled sample sets', async (_, make) => {
    const ss = await make().sample(cities());
    expect(ss.variables).toEqual(['paris', 'lyon', 'nice']);
    expect(ss.first.assignment).toEqual({ paris: -1, lyon: 1, nice: 1 });
    expect(ss.first.assignment.paris).toBe(-1);
    expect(ss.samples[0].constructor.name).toBe('Int8Array'); // made by the addon, outside jest's realm
    expect(ss.first.energy).toBe(-4.5);
    const batch = await make().sampleBatch([cities(), BinaryQuadraticModel.fromIsing([1], [])]);
    expect(batch[0].variables).toEqual(['paris', 'lyon', 'nice']);
    expect(batch[1].variables).toEqual([0]);
  });

  test('exact with cardinality and SA initial states by label', async () => {
    const m = BinaryQuadraticModel.fromQubo([['a', 'b', -1], ['c', 'c', -3], ['a', 'a', 0.5]]);
    const ss = await new ExactSolver().sample(m, { cardinality: 2 });
    expect(ss.first.assignment).toEqual({ a: 0, b: 1, c: 1 });
    const sa = await new SimulatedAnnealingSampler().sample(m, { numReads: 2, numSweeps: 1, betaSchedule: [100], seed: 0, initialStates: [{ a: 1, b: 1, c: 1 }] });
    expect(sa.variables).toEqual(['a', 'b', 'c']);
  });

  test('SampleSet JSON keeps string labels', () => {
    const ss = new SampleSet({ vartype: 'SPIN', numVariables: 2, samples: Int8Array.from([1, -1]), energies: [0], variables: ['x', 'y'] });
    const back = SampleSet.fromJSON(JSON.parse(JSON.stringify(ss)));
    expect(back.variables).toEqual(['x', 'y']);
    expect(back.first.assignment).toEqual({ x: 1, y: -1 });
  });
});

describe('D-Wave samplers on labelled models (through the mock)', () => {
  let mock: MockSapiServer;
  beforeAll(async () => {
    mock = new MockSapiServer({ numSweeps: 200 });
    await mock.start();
  });
  afterAll(() => mock.close());
  const client = () => new SapiClient({ endpoint: mock.url, token: mock.token, pollWaitTime: 2, requestTimeoutMs: 10_000 });

  test('QPU (embedding on indices) and hybrid put the labels back', async () => {
    const ring = BinaryQuadraticModel.fromQubo([['a', 'b', 2], ['b', 'c', 2], ['c', 'a', 2], ['a', 'a', -1], ['b', 'b', -1], ['c', 'c', -1]]);
    const [qpu] = await new DWaveQpuSampler({ client: client() }).sampleBatch([ring], { numReads: 50, seed: 1 });
    expect(qpu.variables).toEqual(['a', 'b', 'c']);
    expect(qpu.first.energy).toBe(-1);
    expect(Object.values(qpu.first.assignment).reduce((x, y) => x + y, 0)).toBe(1);
    const hybrid = await new DWaveHybridSampler({ client: client() }).sample(cities());
    expect(hybrid.variables).toEqual(['paris', 'lyon', 'nice']);
    expect(hybrid.first.assignment).toEqual({ paris: -1, lyon: 1, nice: 1 });
  });
});

describe('qahan solve on a labelled dimod JSON model', () => {
  test('prints the assignment by label', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { main } = require('../../src/cli/main') as typeof import('../../src/cli/main');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-labels-')), 'cities.json');
    fs.writeFileSync(file, JSON.stringify(toDimodJSON(cities())));
    const out: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    try {
      expect(await main(['solve', file, '--sampler', 'exact', '--json'])).toBe(0);
      expect(JSON.parse(out.join('\n'))).toMatchObject({ format: 'dimod-json', energy: -4.5, assignment: { paris: -1, lyon: 1, nice: 1 } });
      out.length = 0;
      expect(await main(['solve', file, '--sampler', 'exact'])).toBe(0);
      expect(out.join('\n')).toMatch(/sample: paris=-1 lyon=1 nice=1/);
    } finally {
      log.mockRestore();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
