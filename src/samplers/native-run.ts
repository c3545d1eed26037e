import type { BinaryQuadraticModel } from '../model/bqm';
import { addon, NativeCancelToken, NativeSampleResult } from '../native/addon';
import { SampleSet } from './sample-set';
import { abortError, Progress } from './sampler';

/**
 * Runs one native job with AbortSignal support: the signal trips the native cancel token, and the
 * Promise rejects with the signal's reason instead of the addon's cancellation error.
 */
export async function runCancellable<T>(
  signal: AbortSignal | undefined,
  start: (token: NativeCancelToken) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw abortError(signal);
  const token = new (addon().CancelToken)();
  const onAbort = () => token.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await start(token);
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

export function progressCallback(onProgress: ((p: Progress) => void) | undefined) {
  return onProgress ? (done: number, total: number) => onProgress({ done, total }) : undefined;
}

export function defaultThreads(threads: unknown): number {
  if (threads === undefined) return 0;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new RangeError(`threads must be an integer from 1 to 256, got ${String(threads)}`);
  }
  return threads;
}

/**
 * Flattens per-model initial states (rows of the model's vartype in variable order, or assignments keyed
 * by label) into the native layout.
 */
export function flattenInitialStates(
  bqms: readonly BinaryQuadraticModel[],
  numReads: number,
  initialStates: ArrayLike<ArrayLike<number> | Readonly<Record<string, number>>> | undefined,
): Int8Array | undefined {
  if (!initialStates) return undefined;
  if (bqms.length !== 1) throw new RangeError('initialStates is supported for a single model only');
  const n = bqms[0].numVariables;
  if (initialStates.length === 0) throw new RangeError('initialStates must hold at least one state');
  const out = new Int8Array(numReads * n);
  // Fewer states than reads: cycle through them, as dimod's 'tile' expansion does.
  for (let r = 0; r < numReads; r++) {
    const given = initialStates[r % initialStates.length];
    const row = given && typeof (given as ArrayLike<number>).length !== 'number' ? bqms[0].rowOf(given as Record<string, number>) : (given as ArrayLike<number>);
    if (!row || row.length !== n) throw new RangeError(`initialStates[${r % initialStates.length}] must have ${n} values`);
    for (let i = 0; i < n; i++) out[r * n + i] = row[i];
  }
  return out;
}

export function toSampleSet(
  bqm: BinaryQuadraticModel,
  result: NativeSampleResult,
  sampler: string,
  parameters: Record<string, unknown>,
  startedMs: number,
): SampleSet {
  return new SampleSet({
    vartype: bqm.vartype,
    numVariables: result.numVariables,
    samples: result.samples,
    energies: result.energies,
    // Labels ride along for labelled models; the native side only ever saw indices.
    variables: bqm.isLabelled ? bqm.variables : undefined,
    info: {
      sampler,
      parameters: {
        ...parameters,
        ...(result.betaRange ? { betaRange: result.betaRange } : {}),
        ...(result.gammaRange ? { gammaRange: result.gammaRange } : {}),
      },
      storage: result.storage,
      ...(result.kernel ? { kernel: result.kernel } : {}),
      timing: { ...result.timing, totalMs: performance.now() - startedMs },
    },
  });
}
