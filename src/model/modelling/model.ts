import { BinaryQuadraticModel } from '../bqm';
import { parseVartype, Vartype } from '../vartype';
import type { SampleSet } from '../../samplers/sample-set';
import { Expression, ExpressionLike } from './expression';

export type Sense = '==' | '<=' | '>=';

export interface ConstraintOptions {
  /** Names the constraint in decode's results (default c0, c1, ... in the order added). */
  label?: string;
  /** Penalty weight P in P * (violation)^2; default from the objective's scale (see compile). */
  strength?: number;
}

/** A constraint as added: `lhs sense rhs` moved to `expression sense 0` (expression = lhs - rhs, linear). */
export interface Constraint {
  readonly label: string;
  readonly sense: Sense;
  readonly expression: Expression;
  readonly strength?: number;
}

export interface CompileOptions {
  /** The model's vartype (default SPIN when every variable is a spin, else BINARY). */
  vartype?: Vartype;
}

/** One sample read back in the model's terms. */
export interface DecodedSample {
  /** Every declared variable's value (0/1 binary, -1/+1 spin), by name; slack variables left out. */
  values: Record<string, number>;
  /** The minimised expression's value. */
  objective: number;
  /** By how much each constraint is violated (0 when it holds), by label. */
  violations: Record<string, number>;
  constraints: Record<string, { satisfied: boolean; violation: number }>;
  feasible: boolean;
  /** The compiled model's energy (objective plus penalties). */
  energy: number;
  numOccurrences: number;
}

export interface Decoded {
  /** One per row of the sample set, in its order. */
  samples: DecodedSample[];
  /** The feasible samples, lowest objective first. */
  feasible: DecodedSample[];
  /** The feasible sample of lowest objective (ties: lowest energy); undefined when none is feasible. */
  bestFeasible: DecodedSample | undefined;
  /** The sample of lowest energy, feasible or not. */
  lowestEnergy: DecodedSample | undefined;
}

export interface Compiled {
  bqm: BinaryQuadraticModel;
  decode(sampleSet: SampleSet): Decoded;
  /** The penalty strength each constraint got, by label. */
  strengths: Record<string, number>;
  /** The slack variables added for inequalities, by constraint label. */
  slack: Record<string, string[]>;
}

/** Below this a constraint counts as satisfied (relative to its largest coefficient). */
const TOLERANCE = 1e-9;

/**
 * Builds a constrained quadratic model from named variables, in the spirit of PyQUBO and dimod's CQM:
 *
 *   const m = new Model();
 *   const x = m.binaryArray('x', 3);
 *   m.minimize(sum(x).mul(-1));
 *   m.constrain(sum(x), '<=', 2, { label: 'capacity' });
 *   const { bqm, decode } = m.compile();
 *   decode(await new SimulatedAnnealingSampler().sample(bqm)).bestFeasible; // { values, objective, violations }
 *
 * Constraints become penalties P * (lhs - rhs)^2; an inequality first gets an integer slack variable,
 * log-encoded in binary variables (1, 2, 4, ..., and a last weight so the slack reaches exactly its range),
 * so `lhs <= rhs` becomes `lhs - rhs + slack == 0`. The slack takes whole values: give integer coefficients
 * (scale the constraint) for penalties that vanish exactly on the feasible set.
 */
export class Model {
  private readonly kinds = new Map<string, Vartype>();
  private objective: Expression = Expression.constant(0);
  private readonly constraintList: Constraint[] = [];

  /** A new binary (0/1) variable. */
  binary(name: string): Expression {
    return this.declare(name, 'BINARY');
  }

  /** A new spin (-1/+1) variable. */
  spin(name: string): Expression {
    return this.declare(name, 'SPIN');
  }

  /** Binary variables name[0]..name[n-1], or name[i][j] for a shape [rows, columns]. */
  binaryArray(name: string, n: number): Expression[];
  binaryArray(name: string, shape: readonly [number, number]): Expression[][];
  binaryArray(name: string, shape: number | readonly [number, number]): Expression[] | Expression[][] {
    return this.array(name, shape, 'BINARY');
  }

