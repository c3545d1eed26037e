import { parseVartype, Vartype } from '../model/vartype';

/** Wall-clock split of one sampling call, in milliseconds. */
export interface Timing {
  preprocessMs?: number;
  samplingMs?: number;
  postprocessMs?: number;
  totalMs?: number;
  /** QPU timing as the service reports it (microseconds, SAPI's names). */
  qpu?: Record<string, number>;
  [key: string]: unknown;
}

export interface SampleSetInfo {
  timing: Timing;
  /** The sampler's name and the parameters it actually used (after defaults). */
  sampler?: string;
  parameters?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface SampleRecord {
  sample: Int8Array;
  energy: number;
  numOccurrences: number;
}

export interface SampleSetData {
  vartype: Vartype;
  numVariables: number;
  /** Row-major: numRows * numVariables values of the vartype. */
  samples: Int8Array;
  energies: Float64Array | ArrayLike<number>;
  numOccurrences?: Int32Array | ArrayLike<number>;
  info?: Partial<SampleSetInfo>;
}

/**
 * Samples with their energies, one row per read (or per distinct sample after `aggregate()`).
 * Rows keep the order the sampler produced; `first` is the lowest-energy row.
 */
export class SampleSet {
  readonly vartype: Vartype;
  readonly numVariables: number;
  readonly energies: Float64Array;
  readonly numOccurrences: Int32Array;
  readonly info: SampleSetInfo;
  /** The packed row-major sample matrix. */
  readonly data: Int8Array;
  private rowsCache: Int8Array[] | undefined;

  constructor(d: SampleSetData) {
    this.vartype = parseVartype(d.vartype);
    this.numVariables = d.numVariables;
    const rows = d.energies.length;
    if (d.samples.length !== rows * d.numVariables) {
      throw new RangeError(`samples has ${d.samples.length} values; expected ${rows} rows x ${d.numVariables} variables`);
    }
    this.data = d.samples;
    this.energies = d.energies instanceof Float64Array ? d.energies : Float64Array.from(d.energies);
    if (d.numOccurrences && d.numOccurrences.length !== rows) {
      throw new RangeError(`numOccurrences has ${d.numOccurrences.length} entries; expected ${rows}`);
    }
    this.numOccurrences = d.numOccurrences
      ? d.numOccurrences instanceof Int32Array
        ? d.numOccurrences
        : Int32Array.from(d.numOccurrences)
      : new Int32Array(rows).fill(1);
    this.info = { timing: {}, ...d.info } as SampleSetInfo;
  }

  get length(): number {
    return this.energies.length;
  }

  /** samples[r][i]: variable i's value in row r (views into `data`, no copies). */
  get samples(): Int8Array[] {
    if (!this.rowsCache) {
      const n = this.numVariables;
      this.rowsCache = Array.from({ length: this.length }, (_, r) => this.data.subarray(r * n, (r + 1) * n));
    }
    return this.rowsCache;
  }

  record(r: number): SampleRecord {
    if (!Number.isInteger(r) || r < 0 || r >= this.length) throw new RangeError(`row ${r} is outside 0..${this.length - 1}`);
    const n = this.numVariables;
    return { sample: this.data.subarray(r * n, (r + 1) * n), energy: this.energies[r], numOccurrences: this.numOccurrences[r] };
  }

  /** Index of the lowest-energy row (the first one among equals). */
  get firstIndex(): number {
    if (this.length === 0) throw new RangeError('the sample set is empty');
    let best = 0;
    for (let r = 1; r < this.length; r++) if (this.energies[r] < this.energies[best]) best = r;
    return best;
  }

  get first(): SampleRecord {
    return this.record(this.firstIndex);
  }

  /** Rows in ascending energy order (stable). */
  sorted(): SampleSet {
    const order = Array.from({ length: this.length }, (_, r) => r).sort((a, b) => this.energies[a] - this.energies[b] || a - b);
    return this.select(order);
  }

  /** The rows whose energy is within `atol` of the lowest. */
  lowest(atol = 1e-9): SampleSet {
    if (this.length === 0) return this;
    const min = this.energies[this.firstIndex];
    const rows: number[] = [];
    for (let r = 0; r < this.length; r++) if (this.energies[r] <= min + atol) rows.push(r);
    return this.select(rows);
  }

  /** Identical samples merged into one row each, occurrences summed; first appearance order kept. */
  aggregate(): SampleSet {
    const n = this.numVariables;
    const seen = new Map<string, number>();
    const rows: number[] = [];
    const counts: number[] = [];
    for (let r = 0; r < this.length; r++) {
      const key = this.data.subarray(r * n, (r + 1) * n).join(',');
      const at = seen.get(key);
      if (at === undefined) {
        seen.set(key, rows.length);
        rows.push(r);
        counts.push(this.numOccurrences[r]);
      } else {
        counts[at] += this.numOccurrences[r];
      }
    }
    const out = this.select(rows);
    out.numOccurrences.set(counts);
    return out;
  }

  /** A new set from the given rows, in that order. */
  select(rows: readonly number[]): SampleSet {
    const n = this.numVariables;
    const samples = new Int8Array(rows.length * n);
    const energies = new Float64Array(rows.length);
    const occ = new Int32Array(rows.length);
    rows.forEach((r, k) => {
      samples.set(this.data.subarray(r * n, (r + 1) * n), k * n);
      energies[k] = this.energies[r];
      occ[k] = this.numOccurrences[r];
    });
    return new SampleSet({ vartype: this.vartype, numVariables: n, samples, energies, numOccurrences: occ, info: this.info });
  }

