import util from 'util';
import { BinaryQuadraticModel } from '../../src/model/bqm';
import { SimulatedAnnealingSampler } from '../../src/samplers/simulated-annealing';
import { createSampler } from '../../src/samplers/create-sampler';
import { DWaveHybridSampler, DWaveQpuSampler, MockSapiServer, qpuSolverDescription, SapiClient } from '../../src/dwave';
import { chimeraGraph } from '../../src/dwave/topology';

/** A dense random QUBO over n variables (seeded). */
function denseQubo(n: number, seed: number): BinaryQuadraticModel {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const bqm = new BinaryQuadraticModel('BINARY', n);
  for (let i = 0; i < n; i++) {
    bqm.addLinear(i, Math.round((rand() * 2 - 1) * 100) / 100);
    for (let j = i + 1; j < n; j++) bqm.addQuadratic(i, j, Math.round((rand() * 2 - 1) * 100) / 100);
  }
  return bqm;
}

let mock: MockSapiServer;
const K = 32;
const model = denseQubo(K, 7);
let groundEnergy: number;

beforeAll(async () => {
  mock = new MockSapiServer({ numSweeps: 2000 });
  await mock.start();
  const ref = await new SimulatedAnnealingSampler().sample(model, { numReads: 200, numSweeps: 4000, seed: 1 });
  groundEnergy = ref.first.energy;
});

afterAll(async () => {
  await mock.close();
});

function client(): SapiClient {
  return new SapiClient({ endpoint: mock.url, token: mock.token, pollWaitTime: 2, requestTimeoutMs: 10_000 });
}

describe('DWaveQpuSampler through the mock', () => {
  test('32-variable dense QUBO: clique embedding, ground state, info', async () => {
    const t0 = performance.now();
    const sampler = new DWaveQpuSampler({ client: client() });
    // A read of the embedded problem hits the ground state only a few % of the time (chains freeze under
    // single-flip annealing), so take several hundred reads: cheap on the mock, ~0.1 s of QPU time.
    const ss = await sampler.sample(model, { numReads: 500, seed: 3 });
    const ms = performance.now() - t0;
    console.log(`e2e qpu: ${ms.toFixed(0)} ms; best ${ss.first.energy} vs SA ${groundEnergy}; chain ${JSON.stringify(ss.info.embedding)}`);
    expect(ss.vartype).toBe('BINARY');
    expect(ss.numVariables).toBe(K);
    expect(ss.first.energy).toBeCloseTo(groundEnergy, 6);
    expect(model.energy(ss.first.sample)).toBeCloseTo(ss.first.energy, 9);
    expect(ss.info.solver).toBe('Advantage_system_mock');
    expect(typeof ss.info.problemId).toBe('string');
    expect(Array.isArray(ss.info.chainBreakFraction)).toBe(true);
    expect(ss.info.timing.qpu?.qpu_access_time).toBeGreaterThan(0);
    expect((ss.info.embedding as { direct: boolean }).direct).toBe(false);
    const total = Array.from(ss.numOccurrences).reduce((a, b) => a + b, 0);
    expect(total).toBe(500);
  });

  test('sampleBatch: 25 models go out in 2 POSTs and come back in order', async () => {
    const models = Array.from({ length: 25 }, (_, i) => denseQubo(6, 100 + i));
    const before = mock.countRequests('POST', '/problems');
    const sets = await new DWaveQpuSampler({ client: client() }).sampleBatch(models, { numReads: 20 });
    expect(mock.countRequests('POST', '/problems') - before).toBe(2);
    expect(sets).toHaveLength(25);
    sets.forEach((ss, i) => {
      expect(ss.numVariables).toBe(6);
      expect(models[i].energy(ss.first.sample)).toBeCloseTo(ss.first.energy, 9);
    });
  });

  test('a problem that fits the working graph is submitted without chains', async () => {
    const small = new MockSapiServer({ solvers: [qpuSolverDescription({ name: 'chimera_c2_mock', graph: chimeraGraph(2) })] });
    await small.start();
    try {
      const sampler = new DWaveQpuSampler({ client: new SapiClient({ endpoint: small.url, token: small.token, pollWaitTime: 2 }) });
      // Chimera qubits 0..3 (vertical) couple to 4..7 (horizontal) in cell (0, 0).
      const bqm = BinaryQuadraticModel.fromIsing([0.5, 0, 0, 0, -0.5], [[0, 4, -1]]);
      const ss = await sampler.sample(bqm, { numReads: 5 });
      expect((ss.info.embedding as { direct: boolean }).direct).toBe(true);
      expect(ss.info.chainStrength).toBeUndefined();
      expect(ss.first.energy).toBeCloseTo(-1, 9);
    } finally {
      await small.close();
    }
  });
});

