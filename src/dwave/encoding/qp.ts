/**
 * SAPI's `qp` problem and answer encodings (SAPI_SPEC.md §3.3.1, §4.1).
 *
 * Problems: `lin` is one little-endian float64 per solver qubit (in the solver's `qubits` order), NaN for
 * inactive qubits; `quad` is one float64 per solver coupler (in `couplers` order) whose two ends are both
 * active. Answers: int32 `active_variables`, float64 `energies`, int32 `num_occurrences`, and `solutions`
 * bit-packed MSB-first per byte, each solution padded to a whole byte.
 */

import { ProblemStructureError } from '../../errors';

/** A bias on a qubit or coupler that the solver does not have (the one class, also `dwave.ProblemStructureError`). */
export { ProblemStructureError };

export interface QpProblem {
  /** Linear biases by qubit (h for ising, the diagonal Q_ii for qubo). */
  linear: Map<number, number>;
  /**
   * Quadratic biases keyed `${a},${b}`. Both orientations may be present; they add up (the directed
   * `sample_ising`/`sample_qubo` convention), so a QUBO's Q_ij and Q_ji can be passed as they are.
   */
  quadratic: Map<string, number>;
}

export interface QpSolverGraph {
  qubits: readonly number[];
  couplers: readonly (readonly [number, number])[];
}

export interface QpData {
  format: 'qp';
  lin: string;
  quad: string;
}

function parsePair(key: string): [number, number] {
  const parts = key.replace(/[()\[\]\s]/g, '').split(',');
  const a = Number(parts[0]);
  const b = Number(parts[1]);
  if (parts.length !== 2 || !Number.isInteger(a) || !Number.isInteger(b)) throw new TypeError(`quadratic key ${JSON.stringify(key)} must look like "a,b"`);
  return [a, b];
}

const pairKey = (a: number, b: number) => (a < b ? a * 2 ** 24 + b : b * 2 ** 24 + a);

/** Base64 (standard, padded, no line breaks) of float64 values, little-endian. */
export function encodeFloat64(values: ArrayLike<number>): string {
  const buf = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) buf.writeDoubleLE(values[i], i * 8);
  return buf.toString('base64');
}

export function decodeFloat64(b64: string): Float64Array {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length % 8 !== 0) throw new RangeError(`float64 array has ${buf.length} bytes, not a multiple of 8`);
  const out = new Float64Array(buf.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

export function encodeInt32(values: ArrayLike<number>): string {
  const buf = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) buf.writeInt32LE(values[i], i * 4);
  return buf.toString('base64');
}

export function decodeInt32(b64: string): Int32Array {
  const buf = Buffer.from(b64, 'base64');
  if (buf.length % 4 !== 0) throw new RangeError(`int32 array has ${buf.length} bytes, not a multiple of 4`);
  const out = new Int32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt32LE(i * 4);
  return out;
}

/** The `lin` and `quad` arrays before base64 (exposed for tests and the mock). */
export function qpArrays(problem: QpProblem, solver: QpSolverGraph): { lin: Float64Array; quad: Float64Array; active: Set<number> } {
  const qubits = new Set(solver.qubits);
  const couplers = new Set<number>();
  for (const [a, b] of solver.couplers) couplers.add(pairKey(a, b));
  const active = new Set<number>();
  for (const [q, bias] of problem.linear) {
    if (!qubits.has(q)) throw new ProblemStructureError(`qubit ${q} is not a working qubit of the solver`);
    if (!Number.isFinite(bias)) throw new RangeError(`linear bias of qubit ${q} is ${bias}`);
    active.add(q);
  }
  const J = new Map<number, number>();
  for (const [key, bias] of problem.quadratic) {
    const [a, b] = parsePair(key);
    if (a === b) throw new ProblemStructureError(`quadratic term (${a}, ${b}) is on one qubit; put it in linear`);
    if (!qubits.has(a) || !qubits.has(b) || !couplers.has(pairKey(a, b))) {
      throw new ProblemStructureError(`(${a}, ${b}) is not a coupler of the solver`);
    }
    if (!Number.isFinite(bias)) throw new RangeError(`quadratic bias of (${a}, ${b}) is ${bias}`);
    active.add(a);
    active.add(b);
    const k = pairKey(a, b);
    J.set(k, (J.get(k) ?? 0) + bias);
  }
  const lin = new Float64Array(solver.qubits.length);
  solver.qubits.forEach((q, i) => {
    lin[i] = active.has(q) ? problem.linear.get(q) ?? 0 : NaN;
  });
  const quad: number[] = [];
  for (const [a, b] of solver.couplers) if (active.has(a) && active.has(b)) quad.push(J.get(pairKey(a, b)) ?? 0);
  return { lin, quad: Float64Array.from(quad), active };
}