  spinArray(name: string, n: number): Expression[];
  spinArray(name: string, shape: readonly [number, number]): Expression[][];
  spinArray(name: string, shape: number | readonly [number, number]): Expression[] | Expression[][] {
    return this.array(name, shape, 'SPIN');
  }

  private array(name: string, shape: number | readonly [number, number], kind: Vartype): Expression[] | Expression[][] {
    const count = (k: number, what: string) => {
      if (!Number.isInteger(k) || k < 0) throw new RangeError(`${what} must be a non-negative integer, got ${k}`);
      return k;
    };
    if (typeof shape === 'number') return Array.from({ length: count(shape, 'the array length') }, (_, i) => this.declare(`${name}[${i}]`, kind));
    const [rows, cols] = [count(shape[0], 'rows'), count(shape[1], 'columns')];
    return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => this.declare(`${name}[${i}][${j}]`, kind)));
  }

  private declare(name: string, kind: Vartype): Expression {
    const e = Expression.variable(name, kind);
    if (this.kinds.has(name)) throw new RangeError(`variable ${JSON.stringify(name)} is already declared`);
    this.kinds.set(name, kind);
    return e;
  }

  /** Sets the expression to minimise (replacing any earlier one). To maximise f, minimise f.mul(-1). */
  minimize(expression: number | Expression): this {
    const e = Expression.from(expression);
    if (e.degree > 2) throw new RangeError('the objective must be quadratic');
    this.objective = e;
    return this;
  }

  /** Adds `lhs sense rhs` for linear lhs and rhs (numbers or expressions). Returns the constraint's label. */
  constrain(lhs: number | Expression, sense: Sense, rhs: number | Expression, options: ConstraintOptions = {}): string {
    if (sense !== '==' && sense !== '<=' && sense !== '>=') throw new TypeError(`sense must be '==', '<=' or '>=', got ${JSON.stringify(sense)}`);
    const expression = Expression.from(lhs).sub(rhs);
    const label = options.label ?? `c${this.constraintList.length}`;
    if (expression.degree > 1) throw new RangeError(`constraint ${label}: only linear constraints are supported, got ${expression} ${sense} 0`);
    if (typeof label !== 'string' || label === '') throw new TypeError('a constraint label must be a non-empty string');
    if (this.constraintList.some((c) => c.label === label)) throw new RangeError(`a constraint labelled ${JSON.stringify(label)} already exists`);
    if (options.strength !== undefined && !(typeof options.strength === 'number' && options.strength > 0 && Number.isFinite(options.strength))) {
      throw new RangeError(`strength of ${label} must be a positive finite number, got ${options.strength}`);
    }
    const { lo, hi } = bounds(expression);
    const holdsNever = sense === '==' ? lo > 0 || hi < 0 : sense === '<=' ? lo > 0 : hi < 0;
    if (holdsNever) throw new RangeError(`constraint ${label} can never hold: its left side minus right side ranges over [${lo}, ${hi}]`);
    this.constraintList.push({ label, sense, expression, strength: options.strength });
    return label;
  }

  /** Exactly one of the variables is 1 (binary) / +1 (spin). */
  oneHot(variables: ExpressionLike, options: ConstraintOptions = {}): string {
    return this.constrain(countOnes(variables), '==', 1, options);
  }

  /** At most k of the variables are 1 (binary) / +1 (spin). */
  atMostK(variables: ExpressionLike, k: number, options: ConstraintOptions = {}): string {
    return this.constrain(countOnes(variables), '<=', k, options);
  }

  /** Exactly k of the variables are 1 (binary) / +1 (spin): a cardinality constraint. */
  exactlyK(variables: ExpressionLike, k: number, options: ConstraintOptions = {}): string {
    return this.constrain(countOnes(variables), '==', k, options);
  }

  get constraints(): readonly Constraint[] {
    return this.constraintList.slice();
  }

  get variables(): string[] {
    return [...this.kinds.keys()];
  }

  /**
   * The penalty model and a decoder. The default strength of a constraint is twice the largest change one
   * variable can make to the objective (the sum of |coefficients| of its terms), divided by the square of
   * the constraint's smallest coefficient when that is below 1, so that the smallest violation costs more
   * than any single move gains; `strength` overrides it per constraint.
   */
  compile(options: CompileOptions = {}): Compiled {
    const kinds = new Map(this.kinds);
    const note = (e: Expression) => {
      for (const [name, kind] of e.kinds) {
        const had = kinds.get(name);
        if (had !== undefined && had !== kind) throw new TypeError(`variable ${JSON.stringify(name)} is both BINARY and SPIN`);
        if (had === undefined) kinds.set(name, kind);
      }
    };
    note(this.objective);
    this.constraintList.forEach((c) => note(c.expression));
    const vartype = options.vartype !== undefined ? parseVartype(options.vartype) : kinds.size > 0 && [...kinds.values()].every((k) => k === 'SPIN') ? 'SPIN' : 'BINARY';

    const objectiveScale = largestMove(this.objective) || 1;
    const strengths: Record<string, number> = {};
    const slack: Record<string, string[]> = {};
    // The model is built in binary variables (spins as 2x - 1), then converted when SPIN is asked for.
    const bqm = new BinaryQuadraticModel('BINARY', []);
    for (const name of kinds.keys()) bqm.addVariable(name);
    addBinaryForm(bqm, this.objective, kinds, 1);
    for (const c of this.constraintList) {
      let e = c.sense === '>=' ? c.expression.mul(-1) : c.expression;
      const smallest = Math.min(1, ...[...e.entries()].filter(([v]) => v.length > 0).map(([, coef]) => Math.abs(coef)));
      const strength = c.strength ?? (2 * objectiveScale) / (smallest * smallest);
      strengths[c.label] = strength;
      if (c.sense !== '==') {
        const { lo, hi } = bounds(e);
        if (hi <= 0) continue; // always holds: no penalty
        const weights = slackWeights(Math.floor(-lo + 1e-9));
        const names = weights.map((_, k) => `slack(${c.label})[${k}]`);
        for (const name of names) {
          if (kinds.has(name)) throw new RangeError(`the slack variable name ${name} is taken by a model variable`);
          kinds.set(name, 'BINARY');
        }
        slack[c.label] = names;
        e = Expression.sum(e, ...names.map((name, k) => Expression.variable(name, 'BINARY').mul(weights[k])));
      }
      addBinaryForm(bqm, e.mul(e), kinds, strength);
    }
    const model = vartype === 'SPIN' ? bqm.changeVartype('SPIN') : bqm;
    const userNames = [...this.kinds.keys()].concat([...kinds.keys()].filter((n) => !this.kinds.has(n) && !n.startsWith('slack(')));
    const objective = this.objective;
    const constraints = this.constraintList.slice();
    const decode = (sampleSet: SampleSet) => decodeSampleSet(sampleSet, { userNames, kinds, objective, constraints });
    return { bqm: model, decode, strengths, slack };
  }
}

