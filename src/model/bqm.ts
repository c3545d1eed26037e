import { addon, NativeModel } from '../native/addon';
import { MAX_SAMPLE_ROWS, MAX_SAMPLE_VALUES, MAX_VARIABLES } from './limits';
import { isValueOf, parseVartype, Vartype } from './vartype';

/** One quadratic term: variables i and j (i != j after construction) and its bias. */
export type QuadraticTerm = readonly [number, number, number];

/**
 * Anything `fromQubo` reads: [i, j, bias] terms, a Map or object keyed "i,j", or (for compatibility) a
 * square n x n matrix with n != 3. Rows of three numbers are always terms; use `fromQuboMatrix` for a
 * dense matrix of any size.
 */
export type QuboInput =
  | Iterable<QuadraticTerm>
  | ReadonlyArray<ArrayLike<number>>
  | ReadonlyMap<string | readonly [number, number], number>
  | Readonly<Record<string, number>>;

export type SampleRows = ArrayLike<ArrayLike<number>>;

function checkIndex(i: number, n: number | undefined, argument: string): void {
  if (!Number.isInteger(i) || i < 0) throw new RangeError(`${argument} must be a non-negative integer variable label, got ${i}`);
  if (n !== undefined && i >= n) throw new RangeError(`${argument} is ${i}, beyond the model's ${n} variables`);
}

function checkBias(b: number, argument: string): void {
  if (typeof b !== 'number' || !Number.isFinite(b)) throw new RangeError(`${argument} must be a finite number, got ${b}`);
}

/** Packs (i, j) with i < j into one Map key; exact up to the native limit of 2^26 variables. */
const KEY_STRIDE = MAX_VARIABLES;
const pairKey = (i: number, j: number) => (i < j ? i * KEY_STRIDE + j : j * KEY_STRIDE + i);

function parseKey(key: string | readonly [number, number]): [number, number] {
  if (typeof key !== 'string') return [key[0], key[1]];
  const parts = key.replace(/[()\[\]\s]/g, '').split(',');
  if (parts.length !== 2) throw new TypeError(`QUBO key ${JSON.stringify(key)} must look like "i,j"`);
  return [Number(parts[0]), Number(parts[1])];
}

/**
 * A binary quadratic model over the integer variables 0..n-1:
 *   E(x) = offset + sum_i linear[i] x_i + sum_{i<j} quadratic[i,j] x_i x_j,
 * with x in {0,1} (BINARY) or {-1,+1} (SPIN). The model grows when a term names a new variable.
 */
export class BinaryQuadraticModel {
  /** Most variables a model may have (the native core's limit, 2^26). */
  static readonly MAX_VARIABLES = MAX_VARIABLES;

  readonly vartype: Vartype;
  offset: number;
  private linearBiases: Float64Array;
  private n: number;
  private readonly quadraticMap = new Map<number, number>();
  /**
   * A model made by fromDense keeps its n x n matrix as given and fills the Map only when someone asks
   * for terms: the attention layer builds thousands of dense models per second and only samples them.
   */
  private pendingDense: Float64Array | undefined;
  private nativeCache: NativeModel | undefined;

  constructor(vartype: Vartype, numVariables = 0, offset = 0) {
    this.vartype = parseVartype(vartype);
    checkIndex(numVariables, undefined, 'numVariables');
    if (numVariables > MAX_VARIABLES) throw new RangeError(`numVariables is ${numVariables}, more than the supported ${MAX_VARIABLES}`);
    checkBias(offset, 'offset');
    this.n = numVariables;
    this.linearBiases = new Float64Array(Math.max(4, numVariables));
    this.offset = offset;
  }

  /**
   * A BINARY model from QUBO terms (i == j is a linear bias; (i, j) and (j, i) add up). An array whose
   * rows all have three entries is always read as [i, j, bias] terms, so `[[1, 2, 0], [0, 1, 3], [0, 0, 1]]`
   * is three terms, never a 3 x 3 matrix: give a dense matrix to `fromQuboMatrix`. A square n x n array
   * with n != 3 (rows that cannot be terms) is still read as a matrix, as before.
   */
  static fromQubo(terms: QuboInput, offset = 0): BinaryQuadraticModel {
    const bqm = new BinaryQuadraticModel('BINARY', 0, offset);
    for (const [i, j, b] of iterateQubo(terms)) {
      if (i === j) bqm.addLinear(i, b);
      else bqm.addQuadratic(i, j, b);
    }
    return bqm;
  }

