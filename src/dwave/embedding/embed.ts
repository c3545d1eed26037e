/**
 * Embedding a model onto hardware chains and reading samples back (SAPI_SPEC.md §7.2–§7.5).
 */
import { BinaryQuadraticModel } from '../../model/bqm';
import { Vartype } from '../../model/vartype';
import { SampleSet } from '../../samplers/sample-set';
import { couplerKey, HardwareGraph, mulberry32 } from '../topology';
import type { Embedding } from './clique';
import { MissingChainError, MissingEdgeError } from '../../errors';

/** A source interaction with no coupler between its two chains; a source variable without a chain (src/errors.ts). */
export { MissingChainError, MissingEdgeError };

/** An Ising problem on qubits: h by qubit, J keyed `${a},${b}` with a < b, plus the energy offset. */
export interface EmbeddedIsing {
  h: Map<number, number>;
  J: Map<string, number>;
  offset: number;
  chainStrength: number;
}


const jKey = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);

/**
 * Embeds `bqm` in SPIN form: h_v is spread evenly over v's chain; every coupler inside a chain gets
 * -chainStrength (and the offset +chainStrength, so an intact chain costs nothing); J_uv is split evenly
 * over all couplers between chain(u) and chain(v). Every chain qubit is present in `h` (possibly with 0)
 * so that it is active on the QPU.
 */
export function embedBqm(bqm: BinaryQuadraticModel, embedding: Embedding, g: HardwareGraph, chainStrength: number): EmbeddedIsing {
  if (!Number.isFinite(chainStrength)) throw new RangeError(`chainStrength must be finite, got ${chainStrength}`);
  const spin = bqm.vartype === 'SPIN' ? bqm : bqm.changeVartype('SPIN');
  const n = spin.numVariables;
  const working = new Set(g.qubits);
  const owner = new Map<number, number>();
  for (let v = 0; v < n; v++) {
    const chain = embedding[v];
    if (!chain || chain.length === 0) throw new MissingChainError(`variable ${v} has no chain in the embedding`);
    for (const q of chain) {
      if (!working.has(q)) throw new RangeError(`chain of variable ${v} uses qubit ${q}, which is not a working qubit`);
      if (owner.has(q)) throw new RangeError(`qubit ${q} is in the chains of both ${owner.get(q)} and ${v}`);
      owner.set(q, v);
    }
  }
  const h = new Map<number, number>();
  const J = new Map<string, number>();
  let offset = spin.offset;
  const lin = spin.linear;
  for (let v = 0; v < n; v++) {
    const chain = embedding[v];
    const share = lin[v] / chain.length;
    for (const q of chain) h.set(q, share);
  }
  // Group couplers by the pair of chains they join.
  const between = new Map<number, [number, number][]>();
  for (const [a, b] of g.couplers) {
    const u = owner.get(a);
    const w = owner.get(b);
    if (u === undefined || w === undefined) continue;
    if (u === w) {
      J.set(jKey(a, b), -chainStrength);
      offset += chainStrength;
      continue;
    }
    const key = couplerKey(u, w);
    let list = between.get(key);
    if (!list) between.set(key, (list = []));
    list.push([a, b]);
  }
  for (const [u, w, bias] of spin.quadraticTerms()) {
    const list = between.get(couplerKey(u, w));
    if (!list) throw new MissingEdgeError(`no coupler joins the chains of variables ${u} and ${w}`);
    const share = bias / list.length;
    for (const [a, b] of list) {
      const k = jKey(a, b);
      J.set(k, (J.get(k) ?? 0) + share);
    }
  }
  return { h, J, offset, chainStrength };
}

export interface UnembedOptions {
  /** Break majority-vote ties at random (seeded) instead of towards +1 / 1. */
  tieBreakSeed?: number;
  /** The vartype of the qubit samples (and of the output); default SPIN. */
  vartype?: Vartype;
}

/**
 * Majority vote per chain. `qubitSamples` is numRows x qubitOrder.length (values in the vartype; SPIN by
 * default). Ties go to +1 (SPIN) or 1 (BINARY), as dwave-system does. `chainBreakFraction[r]` is the
 * fraction of chains whose qubits disagree in row r.
 */
