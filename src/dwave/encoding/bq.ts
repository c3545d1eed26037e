/**
 * `bq` answers of the hybrid solvers (SAPI_SPEC.md §4.2): `{"format": "bq", "data": <dimod SampleSet,
 * schema 3.x>}`. Packed samples are uint32 words, variable v in bit v % 32 (LSB first) of word v / 32.
 */
import { parseVartype, Vartype } from '../../model/vartype';
import { DimodArray, DimodSampleSetJSON, SampleSet } from '../../samplers/sample-set';
import type { DimodLabel } from './dimodbqm';

/** dimod's serialised SampleSet, as the `bq` answer carries it (the same shape SampleSet.toJSON writes). */
export type DimodSampleSetData = DimodSampleSetJSON;

export interface BqAnswer {
  format: 'bq';
  data: DimodSampleSetData;
}

/** Canonical string for matching labels (tuples arrive as JSON lists). */
function labelKey(l: unknown): string {
  return JSON.stringify(l);
}

function plainArray(a: DimodArray | undefined, name: string): unknown[] {
  if (!a) throw new TypeError(`sampleset has no ${name}`);
  if (a.use_bytes) throw new TypeError(`${name} uses raw bytes (use_bytes: true), which JSON transport does not support`);
  if (!Array.isArray(a.data)) throw new TypeError(`${name}.data is not an array`);
  return a.data;
}

function schemaAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const [M, m] = (version ?? '0.0').split('.').map(Number);
  return M > major || (M === major && m >= minor);
}

export interface DecodeBqOptions {
  /**
   * The labels of the original variables, in column order: SampleSet column i is the variable labelled
   * labels[i]. Defaults to 0..n-1. The answer's columns are matched to them by label.
   */
  labels?: readonly DimodLabel[];
}

/**
 * Decodes a `bq` answer into a SampleSet over the original variables. Energies are taken as they are
 * (they already include the model's offset). Extra per-row vectors (e.g. is_feasible) and the solver's
 * info go into `info` (vectors under `info.vectors`).
 */
export function decodeBqAnswer(answer: object, opts: DecodeBqOptions = {}): SampleSet {
  const a = answer as Partial<BqAnswer>;
  if (a.format !== 'bq') throw new TypeError(`answer format must be "bq", got ${JSON.stringify(a.format)}`);
  const d = a.data;
  if (!d || d.type !== 'SampleSet') throw new TypeError('bq answer data is not a serialised dimod SampleSet');
  const vartype: Vartype = parseVartype(d.variable_type, 'variable_type');
  const n = d.num_variables;
  const rows = d.num_rows;
  const answerLabels = d.variable_labels ?? Array.from({ length: n }, (_, i) => i);
  if (answerLabels.length !== n) throw new RangeError(`variable_labels has ${answerLabels.length} labels for ${n} variables`);
  const labels = opts.labels ?? Array.from({ length: n }, (_, i) => i);
  const columnOf = new Map<string, number>();
  labels.forEach((l, i) => columnOf.set(labelKey(l), i));
  const numCols = labels.length;
  const target = answerLabels.map((l) => {
    const c = columnOf.get(labelKey(l));
    if (c === undefined) throw new RangeError(`the answer has variable ${JSON.stringify(l)}, which the problem does not`);
    return c;
  });
  if (n !== numCols) throw new RangeError(`the answer has ${n} variables; the problem has ${numCols}`);
  const raw = plainArray(d.sample_data, 'sample_data') as number[][];
  if (raw.length !== rows) throw new RangeError(`sample_data has ${raw.length} rows; num_rows is ${rows}`);
  // Before schema 3.1 samples were always packed.
  const packed = d.sample_packed ?? !schemaAtLeast(d.version?.sampleset_schema, 3, 1);
  const low = vartype === 'SPIN' ? -1 : 0;
  const samples = new Int8Array(rows * numCols);
  for (let r = 0; r < rows; r++) {
    const row = raw[r];
    for (let v = 0; v < n; v++) {
      let value: number;
      if (packed) value = (row[v >>> 5] >>> (v & 31)) & 1 ? 1 : low;
      else value = row[v];
      samples[r * numCols + target[v]] = value;
    }
  }
  const energies = plainArray(d.vectors?.energy, 'vectors.energy') as number[];
  const occ = d.vectors?.num_occurrences ? (plainArray(d.vectors.num_occurrences, 'vectors.num_occurrences') as number[]) : undefined;
  const vectors: Record<string, unknown[]> = {};
  for (const [name, vec] of Object.entries(d.vectors ?? {})) {
    if (name === 'energy' || name === 'num_occurrences') continue;
    vectors[name] = plainArray(vec, `vectors.${name}`);
  }
  const info: Record<string, unknown> = { timing: {}, ...(d.info ?? {}) };
  if (Object.keys(vectors).length > 0) info.vectors = vectors;
  return new SampleSet({ vartype, numVariables: numCols, samples, energies, numOccurrences: occ, info });
}