  /** A BINARY model from a dense square QUBO matrix Q: E(x) = x^T Q x (both triangles count). */
  static fromQuboMatrix(matrix: ReadonlyArray<ArrayLike<number>>, offset = 0): BinaryQuadraticModel {
    if (!Array.isArray(matrix)) throw new TypeError('the QUBO matrix must be an array of rows');
    const n = matrix.length;
    if (n > MAX_VARIABLES) throw new RangeError(`the QUBO matrix has ${n} rows, more than the supported ${MAX_VARIABLES} variables`);
    const bqm = new BinaryQuadraticModel('BINARY', n, offset);
    for (let i = 0; i < n; i++) {
      if (matrix[i] == null || matrix[i].length !== n) throw new RangeError(`QUBO matrix row ${i} has ${matrix[i].length} entries, expected ${n}`);
      for (let j = 0; j < n; j++) {
        const b = matrix[i][j];
        if (b === 0) continue;
        if (i === j) bqm.addLinear(i, b);
        else bqm.addQuadratic(i, j, b);
      }
    }
    return bqm;
  }

  /** A SPIN model from fields h (h[i] for variable i) and couplings J. */
  static fromIsing(h: ArrayLike<number>, J: Iterable<QuadraticTerm> | QuboInput = [], offset = 0): BinaryQuadraticModel {
    const bqm = new BinaryQuadraticModel('SPIN', h.length, offset);
    for (let i = 0; i < h.length; i++) {
      checkBias(h[i], `h[${i}]`);
      bqm.linearBiases[i] = h[i];
    }
    for (const [i, j, b] of iterateQubo(J as QuboInput)) {
      if (i === j) throw new RangeError(`J has a self-coupling (${i}, ${i}); put fields in h`);
      bqm.addQuadratic(i, j, b);
    }
    return bqm;
  }

