/**
 * The native addon's surface, as it crosses the Node-API boundary. Only this folder touches the addon;
 * everything else goes through the typed samplers and models.
 *
 * Conventions shared with native/src/binding.cc:
 * - Variables are 0..n-1. Biases are float64. Spins are stored as int8 (-1/+1), binaries as int8 (0/1).
 * - A model carries its quadratic part either as coordinates (quadRow/quadCol/quadBias, i != j, each
 *   unordered pair at most once) or as a dense row-major n x n matrix (`dense`, only the upper triangle
 *   i < j is read). The core picks dense or CSR storage itself from the density.
 * - Every sampling call takes a batch of models and returns one result per model; a single model is a
 *   batch of one. Read r of model b is seeded from (seed, b, r) only, so the thread count never changes
 *   the samples.
 * - Bad arguments throw synchronously (TypeError for wrong types/shapes, RangeError for bad values), with
 *   the argument's name in the message. Work runs on a native thread pool; the returned Promise settles
 *   on the main thread. A cancelled job rejects with an Error whose `code` is 'ERR_QAHAN_CANCELLED'.
 */
import path from 'path';
import { QahanError } from '../errors';

export type NativeVartype = 'SPIN' | 'BINARY';

export interface NativeModel {
  numVariables: number;
  vartype: NativeVartype;
  linear: Float64Array;
  offset: number;
  quadRow?: Uint32Array;
  quadCol?: Uint32Array;
  quadBias?: Float64Array;
  dense?: Float64Array;
}

/**
 * A model parsed once by the addon (prepareModel), with its spin form, default ranges and kernel forms
 * built on first use and kept: BinaryQuadraticModel caches one until the model changes.
 */
export interface NativeModelHandle {
  readonly numVariables: number;
}

/** Which inner loop ran: dense rows, sparse neighbour lists, or many reads packed in the bits of words. */
export type NativeKernel = 'dense' | 'sparse' | 'packed';

/** A flag the JS side sets and the worker threads poll between sweeps. */
export interface NativeCancelToken {
  cancel(): void;
  readonly cancelled: boolean;
}

export interface NativeCommonParams {
  numReads: number;
  seed: number; // integer in [0, 2^53)
  threads: number; // 1..256; 0 means the machine's cores
  /** numModels * numReads * n values in the model's vartype, model-major then read-major. */
  initialStates?: Int8Array;
  /** Keep exactly this many ones (BINARY) / +1 spins (SPIN) with pair-swap moves; initial states must hold that many. */
  cardinality?: number;
  cancelToken?: NativeCancelToken;
  /** Called on the main thread, throttled (about every 100 ms), with sweeps done and total over all reads. */
  onProgress?: (done: number, total: number) => void;
}

export interface NativeSimulatedAnnealingParams extends NativeCommonParams {
  numSweeps: number;
  /** [hot, cold]; computed from each model when absent. */
  betaRange?: [number, number];
  betaScheduleType?: 'geometric' | 'linear';
  /** One beta per sweep; overrides numSweeps/betaRange when given. */
  betaSchedule?: Float64Array;
  /** 'auto' (default) or a kernel every model must qualify for (RangeError otherwise). */
  kernel?: 'auto' | NativeKernel;
}

export interface NativePathIntegralParams extends NativeCommonParams {
  numSweeps: number;
  beta: number;
  trotterSlices: number;
  /** Transverse field from start to end (default end near zero). */
  gammaRange: [number, number];
  gammaScheduleType?: 'linear' | 'geometric';
  /** One Gamma per sweep; overrides gammaRange. */
  gammaSchedule?: Float64Array;
  /**
   * s-form: H(s) = s * Hp + (1 - s) * Gamma0 * sum sx with Gamma0 = gammaRange[0]; one s per sweep in
   * [0, 1]. When given, it replaces the Gamma schedule.
   */
  sSchedule?: Float64Array;
  /** Also try, once per sweep per spin, flipping that spin in every slice at once. */
  globalMoves?: boolean;
  /**
   * Which Trotter slice a read returns: 'lowest' (default; the slice with the lowest problem energy, ties
   * to the lowest index), 'random' (uniform, from the read's own random stream) or a fixed index in
   * [0, trotterSlices). A fixed or random slice gives unbiased thermal estimates; 'lowest' is for optimising.
   */
  returnSlice?: 'lowest' | 'random' | number;
  /** 'auto' (default), 'dense' or 'sparse' ('packed' is SA only for now). */
  kernel?: 'auto' | NativeKernel;
}

export interface NativeExactParams {
  /** Keep the lowest `maxStates` states (sorted by energy); default all 2^n. */
  maxStates?: number;
  threads: number;
  cancelToken?: NativeCancelToken;
}

export interface NativeTiming {
  preprocessMs: number;
  samplingMs: number;
  postprocessMs: number;
}

export interface NativeSampleResult {
  numReads: number;
  numVariables: number;
  /** numReads * n, in the model's vartype. */
  samples: Int8Array;
  energies: Float64Array;
  storage: 'dense' | 'sparse';
  /** The kernel that ran (SA and SQA). */
  kernel?: NativeKernel;
  /** The schedule actually used (SA: betas at both ends; SQA: Gamma at both ends and the beta). */
  betaRange?: [number, number];
  gammaRange?: [number, number];
  timing: NativeTiming;
}

export interface NativeAttentionInput {
  batch: number; // B
  positions: number; // N
  scores: Float32Array | Float64Array; // B * N
  /** B * N * N, row-major; or give `features` (B * N * C) and `channels` for cosine similarity. */
  similarity?: Float32Array | Float64Array;
  features?: Float32Array | Float64Array;
  channels?: number;
  lambda: number;
  gamma: number;
  k: number;
}

