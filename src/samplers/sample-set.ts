import { inspect } from 'util';
import type { Variable } from '../model/bqm';
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
  /** The row in variable order (a view into the set's data). */
  sample: Int8Array;
  /** The row keyed by label: `record.assignment.paris === -1`. */
  readonly assignment: Record<string, number>;
  energy: number;
  numOccurrences: number;
}

/** One row; `assignment` is built on first use so that reading energies stays cheap. */
class Row implements SampleRecord {
  private keyed: Record<string, number> | undefined;
  constructor(
    readonly sample: Int8Array,
    readonly energy: number,
    readonly numOccurrences: number,
    private readonly labels: () => readonly Variable[],
  ) {
    Object.defineProperty(this, 'labels', { enumerable: false });
    Object.defineProperty(this, 'keyed', { enumerable: false, writable: true });
  }
  get assignment(): Record<string, number> {
    if (!this.keyed) {
      const labels = this.labels();
      const out: Record<string, number> = {};
      for (let i = 0; i < labels.length; i++) out[labels[i]] = this.sample[i];
      this.keyed = out;
    }
    return this.keyed;
  }
  [inspect.custom](): string {
    return `{ assignment: ${inspect(this.assignment, { breakLength: Infinity, maxArrayLength: 20 })}, energy: ${this.energy}, numOccurrences: ${this.numOccurrences} }`;
  }
}

