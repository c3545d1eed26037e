import { addon, NativeModel, NativeModelHandle } from '../native/addon';
import { MAX_SAMPLE_ROWS, MAX_SAMPLE_VALUES, MAX_VARIABLES } from './limits';
import { isValueOf, parseVartype, Vartype } from './vartype';

/** A variable label: any string or finite number (dimod's labels). Unlabelled models use the integers 0..n-1. */
export type Variable = string | number;

/** One quadratic term: variables i and j (i != j after construction) and its bias. */
export type QuadraticTerm = readonly [number, number, number];

/** A quadratic term between two labelled variables. */
export type LabelledTerm = readonly [Variable, Variable, number];

/** Linear biases keyed by label: a plain object, a Map, or (unlabelled) an array indexed 0..n-1. */
export type LinearInput = ArrayLike<number> | ReadonlyMap<Variable, number> | Readonly<Record<string, number>>;

/**
 * Anything `fromQubo` reads: [i, j, bias] terms, a Map or object keyed "i,j", or (for compatibility) a
 * square n x n matrix with n != 3. Rows of three numbers are always terms; use `fromQuboMatrix` for a
 * dense matrix of any size.
 */
export type QuboInput =
  | Iterable<QuadraticTerm>
  | Iterable<LabelledTerm>
  | ReadonlyArray<ArrayLike<number>>
  | ReadonlyMap<string | readonly [Variable, Variable], number>
  | Readonly<Record<string, number>>;

export type SampleRows = ArrayLike<ArrayLike<number>>;

function checkIndex(i: number, n: number | undefined, argument: string): void {
  if (!Number.isInteger(i) || i < 0) throw new RangeError(`${argument} must be a non-negative integer variable label, got ${i}`);
  if (n !== undefined && i >= n) throw new RangeError(`${argument} is ${i}, beyond the model's ${n} variables`);
}

/** A finite number: test this first where the message would cost a string per call (hot loops). */
const isBias = (b: unknown): b is number => typeof b === 'number' && Number.isFinite(b);

function checkBias(b: number, argument: string): void {
  if (typeof b !== 'number' || !Number.isFinite(b)) throw new RangeError(`${argument} must be a finite number, got ${b}`);
}

/** Packs (i, j) with i < j into one Map key; exact up to the native limit of 2^26 variables. */
const KEY_STRIDE = MAX_VARIABLES;
const pairKey = (i: number, j: number) => (i < j ? i * KEY_STRIDE + j : j * KEY_STRIDE + i);