  /** A model from a linear vector, a dense row-major n x n matrix (upper triangle i < j read) and an offset. */
  static fromDense(vartype: Vartype, linear: ArrayLike<number>, dense: ArrayLike<number>, offset = 0): BinaryQuadraticModel {
    const n = linear.length;
    if (dense.length !== n * n) throw new RangeError(`dense must have ${n * n} entries (n = ${n}), got ${dense.length}`);
    const bqm = new BinaryQuadraticModel(vartype, n, offset);
    const upper = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      checkBias(linear[i], `linear[${i}]`);
      bqm.linearBiases[i] = linear[i];
      for (let j = i + 1; j < n; j++) {
        const b = dense[i * n + j];
        if (!Number.isFinite(b)) checkBias(b, `dense[${i * n + j}]`);
        upper[i * n + j] = b;
      }
    }
    bqm.pendingDense = upper;
    bqm.nativeCache = { numVariables: n, vartype: bqm.vartype, linear: bqm.linearBiases.slice(0, n), offset: bqm.offset, dense: upper };
    return bqm;
  }

  /** The quadratic terms, materialising a pending dense matrix first. */
  private quad(): Map<number, number> {
    const dense = this.pendingDense;
    if (dense) {
      this.pendingDense = undefined;
      const n = this.n;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const b = dense[i * n + j];
          if (b !== 0) this.quadraticMap.set(i * KEY_STRIDE + j, b);
        }
      }
    }
    return this.quadraticMap;
  }

  get numVariables(): number {
    return this.n;
  }

  get numInteractions(): number {
    return this.quad().size;
  }

  /** A copy of the linear biases, length numVariables. */
  get linear(): Float64Array {
    return this.linearBiases.slice(0, this.n);
  }

  getLinear(i: number): number {
    checkIndex(i, this.n, 'variable');
    return this.linearBiases[i];
  }

  getQuadratic(i: number, j: number): number {
    checkIndex(i, this.n, 'i');
    checkIndex(j, this.n, 'j');
    return this.quad().get(pairKey(i, j)) ?? 0;
  }

  /** Adds variables up to label i (inclusive) when they are new. */
  addVariable(i: number): this {
    checkIndex(i, undefined, 'variable');
    if (i >= MAX_VARIABLES) throw new RangeError(`variable ${i} is beyond the supported ${MAX_VARIABLES} variables (labels 0..${MAX_VARIABLES - 1})`);
    if (i >= this.n) {
      this.quad(); // a pending dense matrix is laid out for the old size
      if (i >= this.linearBiases.length) {
        const grown = new Float64Array(Math.max(i + 1, this.linearBiases.length * 2));
        grown.set(this.linearBiases);
        this.linearBiases = grown;
      }
      this.n = i + 1;
      this.nativeCache = undefined;
    }
    return this;
  }

  addLinear(i: number, bias: number): this {
    checkBias(bias, `linear bias of ${i}`);
    this.addVariable(i);
    this.linearBiases[i] += bias;
    this.nativeCache = undefined;
    return this;
  }

  addQuadratic(i: number, j: number, bias: number): this {
    checkBias(bias, `quadratic bias of (${i}, ${j})`);
    if (i === j) throw new RangeError(`quadratic term (${i}, ${j}) must join two different variables`);
    this.addVariable(i).addVariable(j);
    const key = pairKey(i, j);
    this.quad().set(key, (this.quad().get(key) ?? 0) + bias);
    this.nativeCache = undefined;
    return this;
  }

  /** Quadratic terms as [i, j, bias] with i < j, in insertion order. */
  *quadraticTerms(): IterableIterator<[number, number, number]> {
    for (const [key, bias] of this.quad()) {
      const i = Math.floor(key / KEY_STRIDE);
      yield [i, key - i * KEY_STRIDE, bias];
    }
  }

  /** Neighbours of each variable (for embedding and graph algorithms). */
  adjacency(): number[][] {
    const adj: number[][] = Array.from({ length: this.n }, () => []);
    for (const [i, j] of this.quadraticTerms()) {
      adj[i].push(j);
      adj[j].push(i);
    }
    return adj;
  }

  copy(): BinaryQuadraticModel {
    const c = new BinaryQuadraticModel(this.vartype, this.n, this.offset);
    c.linearBiases.set(this.linearBiases.subarray(0, this.n));
    for (const [k, b] of this.quad()) c.quadraticMap.set(k, b);
    return c;
  }

  /**
   * The same energy function over the other vartype, exactly (x = (s + 1) / 2, s = 2x - 1):
   * BINARY -> SPIN: h_i = a_i/2 + sum_j b_ij/4, J_ij = b_ij/4, offset += sum a_i/2 + sum b_ij/4.
   */
  changeVartype(vartype: Vartype): BinaryQuadraticModel {
    const target = parseVartype(vartype);
    if (target === this.vartype) return this.copy();
    const n = this.n;
    const out = new BinaryQuadraticModel(target, n, 0);
    let offset = this.offset;
    const lin = out.linearBiases;
    if (target === 'SPIN') {
      for (let i = 0; i < n; i++) {
        lin[i] += this.linearBiases[i] / 2;
        offset += this.linearBiases[i] / 2;
      }
      for (const [key, b] of this.quad()) {
        const i = Math.floor(key / KEY_STRIDE);
        const j = key - i * KEY_STRIDE;
        out.quadraticMap.set(key, b / 4);
        lin[i] += b / 4;
        lin[j] += b / 4;
        offset += b / 4;
      }
    } else {
      // SPIN -> BINARY: s = 2x - 1.
      for (let i = 0; i < n; i++) {
        lin[i] += 2 * this.linearBiases[i];
        offset -= this.linearBiases[i];
      }
      for (const [key, b] of this.quad()) {
        const i = Math.floor(key / KEY_STRIDE);
        const j = key - i * KEY_STRIDE;
        out.quadraticMap.set(key, 4 * b);
        lin[i] -= 2 * b;
        lin[j] -= 2 * b;
        offset += b;
      }
    }
    out.offset = offset;
    return out;
  }

  /** Energy of one sample (values of this model's vartype). Plain TypeScript: the reference for tests. */
  energy(sample: ArrayLike<number>): number {
    this.checkSample(sample, 'sample');
    let e = this.offset;
    for (let i = 0; i < this.n; i++) e += this.linearBiases[i] * sample[i];
    for (const [key, b] of this.quad()) {
      const i = Math.floor(key / KEY_STRIDE);
      e += b * sample[i] * sample[key - i * KEY_STRIDE];
    }
    return e;
  }

  /**
   * Energies of many samples at once, computed natively. Rows may be arrays or typed arrays. At most
   * 2^27 rows and 2^30 values per call (RangeError beyond, checked before anything is allocated).
   */
  energies(samples: SampleRows | Int8Array): Float64Array {
    const n = this.n;
    if (samples == null || typeof samples !== 'object') throw new TypeError('samples must be an array of rows or an Int8Array');
    const packed = samples instanceof Int8Array;
    if (packed && (n === 0 ? samples.length !== 0 : samples.length % n !== 0)) {
      throw new RangeError(`samples has ${samples.length} values, not a multiple of numVariables (${n})`);
    }
    const count = packed ? (n === 0 ? 0 : samples.length / n) : samples.length;
    if (!Number.isInteger(count) || count < 0) throw new TypeError(`samples must be an array of rows, got a length of ${count}`);
    if (count > MAX_SAMPLE_ROWS) throw new RangeError(`samples has ${count} rows, more than the ${MAX_SAMPLE_ROWS} one energies() call takes`);
    if (count * n > MAX_SAMPLE_VALUES) {
      throw new RangeError(`samples has ${count} rows x ${n} variables = ${count * n} values, more than the ${MAX_SAMPLE_VALUES} one energies() call takes`);
    }
    let flat: Int8Array;
    if (packed) {
      flat = samples;
    } else {
      flat = new Int8Array(count * n);
      for (let r = 0; r < count; r++) {
        const row = samples[r];
        this.checkSample(row, `samples[${r}]`);
        for (let i = 0; i < n; i++) flat[r * n + i] = row[i];
      }
    }
    return addon().energies(this.toNative(), flat, count);
  }

  /** The arrays handed to the native core; cached until the model changes. */
  toNative(): NativeModel {
    if (!this.nativeCache) {
      const m = this.quad().size;
      const quadRow = new Uint32Array(m);
      const quadCol = new Uint32Array(m);
      const quadBias = new Float64Array(m);
      let t = 0;
      for (const [key, b] of this.quad()) {
        const i = Math.floor(key / KEY_STRIDE);
        quadRow[t] = i;
        quadCol[t] = key - i * KEY_STRIDE;
        quadBias[t++] = b;
      }
      this.nativeCache = {
        numVariables: this.n,
        vartype: this.vartype,
        linear: this.linearBiases.slice(0, this.n),
        offset: this.offset,
        quadRow,
        quadCol,
        quadBias,
      };
    }
    // The offset is a public field: keep the cached copy in step with it.
    if (this.nativeCache.offset !== this.offset) this.nativeCache = { ...this.nativeCache, offset: this.offset };
    return this.nativeCache;
  }

  /** Largest absolute linear and quadratic biases (used for scaling and default schedules). */
  maxAbsBiases(): { linear: number; quadratic: number } {
    let l = 0;
    let q = 0;
    for (let i = 0; i < this.n; i++) l = Math.max(l, Math.abs(this.linearBiases[i]));
    for (const b of this.quad().values()) q = Math.max(q, Math.abs(b));
    return { linear: l, quadratic: q };
  }

  private checkSample(sample: ArrayLike<number>, argument: string): void {
    if (!sample || sample.length !== this.n) {
      throw new RangeError(`${argument} must have ${this.n} values, got ${sample ? sample.length : sample}`);
    }
    for (let i = 0; i < this.n; i++) {
      if (!isValueOf(this.vartype, sample[i])) {
        throw new RangeError(`${argument}[${i}] is ${sample[i]}, not a ${this.vartype} value`);
      }
    }
  }
}