export interface EncodeBqOptions {
  /** Labels of the SampleSet's columns; default 0..n-1. */
  labels?: readonly DimodLabel[];
  /** Pack samples into uint32 words (dimod's default for JSON); default true. */
  packed?: boolean;
  /** Solver info (run_time, charge_time, qpu_access_time, problem_id...). Default: the set's info without timing. */
  info?: Record<string, unknown>;
  /** Extra per-row vectors, e.g. is_feasible. */
  vectors?: Record<string, { data: unknown[]; data_type: string }>;
}

/** Builds a `bq` answer from a SampleSet, the way SAPI returns hybrid results (for the mock server). */
export function encodeBqAnswer(ss: SampleSet, opts: EncodeBqOptions = {}): BqAnswer {
  const n = ss.numVariables;
  const rows = ss.length;
  const labels = opts.labels ?? Array.from({ length: n }, (_, i) => i);
  if (labels.length !== n) throw new RangeError(`labels has ${labels.length} entries for ${n} variables`);
  const packed = opts.packed ?? true;
  let sampleData: DimodArray;
  if (packed) {
    const words = Math.ceil(n / 32);
    const data: number[][] = [];
    for (let r = 0; r < rows; r++) {
      const row = new Array<number>(words).fill(0);
      for (let v = 0; v < n; v++) if (ss.data[r * n + v] > 0) row[v >>> 5] = (row[v >>> 5] | (1 << (v & 31))) >>> 0;
      data.push(row);
    }
    sampleData = { type: 'array', data, data_type: 'uint32', shape: [rows, words], use_bytes: false };
  } else {
    sampleData = { type: 'array', data: ss.samples.map((row) => Array.from(row)), data_type: 'int8', shape: [rows, n], use_bytes: false };
  }
  const vectors: DimodSampleSetJSON['vectors'] = {
    energy: { type: 'array', data: Array.from(ss.energies), data_type: 'float64', shape: [rows], use_bytes: false },
    num_occurrences: { type: 'array', data: Array.from(ss.numOccurrences), data_type: 'int64', shape: [rows], use_bytes: false },
  };
  for (const [name, v] of Object.entries(opts.vectors ?? {})) {
    if (v.data.length !== rows) throw new RangeError(`vector ${name} has ${v.data.length} entries for ${rows} rows`);
    vectors[name] = { type: 'array', data: v.data.slice(), data_type: v.data_type, shape: [rows], use_bytes: false };
  }
  let info = opts.info;
  if (!info) {
    const { timing, ...rest } = ss.info;
    void timing;
    info = JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
  }
  return {
    format: 'bq',
    data: {
      type: 'SampleSet',
      version: { sampleset_schema: '3.2.0' },
      num_variables: n,
      num_rows: rows,
      sample_data: sampleData,
      sample_type: 'int8',
      sample_packed: packed,
      vectors,
      variable_labels: labels.map((l) => (Array.isArray(l) ? JSON.parse(JSON.stringify(l)) : l)),
      variable_type: ss.vartype,
      info,
    },
  };
}
