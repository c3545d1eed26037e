import { BinaryQuadraticModel } from '../../src/model/bqm';
import {
  cliqueEdges,
  embedBqm,
  EmbeddingCache,
  findCliqueEmbedding,
  findLargestCliqueEmbedding,
  largestCliqueSize,
  MissingEdgeError,
  scaleToRanges,
  uniformTorqueCompensation,
  unembedSamples,
  unembedToSampleSet,
  verifyEmbedding,
} from '../../src/dwave/embedding';
import { chimeraGraph, graphFromSolverProperties, HardwareGraph, pegasusGraph, withDefects, zephyrGraph } from '../../src/dwave/topology';
import { fixtureIt, fixture } from './fixtures';


const maxChain = (e: number[][]) => e.reduce((m, c) => Math.max(m, c.length), 0);

function expectValidClique(g: HardwareGraph, e: number[][], k: number): void {
  expect(e.length).toBe(k);
  const v = verifyEmbedding(g, e, cliqueEdges(k));
  expect(v.errors).toEqual([]);
  expect(v.valid).toBe(true);
}

describe('clique embeddings', () => {
  const c16 = chimeraGraph(16);
  const p16 = pegasusGraph(16);
  const z12 = zephyrGraph(12, 4);
  const z6 = zephyrGraph(6, 4);

  it('reaches the reference clique sizes on full-yield graphs', () => {
    const want: [HardwareGraph, number, number][] = [
      [c16, 64, 17],
      [p16, 172, 17],
      [z12, 184, 14],
      [z6, 88, 7],
    ];
    for (const [g, k, chain] of want) {
      const e = findLargestCliqueEmbedding(g);
      expect(largestCliqueSize(g)).toBe(k);
      expectValidClique(g, e, k);
      expect(maxChain(e)).toBeLessThanOrEqual(chain);
    }
  });

  fixtureIt('agrees with the fixtures/embeddings clique sizes (and the fixtures verify)', () => {
    const cases: [string, HardwareGraph][] = [
      ['embeddings/clique_chimera16_fullyield_K64.json', c16],
      ['embeddings/clique_pegasus16_fullyield_K172.json', p16],
      ['embeddings/clique_zephyr12_4_fullyield_K184.json', z12],
      ['embeddings/clique_zephyr6_4_fullyield_K88.json', z6],
    ];
    for (const [file, g] of cases) {
      const f = fixture(file);
      const ref: number[][] = Array.from({ length: f.K }, (_, v) => f.embedding[String(v)]);
      expect(verifyEmbedding(g, ref, cliqueEdges(f.K)).valid).toBe(true);
      expect(largestCliqueSize(g)).toBeGreaterThanOrEqual(f.K);
      expect(maxChain(findCliqueEmbedding(g, f.K))).toBeLessThanOrEqual(f.max_chain_length);
    }
  });

  it('gives short chains for small cliques, valid for every k', () => {
    for (const [g, k, chain] of [
      [p16, 32, 6],
      [p16, 100, 11],
      [z12, 32, 4],
      [z12, 64, 6],
      [c16, 32, 9],
    ] as [HardwareGraph, number, number][]) {
      const e = findCliqueEmbedding(g, k);
      expectValidClique(g, e, k);
      expect(maxChain(e)).toBeLessThanOrEqual(chain);
    }
    for (let k = 1; k <= 8; k++) expectValidClique(chimeraGraph(2), findCliqueEmbedding(chimeraGraph(2), k), k);
    expect(() => findCliqueEmbedding(chimeraGraph(2), 9)).toThrow(RangeError);
    expect(() => findCliqueEmbedding(c16, 65)).toThrow(RangeError);
  });

  it('works around dead qubits and couplers', () => {
    const zd = withDefects(z12, { randomDeadQubits: 12, randomDeadCouplers: 230, seed: 3 });
    const kz = largestCliqueSize(zd);
    expect(kz).toBeGreaterThanOrEqual(120);
    expect(kz).toBeLessThanOrEqual(184);
    expectValidClique(zd, findLargestCliqueEmbedding(zd), kz);
    expectValidClique(zd, findCliqueEmbedding(zd, 64), 64);

    const pd = withDefects(p16, { randomDeadQubits: 14, randomDeadCouplers: 200, seed: 5 });
    expectValidClique(pd, findCliqueEmbedding(pd, 48), 48);

    // A hand-picked defect right on a chain of the full-yield embedding.
    const full = findCliqueEmbedding(c16, 32);
    const cd = withDefects(c16, { deadQubits: [full[0][0], full[5][3]], deadCouplers: [[full[7][0], full[7][1]]] });
    expectValidClique(cd, findCliqueEmbedding(cd, 32), 32);
    const kc = largestCliqueSize(cd);
    expect(kc).toBeLessThan(64);
    expect(kc).toBeGreaterThanOrEqual(56);
    expect(() => findCliqueEmbedding(cd, 64)).toThrow(RangeError);
  });

  fixtureIt('embeds cliques on generic solver graphs with single-qubit chains', () => {
    const c5 = graphFromSolverProperties(fixture('solvers/qpu_clique5_mock.json').properties);
    expect(largestCliqueSize(c5)).toBe(5);
    expectValidClique(c5, findCliqueEmbedding(c5, 5), 5);
    const ring = graphFromSolverProperties(fixture('worked_example/solver.json').properties);
    expect(largestCliqueSize(ring)).toBe(2);
    expect(() => findCliqueEmbedding(ring, 3)).toThrow(RangeError);
  });

  it('verifyEmbedding reports broken embeddings', () => {
    const g = chimeraGraph(1);
    // 0..3 vertical, 4..7 horizontal: 0-4 coupled, 0-1 not.
    expect(verifyEmbedding(g, [[0], [4]], [[0, 1]]).valid).toBe(true);
    const errs = (e: number[][], edges: [number, number][]) => verifyEmbedding(g, e, edges).errors.join('; ');
    expect(errs([[0], [1]], [[0, 1]])).toMatch(/no coupler/);
    expect(errs([[0, 1], [4]], [[0, 1]])).toMatch(/not connected/);
    expect(errs([[0, 4], [4]], [[0, 1]])).toMatch(/in chains 0 and 1/);
    expect(errs([[0], [99]], [])).toMatch(/not a working qubit/);
    expect(errs([[0], []], [])).toMatch(/empty/);
    expect(errs([[0]], [[0, 1]])).toMatch(/without a chain/);
  });

  it('caches per (solver, k) and recomputes when the graph changes', () => {
    const cache = new EmbeddingCache();
    const g = zephyrGraph(4);
    const a = cache.get('Advantage2_x', 20, g);
    const b = cache.get('Advantage2_x', 20, g);
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
    expect(cache.size).toBe(1);
    cache.get('Advantage2_x', 10, g);
    expect(cache.size).toBe(2);
    const d = withDefects(g, { deadQubits: [a[0][0]] });
    const c = cache.get('Advantage2_x', 20, d);
    expectValidClique(d, c, 20);
    expect(c.flat()).not.toContain(a[0][0]);
  });
});