/** Encodes h/J (or a QUBO's diagonal/off-diagonal) as SAPI `qp` data for this solver. */
export function encodeQp(problem: QpProblem, solver: QpSolverGraph): QpData {
  const { lin, quad } = qpArrays(problem, solver);
  return { format: 'qp', lin: encodeFloat64(lin), quad: encodeFloat64(quad) };
}

/** Reads `qp` data back into biases (what a mock server does). Quadratic keys are `${a},${b}` with a < b. */
export function decodeQp(data: { format: string; lin: string; quad: string }, solver: QpSolverGraph): QpProblem {
  if (data.format !== 'qp') throw new TypeError(`data format must be "qp", got ${JSON.stringify(data.format)}`);
  const lin = decodeFloat64(data.lin);
  const quad = decodeFloat64(data.quad);
  if (lin.length !== solver.qubits.length) {
    throw new ProblemStructureError(`lin has ${lin.length} entries; the solver has ${solver.qubits.length} qubits`);
  }
  const linear = new Map<number, number>();
  solver.qubits.forEach((q, i) => {
    if (!Number.isNaN(lin[i])) linear.set(q, lin[i]);
  });
  const quadratic = new Map<string, number>();
  let t = 0;
  for (const [a, b] of solver.couplers) {
    if (!linear.has(a) || !linear.has(b)) continue;
    if (t >= quad.length) throw new ProblemStructureError(`quad has ${quad.length} entries; more active couplers than that`);
    const v = quad[t++];
    if (Number.isNaN(v)) throw new ProblemStructureError(`quad entry ${t - 1} is NaN`);
    quadratic.set(a < b ? `${a},${b}` : `${b},${a}`, v);
  }
  if (t !== quad.length) throw new ProblemStructureError(`quad has ${quad.length} entries; ${t} couplers are active`);
  return { linear, quadratic };
}

/** Energy of one assignment (values by qubit) of a `qp` problem, as SAPI reports it (no offset). */
export function qpEnergy(problem: QpProblem, value: (qubit: number) => number): number {
  let e = 0;
  for (const [q, h] of problem.linear) e += h * value(q);
  for (const [key, j] of problem.quadratic) {
    const [a, b] = parsePair(key);
    e += j * value(a) * value(b);
  }
  return e;
}

// ---------------------------------------------------------------------------------------------
// Answers

export interface QpAnswer {
  format: 'qp';
  num_variables: number;
  active_variables: string;
  solutions: string;
  energies: string;
  num_occurrences?: string;
  timing: Record<string, number>;
  [key: string]: unknown;
}

export interface QpAnswerInput {
  /** Active qubits, ascending (the solution columns). */
  activeVariables: readonly number[];
  /** rows x activeVariables.length values: spins (-1/+1) or binaries (0/1). A positive value packs as bit 1. */
  samples: Int8Array | ArrayLike<number>;
  energies: ArrayLike<number>;
  /** Per-row counts; all 1 when absent. */
  numOccurrences?: ArrayLike<number>;
  /** The solver's nominal num_qubits. */
  numVariables: number;
  timing?: Record<string, number>;
  /**
   * 'histogram' (the default) merges identical rows, sums their counts and sorts by energy; 'raw' keeps
   * the rows in the order given.
   */
  answerMode?: 'histogram' | 'raw';
}

