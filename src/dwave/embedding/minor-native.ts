/**
 * The heuristic minor embedder on the native addon (native/src/embedding.cc), off the main thread.
 *
 * Here: argument checks, qubit ids -> dense indices, chains as flat arrays, AbortSignal -> cancel token,
 * and a final checkEmbedding of what comes back. The search itself (Cai-Macready-Roy chains by weighted
 * Dijkstra, overlap rounds, chain-length rounds with neighbour trimming) lives in C++.
 * `findEmbeddingAsync` uses it when the addon has it and falls back to the TypeScript `findEmbedding`.
 */
import { EmbeddingError } from '../../errors';
import { addon, NativeAddon, NativeChainSet } from '../../native/addon';
import { HardwareGraph } from '../topology';
import type { Embedding } from './clique';
import { findEmbedding, FindEmbeddingOptions } from './minor';
import { abortError } from '../../samplers/sampler';
import { ChainMap, chainEntries, checkCount } from './minor-options';
import { checkEmbedding } from './validate';

/** What the last native search did, for benchmarks and `info`. */
export interface NativeEmbeddingStats {
  triesRun: number;
  overlapRounds: number;
  lengthRounds: number;
  timedOut: boolean;
  elapsedMs: number;
}

/** Native defaults: tuned on issue 13's targets (a 5 s budget for 500-1000 variables into Pegasus 16 / Zephyr(12,4)). */
export const NATIVE_EMBEDDING_DEFAULTS = { seed: 1, timeout: 30_000, tries: 10, maxNoImprovement: 10, chainLengthPatience: 2 } as const;

function nativeAddon(): NativeAddon | undefined {
  try {
    const a = addon();
    return typeof a.findMinorEmbedding === 'function' ? a : undefined;
  } catch {
    return undefined;
  }
}

/** True when the loaded addon has the native embedder. */
export function hasNativeEmbedder(): boolean {
  return nativeAddon() !== undefined;
}

interface DenseInput {
  n: number;
  ids: number[];
  sourceEdges: Uint32Array;
  couplers: Uint32Array;
  fixed?: NativeChainSet;
  initial?: NativeChainSet;
}

function denseInput(sourceEdges: Iterable<readonly [number, number]>, target: HardwareGraph, options: FindEmbeddingOptions): DenseInput {
  const ids = target.qubits.slice();
  const maxId = ids.reduce((m, q) => Math.max(m, q), -1);
  const dense = new Int32Array(maxId + 1).fill(-1);
  ids.forEach((q, i) => (dense[q] = i));
  const denseOf = (q: number, what: string): number => {
    const i = Number.isInteger(q) && q >= 0 && q <= maxId ? dense[q] : -1;
    if (i < 0) throw new RangeError(`${what} uses qubit ${q}, which is not a working qubit of the target graph`);
    return i;
  };
  const cs: number[] = [];
  for (const [a, b] of target.couplers) {
    const i = Number.isInteger(a) && a >= 0 && a <= maxId ? dense[a] : -1;
    const j = Number.isInteger(b) && b >= 0 && b <= maxId ? dense[b] : -1;
    if (i >= 0 && j >= 0 && i !== j) cs.push(i, j);
  }
  let n = options.numVariables ?? 0;
  const se: number[] = [];
  for (const [u, v] of sourceEdges) {
    if (!Number.isInteger(u) || !Number.isInteger(v) || u < 0 || v < 0 || u >= 2 ** 26 || v >= 2 ** 26) {
      throw new RangeError(`source edge (${u}, ${v}) must join non-negative integer variables below 2^26`);
    }
    n = Math.max(n, u + 1, v + 1);
    if (u !== v) se.push(u, v);
  }
  const chainSet = (map: ChainMap | undefined, what: string, exclusive: boolean): NativeChainSet | undefined => {
    const entries = chainEntries(map);
    if (entries.length === 0) return undefined;
    const owner = new Map<number, number>();
    const vars: number[] = [];
    const offsets = [0];
    const qubits: number[] = [];
    for (const [v, c] of entries) {
      if (!Number.isInteger(v) || v < 0 || v >= n) throw new RangeError(`${what} for variable ${v}, but the source has ${n} variables`);
      for (const q of new Set(c)) {
        const d = denseOf(q, `${what} of variable ${v}`);
        const o = owner.get(d);
        if (exclusive && o !== undefined && o !== v) throw new RangeError(`qubit ${q} is in the ${what}s of ${o} and ${v}`);
        owner.set(d, v);
        qubits.push(d);
      }
      vars.push(v);
      offsets.push(qubits.length);
    }
    return { variables: Uint32Array.from(vars), offsets: Uint32Array.from(offsets), qubits: Uint32Array.from(qubits) };
  };
  const fixed = chainSet(options.fixedChains, 'fixed chain', true);
  // Initial chains may overlap; the core ignores those of fixed variables.
  const initial = chainSet(options.initialChains, 'initial chain', false);
  return { n, ids, sourceEdges: Uint32Array.from(se), couplers: Uint32Array.from(cs), fixed, initial };
}

