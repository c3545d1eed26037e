import fs from 'fs';
import path from 'path';
import {
  chimeraCoordinates,
  chimeraGraph,
  graphFromSolverProperties,
  HardwareGraph,
  nominalQubitCount,
  pegasusCoordinates,
  pegasusGraph,
  toSolverProperties,
  withDefects,
  zephyrCoordinates,
  zephyrGraph,
} from '../../src/dwave/topology';
import { FIXTURES, fixtureIt, fixture } from './fixtures';


function wellFormed(g: HardwareGraph): void {
  for (let i = 1; i < g.qubits.length; i++) expect(g.qubits[i]).toBeGreaterThan(g.qubits[i - 1]);
  const qs = new Set(g.qubits);
  for (let i = 0; i < g.couplers.length; i++) {
    const [a, b] = g.couplers[i];
    if (!(a < b) || !qs.has(a) || !qs.has(b)) throw new Error(`bad coupler ${a},${b}`);
    if (i > 0) {
      const [pa, pb] = g.couplers[i - 1];
      if (!(pa < a || (pa === a && pb < b))) throw new Error(`couplers not sorted at ${i}`);
    }
  }
}

describe('topology generators', () => {
  it('has the documented counts', () => {
    const c16 = chimeraGraph(16);
    expect([c16.qubits.length, c16.couplers.length]).toEqual([2048, 6016]);
    const p16 = pegasusGraph(16);
    expect([p16.qubits.length, p16.couplers.length]).toEqual([5640, 40484]);
    const p4 = pegasusGraph(4);
    expect([p4.qubits.length, p4.couplers.length]).toEqual([264, 1604]);
    const z12 = zephyrGraph(12, 4);
    expect([z12.qubits.length, z12.couplers.length]).toEqual([4800, 45864]);
    const z4 = zephyrGraph(4);
    expect([z4.qubits.length, z4.couplers.length]).toEqual([576, 5032]);
    for (const m of [1, 2, 3]) {
      const z = zephyrGraph(m, 2);
      expect(z.couplers.length).toBe(m === 1 ? 2 * 2 * (8 * 2 + 3) : 2 * 2 * ((8 * 2 + 8) * m * m - 2 * m - 3));
    }
    const c = chimeraGraph(3, 5, 2);
    expect(c.couplers.length).toBe(3 * 5 * 4 + 2 * 5 * 2 + 3 * 4 * 2);
    for (const g of [c16, p16, z12, c, pegasusGraph(2)]) wellFormed(g);
    expect(nominalQubitCount(p16)).toBe(5760);
    expect(nominalQubitCount(z12)).toBe(4800);
  });

  it('uses D-Wave linear indices', () => {
    expect(chimeraCoordinates(((2 * 16 + 3) * 2 + 1) * 4 + 2, [16, 16, 4])).toEqual([2, 3, 1, 2]);
    expect(pegasusCoordinates(((1 * 16 + 5) * 12 + 7) * 15 + 9, [16])).toEqual([1, 5, 7, 9]);
    expect(zephyrCoordinates((((1 * 25 + 6) * 4 + 3) * 2 + 1) * 12 + 11, [12, 4])).toEqual([1, 6, 3, 1, 11]);
    // P16's first working qubit is (0, 0, 2, 0) = 30, as in the real Advantage answer's qubits 30/31.
    expect(pegasusGraph(16).qubits[0]).toBe(30);
  });

  fixtureIt('equals the fixtures solver graphs (qubit and coupler sets)', () => {
    const cases: [string, HardwareGraph][] = [
      ['solvers/qpu_advantage_like_P16_fullyield.json', pegasusGraph(16)],
      ['solvers/qpu_advantage2_like_Z12_fullyield.json', zephyrGraph(12, 4)],
      ['solvers/qpu_chimera_C2_mock.json', chimeraGraph(2)],
      ['solvers/qpu_pegasus_P4_mock.json', pegasusGraph(4)],
      ['solvers/qpu_zephyr_Z2_mock.json', zephyrGraph(2)],
    ];
    for (const [file, g] of cases) {
      if (!fs.existsSync(path.join(FIXTURES, file))) continue;
      const props = fixture(file).properties;
      const h = graphFromSolverProperties(props);
      expect(h.family).toBe(g.family);
      expect(h.shape).toEqual(g.shape);
      expect(h.qubits).toEqual(g.qubits);
      expect(h.couplers).toEqual(g.couplers);
      expect(props.num_qubits).toBe(nominalQubitCount(g));
    }
  });

  fixtureIt('reads generic (clique) solvers too', () => {
    const g = graphFromSolverProperties(fixture('worked_example/solver.json').properties);
    expect(g.family).toBe('generic');
    expect(g.qubits).toEqual([0, 1, 3, 4]);
    expect(g.couplers).toEqual([[0, 1], [0, 4], [1, 3], [3, 4]]);
  });

  it('normalises unsorted, reversed coupler lists', () => {
    const g = graphFromSolverProperties({ qubits: [5, 1, 3], couplers: [[5, 3], [3, 1], [1, 5]], topology: { type: 'chimera', shape: [1] } });
    expect(g).toEqual({ family: 'chimera', shape: [1, 1, 4], qubits: [1, 3, 5], couplers: [[1, 3], [1, 5], [3, 5]] });
    expect(() => graphFromSolverProperties({ qubits: [1], couplers: [[1, 2]] })).toThrow(RangeError);
  });

  it('injects defects reproducibly and drops couplers of dead qubits', () => {
    const g = pegasusGraph(4);
    const d = withDefects(g, { deadQubits: [g.qubits[0]], deadCouplers: [[g.couplers[500][1], g.couplers[500][0]]], randomDeadQubits: 3, seed: 9 });
    expect(d.qubits.length).toBe(g.qubits.length - 4);
    expect(d.qubits).not.toContain(g.qubits[0]);
    const alive = new Set(d.qubits);
    expect(d.couplers.every(([a, b]) => alive.has(a) && alive.has(b))).toBe(true);
    expect(d.couplers.find(([a, b]) => a === g.couplers[500][0] && b === g.couplers[500][1])).toBeUndefined();
    expect(withDefects(g, { randomDeadQubits: 3, seed: 9 })).toEqual(withDefects(g, { randomDeadQubits: 3, seed: 9 }));
    const dc = withDefects(g, { randomDeadCouplers: 10, seed: 2 });
    expect(dc.couplers.length).toBe(g.couplers.length - 10);
    wellFormed(d);
    // Nominal size is kept for mocks.
    expect(toSolverProperties(d).num_qubits).toBe(288);
    expect(toSolverProperties(d).topology).toEqual({ type: 'pegasus', shape: [4] });
  });
});