/** The sum of variables' "is one" indicators: x for binary, (s + 1) / 2 for spin. */
function countOnes(variables: ExpressionLike): Expression {
  const list: Expression[] = [];
  const visit = (x: ExpressionLike) => (Array.isArray(x) ? x.forEach(visit) : list.push(Expression.from(x as number | Expression)));
  visit(variables);
  return Expression.sum(
    list.map((e) => {
      if (e.degree !== 1 || e.terms.size !== 1 || [...e.terms.values()][0] !== 1) throw new TypeError(`one-hot and at-most-k take variables, got ${e}`);
      return e.kinds.get(e.variables[0]) === 'SPIN' ? e.add(1).mul(0.5) : e;
    }),
  );
}

/** The least and greatest values of a linear expression over its variables' values. */
function bounds(e: Expression): { lo: number; hi: number } {
  let lo = e.constantTerm;
  let hi = lo;
  for (const [names, c] of e.entries()) {
    if (names.length === 0) continue;
    if (e.kinds.get(names[0]) === 'SPIN') {
      lo -= Math.abs(c);
      hi += Math.abs(c);
    } else {
      lo += Math.min(0, c);
      hi += Math.max(0, c);
    }
  }
  return { lo, hi };
}

/** Log encoding of an integer in 0..range: weights 1, 2, 4, ... and a last one that makes the total range. */
function slackWeights(range: number): number[] {
  const weights: number[] = [];
  let total = 0;
  while (total < range) {
    const w = Math.min(2 ** weights.length, range - total);
    weights.push(w);
    total += w;
  }
  return weights;
}

