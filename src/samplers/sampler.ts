import type { BinaryQuadraticModel } from '../model/bqm';
import type { SampleSet } from './sample-set';

/** Progress of one sampling call: units done out of total (sweeps for the annealers). */
export interface Progress {
  done: number;
  total: number;
}

/** Parameters every sampler understands; each sampler adds its own. */
export interface SampleParams {
  /** Independent reads (anneals) per model. */
  numReads?: number;
  /** Read r of model b is seeded from (seed, b, r): the same seed gives the same samples on any thread count. */
  seed?: number;
  /** Worker threads; default the machine's cores. */
  threads?: number;
  /** Stops the work; the Promise rejects with the signal's reason (an AbortError by default). */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/**
 * The one interface of every sampler (native SA and SQA, exact, D-Wave QPU and hybrid): a model in,
 * a SampleSet out. Callers (training, the CLI, benchmarks) depend on this and nothing more.
 */
export interface Sampler<P extends SampleParams = SampleParams> {
  /** A short stable name: 'sa', 'sqa', 'exact', 'dwave-qpu', 'dwave-hybrid'. */
  readonly name: string;
  /** Parameter names this sampler accepts (others are rejected with a TypeError). */
  readonly parameters: readonly string[];
  sample(bqm: BinaryQuadraticModel, params?: P): Promise<SampleSet>;
  /** Many models in one call (one native call for the CPU samplers); one SampleSet per model, in order. */
  sampleBatch(bqms: readonly BinaryQuadraticModel[], params?: P): Promise<SampleSet[]>;
}

const COMMON = ['numReads', 'seed', 'threads', 'signal', 'onProgress'];

/** Throws a TypeError naming any parameter the sampler does not know (typos should not pass silently). */
export function checkParameterNames(sampler: string, allowed: readonly string[], params: object | undefined): void {
  if (!params) return;
  for (const key of Object.keys(params)) {
    if ((params as Record<string, unknown>)[key] === undefined) continue;
    if (!allowed.includes(key) && !COMMON.includes(key)) {
      throw new TypeError(`${sampler} sampler: unknown parameter '${key}' (accepted: ${[...COMMON, ...allowed].join(', ')})`);
    }
  }
}

export function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** A cardinality parameter: undefined, or an integer >= 0 (the native side checks it against each model's size). */
export function optionalCardinality(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`cardinality must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** A time-to-target energy: undefined or a finite number. */
export function optionalTarget(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`targetEnergy must be a finite number, got ${String(value)}`);
  return value;
}

/** A wall-clock budget in seconds: undefined or in (0, 1e7]. */
export function optionalTimeLimit(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1e7) {
    throw new RangeError(`timeLimit must be a number of seconds in (0, 1e7], got ${String(value)}`);
  }
  return value;
}

/** An optional integer >= 0 named `name`. */
export function optionalNonNegativeInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

export function seedOf(value: unknown): number {
  if (value === undefined) return Math.floor(Math.random() * 2 ** 32);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`seed must be an integer in [0, 2^53), got ${String(value)}`);
  }
  return value;
}

/** The AbortError a signal carries, so callers can tell aborts apart from failures. */
export function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error(typeof reason === 'string' ? reason : 'The operation was aborted');
  err.name = 'AbortError';
  return err;
}