/**
 * The native minor embedder: same contract as `findEmbedding` (chains per variable, connected, disjoint,
 * every source edge on a coupler between its two chains), but asynchronous and off the main thread.
 * Rejects with EmbeddingError when no embedding was found within `tries` and `timeout`, RangeError for
 * bad arguments, and the signal's reason when aborted. Throws EmbeddingError when the addon has no
 * native embedder (use `findEmbeddingAsync` for the fallback).
 */
export async function findEmbeddingNative(
  sourceEdges: Iterable<readonly [number, number]>,
  target: HardwareGraph,
  options: FindEmbeddingOptions = {},
  stats?: (s: NativeEmbeddingStats) => void,
): Promise<Embedding> {
  const a = nativeAddon();
  if (!a || !a.findMinorEmbedding) throw new EmbeddingError('the native addon has no minor embedder (rebuild it, or use findEmbedding)');
  const timeout = options.timeout ?? NATIVE_EMBEDDING_DEFAULTS.timeout;
  if (!(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) throw new RangeError(`timeout must be a positive number of ms, got ${timeout}`);
  const tries = checkCount(options.tries, 'tries', NATIVE_EMBEDDING_DEFAULTS.tries, 1);
  const maxNoImprovement = checkCount(options.maxNoImprovement, 'maxNoImprovement', NATIVE_EMBEDDING_DEFAULTS.maxNoImprovement, 1);
  const patience = checkCount(options.chainLengthPatience, 'chainLengthPatience', NATIVE_EMBEDDING_DEFAULTS.chainLengthPatience, 0);
  if (options.numVariables !== undefined) checkCount(options.numVariables, 'numVariables', 0, 0);
  const seed = options.seed ?? NATIVE_EMBEDDING_DEFAULTS.seed;
  if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  const signal = options.signal;
  if (signal?.aborted) throw abortError(signal);

  const edgeList = Array.from(sourceEdges);
  const input = denseInput(edgeList, target, options);
  if (input.n === 0) return [];

  const token = new a.CancelToken();
  const onAbort = () => token.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  let r;
  try {
    r = await a.findMinorEmbedding({
      numQubits: input.ids.length,
      couplers: input.couplers,
      numVariables: input.n,
      sourceEdges: input.sourceEdges,
      ...(input.fixed ? { fixedChains: input.fixed } : {}),
      ...(input.initial ? { initialChains: input.initial } : {}),
      seed,
      timeoutMs: timeout,
      tries,
      maxNoImprovement,
      chainLengthPatience: patience,
      cancelToken: token,
    });
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  stats?.({ triesRun: r.triesRun, overlapRounds: r.overlapRounds, lengthRounds: r.lengthRounds, timedOut: r.timedOut, elapsedMs: r.elapsedMs });
  if (!r.found) {
    const why = r.unreachable
      ? 'some variable cannot reach its neighbours (the target is split or walled in by fixed chains)'
      : r.timedOut
        ? `the ${timeout} ms timeout passed`
        : `${tries} ${tries === 1 ? 'try' : 'tries'} failed`;
    throw new EmbeddingError(
      `no embedding of the ${input.n}-variable source graph into the ${target.qubits.length}-qubit ${target.family} graph: ${why}` +
        (r.bestExcess > 0 ? ` (best attempt: ${r.bestExcess} qubits shared by several chains)` : ''),
    );
  }
  const result: Embedding = [];
  for (let v = 0; v < input.n; v++) {
    const chain: number[] = [];
    for (let k = r.chainOffsets[v]; k < r.chainOffsets[v + 1]; k++) chain.push(input.ids[r.chainQubits[k]]);
    result.push(chain.sort((x, y) => x - y));
  }
  // Cheap next to the search, and a wrong embedding would only show up as wrong samples much later.
  const verdict = checkEmbedding(edgeList, target, result, input.n);
  if (!verdict.valid) throw new EmbeddingError(`internal error: the native embedding is invalid: ${verdict.errors.slice(0, 3).join('; ')}`);
  return result;
}

/**
 * The native embedder when the addon has it, else the TypeScript `findEmbedding` (on the main thread).
 * When the native search gives up before the timeout (its tries ran out), the TypeScript search gets the
 * rest of the budget: the two differ enough that one may succeed where the other fails (the case that
 * showed it, a 40-variable Erdos-Renyi graph in Chimera 6, now succeeds natively: a stalled targeted
 * repair hands over to the dense rounds).
 */
export async function findEmbeddingAsync(sourceEdges: Iterable<readonly [number, number]>, target: HardwareGraph, options: FindEmbeddingOptions = {}): Promise<Embedding> {
  if (!hasNativeEmbedder()) return findEmbedding(sourceEdges, target, options);
  const edges = Array.from(sourceEdges);
  const started = performance.now();
  let stats: NativeEmbeddingStats | undefined;
  try {
    return await findEmbeddingNative(edges, target, options, (s) => (stats = s));
  } catch (err) {
    const timeout = options.timeout ?? NATIVE_EMBEDDING_DEFAULTS.timeout;
    const left = timeout - (performance.now() - started);
    if (!(err instanceof EmbeddingError) || !stats || stats.timedOut || left < 1) throw err;
    return findEmbedding(edges, target, { ...options, timeout: left });
  }
}