export interface SampleSetData {
  vartype: Vartype;
  numVariables: number;
  /** Row-major: numRows * numVariables values of the vartype. */
  samples: Int8Array;
  energies: Float64Array | ArrayLike<number>;
  numOccurrences?: Int32Array | ArrayLike<number>;
  info?: Partial<SampleSetInfo>;
  /** The label of each column (default 0..numVariables-1), unique. */
  variables?: readonly Variable[];
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
  /** Column labels; undefined while they are 0..n-1. */
  private labels: readonly Variable[] | undefined;

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
    if (d.variables !== undefined) {
      if (d.variables.length !== d.numVariables) throw new RangeError(`variables has ${d.variables.length} labels for ${d.numVariables} variables`);
      if (!d.variables.every((v, i) => v === i)) {
        const seen = new Set<Variable>();
        for (const v of d.variables) {
          if (seen.has(v)) throw new RangeError(`variable ${JSON.stringify(v)} is listed twice`);
          seen.add(v);
        }
        this.labels = Object.freeze(d.variables.slice());
      }
    }
    // Caches are not part of what a set is (util.inspect, equality in tests).
    Object.defineProperty(this, 'rowsCache', { enumerable: false, writable: true });
    Object.defineProperty(this, 'labels', { enumerable: false, writable: true });
  }

  /** The label of each column, in order: `samples[r][i]` is the value of `variables[i]`. */
  get variables(): readonly Variable[] {
    return this.labels ?? Array.from({ length: this.numVariables }, (_, i) => i);
  }

  /** The same rows (arrays shared) with these column labels, e.g. a model's labels put back after index-only work. */
  withVariables(variables: readonly Variable[]): SampleSet {
    return new SampleSet({ ...this.parts(), variables });
  }

  /** The column of a label (RangeError if the set has no such variable). */
  indexOf(v: Variable): number {
    const i = this.labels ? this.labels.indexOf(v) : typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < this.numVariables ? v : -1;
    if (i < 0) throw new RangeError(`the sample set has no variable ${JSON.stringify(v)}`);
    return i;
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
    return new Row(this.data.subarray(r * n, (r + 1) * n), this.energies[r], this.numOccurrences[r], () => this.variables);
  }

  /** The rows in order, as records. */
  *[Symbol.iterator](): IterableIterator<SampleRecord> {
    for (let r = 0; r < this.length; r++) yield this.record(r);
  }

  /** The rows for which `keep(record, r)` is true, in order. */
  filter(keep: (record: SampleRecord, row: number) => boolean): SampleSet {
    const rows: number[] = [];
    for (let r = 0; r < this.length; r++) if (keep(this.record(r), r)) rows.push(r);
    return this.select(rows);
  }

  /** The first `count` rows, lowest energy first unless `sortedByEnergy` is false (dimod's truncate). */
  truncate(count: number, sortedByEnergy = true): SampleSet {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    const set = sortedByEnergy ? this.sorted() : this;
    return set.select(Array.from({ length: Math.min(count, set.length) }, (_, r) => r));
  }

  /**
   * The same samples in the other vartype (0/1 <-> -1/+1); energies stay as they are plus `energyOffset`
   * (the same states have the same energy under the model's changeVartype).
   */
  changeVartype(vartype: Vartype, energyOffset = 0): SampleSet {
    const target = parseVartype(vartype);
    const samples = new Int8Array(this.data.length);
    if (target === this.vartype) samples.set(this.data);
    else if (target === 'SPIN') for (let i = 0; i < samples.length; i++) samples[i] = 2 * this.data[i] - 1;
    else for (let i = 0; i < samples.length; i++) samples[i] = (this.data[i] + 1) >> 1;
    const energies = this.energies.map((e) => e + energyOffset);
    return new SampleSet({ ...this.parts(), vartype: target, samples, energies });
  }

  /** Rows as plain objects (labels, energy, num_oc.) for console.table. */
  toTable(): Record<string, number>[] {
    const labels = this.variables;
    return Array.from({ length: this.length }, (_, r) => {
      const row: Record<string, number> = {};
      labels.forEach((v, i) => (row[v] = this.data[r * this.numVariables + i]));
      row.energy = this.energies[r];
      row['num_oc.'] = this.numOccurrences[r];
      return row;
    });
  }

  /**
   * A dimod-like table: one line per row (at most `maxRows`, first and last halves), columns labelled,
   * at most `maxColumns` variables (the first and last), then [vartype, rows, reads, variables].
   */
  toString(maxRows = 10, maxColumns = 12): string {
    const n = this.numVariables;
    const labels = this.variables;
    const cols: (number | undefined)[] = [];
    if (n <= maxColumns) for (let i = 0; i < n; i++) cols.push(i);
    else {
      const head = Math.ceil(maxColumns / 2);
      for (let i = 0; i < head; i++) cols.push(i);
      cols.push(undefined);
      for (let i = n - (maxColumns - head); i < n; i++) cols.push(i);
    }
    const rows: (number | undefined)[] = [];
    if (this.length <= maxRows) for (let r = 0; r < this.length; r++) rows.push(r);
    else {
      const head = Math.ceil(maxRows / 2);
      for (let r = 0; r < head; r++) rows.push(r);
      rows.push(undefined);
      for (let r = this.length - (maxRows - head); r < this.length; r++) rows.push(r);
    }
    const value = (v: number) => (this.vartype === 'SPIN' ? (v > 0 ? '+1' : '-1') : String(v));
    const header = ['', ...cols.map((c) => (c === undefined ? '...' : String(labels[c]))), 'energy', 'num_oc.'];
    const table = [header];
    for (const r of rows) {
      if (r === undefined) {
        table.push(header.map((_, k) => (k === 0 ? '...' : '')));
        continue;
      }
      table.push([
        String(r),
        ...cols.map((c) => (c === undefined ? '...' : value(this.data[r * n + c]))),
        formatEnergy(this.energies[r]),
        String(this.numOccurrences[r]),
      ]);
    }
    const widths = header.map((_, k) => Math.max(...table.map((line) => line[k].length)));
    const lines = table.map((line) => line.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]) : cell.padStart(widths[k]))).join(' ').trimEnd());
    const reads = this.numOccurrences.reduce((a, x) => a + x, 0);
    lines.push(`['${this.vartype}', ${this.length} rows, ${reads} samples, ${n} variables]`);
    return lines.join('\n');
  }

  [inspect.custom](): string {
    return `SampleSet\n${this.toString()}`;
  }

  /** The constructor arguments of this set (shared arrays), for the methods that make a changed copy. */
  private parts(): SampleSetData {
    return { vartype: this.vartype, numVariables: this.numVariables, samples: this.data, energies: this.energies, numOccurrences: this.numOccurrences, info: this.info, variables: this.labels };
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
    return new SampleSet({ ...this.parts(), samples, energies, numOccurrences: occ });
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
      variable_labels: this.variables.slice(),
      variable_type: this.vartype,
      info: jsonSafe(this.info) as Record<string, unknown>,
    };
  }

  /**
   * Reads dimod's serialised SampleSet (schema 3.x), packed or not. Number labels must be the integers
   * 0..n-1 in some order (each once); columns are reordered to label order. Labels with any string (or
   * tuple, kept as its JSON text) among them are kept as `variables`, in column order. Everything is checked before
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
    let variables: Variable[] | undefined;
    const named = Array.isArray(j.variable_labels) && j.variable_labels.some((l) => typeof l === 'string' || Array.isArray(l));
    if (named) {
      const labels = j.variable_labels;
      if (labels.length !== n) throw new RangeError(`${where}: variable_labels has ${labels.length} labels for ${n} variables`);
      variables = labels.map((l, c) => {
        if (typeof l === 'string' || (typeof l === 'number' && Number.isFinite(l))) return l;
        if (Array.isArray(l)) return JSON.stringify(l);
        throw new TypeError(`${where}: variable label ${JSON.stringify(l)} at column ${c} is not a string, number or tuple`);
      });
      const seen = new Map<Variable, number>();
      variables.forEach((v, c) => {
        if (seen.has(v)) throw new RangeError(`${where}: variable label ${JSON.stringify(v)} appears twice (columns ${seen.get(v)} and ${c})`);
        seen.set(v, c);
      });
    } else if (j.variable_labels !== undefined && j.variable_labels !== null) {
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
    return new SampleSet({ vartype, numVariables: n, samples, energies, numOccurrences, info: { timing: {}, ...info }, variables });
  }

  /** Concatenates sets over the same variables (e.g. several batches of reads). */
  static concat(sets: readonly SampleSet[]): SampleSet {
    if (sets.length === 0) throw new RangeError('nothing to concatenate');
    const { vartype, numVariables } = sets[0];
    const labels = sets[0].variables;
    for (const s of sets) {
      if (s.vartype !== vartype || s.numVariables !== numVariables || s.variables.some((v, i) => v !== labels[i])) {
        throw new RangeError('sample sets differ in vartype or variables');
      }
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
    return new SampleSet({ vartype, numVariables, samples, energies, numOccurrences: occ, info: sets[0].info, variables: sets[0].labels });
  }
}

/** Energies as dimod prints them: up to 6 significant digits, no trailing noise. */
function formatEnergy(e: number): string {
  return Number.isInteger(e) ? e.toFixed(1) : String(Number(e.toPrecision(6)));
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
