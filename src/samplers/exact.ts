import type { BinaryQuadraticModel } from '../model/bqm';
import { addon } from '../native/addon';
import { defaultThreads, runCancellable, toSampleSet } from './native-run';
import type { SampleSet } from './sample-set';
import { checkParameterNames, SampleParams, Sampler } from './sampler';

export interface ExactSolverParams extends SampleParams {
  /** Keep only the lowest states (default: all 2^n, sorted by energy). numReads is read the same way. */
  maxStates?: number;
}

/** Enumerates all 2^n states natively in Gray-code order; for tests and models up to about 24 variables. */
export class ExactSolver implements Sampler<ExactSolverParams> {
  readonly name = 'exact';
  readonly parameters = ['maxStates'];

  async sample(bqm: BinaryQuadraticModel, params: ExactSolverParams = {}): Promise<SampleSet> {
    checkParameterNames(this.name, this.parameters, params);
    const started = performance.now();
    const maxStates = params.maxStates ?? params.numReads;
    if (maxStates !== undefined && (!Number.isInteger(maxStates) || maxStates < 1)) {
      throw new RangeError(`maxStates must be a positive integer, got ${maxStates}`);
    }
    const result = await runCancellable(params.signal, (cancelToken) =>
      addon().exactSolve(bqm.toNative(), { maxStates, threads: defaultThreads(params.threads), cancelToken }),
    );
    return toSampleSet(bqm, result, this.name, { maxStates }, started);
  }

  async sampleBatch(bqms: readonly BinaryQuadraticModel[], params: ExactSolverParams = {}): Promise<SampleSet[]> {
    const out: SampleSet[] = [];
    for (const bqm of bqms) out.push(await this.sample(bqm, params));
    return out;
  }
}
