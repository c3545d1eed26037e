import type { BinaryQuadraticModel } from '../model/bqm';
import { addon } from '../native/addon';
import { MAX_SLICE_VALUES } from '../model/limits';
import { defaultThreads, flattenInitialStates, progressCallback, runCancellable, toSampleSet } from './native-run';
import type { SampleSet } from './sample-set';
import { checkParameterNames, optionalCardinality, positiveInteger, SampleParams, Sampler, seedOf } from './sampler';

/** With cardinality, the largest swap |dE| (ln 2 / hot) over this stands in for the largest bias (tuned on attention QUBOs, docs/method.md). */
const SWAP_SCALE_DIVISOR = 2;

export interface PathIntegralAnnealingParams extends SampleParams {
  /** Sweeps per read; one sweep tries every spin in every Trotter slice once. Default 1000. */
  numSweeps?: number;
  /** Inverse temperature of the whole path integral. Default: see README (from the model's biases and gaps). */
  beta?: number;
  /** Transverse field Gamma from start to end. Default [3 * scale, 1e-3 * scale] with scale the largest |bias|. */
  gammaRange?: [number, number];
  gammaScheduleType?: 'linear' | 'geometric';
  /** One Gamma per sweep; overrides gammaRange and numSweeps. */
  gammaSchedule?: ArrayLike<number>;
  /** s-form, H(s) = s Hp + (1 - s) Gamma0 sum sx with Gamma0 = gammaRange[0]; one s in [0, 1] per sweep. */
  sSchedule?: ArrayLike<number>;
  /** Trotter slices P. Default 16. */
  trotterSlices?: number;
  /** Also flip a spin in every slice at once (helps P large). Default false. */
  globalMoves?: boolean;
  initialStates?: ArrayLike<ArrayLike<number> | Readonly<Record<string, number>>>;
  /**
   * Which Trotter slice a read returns: 'lowest' (default; the slice of lowest classical energy, best
   * for optimisation), 'random', or a fixed index (unbiased for thermal estimates such as <sz>).
   */
  returnSlice?: 'lowest' | 'random' | number;
  /**
   * Keep exactly this many ones (BINARY) or +1 spins (SPIN) in every Trotter slice: pair-swap moves, and
   * default beta and Gamma scaled by the swaps' energy changes instead of the largest bias (a penalty on
   * the count cancels out of every swap). Not with globalMoves.
   */
  cardinality?: number;
  /**
   * 'auto' (default: 'packed' from 32 reads on sparse models whose biases are small integer multiples of
   * one unit, with local moves, no cardinality and no initial states; else the model's storage), 'dense',
   * 'sparse' or 'packed' (64 reads per machine word, every Trotter slice packed the same way); `info.kernel`
   * says which ran.
   */
  kernel?: 'auto' | 'dense' | 'sparse' | 'packed';
}

const PARAMS = ['numSweeps', 'beta', 'gammaRange', 'gammaScheduleType', 'gammaSchedule', 'sSchedule', 'trotterSlices', 'globalMoves', 'initialStates', 'returnSlice', 'cardinality', 'kernel'];

function spinMaxAbs(b: BinaryQuadraticModel): number {
  const m = b.changeVartype('SPIN').maxAbsBiases();
  return Math.max(m.linear, m.quadratic);
}

/**
 * Simulated quantum annealing: path-integral Monte Carlo of the transverse-field Ising model
 * H = Hp(sz) - Gamma sum_i sx_i over P Trotter slices (see docs in native/include/qahan/moves.h).
 */
export class PathIntegralAnnealingSampler implements Sampler<PathIntegralAnnealingParams> {
  readonly name = 'sqa';
  readonly parameters = PARAMS;

  constructor(private readonly defaults: PathIntegralAnnealingParams = {}) {}

  async sample(bqm: BinaryQuadraticModel, params: PathIntegralAnnealingParams = {}): Promise<SampleSet> {
    return (await this.sampleBatch([bqm], params))[0];
  }