/** Builds a `qp` answer exactly as SAPI returns it (for the mock server). */
export function encodeQpAnswer(input: QpAnswerInput): QpAnswer {
  const active = Array.from(input.activeVariables);
  const n = active.length;
  const rows = input.energies.length;
  if (input.samples.length !== rows * n) throw new RangeError(`samples has ${input.samples.length} values; expected ${rows} x ${n}`);
  const counts = input.numOccurrences ? Array.from(input.numOccurrences) : new Array<number>(rows).fill(1);
  if (counts.length !== rows) throw new RangeError(`numOccurrences has ${counts.length} entries; expected ${rows}`);
  const nb = Math.ceil(n / 8);
  const packRow = (r: number) => {
    const bytes = Buffer.alloc(nb);
    for (let i = 0; i < n; i++) if (input.samples[r * n + i] > 0) bytes[i >> 3] |= 0x80 >> (i & 7);
    return bytes;
  };
  let order: { bytes: Buffer; energy: number; count: number }[] = [];
  for (let r = 0; r < rows; r++) order.push({ bytes: packRow(r), energy: input.energies[r], count: counts[r] });
  if ((input.answerMode ?? 'histogram') === 'histogram') {
    const merged = new Map<string, { bytes: Buffer; energy: number; count: number; first: number }>();
    order.forEach((row, r) => {
      const key = row.bytes.toString('hex');
      const hit = merged.get(key);
      if (hit) hit.count += row.count;
      else merged.set(key, { ...row, first: r });
    });
    order = Array.from(merged.values()).sort((x, y) => x.energy - y.energy || x.first - y.first);
  }
  return {
    format: 'qp',
    num_variables: input.numVariables,
    active_variables: encodeInt32(active),
    solutions: Buffer.concat(order.map((o) => o.bytes)).toString('base64'),
    energies: encodeFloat64(order.map((o) => o.energy)),
    num_occurrences: encodeInt32(order.map((o) => o.count)),
    timing: { ...(input.timing ?? {}) },
  };
}

export interface DecodedQpAnswer {
  activeVariables: number[];
  /** rows x activeVariables.length, spins (ising) or binaries (qubo). */
  samples: Int8Array;
  energies: Float64Array;
  numOccurrences: Int32Array;
  timing: Record<string, number>;
  /** The solver's nominal qubit count (num_variables). */
  numVariables: number;
}

/**
 * Decodes a `qp` answer. Bits are MSB-first within each byte; a row's stride is
 * floor(bytes / rows), so trailing pad bytes are tolerated. SPIN: bit 1 -> +1, 0 -> -1.
 * Energies are SAPI's (no offset); add the problem offset yourself.
 */
export function decodeQpAnswer(answer: object, vartype: 'SPIN' | 'BINARY'): DecodedQpAnswer {
  const a = answer as Partial<QpAnswer>;
  if (a.format !== 'qp') throw new TypeError(`answer format must be "qp", got ${JSON.stringify(a.format)}`);
  if (typeof a.active_variables !== 'string' || typeof a.solutions !== 'string' || typeof a.energies !== 'string') {
    throw new TypeError('a qp answer needs active_variables, solutions and energies');
  }
  const activeVariables = Array.from(decodeInt32(a.active_variables));
  const energies = decodeFloat64(a.energies);
  const rows = energies.length;
  const numOccurrences = typeof a.num_occurrences === 'string' ? decodeInt32(a.num_occurrences) : new Int32Array(rows).fill(1);
  if (numOccurrences.length !== rows) throw new RangeError(`num_occurrences has ${numOccurrences.length} entries for ${rows} energies`);
  const bytes = Buffer.from(a.solutions, 'base64');
  const n = activeVariables.length;
  const stride = rows === 0 ? 0 : Math.floor(bytes.length / rows);
  if (rows > 0 && stride * 8 < n) throw new RangeError(`solutions has ${bytes.length} bytes: too few for ${rows} rows of ${n} bits`);
  const low = vartype === 'SPIN' ? -1 : 0;
  const samples = new Int8Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const base = r * stride;
    for (let i = 0; i < n; i++) samples[r * n + i] = bytes[base + (i >> 3)] & (0x80 >> (i & 7)) ? 1 : low;
  }
  return {
    activeVariables,
    samples,
    energies,
    numOccurrences,
    timing: { ...((a.timing as Record<string, number>) ?? {}) },
    numVariables: typeof a.num_variables === 'number' ? a.num_variables : n,
  };
}