/** B BINARY models E(z) = -sum a_i z_i + lambda sum_{i<j} S_ij z_i z_j + gamma (sum z_i - k)^2, expanded. */
export interface NativeAttentionQubos {
  batch: number;
  positions: number;
  linear: Float64Array; // B * N
  dense: Float64Array; // B * N * N, upper triangle (i < j) holds the couplings, the rest zero
  offset: Float64Array; // B
}

/** Chains as CSR over the listed variables: variable variables[i] holds qubits[offsets[i] .. offsets[i+1]). */
export interface NativeChainSet {
  variables: Uint32Array;
  offsets: Uint32Array;
  qubits: Uint32Array;
}

/** The heuristic minor embedder's input: dense qubits 0..numQubits-1 and variables 0..numVariables-1. */
export interface NativeMinorEmbeddingParams {
  numQubits: number;
  /** Pairs of qubits (flat). */
  couplers: Uint32Array;
  numVariables: number;
  /** Pairs of variables (flat); loops and repeats are ignored. */
  sourceEdges: Uint32Array;
  fixedChains?: NativeChainSet;
  initialChains?: NativeChainSet;
  seed: number;
  timeoutMs: number;
  tries: number;
  maxNoImprovement: number;
  chainLengthPatience: number;
  cancelToken?: NativeCancelToken;
}

export interface NativeMinorEmbeddingResult {
  found: boolean;
  /** numVariables + 1 offsets into chainQubits (empty arrays when not found). */
  chainOffsets: Int32Array;
  chainQubits: Int32Array;
  triesRun: number;
  /** Qubits shared by several chains in the best failed try; -1 when no try got that far. */
  bestExcess: number;
  timedOut: boolean;
  /** Some variable could not reach its neighbours at all. */
  unreachable: boolean;
  overlapRounds: number;
  lengthRounds: number;
  elapsedMs: number;
}

export interface NativeAddon {
  info(): { threads: number; version: string; packedIsa?: string; lanesIsa?: string };
  CancelToken: new () => NativeCancelToken;
  energies(model: NativeModel, samples: Int8Array, numSamples: number): Float64Array;
  simulatedAnnealing(models: (NativeModel | NativeModelHandle)[], params: NativeSimulatedAnnealingParams): Promise<NativeSampleResult[]>;
  pathIntegralAnnealing(models: (NativeModel | NativeModelHandle)[], params: NativePathIntegralParams): Promise<NativeSampleResult[]>;
  exactSolve(model: NativeModel, params: NativeExactParams): Promise<NativeSampleResult>;
  buildAttentionQubos(input: NativeAttentionInput): NativeAttentionQubos;
  /** SA's default [hot, cold]; with `cardinality`, measured on pair swaps that keep that many ones. */
  defaultBetaRange(model: NativeModel | NativeModelHandle, cardinality?: number): [number, number];
  /** Parses a model once; the handle keeps its derived forms for every later call. */
  prepareModel?(model: NativeModel): NativeModelHandle;
  /** SQA's default inputs: SA's default beta range (swap range with a cardinality) and the largest |bias| of the spin form. */
  modelDefaults?(model: NativeModel | NativeModelHandle, cardinality?: number): { betaRange: [number, number]; maxAbsSpinBias: number };
  /** The heuristic minor embedder (issue 13), on a worker thread. */
  findMinorEmbedding?(params: NativeMinorEmbeddingParams): Promise<NativeMinorEmbeddingResult>;
}

let cached: NativeAddon | undefined;

/** Loads the addon once: a matching prebuild, else build/Release from `npm install`. */
export function addon(): NativeAddon {
  if (!cached) cached = loadNativeAddon(path.resolve(__dirname, '..', '..'));
  return cached;
}

/**
 * node-gyp-build's load of the addon in package folder `dir`. When no binary exists (no prebuild matches
 * and npm blocked the install script that would have compiled one) or the one found cannot be loaded,
 * the error says what to run; node-gyp-build's own error is kept as `cause`.
 */
export function loadNativeAddon(dir: string): NativeAddon {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const load = require('node-gyp-build') as (dir: string) => NativeAddon;
  try {
    return load(dir);
  } catch (err) {
    throw nativeLoadError(err, dir);
  }
}

function nativeLoadError(err: unknown, dir: string): unknown {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  const platform = `${process.platform}-${process.arch}, Node ${process.versions.node}`;
  let what: string;
  if (/No native build was found/i.test(message)) {
    what =
      `qahan: its native addon is not installed for this platform (${platform}): no prebuilt binary matches and ` +
      `none was built at install time (npm blocks dependencies' install scripts unless allowed). ` +
      `Build it with \`npm rebuild qahan\` (needs a C++17 compiler and CMake or Python), or allow the install script ` +
      `with "allowScripts": { "qahan": true } in your package.json and install again.`;
  } else if (code === 'ERR_DLOPEN_FAILED' || /invalid ELF|wrong ELF class|compiled against a different|not a valid Win32|mach-o/i.test(message)) {
    what = `qahan: its native addon in ${dir} could not be loaded on this platform (${platform}). Rebuild it with \`npm rebuild qahan\`.`;
  } else {
    return err;
  }
  return new NativeAddonError(what, { cause: err });
}

/** The native addon is missing or cannot be loaded; `cause` is node-gyp-build's (or dlopen's) error. */
export class NativeAddonError extends QahanError {
  readonly code = 'ERR_QAHAN_NATIVE_ADDON';
}