/**
 * Whether fromQubo reads an array as a dense matrix: a square n x n array of rows with n != 3. Rows of
 * three entries are always [i, j, bias] terms (the documented form), so a 3 x 3 array is three terms;
 * `fromQuboMatrix` reads a matrix of any size.
 */
function looksLikeMatrix(input: unknown): boolean {
  if (!Array.isArray(input) || input.length === 0) return false;
  const n = input.length;
  if (n === 3) return false;
  return input.every((r) => r != null && typeof r === 'object' && (r as ArrayLike<number>).length === n);
}

function* iterateQubo(input: QuboInput): Iterable<[number, number, number]> {
  if (input == null) throw new TypeError('QUBO terms must be given');
  if (input instanceof Map) {
    for (const [k, b] of input as Map<string | readonly [number, number], number>) {
      const [i, j] = parseKey(k);
      checkIndex(i, undefined, 'QUBO i');
      checkIndex(j, undefined, 'QUBO j');
      yield [i, j, b];
    }
    return;
  }
  if (looksLikeMatrix(input)) {
    // A dense square matrix.
    const rows = input as ReadonlyArray<ArrayLike<number>>;
    const n = rows.length;
    for (let i = 0; i < n; i++) {
      if (rows[i].length !== n) throw new RangeError(`QUBO matrix row ${i} has ${rows[i].length} entries, expected ${n}`);
      for (let j = 0; j < n; j++) if (rows[i][j] !== 0) yield [i, j, rows[i][j]];
    }
    return;
  }
  if (typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    let t = 0;
    for (const term of input as Iterable<QuadraticTerm>) {
      if (!term || term.length !== 3) {
        throw new TypeError(`QUBO term ${t} must be [i, j, bias]; give a dense matrix to BinaryQuadraticModel.fromQuboMatrix`);
      }
      try {
        checkIndex(term[0], undefined, `term ${t} i`);
        checkIndex(term[1], undefined, `term ${t} j`);
      } catch (err) {
        // A 3 x 3 dense matrix given here (rows of three numbers are terms) usually fails on its labels.
        throw new RangeError(`${(err as Error).message} (rows of three numbers are [i, j, bias] terms; give a dense matrix to fromQuboMatrix)`);
      }
      yield [term[0], term[1], term[2]];
      t++;
    }
    return;
  }
  for (const [k, b] of Object.entries(input as Record<string, number>)) {
    const [i, j] = parseKey(k);
    checkIndex(i, undefined, 'QUBO i');
    checkIndex(j, undefined, 'QUBO j');
    yield [i, j, b];
  }
}
