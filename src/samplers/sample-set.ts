import { MAX_SAMPLE_ROWS, MAX_SAMPLE_VALUES, MAX_VARIABLES } from '../model/limits';
import { parseVartype, Vartype } from '../model/vartype';

/** A size field of a serialised sample set: a non-negative integer up to `max`, checked before any allocation. */
function countField(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`SampleSet.fromJSON: ${name} must be a number, got ${JSON.stringify(value)}`);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`SampleSet.fromJSON: ${name} must be a non-negative integer, got ${value}`);
  if (value > max) throw new RangeError(`SampleSet.fromJSON: ${name} is ${value}, more than the supported ${max}`);
  return value;
}

/** The `data` array of one of dimod's vectors, of exactly `rows` entries. */
function vectorData(vector: unknown, name: string, rows: number): unknown[] {
  const data = vector && typeof vector === 'object' ? (vector as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) throw new TypeError(`SampleSet.fromJSON: ${name}.data must be an array`);
  if (data.length !== rows) throw new RangeError(`SampleSet.fromJSON: ${name} has ${data.length} entries; num_rows says ${rows}`);
  return data;
}

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
    if (!Number.isInteger(d.numVariables) || d.numVariables < 0 || d.numVariables > MAX_VARIABLES) {
      throw new RangeError(`numVariables must be an integer in 0..${MAX_VARIABLES}, got ${d.numVariables}`);
    }
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
   * 0..n-1 in some order (each once); columns are reordered to label order. Everything is checked before
   * use: sizes against the native limits (before allocating), every value against the vartype, energies
   * finite numbers, occurrences non-negative integers. Wrong types are TypeErrors, wrong values RangeErrors.
   */
  static fromJSON(json: unknown): SampleSet {
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as DimodSampleSetJSON;
    const where = 'SampleSet.fromJSON';
    if (!j || typeof j !== 'object' || j.type !== 'SampleSet') throw new TypeError(`${where}: not a serialised dimod SampleSet (type must be "SampleSet")`);
    const vartype = parseVartype(j.variable_type, 'variable_type');
    const n = countField(j.num_variables, 'num_variables', MAX_VARIABLES);
    const rows = countField(j.num_rows, 'num_rows', MAX_SAMPLE_ROWS);
    if (rows * n > MAX_SAMPLE_VALUES) {
      throw new RangeError(`${where}: num_rows x num_variables is ${rows} x ${n}, more than ${MAX_SAMPLE_VALUES} sample values`);
    }
    const packed = j.sample_packed ?? false;
    if (typeof packed !== 'boolean') throw new TypeError(`${where}: sample_packed must be true or false, got ${JSON.stringify(packed)}`);

    // column[c] = the variable (label) column c holds; identity when there are no labels.
    let column: Int32Array | undefined;
    if (j.variable_labels !== undefined && j.variable_labels !== null) {
      const labels = j.variable_labels;
      if (!Array.isArray(labels)) throw new TypeError(`${where}: variable_labels must be an array`);
      if (labels.length !== n) throw new RangeError(`${where}: variable_labels has ${labels.length} labels for ${n} variables`);
      column = new Int32Array(n);
      const seenAt = new Int32Array(n).fill(-1);
      for (let c = 0; c < n; c++) {
        const l = labels[c];
        if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= n) {
          throw new RangeError(`${where}: variable label ${JSON.stringify(l)} at column ${c} is not an integer in 0..${n - 1}`);
        }
        if (seenAt[l] >= 0) throw new RangeError(`${where}: variable label ${l} appears twice (columns ${seenAt[l]} and ${c})`);
        seenAt[l] = c;
        column[c] = l;
      }
    }

    const sampleData = j.sample_data;
    if (!sampleData || typeof sampleData !== 'object') throw new TypeError(`${where}: sample_data must be an array object`);
    if (sampleData.use_bytes) throw new TypeError(`${where}: sample_data with use_bytes is not supported; serialise with use_bytes=False`);
    const raw = sampleData.data;
    if (!Array.isArray(raw)) throw new TypeError(`${where}: sample_data.data must be an array of rows`);
    if (raw.length !== rows) throw new RangeError(`${where}: sample_data has ${raw.length} rows; num_rows says ${rows}`);
    const width = packed ? Math.ceil(n / 32) : n;
    const samples = new Int8Array(rows * n);
    const low = vartype === 'SPIN' ? -1 : 0;
    for (let r = 0; r < rows; r++) {
      const row = raw[r] as unknown;
      if (!Array.isArray(row)) throw new TypeError(`${where}: sample_data.data[${r}] must be an array`);
      if (row.length !== width) {
        throw new RangeError(`${where}: sample_data.data[${r}] has ${row.length} values; expected ${width}${packed ? ` packed words for ${n} variables` : ''}`);
      }
      for (let c = 0; c < width; c++) {
        const v = row[c] as unknown;
        if (typeof v !== 'number') throw new TypeError(`${where}: sample_data.data[${r}][${c}] is ${JSON.stringify(v)}, not a number`);
        if (packed) {
          // Packed rows: uint32 words, bit c % 32 (least significant first) of word c / 32 is column c.
          if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 32) {
            throw new RangeError(`${where}: sample_data.data[${r}][${c}] is ${v}, not a 32-bit packed word`);
          }
        } else if (v !== low && v !== 1) {
          throw new RangeError(`${where}: sample_data.data[${r}][${c}] is ${v}, not a ${vartype} value (${low} or 1)`);
        }
      }
      for (let c = 0; c < n; c++) {
        const v = packed ? (((row[c >>> 5] as number) >>> (c & 31)) & 1 ? 1 : low) : (row[c] as number);
        samples[r * n + (column ? column[c] : c)] = v;
      }
    }

    const vectors = j.vectors;
    if (!vectors || typeof vectors !== 'object') throw new TypeError(`${where}: vectors must be an object with an energy array`);
    const energies = new Float64Array(rows);
    const energyData = vectorData(vectors.energy, 'vectors.energy', rows);
    for (let r = 0; r < rows; r++) {
      const e = energyData[r];
      if (typeof e !== 'number') throw new TypeError(`${where}: vectors.energy.data[${r}] is ${JSON.stringify(e)}, not a number`);
      if (!Number.isFinite(e)) throw new RangeError(`${where}: vectors.energy.data[${r}] is ${e}, not a finite number`);
      energies[r] = e;
    }
    let numOccurrences: Int32Array | undefined;
    if (vectors.num_occurrences !== undefined && vectors.num_occurrences !== null) {
      const occData = vectorData(vectors.num_occurrences, 'vectors.num_occurrences', rows);
      numOccurrences = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        const o = occData[r];
        if (typeof o !== 'number') throw new TypeError(`${where}: vectors.num_occurrences.data[${r}] is ${JSON.stringify(o)}, not a number`);
        if (!Number.isInteger(o) || o < 0 || o > 2 ** 31 - 1) {
          throw new RangeError(`${where}: vectors.num_occurrences.data[${r}] is ${o}, not a non-negative integer (int32)`);
        }
        numOccurrences[r] = o;
      }
    }
    const info = j.info ?? {};
    if (typeof info !== 'object' || Array.isArray(info)) throw new TypeError(`${where}: info must be an object`);
    return new SampleSet({ vartype, numVariables: n, samples, energies, numOccurrences, info: { timing: {}, ...info } });
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
