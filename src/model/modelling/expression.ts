import type { Vartype } from '../vartype';

/**
 * A polynomial of degree at most 2 over named BINARY (0/1) or SPIN (-1/+1) variables, immutable: every
 * operation returns a new expression. Terms are keyed by their sorted variable names ('' is the constant).
 */
export class Expression {
  /** @internal term key -> coefficient */
  readonly terms: ReadonlyMap<string, number>;
  /** @internal variable name -> vartype, for every variable the expression has seen */
  readonly kinds: ReadonlyMap<string, Vartype>;

  /** @internal use Model.binary / Model.spin, or Expression.constant */
  constructor(terms: ReadonlyMap<string, number>, kinds: ReadonlyMap<string, Vartype>) {
    this.terms = terms;
    this.kinds = kinds;
    Object.defineProperty(this, 'kinds', { enumerable: false });
  }

  /** A variable on its own (what Model.binary and Model.spin return). */
  static variable(name: string, vartype: Vartype): Expression {
    if (typeof name !== 'string' || name === '' || name.includes(SEP)) throw new TypeError(`a variable name must be a non-empty string, got ${JSON.stringify(name)}`);
    return new Expression(new Map([[name, 1]]), new Map([[name, vartype]]));
  }

  static constant(c: number): Expression {
    checkNumber(c, 'constant');
    return new Expression(c === 0 ? new Map() : new Map([['', c]]), new Map());
  }

  /** The sum of expressions and numbers (nested arrays flattened): quicker than chaining add. */
  static sum(...items: ExpressionLike[]): Expression {
    const terms = new Map<string, number>();
    const kinds = new Map<string, Vartype>();
    const visit = (x: ExpressionLike) => {
      if (Array.isArray(x)) x.forEach(visit);
      else {
        const e = Expression.from(x as number | Expression);
        mergeKinds(kinds, e.kinds);
        for (const [k, c] of e.terms) addTerm(terms, k, c);
      }
    };
    items.forEach(visit);
    return new Expression(terms, kinds);
  }

  /** A number as a constant expression; an expression as it is. */
  static from(e: number | Expression): Expression {
    if (e instanceof Expression) return e;
    if (typeof e === 'number') return Expression.constant(e);
    throw new TypeError(`expected a number or an Expression, got ${e === null ? 'null' : typeof e}`);
  }

  add(e: number | Expression): Expression {
    return Expression.sum(this, e);
  }

  sub(e: number | Expression): Expression {
    return Expression.sum(this, Expression.from(e).mul(-1));
  }

  neg(): Expression {
    return this.mul(-1);
  }

  /** The product; a term of degree above 2 is a RangeError (the models are quadratic). */
  mul(e: number | Expression): Expression {
    if (typeof e === 'number') {
      checkNumber(e, 'factor');
      const terms = new Map<string, number>();
      if (e !== 0) for (const [k, c] of this.terms) terms.set(k, c * e);
      return new Expression(terms, this.kinds);
    }
    const other = Expression.from(e);
    const kinds = new Map(this.kinds);
    mergeKinds(kinds, other.kinds);
    const terms = new Map<string, number>();
    for (const [ka, ca] of this.terms) {
      for (const [kb, cb] of other.terms) {
        const { key, factor } = multiplyKeys(ka, kb, kinds);
        addTerm(terms, key, ca * cb * factor);
      }
    }
    return new Expression(terms, kinds);
  }

  /** Highest number of variables in one term (0 for a constant). */
  get degree(): number {
    let d = 0;
    for (const k of this.terms.keys()) d = Math.max(d, k === '' ? 0 : k.split(SEP).length);
    return d;
  }

  get constantTerm(): number {
    return this.terms.get('') ?? 0;
  }

  /** The variable names the expression's terms use. */
  get variables(): string[] {
    const names = new Set<string>();
    for (const k of this.terms.keys()) if (k !== '') for (const v of k.split(SEP)) names.add(v);
    return [...names];
  }

  /** Terms as [names, coefficient]: [] for the constant, [a] linear, [a, b] quadratic. */
  *entries(): IterableIterator<[string[], number]> {
    for (const [k, c] of this.terms) yield [k === '' ? [] : k.split(SEP), c];
  }

  /** The value for given variable values (0/1 for binary, -1/+1 for spin variables). */
  evaluate(values: Readonly<Record<string, number>>): number {
    let total = 0;
    for (const [k, c] of this.terms) {
      let t = c;
      if (k !== '') {
        for (const v of k.split(SEP)) {
          const x = values[v];
          if (x === undefined) throw new RangeError(`no value for variable ${JSON.stringify(v)}`);
          t *= x;
        }
      }
      total += t;
    }
    return total;
  }

  toString(): string {
    if (this.terms.size === 0) return '0';
    let out = '';
    for (const [k, c] of this.terms) {
      const mag = Math.abs(c);
      const body = k === '' ? String(mag) : (mag === 1 ? '' : `${mag}*`) + k.split(SEP).join('*');
      out += out === '' ? (c < 0 ? `-${body}` : body) : c < 0 ? ` - ${body}` : ` + ${body}`;
    }
    return out;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Expression(${this.toString()})`;
  }
}

/** What sums take: numbers, expressions, and arrays of them (any depth). */
export type ExpressionLike = number | Expression | readonly ExpressionLike[];

/** The sum of expressions, numbers and arrays of them. */
export function sum(...items: ExpressionLike[]): Expression {
  return Expression.sum(...items);
}

const SEP = '\u0000';

function checkNumber(x: number, name: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${name} must be a finite number, got ${x}`);
}

function addTerm(terms: Map<string, number>, key: string, c: number): void {
  const v = (terms.get(key) ?? 0) + c;
  if (v === 0) terms.delete(key);
  else terms.set(key, v);
}

function mergeKinds(into: Map<string, Vartype>, from: ReadonlyMap<string, Vartype>): void {
  for (const [name, kind] of from) {
    const had = into.get(name);
    if (had === undefined) into.set(name, kind);
    else if (had !== kind) throw new TypeError(`variable ${JSON.stringify(name)} is both BINARY and SPIN`);
  }
}

/** The key of a product of two terms, with x*x = x (binary) and s*s = 1 (spin). */
function multiplyKeys(a: string, b: string, kinds: ReadonlyMap<string, Vartype>): { key: string; factor: number } {
  const names = [...(a === '' ? [] : a.split(SEP)), ...(b === '' ? [] : b.split(SEP))].sort();
  const kept: string[] = [];
  for (let i = 0; i < names.length; i++) {
    if (i + 1 < names.length && names[i] === names[i + 1]) {
      // A repeated variable: binary x*x = x keeps one; spin s*s = 1 drops both.
      if (kinds.get(names[i]) === 'BINARY') kept.push(names[i]);
      i++;
    } else {
      kept.push(names[i]);
    }
  }
  // A triple (x*x*x) can leave a duplicate pair after one reduction: reduce again.
  const unique: string[] = [];
  for (const v of kept) {
    if (unique[unique.length - 1] === v) {
      if (kinds.get(v) === 'SPIN') unique.pop();
    } else unique.push(v);
  }
  if (unique.length > 2) throw new RangeError(`the product ${unique.join('*')} has degree ${unique.length}; models are quadratic (degree 2 at most)`);
  return { key: unique.join(SEP), factor: 1 };
}