/** The largest change one variable's flip can make: max over variables of the sum of |coef| of its terms (x2 for spins). */
function largestMove(e: Expression): number {
  const per = new Map<string, number>();
  for (const [names, c] of e.entries()) for (const v of names) per.set(v, (per.get(v) ?? 0) + Math.abs(c) * (e.kinds.get(v) === 'SPIN' ? 2 : 1));
  return Math.max(0, ...per.values());
}

/** Adds weight * e to a BINARY model, spins replaced by 2x - 1. */
function addBinaryForm(bqm: BinaryQuadraticModel, e: Expression, kinds: ReadonlyMap<string, Vartype>, weight: number): void {
  for (const [names, c] of e.entries()) {
    const w = weight * c;
    // Each variable as a + b x: binary (0, 1), spin (-1, 2).
    const parts = names.map((v) => (kinds.get(v) === 'SPIN' ? [-1, 2] : [0, 1]));
    if (names.length === 0) bqm.offset += w;
    else if (names.length === 1) {
      const [a, b] = parts[0];
      bqm.offset += w * a;
      bqm.addLinear(names[0], w * b);
    } else {
      const [[a1, b1], [a2, b2]] = parts;
      bqm.offset += w * a1 * a2;
      if (a2 * b1 !== 0) bqm.addLinear(names[0], w * a2 * b1);
      if (a1 * b2 !== 0) bqm.addLinear(names[1], w * a1 * b2);
      bqm.addQuadratic(names[0], names[1], w * b1 * b2);
    }
  }
}

interface DecodeContext {
  userNames: string[];
  kinds: ReadonlyMap<string, Vartype>;
  objective: Expression;
  constraints: readonly Constraint[];
}

function decodeSampleSet(ss: SampleSet, ctx: DecodeContext): Decoded {
  const columns = ctx.userNames.map((name) => {
    try {
      return ss.indexOf(name);
    } catch {
      throw new RangeError(`the sample set has no variable ${JSON.stringify(name)}: decode the samples of this model's compiled bqm`);
    }
  });
  const n = ss.numVariables;
  const samples: DecodedSample[] = [];
  for (let r = 0; r < ss.length; r++) {
    const values: Record<string, number> = {};
    ctx.userNames.forEach((name, k) => {
      const raw = ss.data[r * n + columns[k]];
      const isOne = ss.vartype === 'SPIN' ? raw === 1 : raw === 1;
      values[name] = ctx.kinds.get(name) === 'SPIN' ? (isOne ? 1 : -1) : isOne ? 1 : 0;
    });
    const violations: Record<string, number> = {};
    const constraints: Record<string, { satisfied: boolean; violation: number }> = {};
    let feasible = true;
    for (const c of ctx.constraints) {
      const v = c.expression.evaluate(values);
      const amount = c.sense === '==' ? Math.abs(v) : c.sense === '<=' ? Math.max(0, v) : Math.max(0, -v);
      const satisfied = amount <= TOLERANCE * Math.max(1, ...[...c.expression.terms.values()].map(Math.abs));
      const violation = satisfied ? 0 : amount;
      violations[c.label] = violation;
      constraints[c.label] = { satisfied, violation };
      feasible &&= satisfied;
    }
    samples.push({ values, objective: ctx.objective.evaluate(values), violations, constraints, feasible, energy: ss.energies[r], numOccurrences: ss.numOccurrences[r] });
  }
  const feasible = samples.filter((s) => s.feasible).sort((a, b) => a.objective - b.objective || a.energy - b.energy);
  const lowestEnergy = samples.reduce<DecodedSample | undefined>((best, s) => (best === undefined || s.energy < best.energy ? s : best), undefined);
  return { samples, feasible, bestFeasible: feasible[0], lowestEnergy };
}