/** "i,j" or "paris,lyon" (or a [u, v] tuple) as two labels; parts that read as numbers become numbers. */
function parseKey(key: string | readonly [Variable, Variable]): [Variable, Variable] {
  if (typeof key !== 'string') return [key[0], key[1]];
  const parts = key.replace(/[()\[\]\s'"]/g, '').split(',');
  if (parts.length !== 2) throw new TypeError(`QUBO key ${JSON.stringify(key)} must look like "i,j"`);
  return [labelOfText(parts[0]), labelOfText(parts[1])];
}

function labelOfText(t: string): Variable {
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** A non-negative integer: the labels an unlabelled model reads as indices. */
const isIndexLabel = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function checkLabel(v: unknown, argument: string): asserts v is Variable {
  if (typeof v === 'string') return;
  if (typeof v === 'number' && Number.isFinite(v)) return;
  throw new TypeError(`${argument} must be a string or a finite number label, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
}

/** How a label reads in messages: strings quoted, numbers bare. */
const show = (v: Variable) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/**
 * A binary quadratic model
 *   E(x) = offset + sum_v linear[v] x_v + sum_{u<v} quadratic[u,v] x_u x_v,
 * with x in {0,1} (BINARY) or {-1,+1} (SPIN), over labelled variables kept in insertion order (dimod's
 * semantics). Storage is by index 0..n-1 (`variables[i]` is index i's label); a model whose labels are
 * exactly 0..n-1 keeps no label table at all, so the native samplers, the attention layer and the file
 * formats pay nothing for labels. On such an unlabelled model an integer label i >= n adds 0..i (the
 * behaviour before labels); any other label (a string, a negative or fractional number) turns it into a
 * labelled model, after which every label, numbers included, is added as one new variable.
 */
export class BinaryQuadraticModel {
  /** Most variables a model may have (the native core's limit, 2^26). */
  static readonly MAX_VARIABLES = MAX_VARIABLES;

  readonly vartype: Vartype;
  offset: number;
  private linearBiases: Float64Array;
  private n: number;
  private quadraticMap = new Map<number, number>();
  /** Index -> label, and back; both undefined while the labels are 0..n-1. */
  private labelList: Variable[] | undefined;
  private labelIndex: Map<Variable, number> | undefined;
  /**
   * A model made by fromDense keeps its n x n matrix as given and fills the Map only when someone asks
   * for terms: the attention layer builds thousands of dense models per second and only samples them.
   */
  private pendingDense: Float64Array | undefined;
  private nativeCache: NativeModel | undefined;
  /** The addon's parsed copy of nativeCache (with its derived forms), valid while nativeCache is that object. */
  private handleCache: { model: NativeModel; handle: NativeModelHandle } | undefined;

  /**
   * `new BinaryQuadraticModel('BINARY', 3)`: variables 0, 1, 2. `new BinaryQuadraticModel('SPIN', ['a', 'b'])`:
   * labelled variables 'a' and 'b' (an empty array makes an empty labelled model).
   */
  constructor(vartype: Vartype, variables: number | Iterable<Variable> = 0, offset = 0) {
    this.vartype = parseVartype(vartype);
    checkBias(offset, 'offset');
    this.offset = offset;
    if (typeof variables === 'number') {
      checkIndex(variables, undefined, 'numVariables');
      if (variables > MAX_VARIABLES) throw new RangeError(`numVariables is ${variables}, more than the supported ${MAX_VARIABLES}`);
      this.n = variables;
      this.linearBiases = new Float64Array(Math.max(4, variables));
    } else {
      this.n = 0;
      this.linearBiases = new Float64Array(4);
      this.labelList = [];
      this.labelIndex = new Map();
      for (const v of variables) {
        checkLabel(v, 'variable');
        if (this.labelIndex.has(v)) throw new RangeError(`variable ${show(v)} is listed twice`);
        this.addVariable(v);
      }
    }
  }

  /**
   * A BINARY model from QUBO terms (u == v is a linear bias; (u, v) and (v, u) add up): `[['paris', 'lyon', 1]]`,
   * an object keyed "u,v", or a Map keyed "u,v" or [u, v]. With only numbers as labels they must be the
   * indices 0..n-1 and an array whose rows all have three entries is always read as [i, j, bias] terms, so
   * `[[1, 2, 0], [0, 1, 3], [0, 0, 1]]` is three terms, never a 3 x 3 matrix: give a dense matrix to
   * `fromQuboMatrix`. A square n x n array with n != 3 (rows that cannot be terms) is still read as a matrix.
   */
  static fromQubo(terms: QuboInput, offset = 0): BinaryQuadraticModel {
    return BinaryQuadraticModel.fromTerms('BINARY', undefined, terms, offset, true);
  }

  /** The terms, read once; numbers alone are indices (checked), any string label makes a labelled model. */
  private static fromTerms(vartype: Vartype, linear: LinearInput | undefined, terms: QuboInput, offset: number, diagonalIsLinear: boolean): BinaryQuadraticModel {
    const fast = BinaryQuadraticModel.fromIndexTerms(vartype, linear, terms, offset, diagonalIsLinear);
    if (fast) return fast;
    const list = [...iterateQubo(terms)];
    const linearEntries = linear === undefined ? [] : linearOf(linear);
    const labelled = !!linear && !isArrayLike(linear) ? true : list.some(([u, v]) => typeof u !== 'number' || typeof v !== 'number');
    if (!labelled) {
      list.forEach(([i, j], t) => {
        try {
          checkIndex(i as number, undefined, `term ${t} i`);
          checkIndex(j as number, undefined, `term ${t} j`);
        } catch (err) {
          // A 3 x 3 dense matrix given here (rows of three numbers are terms) usually fails on its labels.
          throw new RangeError(`${(err as Error).message} (rows of three numbers are [i, j, bias] terms; give a dense matrix to fromQuboMatrix)`);
        }
      });
    }
    const bqm = new BinaryQuadraticModel(vartype, labelled ? [] : linearEntries.length, offset);
    for (const [v, b] of linearEntries) {
      if (!isBias(b)) checkBias(b, `linear bias of ${show(v)}`);
      bqm.addLinear(v, b);
    }
    for (const [u, v, b] of list) {
      if (u === v && diagonalIsLinear) bqm.addLinear(u, b);
      else if (u === v) throw new RangeError(`J has a self-coupling (${show(u)}, ${show(u)}); put fields in h`);
      else bqm.addQuadratic(u, v, b);
    }
    return bqm;
  }

  /**
   * The fast path of fromTerms (issue 11: integer labels cost nothing): an array of [i, j, bias] rows whose
   * labels are all indices 0..2^26-1, finite biases, and no linear biases or an array of them. One indexed
   * loop, no intermediate tuples, one check per label. Returns undefined at the first thing it does not
   * handle (string labels, Maps, objects, matrices, and every malformed input); the general path then
   * reads the input from the start, so labelled models and error messages are exactly as before.
   */
  private static fromIndexTerms(
    vartype: Vartype,
    linear: LinearInput | undefined,
    terms: QuboInput,
    offset: number,
    diagonalIsLinear: boolean,
  ): BinaryQuadraticModel | undefined {
    if (!Array.isArray(terms) || looksLikeMatrix(terms)) return undefined;
    let n = 0;
    let lin: Float64Array;
    if (linear === undefined) {
      lin = new Float64Array(4);
    } else {
      if (!Array.isArray(linear) && !(ArrayBuffer.isView(linear) && !(linear instanceof DataView))) return undefined;
      const h = linear as ArrayLike<number>;
      n = h.length;
      if (n > MAX_VARIABLES) return undefined;
      lin = new Float64Array(Math.max(4, n));
      for (let i = 0; i < n; i++) {
        const b = h[i];
        if (!isBias(b)) return undefined;
        lin[i] += b; // += as addLinear does (a -0 bias reads as 0 either way)
      }
    }
    const q = new Map<number, number>();
    const count = terms.length;
    for (let t = 0; t < count; t++) {
      const row = terms[t] as ArrayLike<unknown> | null | undefined;
      if (row == null || typeof row !== 'object' || row.length !== 3) return undefined;
      const i = row[0] as number;
      const j = row[1] as number;
      const b = row[2] as number;
      // For a number, i >>> 0 === i holds exactly for the integers 0..2^32-1 (never NaN or fractions).
      if (typeof i !== 'number' || typeof j !== 'number' || i >>> 0 !== i || j >>> 0 !== j || i >= MAX_VARIABLES || j >= MAX_VARIABLES) return undefined;
      if (!isBias(b)) return undefined;
      const top = i > j ? i : j;
      if (top >= n) {
        n = top + 1;
        if (n > lin.length) {
          const grown = new Float64Array(Math.max(n, lin.length * 2));
          grown.set(lin);
          lin = grown;
        }
      }
      if (i === j) {
        if (!diagonalIsLinear) return undefined;
        lin[i] += b;
      } else {
        const key = i < j ? i * KEY_STRIDE + j : j * KEY_STRIDE + i;
        q.set(key, (q.get(key) ?? 0) + b);
      }
    }
    const bqm = new BinaryQuadraticModel(vartype, 0, offset);
    bqm.n = n;
    bqm.linearBiases = lin;
    bqm.quadraticMap = q;
    return bqm;
  }

  /** A BINARY model from a dense square QUBO matrix Q: E(x) = x^T Q x (both triangles count). */
  static fromQuboMatrix(matrix: ReadonlyArray<ArrayLike<number>>, offset = 0): BinaryQuadraticModel {
    if (!Array.isArray(matrix)) throw new TypeError('the QUBO matrix must be an array of rows');
    const n = matrix.length;
    if (n > MAX_VARIABLES) throw new RangeError(`the QUBO matrix has ${n} rows, more than the supported ${MAX_VARIABLES} variables`);
    const bqm = new BinaryQuadraticModel('BINARY', n, offset);
    // Straight into the storage (the indices are known good); addLinear/addQuadratic only to throw for a bad bias.
    const lin = bqm.linearBiases;
    const q = bqm.quadraticMap;
    for (let i = 0; i < n; i++) {
      const row = matrix[i];
      if (row == null || row.length !== n) throw new RangeError(`QUBO matrix row ${i} has ${matrix[i].length} entries, expected ${n}`);
      for (let j = 0; j < n; j++) {
        const b = row[j];
        if (b === 0) continue;
        if (!isBias(b)) {
          if (i === j) bqm.addLinear(i, b);
          else bqm.addQuadratic(i, j, b);
        }
        if (i === j) {
          lin[i] += b;
        } else {
          const key = pairKey(i, j);
          q.set(key, (q.get(key) ?? 0) + b);
        }
      }
    }
    return bqm;
  }

  /**
   * A SPIN model from fields h and couplings J: `fromIsing([1, -1], [[0, 1, 0.5]])`, or labelled,
   * `fromIsing({ paris: 1 }, [['paris', 'lyon', -1]])` (h may also be a Map; J as in fromQubo).
   */
  static fromIsing(h: LinearInput, J: QuboInput = [], offset = 0): BinaryQuadraticModel {
    return BinaryQuadraticModel.fromTerms('SPIN', h, J, offset, false);
  }

  /** dimod's BinaryQuadraticModel(linear, quadratic, offset, vartype): either vartype, labelled or not. */
  static from(vartype: Vartype, linear: LinearInput, quadratic: QuboInput = [], offset = 0): BinaryQuadraticModel {
    return BinaryQuadraticModel.fromTerms(parseVartype(vartype), linear, quadratic, offset, true);
  }

  /** A model from a linear vector, a dense row-major n x n matrix (upper triangle i < j read) and an offset. */
  static fromDense(vartype: Vartype, linear: ArrayLike<number>, dense: ArrayLike<number>, offset = 0): BinaryQuadraticModel {
    const n = linear.length;
    if (dense.length !== n * n) throw new RangeError(`dense must have ${n * n} entries (n = ${n}), got ${dense.length}`);
    const bqm = new BinaryQuadraticModel(vartype, n, offset);
    const upper = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      if (!isBias(linear[i])) checkBias(linear[i], `linear[${i}]`);
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

  /** The labels in index order (a copy): `samples[r][i]` of a SampleSet is the value of `variables[i]`. */
  get variables(): Variable[] {
    return this.labelList ? this.labelList.slice() : Array.from({ length: this.n }, (_, i) => i);
  }

  /** Whether the labels are anything but 0..n-1 (then `variables` is a label table). */
  get isLabelled(): boolean {
    return this.labelList !== undefined;
  }

  /** A copy of the linear biases in index order, length numVariables. */
  get linear(): Float64Array {
    return this.linearBiases.slice(0, this.n);
  }

  hasVariable(v: Variable): boolean {
    return this.labelIndex ? this.labelIndex.has(v) : isIndexLabel(v) && v < this.n;
  }

  /** The index of a label (its column in samples); RangeError when the model has no such variable. */
  indexOf(v: Variable): number {
    if (!this.labelIndex) {
      if (!isIndexLabel(v)) {
        checkLabel(v, 'variable');
        throw new RangeError(`variable ${show(v)} is not in the model (its labels are 0..${this.n - 1})`);
      }
      checkIndex(v, this.n, 'variable');
      return v;
    }
    const i = this.labelIndex.get(v);
    if (i === undefined) {
      checkLabel(v, 'variable');
      throw new RangeError(`variable ${show(v)} is not in the model`);
    }
    return i;
  }

  getLinear(v: Variable): number {
    return this.linearBiases[this.indexOf(v)];
  }

  getQuadratic(u: Variable, v: Variable): number {
    const i = this.indexOf(u);
    const j = this.indexOf(v);
    return this.quad().get(pairKey(i, j)) ?? 0;
  }

  /** Turns the implicit labels 0..n-1 into a label table (before a label that is not the next index). */
  private toLabelled(): void {
    if (this.labelList) return;
    this.labelList = Array.from({ length: this.n }, (_, i) => i);
    this.labelIndex = new Map(this.labelList.map((v, i) => [v, i]));
  }

  private grow(n: number): void {
    if (n > MAX_VARIABLES) throw new RangeError(`variable ${n - 1} is beyond the supported ${MAX_VARIABLES} variables (labels 0..${MAX_VARIABLES - 1})`);
    this.quad(); // a pending dense matrix is laid out for the old size
    if (n > this.linearBiases.length) {
      const grown = new Float64Array(Math.max(n, this.linearBiases.length * 2));
      grown.set(this.linearBiases);
      this.linearBiases = grown;
    }
    this.n = n;
    this.nativeCache = undefined;
  }

  /** The index of label v, adding the variable when it is new. */
  private ensure(v: Variable): number {
    if (!this.labelIndex) {
      if (isIndexLabel(v)) {
        if (v >= this.n) this.grow(v + 1);
        return v;
      }
      checkLabel(v, 'variable');
      this.toLabelled();
    }
    const at = this.labelIndex!.get(v);
    if (at !== undefined) return at;
    checkLabel(v, 'variable');
    this.grow(this.n + 1);
    this.labelList!.push(v);
    this.labelIndex!.set(v, this.n - 1);
    return this.n - 1;
  }

  /**
   * Adds variable v when it is new (bias 0). On an unlabelled model an integer i adds every variable up to
   * i; a string or other number label turns the model labelled (see the class comment).
   */
  addVariable(v: Variable): this {
    this.ensure(v);
    return this;
  }

  addLinear(v: Variable, bias: number): this {
    if (!isBias(bias)) checkBias(bias, `linear bias of ${show(v)}`);
    const i = this.ensure(v);
    this.linearBiases[i] += bias;
    this.nativeCache = undefined;
    return this;
  }

  /** Sets (rather than adds to) v's linear bias. */
  setLinear(v: Variable, bias: number): this {
    if (!isBias(bias)) checkBias(bias, `linear bias of ${show(v)}`);
    this.linearBiases[this.ensure(v)] = bias;
    this.nativeCache = undefined;
    return this;
  }

  addQuadratic(u: Variable, v: Variable, bias: number): this {
    if (!isBias(bias)) checkBias(bias, `quadratic bias of (${show(u)}, ${show(v)})`);
    if (u === v) throw new RangeError(`quadratic term (${show(u)}, ${show(v)}) must join two different variables`);
    const i = this.ensure(u);
    const j = this.ensure(v);
    const key = pairKey(i, j);
    this.quad().set(key, (this.quad().get(key) ?? 0) + bias);
    this.nativeCache = undefined;
    return this;
  }

  /** Quadratic terms as [i, j, bias] by index (i < j), in insertion order: what samplers and formats read. */
  *quadraticTerms(): IterableIterator<[number, number, number]> {
    for (const [key, bias] of this.quad()) {
      const i = Math.floor(key / KEY_STRIDE);
      yield [i, key - i * KEY_STRIDE, bias];
    }
  }

  /** Quadratic terms as [u, v, bias] by label, in insertion order. */
  *interactions(): IterableIterator<[Variable, Variable, number]> {
    for (const [i, j, b] of this.quadraticTerms()) yield [this.labelAt(i), this.labelAt(j), b];
  }

  /** Linear biases by label, in variable order. */
  *linearBiasesByLabel(): IterableIterator<[Variable, number]> {
    for (let i = 0; i < this.n; i++) yield [this.labelAt(i), this.linearBiases[i]];
  }

  private labelAt(i: number): Variable {
    return this.labelList ? this.labelList[i] : i;
  }

  /** Neighbours of each variable by index (for embedding and graph algorithms). */
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
    c.copyLabelsFrom(this);
    return c;
  }

  private copyLabelsFrom(other: BinaryQuadraticModel): void {
    if (other.labelList) {
      this.labelList = other.labelList.slice();
      this.labelIndex = new Map(other.labelIndex);
    }
  }

  /**
   * The same model over the indices 0..n-1 (labels dropped; a copy when labelled, `this` otherwise): what
   * code that works on indices (embedding, cardinality penalties) takes. `variables` gives the labels back.
   */
  unlabelled(): BinaryQuadraticModel {
    if (!this.labelList) return this;
    const c = this.copy();
    c.labelList = undefined;
    c.labelIndex = undefined;
    return c;
  }

  /**
   * Renames variables, in place (dimod's relabel_variables): `mapping` a Map, an object (keys read as
   * labels: "3" is 3 when the model has a number label 3) or a function; unmapped labels stay. New labels
   * must be unique. Returns this.
   */
  relabel(mapping: ReadonlyMap<Variable, Variable> | Readonly<Record<string, Variable>> | ((v: Variable) => Variable)): this {
    const f =
      typeof mapping === 'function'
        ? mapping
        : mapping instanceof Map
        ? (v: Variable) => (mapping.has(v) ? mapping.get(v)! : v)
        : (v: Variable) => (Object.prototype.hasOwnProperty.call(mapping, String(v)) ? (mapping as Record<string, Variable>)[String(v)] : v);
    const next: Variable[] = [];
    const index = new Map<Variable, number>();
    for (let i = 0; i < this.n; i++) {
      const old = this.labelAt(i);
      const v = f(old);
      checkLabel(v, `the new label of ${show(old)}`);
      if (index.has(v)) throw new RangeError(`relabel maps ${show(this.labelAt(index.get(v)!))} and ${show(old)} both to ${show(v)}`);
      index.set(v, i);
      next.push(v);
    }
    if (next.every((v, i) => v === i)) {
      this.labelList = undefined;
      this.labelIndex = undefined;
    } else {
      this.labelList = next;
      this.labelIndex = index;
    }
    return this;
  }

  /**
   * Removes variable v and its interactions (later variables move down one index; an unlabelled model
   * becomes labelled unless v was the last). Returns this.
   */
  removeVariable(v: Variable): this {
    const k = this.indexOf(v);
    const n = this.n;
    if (k !== n - 1) this.toLabelled();
    const q = new Map<number, number>();
    for (const [key, b] of this.quad()) {
      let i = Math.floor(key / KEY_STRIDE);
      let j = key - i * KEY_STRIDE;
      if (i === k || j === k) continue;
      if (i > k) i--;
      if (j > k) j--;
      q.set(i * KEY_STRIDE + j, b);
    }
    this.quadraticMap = q;
    this.linearBiases.copyWithin(k, k + 1, n);
    this.linearBiases[n - 1] = 0;
    this.n = n - 1;
    if (this.labelList) {
      this.labelList.splice(k, 1);
      this.labelIndex = new Map(this.labelList.map((l, i) => [l, i]));
    }
    this.nativeCache = undefined;
    return this;
  }

  /** Sets v to a value of the vartype for good: its terms move into its neighbours' biases and the offset, then v goes. */
  fixVariable(v: Variable, value: number): this {
    if (!isValueOf(this.vartype, value)) throw new RangeError(`value of ${show(v)} must be a ${this.vartype} value, got ${value}`);
    const k = this.indexOf(v);
    this.offset += this.linearBiases[k] * value;
    for (const [key, b] of this.quad()) {
      const i = Math.floor(key / KEY_STRIDE);
      const j = key - i * KEY_STRIDE;
      if (i === k) this.linearBiases[j] += b * value;
      else if (j === k) this.linearBiases[i] += b * value;
    }
    return this.removeVariable(v);
  }

  /** Multiplies every bias and the offset by `factor`, in place. Returns this. */
  scale(factor: number): this {
    checkBias(factor, 'scale factor');
    for (let i = 0; i < this.n; i++) this.linearBiases[i] *= factor;
    const q = this.quad();
    for (const [key, b] of q) q.set(key, b * factor);
    this.offset *= factor;
    this.nativeCache = undefined;
    return this;
  }

  /**
   * Scales the model so that linear biases fit `linearRange` and quadratic ones `quadraticRange` (default
   * the same), as dimod's normalize; returns the factor applied (1 for a model of zeros).
   */
  normalize(linearRange: readonly [number, number] = [-1, 1], quadraticRange: readonly [number, number] = linearRange): number {
    for (const [r, name] of [[linearRange, 'linearRange'], [quadraticRange, 'quadraticRange']] as const) {
      if (!(r[0] < 0 && r[1] > 0) || !Number.isFinite(r[0]) || !Number.isFinite(r[1])) throw new RangeError(`${name} must be [negative, positive], got [${r}]`);
    }
    let inv = 0;
    const fit = (b: number, r: readonly [number, number]) => (inv = Math.max(inv, b / r[1], b / r[0]));
    for (let i = 0; i < this.n; i++) fit(this.linearBiases[i], linearRange);
    for (const b of this.quad().values()) fit(b, quadraticRange);
    const factor = inv > 0 ? 1 / inv : 1;
    this.scale(factor);
    return factor;
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
    out.copyLabelsFrom(this);
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

  /**
   * Energy of one sample (values of this model's vartype): an array in variable order, or an assignment
   * keyed by label (`{ paris: 1, lyon: -1 }` or a Map). Plain TypeScript: the reference for tests.
   */
  energy(sample: ArrayLike<number> | Readonly<Record<string, number>> | ReadonlyMap<Variable, number>): number {
    if (!isArrayLike(sample)) sample = this.rowOf(sample);
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

  /**
   * The model as the samplers pass it: a handle to the addon's parsed copy, made once and reused by every
   * call until the model changes (any addLinear, addQuadratic, new variable or offset change makes a new
   * one), so a repeated sample() neither copies nor re-derives the model.
   */
  nativeHandle(): NativeModel | NativeModelHandle {
    const m = this.toNative();
    if (this.handleCache?.model === m) return this.handleCache.handle;
    const prepare = addon().prepareModel;
    if (!prepare) return m;
    this.handleCache = { model: m, handle: prepare(m) };
    return this.handleCache.handle;
  }

  /** Largest absolute linear and quadratic biases (used for scaling and default schedules). */
  maxAbsBiases(): { linear: number; quadratic: number } {
    let l = 0;
    let q = 0;
    for (let i = 0; i < this.n; i++) l = Math.max(l, Math.abs(this.linearBiases[i]));
    for (const b of this.quad().values()) q = Math.max(q, Math.abs(b));
    return { linear: l, quadratic: q };
  }

  /** An assignment keyed by label as an array in variable order; every variable must be given. */
  rowOf(assignment: Readonly<Record<string, number>> | ReadonlyMap<Variable, number>): number[] {
    if (assignment == null || typeof assignment !== 'object') throw new TypeError('an assignment must be an object or Map keyed by label');
    const get =
      assignment instanceof Map ? (v: Variable) => assignment.get(v) : (v: Variable) => (assignment as Record<string, number>)[String(v)];
    return Array.from({ length: this.n }, (_, i) => {
      const value = get(this.labelAt(i));
      if (value === undefined) throw new RangeError(`the assignment has no value for variable ${show(this.labelAt(i))}`);
      return value;
    });
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

function isArrayLike(x: unknown): x is ArrayLike<number> {
  return Array.isArray(x) || ArrayBuffer.isView(x) || (typeof x === 'object' && x !== null && !(x instanceof Map) && typeof (x as { length?: unknown }).length === 'number');
}

/** Linear biases as [label, bias] pairs: array index, Map key or object key (numeric keys read as numbers). */
function linearOf(input: LinearInput): [Variable, number][] {
  if (input == null || typeof input !== 'object') throw new TypeError('linear biases must be an array, an object or a Map');
  if (isArrayLike(input)) return Array.from({ length: input.length }, (_, i) => [i, input[i]]);
  if (input instanceof Map) return [...(input as ReadonlyMap<Variable, number>)];
  return Object.entries(input as Record<string, number>).map(([k, b]) => [labelOfText(k), b]);
}

function* iterateQubo(input: QuboInput): Iterable<[Variable, Variable, number]> {
  if (input == null) throw new TypeError('QUBO terms must be given');
  if (input instanceof Map) {
    for (const [k, b] of input as Map<string | readonly [Variable, Variable], number>) {
      const [u, v] = parseKey(k);
      checkLabel(u, 'QUBO u');
      checkLabel(v, 'QUBO v');
      yield [u, v, b];
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
    for (const term of input as Iterable<LabelledTerm>) {
      if (!term || term.length !== 3) {
        throw new TypeError(`QUBO term ${t} must be [u, v, bias]; give a dense matrix to BinaryQuadraticModel.fromQuboMatrix`);
      }
      checkLabel(term[0], `term ${t} u`);
      checkLabel(term[1], `term ${t} v`);
      yield [term[0], term[1], term[2]];
      t++;
    }
    return;
  }
  for (const [k, b] of Object.entries(input as Record<string, number>)) {
    const [u, v] = parseKey(k);
    yield [u, v, b];
  }
}