export function unembedSamples(
  qubitSamples: Int8Array,
  qubitOrder: number[],
  numRows: number,
  embedding: Embedding,
  opts: UnembedOptions = {},
): { samples: Int8Array; chainBreakFraction: Float64Array } {
  const width = qubitOrder.length;
  if (qubitSamples.length !== numRows * width) {
    throw new RangeError(`qubitSamples has ${qubitSamples.length} values; expected ${numRows} x ${width}`);
  }
  const column = new Map<number, number>();
  qubitOrder.forEach((q, i) => column.set(q, i));
  const cols = embedding.map((chain, v) =>
    Int32Array.from(chain, (q) => {
      const c = column.get(q);
      if (c === undefined) throw new RangeError(`qubit ${q} of variable ${v}'s chain is not among the sampled qubits`);
      return c;
    }),
  );
  const binary = opts.vartype === 'BINARY';
  const low = binary ? 0 : -1;
  const rand = opts.tieBreakSeed === undefined ? undefined : mulberry32(opts.tieBreakSeed);
  const nv = embedding.length;
  const samples = new Int8Array(numRows * nv);
  const chainBreakFraction = new Float64Array(numRows);
  for (let r = 0; r < numRows; r++) {
    const base = r * width;
    let broken = 0;
    for (let v = 0; v < nv; v++) {
      const c = cols[v];
      let up = 0;
      for (let i = 0; i < c.length; i++) if (qubitSamples[base + c[i]] > 0) up++;
      const down = c.length - up;
      if (up > 0 && down > 0) broken++;
      let value: number;
      if (up > down) value = 1;
      else if (up < down) value = low;
      else value = rand ? (rand() < 0.5 ? low : 1) : 1;
      samples[r * nv + v] = value;
    }
    chainBreakFraction[r] = nv === 0 ? 0 : broken / nv;
  }
  return { samples, chainBreakFraction };
}

/**
 * Unembeds decoded QPU rows into a SampleSet over `bqm`'s variables, in `bqm`'s vartype, with energies
 * recomputed on `bqm` (so they include its offset). Rows keep their num_occurrences; duplicates are not
 * merged. `info.chainBreakFraction` holds the per-row fractions.
 */
export function unembedToSampleSet(
  bqm: BinaryQuadraticModel,
  decoded: { activeVariables: number[]; samples: Int8Array; numOccurrences?: Int32Array; timing?: Record<string, number> },
  embedding: Embedding,
  opts: UnembedOptions = {},
): SampleSet {
  const width = decoded.activeVariables.length;
  const rows = width === 0 ? (decoded.numOccurrences?.length ?? 0) : decoded.samples.length / width;
  const { samples, chainBreakFraction } = unembedSamples(decoded.samples, decoded.activeVariables, rows, embedding.slice(0, bqm.numVariables), opts);
  const n = bqm.numVariables;
  const fromBinary = opts.vartype === 'BINARY';
  const out = new Int8Array(rows * n);
  for (let i = 0; i < out.length; i++) {
    const s = samples[i];
    const spin = fromBinary ? 2 * s - 1 : s;
    out[i] = bqm.vartype === 'SPIN' ? spin : (spin + 1) / 2;
  }
  const energies = new Float64Array(rows);
  for (let r = 0; r < rows; r++) energies[r] = bqm.energy(out.subarray(r * n, (r + 1) * n));
  return new SampleSet({
    vartype: bqm.vartype,
    numVariables: n,
    samples: out,
    energies,
    numOccurrences: decoded.numOccurrences,
    info: { timing: decoded.timing ? { qpu: decoded.timing } : {}, chainBreakFraction: Array.from(chainBreakFraction) },
  });
}

/**
 * Scales an embedded problem into the solver's ranges, as dwave-system's ScaleComposite does:
 * inv = max(min h / hRange[0], max h / hRange[1], min J / jRange[0], max J / jRange[1]) and every bias
 * (and the offset and chain strength) is multiplied by scale = 1 / inv. With autoScale (the default) the
 * problem is stretched or shrunk to fill the ranges; with autoScale false it is only shrunk when it does
 * not fit (scale <= 1). Divide sampled energies by `scale` to get the unscaled ones. Values are clipped into
 * range afterwards to absorb rounding.
 */
export function scaleToRanges(
  ising: EmbeddedIsing,
  hRange: [number, number],
  jRange: [number, number],
  autoScale = true,
): { ising: EmbeddedIsing; scale: number } {
  if (!(hRange[0] < 0 && hRange[1] > 0 && jRange[0] < 0 && jRange[1] > 0)) {
    throw new RangeError(`ranges must straddle 0: h ${JSON.stringify(hRange)}, J ${JSON.stringify(jRange)}`);
  }
  let inv = 0;
  for (const v of ising.h.values()) inv = Math.max(inv, v / hRange[0], v / hRange[1]);
  for (const v of ising.J.values()) inv = Math.max(inv, v / jRange[0], v / jRange[1]);
  let scale = inv > 0 ? 1 / inv : 1;
  if (!autoScale) scale = Math.min(1, scale);
  const clip = (v: number, r: [number, number]) => Math.min(r[1], Math.max(r[0], v));
  const h = new Map<number, number>();
  for (const [q, v] of ising.h) h.set(q, clip(v * scale, hRange));
  const J = new Map<string, number>();
  for (const [k, v] of ising.J) J.set(k, clip(v * scale, jRange));
  return { ising: { h, J, offset: ising.offset * scale, chainStrength: ising.chainStrength * scale }, scale };
}
