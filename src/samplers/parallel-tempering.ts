import type { BinaryQuadraticModel } from '../model/bqm';
import { addon, NativeCancelToken, NativeModel, NativeModelHandle, NativeSampleResult } from '../native/addon';
import { defaultThreads, progressCallback, runCancellable, toSampleSet } from './native-run';
import type { SampleSet } from './sample-set';
import { checkParameterNames, optionalTarget, optionalTimeLimit, positiveInteger, SampleParams, Sampler, seedOf } from './sampler';

export interface ParallelTemperingParams extends SampleParams {
  /** PT sweeps per read (one sweep: a Metropolis sweep of every replica, cluster moves, neighbour swaps). Default 1000, or unbounded with `timeLimit`. */
  numSweeps?: number;
  /** Temperatures in the ladder; default from the model (about 0.25 sqrt(n) per e-fold of the beta range, 8 to 64). */
  numReplicas?: number;
  /** [hot, cold] inverse temperatures at the ends of the ladder; default SA's cold end and a hot end at max(SA's, 0.5 / RMS local field). */
  betaRange?: [number, number];
  /** 'geometric' (default) or 'adaptive': tune the inner betas on the first sweeps to equal swap acceptance. */
  ladder?: 'geometric' | 'adaptive';
  /**
   * Houdayer's isoenergetic cluster moves between two replicas per temperature (cold half of the ladder).
   * Default 'auto': on for sparse models of mean degree <= 8, off for dense ones.
   */
  clusterMoves?: boolean | 'auto';
  /** Wall-clock budget of the whole call in seconds; reads stop at it (then results depend on timing). */
  timeLimit?: number;
  /** Stop every read once one of them reaches this energy (time-to-target runs). */
  targetEnergy?: number;
}

interface NativeTemperingResult extends NativeSampleResult {
  betas: Float64Array;
  numReplicas: number;
  clusterMoves: boolean;
  timeToBestMs: Float64Array;
  sweepsDone: Float64Array;
  swapAttempts: Float64Array;
  swapAccepts: Float64Array;
  clusterMoveCount: number;
  clusterMeanSize: number;
  replicaSamples?: Int8Array;
}

/** The addon's parallelTempering (native/src/binding.cc); `stats` adds swap counts and each read's final state per temperature. */
export interface NativeTemperingParams {
  numReads: number;
  numSweeps?: number;
  numReplicas?: number;
  betaRange?: [number, number];
  ladder?: 'geometric' | 'adaptive';
  clusterMoves?: boolean | 'auto';
  timeLimit?: number;
  targetEnergy?: number;
  stats?: boolean;
  seed: number;
  threads: number;
  cancelToken?: NativeCancelToken;
  onProgress?: (done: number, total: number) => void;
}

export function nativeParallelTempering(models: (NativeModel | NativeModelHandle)[], params: NativeTemperingParams): Promise<NativeTemperingResult[]> {
  const a = addon() as unknown as { parallelTempering?: (m: unknown, p: unknown) => Promise<NativeTemperingResult[]> };
  if (!a.parallelTempering) throw new Error('qahan: the native addon has no parallelTempering; rebuild it (npm run build:native)');
  return a.parallelTempering(models, params);
}

const PARAMS = ['numSweeps', 'numReplicas', 'betaRange', 'ladder', 'clusterMoves', 'timeLimit', 'targetEnergy'];

/**
 * Parallel tempering (replica-exchange Monte Carlo) with Houdayer cluster moves for sparse models: each
 * read is an independent run over a ladder of temperatures and returns the lowest-energy state it visited.
 */
export class ParallelTemperingSampler implements Sampler<ParallelTemperingParams> {
  readonly name = 'pt';
  readonly parameters = PARAMS;

  constructor(private readonly defaults: ParallelTemperingParams = {}) {}

  async sample(bqm: BinaryQuadraticModel, params: ParallelTemperingParams = {}): Promise<SampleSet> {
    return (await this.sampleBatch([bqm], params))[0];
  }

  async sampleBatch(bqms: readonly BinaryQuadraticModel[], params: ParallelTemperingParams = {}): Promise<SampleSet[]> {
    const p = { ...this.defaults, ...params };
    checkParameterNames(this.name, PARAMS, p);
    const started = performance.now();
    const numReads = positiveInteger(p.numReads, 'numReads', 10);
    const timeLimit = optionalTimeLimit(p.timeLimit);
    const numSweeps = p.numSweeps === undefined && timeLimit !== undefined ? undefined : positiveInteger(p.numSweeps, 'numSweeps', 1000);
    const numReplicas = p.numReplicas === undefined ? undefined : positiveInteger(p.numReplicas, 'numReplicas', 1);
    if (numReplicas !== undefined && numReplicas > 1024) throw new RangeError(`numReplicas must be at most 1024, got ${numReplicas}`);
    if (p.clusterMoves !== undefined && typeof p.clusterMoves !== 'boolean' && p.clusterMoves !== 'auto') {
      throw new RangeError(`clusterMoves must be true, false or 'auto', got ${String(p.clusterMoves)}`);
    }
    if (p.ladder !== undefined && p.ladder !== 'geometric' && p.ladder !== 'adaptive') {
      throw new RangeError(`ladder must be 'geometric' or 'adaptive', got ${String(p.ladder)}`);
    }
    const seed = seedOf(p.seed);
    if (bqms.length === 0) return [];
    const results = await runCancellable(p.signal, (cancelToken) =>
      nativeParallelTempering(
        bqms.map((b) => b.nativeHandle()),
        {
          numReads,
          numSweeps,
          numReplicas,
          betaRange: p.betaRange,
          ladder: p.ladder,
          clusterMoves: p.clusterMoves,
          timeLimit,
          targetEnergy: optionalTarget(p.targetEnergy),
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
        ...(numSweeps === undefined ? {} : { numSweeps }),
        ...(timeLimit === undefined ? {} : { timeLimit }),
        seed,
        numReplicas: r.numReplicas,
        ladder: p.ladder ?? 'geometric',
        clusterMoves: r.clusterMoves,
        betas: Array.from(r.betas),
      };
      const ss = toSampleSet(bqms[b], r, this.name, used, started);
      Object.assign(ss.info, {
        timeToBestMs: Array.from(r.timeToBestMs),
        sweepsDone: Array.from(r.sweepsDone),
        swapAcceptance: Array.from(r.swapAttempts, (a, k) => (a > 0 ? r.swapAccepts[k] / a : 0)),
        ...(r.clusterMoves ? { clusterMeanSize: r.clusterMeanSize } : {}),
      });
      return ss;
    });
  }
}
