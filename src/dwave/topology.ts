/**
 * D-Wave hardware graphs (SAPI_SPEC.md §8): Chimera, Pegasus (fabric-only) and Zephyr generators in
 * D-Wave's linear qubit indexing, defect injection for mock solvers, and graphs built from a solver's
 * `properties`. Every graph lists its qubits ascending and its couplers as [a, b] with a < b, sorted.
 */

export type TopologyFamily = 'chimera' | 'pegasus' | 'zephyr';

/**
 * A QPU working graph. `family` is 'generic' for solvers whose topology is none of the three lattices
 * (e.g. the small `clique` mocks); such graphs have no interval model and get a plain clique search.
 */
export interface HardwareGraph {
  family: TopologyFamily | 'generic';
  shape: number[];
  qubits: number[];
  couplers: [number, number][];
}

/** Pegasus offsets (offsets_index 0, the physical one): vertical (u = 0) and horizontal (u = 1) lines. */
export const PEGASUS_OFFSETS: readonly [readonly number[], readonly number[]] = [
  [2, 2, 2, 2, 10, 10, 10, 10, 6, 6, 6, 6],
  [6, 6, 6, 6, 2, 2, 2, 2, 10, 10, 10, 10],
];

function checkPositiveInt(v: number, name: string): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

/** Sorts couplers lexicographically in place after orienting each as a < b; drops duplicates and loops. */
function normalizeCouplers(couplers: Iterable<readonly [number, number]>): [number, number][] {
  const keys = new Set<number>();
  for (const [x, y] of couplers) {
    if (x === y) continue;
    const a = Math.min(x, y);
    const b = Math.max(x, y);
    keys.add(a * COUPLER_STRIDE + b);
  }
  const sorted = Float64Array.from(keys).sort();
  const out: [number, number][] = new Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const a = Math.floor(sorted[i] / COUPLER_STRIDE);
    out[i] = [a, sorted[i] - a * COUPLER_STRIDE];
  }
  return out;
}

/** Key stride for coupler lookups: qubit ids stay far below 2^24, so a * 2^24 + b is exact. */
export const COUPLER_STRIDE = 2 ** 24;

/** A numeric key for the unordered pair {a, b}. */
export function couplerKey(a: number, b: number): number {
  return a < b ? a * COUPLER_STRIDE + b : b * COUPLER_STRIDE + a;
}

// ---------------------------------------------------------------------------------------------
// Chimera C(m, n, t): q = ((i n + j) 2 + u) t + k

export function chimeraGraph(m: number, n: number = m, t = 4): HardwareGraph {
  checkPositiveInt(m, 'm');
  checkPositiveInt(n, 'n');
  checkPositiveInt(t, 't');
  const q = (i: number, j: number, u: number, k: number) => ((i * n + j) * 2 + u) * t + k;
  const qubits = Array.from({ length: 2 * m * n * t }, (_, i) => i);
  const couplers: [number, number][] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let k0 = 0; k0 < t; k0++) for (let k1 = 0; k1 < t; k1++) couplers.push([q(i, j, 0, k0), q(i, j, 1, k1)]);
      for (let k = 0; k < t; k++) {
        if (i + 1 < m) couplers.push([q(i, j, 0, k), q(i + 1, j, 0, k)]);
        if (j + 1 < n) couplers.push([q(i, j, 1, k), q(i, j + 1, 1, k)]);
      }
    }
  }
  return { family: 'chimera', shape: [m, n, t], qubits, couplers: normalizeCouplers(couplers) };
}

/** (i, j, u, k) of a Chimera qubit. */
export function chimeraCoordinates(q: number, shape: readonly number[]): [number, number, number, number] {
  const [, n, t] = shape;
  const k = q % t;
  let r = (q - k) / t;
  const u = r % 2;
  r = (r - u) / 2;
  const j = r % n;
  return [(r - j) / n, j, u, k];
}

// ---------------------------------------------------------------------------------------------
// Pegasus P(m), fabric only: q = ((u m + w) 12 + k)(m - 1) + z

function pegasusExists(m: number, u: number, w: number, k: number): boolean {
  // fabric_start = fabric_end = (2, 2) for the physical offsets.
  if (w === 0 && k < 2) return false;
  if (w === m - 1 && k >= 10) return false;
  return true;
}

