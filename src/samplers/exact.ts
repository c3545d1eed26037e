import type { BinaryQuadraticModel } from '../model/bqm';
import { addon } from '../native/addon';
import { defaultThreads, runCancellable, toSampleSet } from './native-run';
import { SampleSet } from './sample-set';
import { checkParameterNames, optionalCardinality, SampleParams, Sampler } from './sampler';

export interface ExactSolverParams extends SampleParams {
  /** Keep only the lowest states (default: all 2^n, sorted by energy). numReads is read the same way. */
  maxStates?: number;
  /** Only states with exactly this many ones (BINARY) / +1 spins (SPIN). */
  cardinality?: number;
}

/**
 * The model plus P (count - k)^2 with P above the model's whole energy range, so every state with k ones
 * is below every other: the exact enumeration then lists the k-states first.
 */
function withCardinalityPenalty(bqm: BinaryQuadraticModel, k: number): BinaryQuadraticModel {
  const n = bqm.numVariables;
  const m = bqm.copy();
  let range = 0;
  for (let i = 0; i < n; i++) range += Math.abs(bqm.getLinear(i));
  for (const [, , b] of bqm.quadraticTerms()) range += Math.abs(b);
  const P = 1 + 2 * range;
  for (let i = 0; i < n; i++) m.addLinear(i, bqm.vartype === 'BINARY' ? P * (1 - 2 * k) : (P * (n - 2 * k)) / 2);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m.addQuadratic(i, j, bqm.vartype === 'BINARY' ? 2 * P : P / 2);
  return m;
}

/** Enumerates all 2^n states natively in Gray-code order; for tests and models up to about 24 variables. */
export class ExactSolver implements Sampler<ExactSolverParams> {
  readonly name = 'exact';
  readonly parameters = ['maxStates', 'cardinality'];

  async sample(bqm: BinaryQuadraticModel, params: ExactSolverParams = {}): Promise<SampleSet> {
    checkParameterNames(this.name, this.parameters, params);
    const started = performance.now();
    const maxStates = params.maxStates ?? params.numReads;
    if (maxStates !== undefined && (!Number.isInteger(maxStates) || maxStates < 1)) {
      throw new RangeError(`maxStates must be a positive integer, got ${maxStates}`);
    }
    const k = optionalCardinality(params.cardinality);
    if (k !== undefined && k > bqm.numVariables) throw new RangeError(`cardinality must be at most numVariables (${bqm.numVariables}), got ${k}`);
    const target = k === undefined ? bqm : withCardinalityPenalty(bqm.unlabelled(), k);
    const result = await runCancellable(params.signal, (cancelToken) =>
      addon().exactSolve(target.toNative(), { maxStates, threads: defaultThreads(params.threads), cancelToken }),
    );
    const set = toSampleSet(bqm, result, this.name, { maxStates, ...(k === undefined ? {} : { cardinality: k }) }, started);
    if (k === undefined) return set;
    // Energies of the model itself, and only the states that keep k.
    const n = bqm.numVariables;
    const rows: number[] = [];
    for (let r = 0; r < set.length; r++) {
      let c = 0;
      for (let i = 0; i < n; i++) c += result.samples[r * n + i] === 1 ? 1 : 0;
      if (c === k) rows.push(r);
    }
    const samples = new Int8Array(rows.length * n);
    rows.forEach((r, t) => samples.set(result.samples.subarray(r * n, (r + 1) * n), t * n));
    return new SampleSet({ vartype: bqm.vartype, numVariables: n, samples, energies: bqm.energies(samples), info: set.info, variables: set.variables });
  }

  async sampleBatch(bqms: readonly BinaryQuadraticModel[], params: ExactSolverParams = {}): Promise<SampleSet[]> {
    const out: SampleSet[] = [];
    for (const bqm of bqms) out.push(await this.sample(bqm, params));
    return out;
  }
}