describe('chain strength', () => {
  it('uniform torque compensation by hand', () => {
    // J = {01: 1, 12: -2} on 3 variables: rms = sqrt(5/2), avg degree = 4/3.
    const bqm = BinaryQuadraticModel.fromIsing([0.3, 0, -1], [[0, 1, 1], [1, 2, -2]]);
    const want = 1.414 * Math.sqrt(2.5) * Math.sqrt(4 / 3);
    expect(uniformTorqueCompensation(bqm)).toBeCloseTo(want, 12);
    expect(uniformTorqueCompensation(bqm)).toBeCloseTo(2.58162, 4);
    expect(uniformTorqueCompensation(bqm, 2)).toBeCloseTo((2 / 1.414) * want, 12);
    // On the Ising form: QUBO Q01 = 4 is J = 1, Q12 = -8 is J = -2.
    const qubo = BinaryQuadraticModel.fromQubo([[0, 1, 4], [1, 2, -8], [0, 0, 3]]);
    expect(uniformTorqueCompensation(qubo)).toBeCloseTo(want, 12);
    // No interactions, or all-zero J: 1.
    expect(uniformTorqueCompensation(BinaryQuadraticModel.fromIsing([1, 2]))).toBe(1);
    expect(uniformTorqueCompensation(BinaryQuadraticModel.fromIsing([1, 2], [[0, 1, 0]]))).toBe(1);
  });
});