  /** dimod's serialisable form (sampleset schema 3.2.0, unpacked int8 samples), JSON-safe. */
  toJSON(): DimodSampleSetJSON {
    const n = this.numVariables;
    return {
      basetype: 'SampleSet',
      type: 'SampleSet',
      version: { sampleset_schema: '3.2.0' },
      num_variables: n,
      num_rows: this.length,
      sample_data: { type: 'array', data: this.samples.map((row) => Array.from(row)), data_type: 'int8', shape: [this.length, n], use_bytes: false },
      sample_type: 'int8',
      sample_packed: false,
      vectors: {
        energy: { type: 'array', data: Array.from(this.energies), data_type: 'float64', shape: [this.length], use_bytes: false },
        num_occurrences: { type: 'array', data: Array.from(this.numOccurrences), data_type: 'int64', shape: [this.length], use_bytes: false },
      },
      variable_labels: Array.from({ length: n }, (_, i) => i),
      variable_type: this.vartype,
      info: jsonSafe(this.info) as Record<string, unknown>,
    };
  }

  /**
   * Reads dimod's serialised SampleSet (schema 3.x), packed or not. Labels must be the integers
   * 0..n-1 in some order; columns are reordered to label order.
   */
  static fromJSON(json: unknown): SampleSet {
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as DimodSampleSetJSON;
    if (!j || j.type !== 'SampleSet') throw new TypeError('not a serialised dimod SampleSet (type must be "SampleSet")');
    const vartype = parseVartype(j.variable_type, 'variable_type');
    const n = j.num_variables;
    const rows = j.num_rows;
    const labels = j.variable_labels ?? Array.from({ length: n }, (_, i) => i);
    if (labels.length !== n) throw new RangeError(`variable_labels has ${labels.length} labels for ${n} variables`);
    const column = labels.map((l, c) => {
      if (!Number.isInteger(l) || (l as number) < 0 || (l as number) >= n) {
        throw new RangeError(`variable label ${JSON.stringify(l)} at column ${c} is not an integer in 0..${n - 1}`);
      }
      return l as number;
    });
    const raw = j.sample_data.data as number[][];
    if (raw.length !== rows) throw new RangeError(`sample_data has ${raw.length} rows; num_rows says ${rows}`);
    const samples = new Int8Array(rows * n);
    const low = vartype === 'SPIN' ? -1 : 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < n; c++) {
        let v: number;
        if (j.sample_packed) {
          // Packed rows: uint32 words, bit c % 32 (least significant first) of word c / 32 is column c.
          const word = raw[r][c >>> 5] >>> 0;
          v = (word >>> (c & 31)) & 1 ? 1 : low;
        } else {
          v = raw[r][c];
        }
        samples[r * n + column[c]] = v;
      }
    }
    return new SampleSet({
      vartype,
      numVariables: n,
      samples,
      energies: j.vectors.energy.data as number[],
      numOccurrences: j.vectors.num_occurrences ? (j.vectors.num_occurrences.data as number[]) : undefined,
      info: { timing: {}, ...(j.info ?? {}) },
    });
  }

  /** Concatenates sets over the same variables (e.g. several batches of reads). */
  static concat(sets: readonly SampleSet[]): SampleSet {
    if (sets.length === 0) throw new RangeError('nothing to concatenate');
    const { vartype, numVariables } = sets[0];
    for (const s of sets) {
      if (s.vartype !== vartype || s.numVariables !== numVariables) throw new RangeError('sample sets differ in vartype or variables');
    }
    const total = sets.reduce((a, s) => a + s.length, 0);
    const samples = new Int8Array(total * numVariables);
    const energies = new Float64Array(total);
    const occ = new Int32Array(total);
    let at = 0;
    for (const s of sets) {
      samples.set(s.data, at * numVariables);
      energies.set(s.energies, at);
      occ.set(s.numOccurrences, at);
      at += s.length;
    }
    return new SampleSet({ vartype, numVariables, samples, energies, numOccurrences: occ, info: sets[0].info });
  }
}

export interface DimodArray {
  type: string;
  data: unknown;
  data_type: string;
  shape: number[];
  use_bytes?: boolean;
}

export interface DimodSampleSetJSON {
  basetype?: string;
  type: 'SampleSet';
  version: { sampleset_schema: string };
  num_variables: number;
  num_rows: number;
  sample_data: DimodArray;
  sample_type: string;
  sample_packed?: boolean;
  vectors: { energy: DimodArray; num_occurrences?: DimodArray; [name: string]: DimodArray | undefined };
  variable_labels: unknown[];
  variable_type: string;
  info: Record<string, unknown>;
}

/** Drops what JSON cannot carry (functions, AbortSignals) and turns typed arrays into arrays. */
function jsonSafe(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null) return value ?? null;
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1));
  if (typeof value === 'object') {
    if (typeof (value as { aborted?: unknown }).aborted === 'boolean') return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'function') continue;
      const safe = jsonSafe(v, depth + 1);
      if (safe !== undefined) out[k] = safe;
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return typeof value === 'bigint' ? Number(value) : value;
}
