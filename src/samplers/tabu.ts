import type { BinaryQuadraticModel } from '../model/bqm';
import { addon, NativeCancelToken, NativeModel, NativeModelHandle, NativeSampleResult } from '../native/addon';
import { defaultThreads, flattenInitialStates, progressCallback, runCancellable, toSampleSet } from './native-run';
import type { SampleSet } from './sample-set';
import { checkParameterNames, optionalNonNegativeInteger, optionalTarget, optionalTimeLimit, positiveInteger, SampleParams, Sampler, seedOf } from './sampler';

export interface TabuParams extends SampleParams {
  /** Wall-clock budget of the whole call in seconds (results then depend on timing). */
  timeLimit?: number;
  /** Iterations a flipped variable stays tabu; default min(20, n / 4), or n / 10 on sparse models with whole-number biases (the gain-bucket path). */
  tenure?: number;
  /** Tabu phases per read (restarts from elite states); default 20 without timeLimit, unbounded with it. */
  numRestarts?: number;
  /** Starting states, rows in the model's vartype; reads cycle through them. Default random. */
  initialStates?: ArrayLike<ArrayLike<number> | Readonly<Record<string, number>>>;
  /** Stop every read once one of them reaches this energy (time-to-target runs). */
  targetEnergy?: number;
  /**
   * Sparse models with whole-number biases (the gain-bucket path): Metropolis sweeps of the anneal that
   * starts each phase (from a random state); 0 starts phases from perturbed elite states instead. Default 12 n within 20,000-100,000.
   */
  annealSweeps?: number;
}

interface NativeTabuResult extends NativeSampleResult {
  tenure: number;
  stallIterations: number;
  annealSweeps: number;
  timeToBestMs: Float64Array;
  restartsDone: Float64Array;
}

export interface NativeTabuParams {
  numReads: number;
  timeLimit?: number;
  tenure?: number;
  numRestarts?: number;
  stallIterations?: number;
  annealSweeps?: number;
  targetEnergy?: number;
  initialStates?: Int8Array;
  seed: number;
  threads: number;
  cancelToken?: NativeCancelToken;
  onProgress?: (done: number, total: number) => void;
}

export function nativeTabuSearch(models: (NativeModel | NativeModelHandle)[], params: NativeTabuParams): Promise<NativeTabuResult[]> {
  const a = addon() as unknown as { tabuSearch?: (m: unknown, p: unknown) => Promise<NativeTabuResult[]> };
  if (!a.tabuSearch) throw new Error('qahan: the native addon has no tabuSearch; rebuild it (npm run build:native)');
  return a.tabuSearch(models, params);
}

const PARAMS = ['timeLimit', 'tenure', 'numRestarts', 'initialStates', 'targetEnergy', 'annealSweeps'];

/**
 * Multistart tabu search (after Palubeckis' MST2): one-flip moves on incrementally kept gains, a tabu
 * tenure, aspiration by the best energy, and restarts from perturbed elite states. For dense QUBOs; on
 * sparse models with whole-number biases (max-cut, spin glasses) the gains sit in buckets, so a move costs
 * O(degree), not O(n), and each phase is an anneal from a random state followed by breakout local search
 * (Benlic and Hao's BLS: steepest descent, then directed tabu or random perturbations of adaptive strength).
 */
export class TabuSampler implements Sampler<TabuParams> {
  readonly name = 'tabu';
  readonly parameters = PARAMS;

  constructor(private readonly defaults: TabuParams = {}) {}

  async sample(bqm: BinaryQuadraticModel, params: TabuParams = {}): Promise<SampleSet> {
    return (await this.sampleBatch([bqm], params))[0];
  }

  async sampleBatch(bqms: readonly BinaryQuadraticModel[], params: TabuParams = {}): Promise<SampleSet[]> {
    const p = { ...this.defaults, ...params };
    checkParameterNames(this.name, PARAMS, p);
    const started = performance.now();
    const numReads = positiveInteger(p.numReads, 'numReads', 10);
    const timeLimit = optionalTimeLimit(p.timeLimit);
    const numRestarts = p.numRestarts === undefined && timeLimit !== undefined ? undefined : positiveInteger(p.numRestarts, 'numRestarts', 20);
    const tenure = optionalNonNegativeInteger(p.tenure, 'tenure');
    const annealSweeps = optionalNonNegativeInteger(p.annealSweeps, 'annealSweeps');
    const seed = seedOf(p.seed);
    if (bqms.length === 0) return [];
    const results = await runCancellable(p.signal, (cancelToken) =>
      nativeTabuSearch(
        bqms.map((b) => b.nativeHandle()),
        {
          numReads,
          timeLimit,
          tenure,
          numRestarts,
          annealSweeps,
          targetEnergy: optionalTarget(p.targetEnergy),
          initialStates: flattenInitialStates(bqms, numReads, p.initialStates),
          seed,
          threads: defaultThreads(p.threads),
          cancelToken,
          onProgress: progressCallback(p.onProgress),
        },
      ),
    );
    return results.map((r, b) => {
      const used = {
        numReads,
        ...(numRestarts === undefined ? {} : { numRestarts }),
        ...(timeLimit === undefined ? {} : { timeLimit }),
        seed,
        tenure: r.tenure,
        ...(r.annealSweeps > 0 ? { annealSweeps: r.annealSweeps } : {}),
      };
      const ss = toSampleSet(bqms[b], r, this.name, used, started);
      Object.assign(ss.info, { timeToBestMs: Array.from(r.timeToBestMs), restartsDone: Array.from(r.restartsDone) });
      return ss;
    });
  }
}