export function pegasusGraph(m: number): HardwareGraph {
  checkPositiveInt(m, 'm');
  if (m < 2) throw new RangeError(`Pegasus needs m >= 2, got ${m}`);
  const [S0, S1] = PEGASUS_OFFSETS;
  const Z = m - 1;
  const q = (u: number, w: number, k: number, z: number) => ((u * m + w) * 12 + k) * Z + z;
  const qubits: number[] = [];
  for (let u = 0; u < 2; u++)
    for (let w = 0; w < m; w++)
      for (let k = 0; k < 12; k++) if (pegasusExists(m, u, w, k)) for (let z = 0; z < Z; z++) qubits.push(q(u, w, k, z));
  const couplers: [number, number][] = [];
  for (let u = 0; u < 2; u++) {
    for (let w = 0; w < m; w++) {
      for (let k = 0; k < 12; k++) {
        if (!pegasusExists(m, u, w, k)) continue;
        for (let z = 0; z < Z; z++) {
          if (z + 1 < Z) couplers.push([q(u, w, k, z), q(u, w, k, z + 1)]);
          if (k % 2 === 0 && pegasusExists(m, u, w, k + 1)) couplers.push([q(u, w, k, z), q(u, w, k + 1, z)]);
        }
      }
    }
  }
  for (let w = 0; w < m; w++) {
    for (let kk = 0; kk < 12; kk++) {
      const kFrom = w > 0 ? 0 : S1[kk];
      const kTo = w < m - 1 ? 12 : S1[kk];
      for (let z = 0; z < Z; z++) {
        for (let k = kFrom; k < kTo; k++) {
          const w1 = z + (kk < S0[k] ? 1 : 0);
          const z1 = w - (k < S1[kk] ? 1 : 0);
          if (w1 < 0 || w1 >= m || z1 < 0 || z1 >= Z) continue;
          if (!pegasusExists(m, 0, w, k) || !pegasusExists(m, 1, w1, kk)) continue;
          couplers.push([q(0, w, k, z), q(1, w1, kk, z1)]);
        }
      }
    }
  }
  return { family: 'pegasus', shape: [m], qubits: qubits.sort((a, b) => a - b), couplers: normalizeCouplers(couplers) };
}

/** (u, w, k, z) of a Pegasus qubit. */
export function pegasusCoordinates(q: number, shape: readonly number[]): [number, number, number, number] {
  const m = shape[0];
  const Z = m - 1;
  const z = q % Z;
  let r = (q - z) / Z;
  const k = r % 12;
  r = (r - k) / 12;
  const w = r % m;
  return [(r - w) / m, w, k, z];
}

// ---------------------------------------------------------------------------------------------
// Zephyr Z(m, t): q = (((u (2m + 1) + w) t + k) 2 + j) m + z

export function zephyrGraph(m: number, t = 4): HardwareGraph {
  checkPositiveInt(m, 'm');
  checkPositiveInt(t, 't');
  const W = 2 * m + 1;
  const q = (u: number, w: number, k: number, j: number, z: number) => (((u * W + w) * t + k) * 2 + j) * m + z;
  const qubits = Array.from({ length: 4 * t * m * W }, (_, i) => i);
  const couplers: [number, number][] = [];
  for (let u = 0; u < 2; u++)
    for (let w = 0; w < W; w++)
      for (let k = 0; k < t; k++) {
        for (let j = 0; j < 2; j++) for (let z = 0; z + 1 < m; z++) couplers.push([q(u, w, k, j, z), q(u, w, k, j, z + 1)]);
        for (let z = 0; z < m; z++) {
          couplers.push([q(u, w, k, 0, z), q(u, w, k, 1, z)]);
          if (z >= 1) couplers.push([q(u, w, k, 0, z), q(u, w, k, 1, z - 1)]);
        }
      }
  for (let w = 0; w < m; w++)
    for (let z = 0; z < m; z++)
      for (let h = 0; h < t; h++)
        for (let k = 0; k < t; k++)
          for (let i = 0; i < 2; i++)
            for (let j = 0; j < 2; j++)
              for (let a = 0; a < 2; a++)
                for (let b = 0; b < 2; b++) {
                  couplers.push([q(0, 2 * w + 1 + a * (2 * i - 1), k, j, z), q(1, 2 * z + 1 + b * (2 * j - 1), h, i, w)]);
                }
  return { family: 'zephyr', shape: [m, t], qubits, couplers: normalizeCouplers(couplers) };
}

/** (u, w, k, j, z) of a Zephyr qubit. */
export function zephyrCoordinates(q: number, shape: readonly number[]): [number, number, number, number, number] {
  const [m, t] = shape;
  const W = 2 * m + 1;
  const z = q % m;
  let r = (q - z) / m;
  const j = r % 2;
  r = (r - j) / 2;
  const k = r % t;
  r = (r - k) / t;
  const w = r % W;
  return [(r - w) / W, w, k, j, z];
}