describe('DWaveHybridSampler through the mock', () => {
  test('32-variable dense QUBO: upload, ref submit, bq answer at the ground state', async () => {
    const t0 = performance.now();
    const uploadsBefore = mock.stats.uploads;
    const ss = await new DWaveHybridSampler({ client: client() }).sample(model);
    console.log(`e2e hybrid: ${(performance.now() - t0).toFixed(0)} ms; best ${ss.first.energy}`);
    expect(mock.stats.uploads).toBe(uploadsBefore + 1);
    expect(ss.vartype).toBe('BINARY');
    expect(ss.numVariables).toBe(K);
    expect(ss.first.energy).toBeCloseTo(groundEnergy, 6);
    expect(model.energy(ss.first.sample)).toBeCloseTo(ss.first.energy, 9);
    expect(ss.info.solver).toBe('hybrid_binary_quadratic_model_version2p_mock');
    expect((ss.info.parameters as { timeLimit: number }).timeLimit).toBe(3);
  });

  test('a time_limit below the minimum is the server error, typed', async () => {
    await expect(new DWaveHybridSampler({ client: client() }).sample(model, { timeLimit: 1 })).rejects.toMatchObject({
      name: 'ProblemFailedError',
      message: expect.stringContaining('minimum time_limit'),
    });
  });
});

describe('createSampler: QAHAN_SAMPLER switches sqa <-> dwave-qpu with nothing else changed', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['QAHAN_SAMPLER', 'DWAVE_API_ENDPOINT', 'DWAVE_API_TOKEN', 'DWAVE_API_SOLVER', 'DWAVE_CONFIG_FILE', 'DWAVE_PROFILE', 'QAHAN_NUM_READS']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  /** The calling code: identical for both samplers. */
  async function solve() {
    const sampler = createSampler();
    const ss = await sampler.sample(model, { numReads: 400 });
    return { name: sampler.name, ss };
  }

  test('same shape and the ground-state energy', async () => {
    process.env.DWAVE_CONFIG_FILE = '/dev/null';
    process.env.QAHAN_SAMPLER = 'sqa';
    const a = await solve();
    process.env.QAHAN_SAMPLER = 'dwave-qpu';
    process.env.DWAVE_API_ENDPOINT = mock.url;
    process.env.DWAVE_API_TOKEN = mock.token;
    process.env.DWAVE_API_SOLVER = 'Advantage_system_mock';
    const before = mock.stats.submitted;
    const b = await solve();
    expect(a.name).toBe('sqa');
    expect(b.name).toBe('dwave-qpu');
    expect(mock.stats.submitted).toBe(before + 1);
    const viaFactory = createSampler();
    expect(util.inspect(viaFactory, { depth: Infinity, showHidden: true })).not.toContain(mock.token);
    expect(JSON.stringify(viaFactory)).not.toContain(mock.token);
    for (const { name, ss } of [a, b]) {
      if (Math.abs(ss.first.energy - groundEnergy) > 1e-6) console.log(name, ss.first.energy);
      expect(ss.vartype).toBe(model.vartype);
      expect(ss.numVariables).toBe(model.numVariables);
      expect(Object.prototype.toString.call(ss.first.sample)).toBe('[object Int8Array]');
      expect(ss.data.length).toBe(ss.length * ss.numVariables);
      expect(typeof ss.info.timing).toBe('object');
      expect(ss.first.energy).toBeCloseTo(groundEnergy, 6);
    }
  });

  test('without DWAVE_API_SOLVER it picks the QPU with the most working qubits', async () => {
    process.env.DWAVE_CONFIG_FILE = '/dev/null';
    process.env.QAHAN_SAMPLER = 'dwave-qpu';
    process.env.DWAVE_API_ENDPOINT = mock.url;
    process.env.DWAVE_API_TOKEN = mock.token;
    const ss = await createSampler().sample(denseQubo(8, 5), { numReads: 10 });
    expect(ss.info.solver).toBe('Advantage_system_mock');
  });
});
