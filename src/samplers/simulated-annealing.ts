import type { BinaryQuadraticModel } from '../model/bqm';
import { addon } from '../native/addon';
import { defaultThreads, flattenInitialStates, progressCallback, runCancellable, toSampleSet } from './native-run';
import type { SampleSet } from './sample-set';
import { checkParameterNames, optionalCardinality, positiveInteger, SampleParams, Sampler, seedOf } from './sampler';

export interface SimulatedAnnealingParams extends SampleParams {
  /** Metropolis sweeps per read (one sweep = one flip attempt per variable). Default 1000. */
  numSweeps?: number;
  /** [hot, cold] inverse temperatures; default from the model (see README). */
  betaRange?: [number, number];
  betaScheduleType?: 'geometric' | 'linear';
  /** One beta per sweep; overrides numSweeps and betaRange. */
  betaSchedule?: ArrayLike<number>;
  /** Starting states, rows in the model's vartype; reads cycle through them. Default random. */
  initialStates?: ArrayLike<ArrayLike<number> | Readonly<Record<string, number>>>;
  /**
   * Keep exactly this many ones (BINARY) or +1 spins (SPIN): pair-swap moves from a random k-subset, and a
   * default beta range measured on those swaps, so a penalty on the count neither constrains the moves nor
   * sets the temperature scale. Initial states must hold exactly that many.
   */
  cardinality?: number;
  /**
   * The inner loop: 'auto' (default) picks 'packed' for sparse models whose biases are small integer
   * multiples of one unit when numReads >= 32 (every model of a batch must qualify), else the model's
   * storage, 'dense' or 'sparse'. Forcing a kernel the model does not qualify for is a RangeError.
   * `info.kernel` says which ran.
   */
  kernel?: 'auto' | 'dense' | 'sparse' | 'packed';
}

const PARAMS = ['numSweeps', 'betaRange', 'betaScheduleType', 'betaSchedule', 'initialStates', 'cardinality', 'kernel'];

/** Classical simulated annealing: single-spin-flip Metropolis on the native thread pool. */
export class SimulatedAnnealingSampler implements Sampler<SimulatedAnnealingParams> {
  readonly name = 'sa';
  readonly parameters = PARAMS;

  constructor(private readonly defaults: SimulatedAnnealingParams = {}) {}

  async sample(bqm: BinaryQuadraticModel, params: SimulatedAnnealingParams = {}): Promise<SampleSet> {
    return (await this.sampleBatch([bqm], params))[0];
  }

  async sampleBatch(bqms: readonly BinaryQuadraticModel[], params: SimulatedAnnealingParams = {}): Promise<SampleSet[]> {
    const p = { ...this.defaults, ...params };
    checkParameterNames(this.name, PARAMS, p);
    const started = performance.now();
    const numReads = positiveInteger(p.numReads, 'numReads', 10);
    const betaSchedule = p.betaSchedule ? Float64Array.from(p.betaSchedule) : undefined;
    const numSweeps = betaSchedule ? betaSchedule.length : positiveInteger(p.numSweeps, 'numSweeps', 1000);
    const seed = seedOf(p.seed);
    const cardinality = optionalCardinality(p.cardinality);
    const used = { numReads, numSweeps, seed, betaScheduleType: p.betaScheduleType ?? 'geometric', ...(cardinality === undefined ? {} : { cardinality }) };
    if (bqms.length === 0) return [];
    const results = await runCancellable(p.signal, (cancelToken) =>
      addon().simulatedAnnealing(
        bqms.map((b) => b.nativeHandle()),
        {
          numReads,
          numSweeps,
          seed,
          threads: defaultThreads(p.threads),
          betaRange: p.betaRange,
          betaScheduleType: p.betaScheduleType,
          betaSchedule,
          initialStates: flattenInitialStates(bqms, numReads, p.initialStates),
          cardinality,
          kernel: p.kernel,
          cancelToken,
          onProgress: progressCallback(p.onProgress),
        },
      ),
    );
    return results.map((r, b) => toSampleSet(bqms[b], r, this.name, used, started));
  }
}