/** The nominal qubit count of a topology (SAPI's `num_qubits`), e.g. 5760 for P16. */
export function nominalQubitCount(g: Pick<HardwareGraph, 'family' | 'shape' | 'qubits'>): number {
  switch (g.family) {
    case 'chimera': {
      const [m, n = m, t = 4] = g.shape;
      return 2 * m * n * t;
    }
    case 'pegasus':
      return 24 * g.shape[0] * (g.shape[0] - 1);
    case 'zephyr': {
      const [m, t = 4] = g.shape;
      return 4 * t * m * (2 * m + 1);
    }
    default:
      return g.qubits.length === 0 ? 0 : Math.max(...g.qubits) + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Defects and solver properties

/** Small deterministic PRNG (mulberry32) so mock yields are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DefectOptions {
  deadQubits?: number[];
  deadCouplers?: [number, number][];
  /** How many further qubits to remove at random (seeded). */
  randomDeadQubits?: number;
  /** How many further couplers to remove at random (seeded). */
  randomDeadCouplers?: number;
  seed?: number;
}

/**
 * A copy of `g` with qubits and couplers removed, as a real QPU's yield would. Couplers touching a dead
 * qubit go too. The family and shape stay, so the nominal qubit count is unchanged.
 */
export function withDefects(g: HardwareGraph, opts: DefectOptions): HardwareGraph {
  const dead = new Set<number>(opts.deadQubits ?? []);
  const rand = mulberry32(opts.seed ?? 1);
  const nRandom = opts.randomDeadQubits ?? 0;
  const alive = g.qubits.filter((q) => !dead.has(q));
  if (nRandom > alive.length) throw new RangeError(`cannot remove ${nRandom} random qubits from ${alive.length}`);
  for (let r = 0; r < nRandom; r++) {
    const at = r + Math.floor(rand() * (alive.length - r));
    [alive[r], alive[at]] = [alive[at], alive[r]];
    dead.add(alive[r]);
  }
  const deadC = new Set<number>((opts.deadCouplers ?? []).map(([a, b]) => couplerKey(a, b)));
  let couplers = g.couplers.filter(([a, b]) => !dead.has(a) && !dead.has(b) && !deadC.has(couplerKey(a, b)));
  const nRandomC = opts.randomDeadCouplers ?? 0;
  if (nRandomC > 0) {
    if (nRandomC > couplers.length) throw new RangeError(`cannot remove ${nRandomC} random couplers from ${couplers.length}`);
    const idx = couplers.map((_, i) => i);
    const drop = new Set<number>();
    for (let r = 0; r < nRandomC; r++) {
      const at = r + Math.floor(rand() * (idx.length - r));
      [idx[r], idx[at]] = [idx[at], idx[r]];
      drop.add(idx[r]);
    }
    couplers = couplers.filter((_, i) => !drop.has(i));
  }
  return {
    family: g.family,
    shape: g.shape.slice(),
    qubits: g.qubits.filter((q) => !dead.has(q)),
    couplers: couplers.map(([a, b]) => [a, b] as [number, number]),
  };
}

/**
 * The working graph of a solver from its `properties` (qubits, couplers, topology). Qubits are sorted and
 * couplers oriented a < b and sorted; SAPI's own order is not kept (encode `qp` with the raw properties).
 */
export function graphFromSolverProperties(props: {
  qubits: number[];
  couplers: [number, number][];
  topology?: { type: string; shape: number[] };
}): HardwareGraph {
  const type = props.topology?.type?.toLowerCase();
  let family: HardwareGraph['family'] = 'generic';
  let shape = props.topology?.shape?.slice() ?? [];
  if (type === 'chimera' || type === 'pegasus' || type === 'zephyr') family = type;
  if (family === 'chimera') shape = [shape[0], shape[1] ?? shape[0], shape[2] ?? 4];
  if (family === 'zephyr') shape = [shape[0], shape[1] ?? 4];
  const qubitSet = new Set(props.qubits);
  for (const [a, b] of props.couplers) {
    if (!qubitSet.has(a) || !qubitSet.has(b)) throw new RangeError(`coupler [${a}, ${b}] names a qubit that is not in qubits`);
  }
  return {
    family,
    shape,
    qubits: Array.from(qubitSet).sort((a, b) => a - b),
    couplers: normalizeCouplers(props.couplers),
  };
}

/** Solver-properties fields for a mock (`num_qubits` is the nominal count). */
export function toSolverProperties(g: HardwareGraph): {
  qubits: number[];
  couplers: [number, number][];
  num_qubits: number;
  topology: { type: string; shape: number[] };
} {
  return {
    qubits: g.qubits.slice(),
    couplers: g.couplers.map(([a, b]) => [a, b] as [number, number]),
    num_qubits: nominalQubitCount(g),
    topology: { type: g.family === 'generic' ? 'clique' : g.family, shape: g.shape.slice() },
  };
}

/** Neighbour lists keyed by qubit. */
export function adjacencyOf(g: HardwareGraph): Map<number, number[]> {
  const adj = new Map<number, number[]>();
  for (const q of g.qubits) adj.set(q, []);
  for (const [a, b] of g.couplers) {
    adj.get(a)?.push(b);
    adj.get(b)?.push(a);
  }
  return adj;
}

/** A set of coupler keys (see couplerKey) for O(1) "are a and b coupled" tests. */
export function couplerSet(g: HardwareGraph): Set<number> {
  const s = new Set<number>();
  for (const [a, b] of g.couplers) s.add(couplerKey(a, b));
  return s;
}

/** A short fingerprint of a graph's qubits and couplers (FNV-1a), for caches keyed by graph. */
export function graphFingerprint(g: HardwareGraph): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h ^= x & 0xffff;
    h = Math.imul(h, 0x01000193);
    h ^= x >>> 16;
    h = Math.imul(h, 0x01000193);
  };
  mix(g.qubits.length);
  for (const q of g.qubits) mix(q);
  mix(g.couplers.length);
  for (const [a, b] of g.couplers) {
    mix(a);
    mix(b);
  }
  return `${g.family}:${g.shape.join('x')}:${g.qubits.length}:${g.couplers.length}:${(h >>> 0).toString(16)}`;
}