  async sampleBatch(bqms: readonly BinaryQuadraticModel[], params: PathIntegralAnnealingParams = {}): Promise<SampleSet[]> {
    const p = { ...this.defaults, ...params };
    checkParameterNames(this.name, PARAMS, p);
    const started = performance.now();
    if (bqms.length === 0) return [];
    const numReads = positiveInteger(p.numReads, 'numReads', 10);
    const schedule = p.sSchedule ?? p.gammaSchedule;
    const numSweeps = schedule ? schedule.length : positiveInteger(p.numSweeps, 'numSweeps', 1000);
    const trotterSlices = positiveInteger(p.trotterSlices, 'trotterSlices', 16);
    // Refuse an oversized path integral before the default schedule walks every model (seconds for 2^26 spins).
    for (const [b, m] of bqms.entries()) {
      if (trotterSlices * m.numVariables > MAX_SLICE_VALUES) {
        throw new RangeError(`trotterSlices x numVariables must be at most 2^26: models[${b}] has ${m.numVariables} variables x ${trotterSlices} slices`);
      }
    }
    const seed = seedOf(p.seed);
    const cardinality = optionalCardinality(p.cardinality);
    // Defaults scale with the problem so that one setting works for any bias magnitude; computed only
    // when a default is needed (it walks every model's terms).
    const needDefaults = p.beta === undefined || p.gammaRange === undefined;
    const models = bqms.map((b) => b.nativeHandle());
    // Computed natively from each model's cached spin form (the same numbers as changeVartype('SPIN')
    // .maxAbsBiases() and SA's default range, bit for bit), once per unchanged model.
    const native = addon();
    const defaults = needDefaults
      ? models.map((m, b) =>
          native.modelDefaults
            ? native.modelDefaults(m, cardinality)
            : { betaRange: native.defaultBetaRange(m, cardinality), maxAbsSpinBias: spinMaxAbs(bqms[b]) },
        )
      : undefined;
    const swapRanges = defaults && cardinality !== undefined ? defaults.map((d) => d.betaRange) : undefined;
    const scale = swapRanges
      ? Math.max(1e-12, ...swapRanges.map((r) => Math.LN2 / r[0]) ) / SWAP_SCALE_DIVISOR
      : defaults
      ? Math.max(1e-12, ...defaults.map((d) => d.maxAbsSpinBias))
      : 1;
    // Default beta: the geometric mean of 10 / max|bias| (right for spin glasses with few bias
    // levels) and SA's cold-end beta (which resolves the smallest gaps of wide-range QUBOs).
    const cold = defaults ? Math.max(...defaults.map((d) => d.betaRange[1])) : 1;
    const beta = p.beta ?? Math.sqrt((10 / scale) * cold);
    if (typeof beta !== 'number' || !(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`beta must be a positive finite number, got ${beta}`);
    const gammaRange = p.gammaRange ?? [3 * scale, 1e-3 * scale];
    const used = { numReads, numSweeps, seed, beta, gammaRange, trotterSlices, globalMoves: !!p.globalMoves, ...(cardinality === undefined ? {} : { cardinality }) };
    const results = await runCancellable(p.signal, (cancelToken) =>
      addon().pathIntegralAnnealing(
        models,
        {
          numReads,
          numSweeps,
          seed,
          threads: defaultThreads(p.threads),
          beta,
          trotterSlices,
          gammaRange,
          gammaScheduleType: p.gammaScheduleType,
          gammaSchedule: p.gammaSchedule && !p.sSchedule ? Float64Array.from(p.gammaSchedule) : undefined,
          sSchedule: p.sSchedule ? Float64Array.from(p.sSchedule) : undefined,
          globalMoves: !!p.globalMoves,
          returnSlice: p.returnSlice,
          cardinality,
          kernel: p.kernel,
          initialStates: flattenInitialStates(bqms, numReads, p.initialStates),
          cancelToken,
          onProgress: progressCallback(p.onProgress),
        },
      ),
    );
    return results.map((r, b) => toSampleSet(bqms[b], r, this.name, used, started));
  }
}