describe('embedBqm and unembedding', () => {
  // Chimera C(1): qubits 0..3 vertical, 4..7 horizontal, complete bipartite between them.
  const g = chimeraGraph(1);
  const embedding = [[0, 4], [1, 5], [2]];

  it('spreads biases over chains and splits couplings over the couplers between chains', () => {
    const bqm = BinaryQuadraticModel.fromIsing([1, -0.5, 0.25], [[0, 1, 0.8], [0, 2, -0.6]], 0.5);
    const cs = 2;
    const e = embedBqm(bqm, embedding, g, cs);
    expect(e.h).toEqual(new Map([[0, 0.5], [4, 0.5], [1, -0.25], [5, -0.25], [2, 0.25]]));
    // Chain couplers 0-4 and 1-5; chains {0,4} and {1,5} meet on 0-5 and 1-4; {0,4} and {2} on 2-4.
    expect(e.J).toEqual(new Map([['0,4', -2], ['1,5', -2], ['0,5', 0.4], ['1,4', 0.4], ['2,4', -0.6]]));
    expect(e.offset).toBeCloseTo(0.5 + 2 * cs, 12);
    expect(e.chainStrength).toBe(2);
    // An unbroken sample has the source energy.
    const s = [1, -1, -1];
    const q = new Map([[0, s[0]], [4, s[0]], [1, s[1]], [5, s[1]], [2, s[2]]]);
    let energy = e.offset;
    for (const [k, h] of e.h) energy += h * q.get(k)!;
    for (const [k, j] of e.J) {
      const [a, b] = k.split(',').map(Number);
      energy += j * q.get(a)! * q.get(b)!;
    }
    expect(energy).toBeCloseTo(bqm.energy(s), 12);
  });

  it('embeds a QUBO in its Ising form', () => {
    const qubo = BinaryQuadraticModel.fromQubo([[0, 0, 2], [0, 1, 4]], 1);
    const e = embedBqm(qubo, [[0], [4]], g, 1);
    // h0 = 2/2 + 4/4 = 2, h1 = 1, J = 1, offset = 1 + 1 + 1.
    expect(e.h).toEqual(new Map([[0, 2], [4, 1]]));
    expect(e.J).toEqual(new Map([['0,4', 1]]));
    expect(e.offset).toBe(3);
  });

  it('rejects interactions with no coupler between chains', () => {
    const bqm = BinaryQuadraticModel.fromIsing([0, 0], [[0, 1, 1]]);
    expect(() => embedBqm(bqm, [[0], [1]], g, 1)).toThrow(MissingEdgeError);
  });

  it('majority vote with ties to +1 and chain-break fractions', () => {
    const chains = [[10, 11, 12], [20, 21], [30]];
    const order = [30, 21, 20, 12, 11, 10];
    // Row 0: chain0 = (+,+,-) -> +1 broken; chain1 = (-,+) tie -> +1 broken; chain2 = -.
    // Row 1: all -1 intact.
    const rows = Int8Array.from([-1, 1, -1, -1, 1, 1, -1, -1, -1, -1, -1, -1]);
    const { samples, chainBreakFraction } = unembedSamples(rows, order, 2, chains);
    expect(Array.from(samples)).toEqual([1, 1, -1, -1, -1, -1]);
    expect(Array.from(chainBreakFraction)).toEqual([2 / 3, 0]);
    const bin = unembedSamples(Int8Array.from([0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]), order, 2, chains, { vartype: 'BINARY' });
    expect(Array.from(bin.samples)).toEqual([1, 1, 0, 0, 0, 0]);
    // Seeded random tie breaking is reproducible and only touches ties.
    const r1 = unembedSamples(rows, order, 2, chains, { tieBreakSeed: 4 });
    expect(r1).toEqual(unembedSamples(rows, order, 2, chains, { tieBreakSeed: 4 }));
    expect(r1.samples[0]).toBe(1);
    expect(Array.from(r1.samples.subarray(3))).toEqual([-1, -1, -1]);
    expect(() => unembedSamples(rows, order.slice(1), 2, chains)).toThrow(RangeError);
  });

  it('unembeds into a SampleSet with energies on the source model', () => {
    const bqm = BinaryQuadraticModel.fromQubo([[0, 1, -1], [2, 2, 1]], 0.5);
    const qubitOrder = [0, 1, 2, 4, 5];
    const decoded = {
      activeVariables: qubitOrder,
      samples: Int8Array.from([1, 1, -1, 1, 1, -1, 1, -1, -1, -1]),
      numOccurrences: Int32Array.from([3, 1]),
    };
    const ss = unembedToSampleSet(bqm, decoded, embedding);
    expect(ss.vartype).toBe('BINARY');
    expect(Array.from(ss.data)).toEqual([1, 1, 0, 0, 1, 0]);
    expect(Array.from(ss.energies)).toEqual([-0.5, 0.5]);
    expect(Array.from(ss.numOccurrences)).toEqual([3, 1]);
    expect(ss.info.chainBreakFraction).toEqual([0, 1 / 3]);
  });

  it('scales into the solver ranges', () => {
    const e = { h: new Map([[0, 4], [1, -1]]), J: new Map([['0,1', -3]]), offset: 2, chainStrength: 3 };
    const { ising, scale } = scaleToRanges(e, [-2, 2], [-2, 1]);
    // inv = max(-1/-2, 4/2, -3/-2, -) = 2.
    expect(scale).toBe(0.5);
    expect(ising.h).toEqual(new Map([[0, 2], [1, -0.5]]));
    expect(ising.J).toEqual(new Map([['0,1', -1.5]]));
    expect(ising.offset).toBe(1);
    expect(ising.chainStrength).toBe(1.5);
    const small = { h: new Map([[0, 0.5]]), J: new Map([['0,1', -0.5]]), offset: 0, chainStrength: 0.5 };
    expect(scaleToRanges(small, [-2, 2], [-1, 1]).scale).toBe(2);
    expect(scaleToRanges(small, [-2, 2], [-1, 1], false).scale).toBe(1);
  });

  it('embeds a dense problem on a clique embedding end to end', () => {
    const k = 20;
    const hw = zephyrGraph(4);
    const emb = findCliqueEmbedding(hw, k);
    const h = Array.from({ length: k }, (_, i) => ((i * 7) % 5) / 5 - 0.4);
    const J: [number, number, number][] = [];
    for (const [i, j] of cliqueEdges(k)) J.push([i, j, (((i * 31 + j * 17) % 9) - 4) / 4]);
    const bqm = BinaryQuadraticModel.fromIsing(h, J, 1.25);
    const cs = uniformTorqueCompensation(bqm);
    const e = embedBqm(bqm, emb, hw, cs);
    expect(e.h.size).toBe(emb.flat().length);
    // A chain-consistent qubit sample reproduces the source energy.
    const s = Array.from({ length: k }, (_, i) => (i % 3 === 0 ? 1 : -1));
    const val = new Map<number, number>();
    emb.forEach((chain, v) => chain.forEach((q) => val.set(q, s[v])));
    let energy = e.offset;
    for (const [q, b] of e.h) energy += b * val.get(q)!;
    for (const [key, b] of e.J) {
      const [a, c] = key.split(',').map(Number);
      energy += b * val.get(a)! * val.get(c)!;
    }
    expect(energy).toBeCloseTo(bqm.energy(s), 9);
    const order = Array.from(val.keys());
    const back = unembedSamples(Int8Array.from(order, (q) => val.get(q)!), order, 1, emb);
    expect(Array.from(back.samples)).toEqual(s);
    expect(back.chainBreakFraction[0]).toBe(0);
  });
});
