/**
 * DWaveQpuSampler ('dwave-qpu'): a model in, a SampleSet over the same variables out, sampled on a
 * D-Wave QPU (or anything speaking SAPI, such as `qahan mock-sapi`).
 *
 * Pipeline (as dwave-system's DWaveCliqueSampler, SAPI_SPEC.md §7):
 *  1. Solver: the configured `solver` filter, else the online QPU with the most working qubits.
 *  2. Embedding (`embeddingMethod`, default 'auto'): 'none' (chains of one qubit, variable i on qubit i)
 *     when every variable index is a working qubit and every interaction a coupler; 'clique' when the
 *     model is dense (at least half of all pairs interact) and fits the largest clique; otherwise
 *     'heuristic' (findEmbedding, seeded, so the same structure gets the same chains), falling back to a
 *     clique when the heuristic finds nothing and the model fits one. Cached per (solver, K) for
 *     cliques and per (solver, interaction structure) for the heuristic.
 *  3. Ising form; chain strength = `chainStrength` or prefactor (default 1.414) x uniform torque
 *     compensation; every coupler inside a chain gets -chainStrength.
 *  4. Scaling: the embedded problem is scaled to fill h_range / extended_j_range (and shrunk further if
 *     a qubit's summed couplings leave per_qubit/per_group_coupling_range), then submitted with
 *     auto_scale=false. Scaling changes nothing in the returned energies: they are recomputed on the
 *     original model.
 *  5. Submit `qp` (type ising), decode, unembed by majority vote (ties to +1, or seeded at random when
 *     `seed` is given), energies recomputed on the original model (offset included).
 * info: timing.qpu (SAPI's µs figures), chainBreakFraction (per row), problemId, solver, chainStrength,
 * embedding {method, maxChainLength, meanChainLength, qubits} (and the older `direct`, `numQubits`).
 */
import type { BinaryQuadraticModel } from '../../model/bqm';
import { SampleSet } from '../../samplers/sample-set';
import { abortError, checkParameterNames, positiveInteger, SampleParams, Sampler } from '../../samplers/sampler';
import type { ProblemJob, SolverDescription } from '../client/types';
import { uniformTorqueCompensation } from '../embedding/chain-strength';
import { Embedding, EmbeddingCache, largestCliqueSize } from '../embedding/clique';
import { EmbeddingError, FindEmbeddingOptions } from '../embedding/minor';
import { findEmbeddingAsync } from '../embedding/minor-native';
import { embeddingSummary } from '../embedding/validate';
import { EmbeddedIsing, embedBqm, scaleToRanges, unembedToSampleSet } from '../embedding/embed';
import { decodeQpAnswer, encodeQp } from '../encoding/qp';
import { couplerSet, graphFromSolverProperties, HardwareGraph } from '../topology';
import { DWaveContext, DWaveSamplerOptions } from './common';

export interface DWaveQpuParams extends SampleParams {
  /** µs per anneal (SAPI annealing_time). */
  annealingTime?: number;
  /** A fixed chain strength (in the model's Ising units). Default: prefactor x uniform torque compensation. */
  chainStrength?: number;
  /** The uniform-torque-compensation prefactor; default 1.414. */
  chainStrengthPrefactor?: number;
  /** 'histogram' (default: fewer bytes) or 'raw'. */
  answerMode?: 'histogram' | 'raw';
  /** Problem label shown in the Leap dashboard. */
  label?: string;
  /** Further SAPI parameters, sent as they are (e.g. {readout_thermalization: 10}). */
  solverParams?: Record<string, unknown>;
  /** 'auto' (default), or force 'none' (variable i on qubit i), 'clique' or 'heuristic'. */
  embeddingMethod?: EmbeddingMethod | 'auto';
  /** Limits of the heuristic embedder (timeout ms, tries, seed, ...); the call's `signal` is passed on. */
  embeddingOptions?: Pick<FindEmbeddingOptions, 'timeout' | 'tries' | 'maxNoImprovement' | 'chainLengthPatience' | 'seed'>;
}

export type EmbeddingMethod = 'none' | 'clique' | 'heuristic';

const PARAMS = ['annealingTime', 'chainStrength', 'chainStrengthPrefactor', 'answerMode', 'label', 'solverParams', 'embeddingMethod', 'embeddingOptions'];

/** Shared across samplers in the process: clique embeddings are costly to find and depend only on (solver, K). */
const sharedEmbeddings = new EmbeddingCache();

interface Prepared {
  bqm: BinaryQuadraticModel;
  embedding: Embedding;
  method: EmbeddingMethod;
  direct: boolean;
  chainStrength: number | undefined;
  scale: number;
  job: ProblemJob;
}

export class DWaveQpuSampler implements Sampler<DWaveQpuParams> {
  readonly name = 'dwave-qpu';
  readonly parameters = PARAMS;
  private readonly ctx: DWaveContext;
  private readonly embeddings: EmbeddingCache;
  private readonly graphs = new WeakMap<SolverDescription, HardwareGraph>();

  constructor(options: DWaveSamplerOptions & { embeddingCache?: EmbeddingCache } = {}) {
    this.ctx = new DWaveContext(options);
    this.embeddings = options.embeddingCache ?? sharedEmbeddings;
  }

  /** The QPU solver this sampler uses (selected once, then cached). */
  solver(signal?: AbortSignal): Promise<SolverDescription> {
    return this.ctx.selectSolver({ qpu: true }, '-num_active_qubits', { signal });
  }

  async sample(bqm: BinaryQuadraticModel, params: DWaveQpuParams = {}): Promise<SampleSet> {
    return (await this.sampleBatch([bqm], params))[0];
  }

  /** Up to 20 problems per POST, polled together; one SampleSet per model, in order. */
  async sampleBatch(models: readonly BinaryQuadraticModel[], params: DWaveQpuParams = {}): Promise<SampleSet[]> {
    // Embedding works on indices: labels are set aside here and put back on the results.
    const sets = await this.sampleIndexed(models.map((m) => m.unlabelled()), params);
    return sets.map((ss, b) => (models[b].isLabelled ? ss.withVariables(models[b].variables) : ss));
  }

  private async sampleIndexed(bqms: readonly BinaryQuadraticModel[], params: DWaveQpuParams): Promise<SampleSet[]> {
    checkParameterNames(this.name, PARAMS, params);
    const started = performance.now();
    if (params.signal?.aborted) throw abortError(params.signal);
    const numReads = positiveInteger(params.numReads, 'numReads', 10);
    if (bqms.length === 0) return [];
    const client = await this.ctx.client();
    const solver = await this.solver(params.signal);
    const graph = this.graphOf(solver);

    // One model at a time: each may run the embedder, which already uses a native worker thread.
    const prepared: (Prepared | undefined)[] = [];
    for (let b = 0; b < bqms.length; b++) prepared.push(await this.prepare(bqms[b], b, solver, graph, numReads, params));
    const afterPrep = performance.now();
    const toSubmit = prepared.filter((p): p is Prepared => p !== undefined);
    params.onProgress?.({ done: 0, total: bqms.length });
    let completed: Awaited<ReturnType<typeof client.solve>>;
    try {
      completed = await client.solve(
        toSubmit.map((p) => p.job),
        { signal: params.signal },
      );
    } catch (err) {
      if (params.signal?.aborted) throw abortError(params.signal);
      throw err;
    }
    const afterSampling = performance.now();
    params.onProgress?.({ done: bqms.length, total: bqms.length });
    let k = 0;
    return bqms.map((bqm, b) => {
      const p = prepared[b];
      if (!p) return emptyModelSet(bqm, this.name);
      const done = completed[k++];
      const decoded = decodeQpAnswer(done.answer, 'SPIN');
      const ss = unembedToSampleSet(bqm, decoded, p.embedding, params.seed === undefined ? {} : { tieBreakSeed: (params.seed + b) >>> 0 });
      Object.assign(ss.info, {
        sampler: this.name,
        parameters: {
          numReads,
          annealingTime: params.annealingTime,
          chainStrength: p.chainStrength,
          seed: params.seed,
          ...(params.solverParams ? { solverParams: params.solverParams } : {}),
        },
        problemId: done.id,
        problemLabel: done.status.label,
        solver: solver.identity.name,
        solverIdentity: solver.identity,
        chainStrength: p.chainStrength,
        scale: p.scale,
        embedding: embeddingInfo(p.method, p.embedding),
      });
      ss.info.timing = {
        ...ss.info.timing,
        qpu: decoded.timing,
        preprocessMs: afterPrep - started,
        samplingMs: afterSampling - afterPrep,
        postprocessMs: performance.now() - afterSampling,
        totalMs: performance.now() - started,
      };
      return ss;
    });
  }

  private graphOf(solver: SolverDescription): HardwareGraph {
    let g = this.graphs.get(solver);
    if (!g) {
      g = graphFromSolverProperties(solver.properties as Parameters<typeof graphFromSolverProperties>[0]);
      this.graphs.set(solver, g);
    }
    return g;
  }

  /** Embeds, scales and encodes one model; undefined for a model without variables (nothing to submit). */
  private async prepare(bqm: BinaryQuadraticModel, b: number, solver: SolverDescription, graph: HardwareGraph, numReads: number, params: DWaveQpuParams): Promise<Prepared | undefined> {
    const n = bqm.numVariables;
    if (n === 0) return undefined;
    const props = solver.properties;
    const solverKey = `${solver.identity.name};${solver.identity.version?.graph_id ?? ''}`;
    const { method, embedding } = await this.chooseEmbedding(bqm, solverKey, graph, params);
    const direct = method === 'none';
    const spin = bqm.vartype === 'SPIN' ? bqm : bqm.changeVartype('SPIN');
    const longChains = embedding.some((c) => c.length > 1);
    let chainStrength: number | undefined;
    if (longChains) {
      const fixed = params.chainStrength ?? this.ctx.option<number>('chainStrength');
      if (fixed !== undefined) {
        if (typeof fixed !== 'number' || !Number.isFinite(fixed) || fixed < 0) throw new RangeError(`chainStrength must be a non-negative number, got ${String(fixed)}`);
        chainStrength = fixed;
      } else {
        const prefactor = params.chainStrengthPrefactor ?? this.ctx.option<number>('chainStrengthPrefactor') ?? 1.414;
        chainStrength = uniformTorqueCompensation(spin, prefactor);
      }
    }
    const embedded = embedBqm(spin, embedding, graph, chainStrength ?? 0);
    const hRange = (props.h_range ?? [-2, 2]) as [number, number];
    const jRange = (props.extended_j_range ?? props.j_range ?? [-1, 1]) as [number, number];
    const scaled = scaleToRanges(embedded, hRange, jRange, true);
    const scale = scaled.scale * limitCouplingSums(scaled.ising, props);
    const ising = scale === scaled.scale ? scaled.ising : rescale(embedded, scale, hRange, jRange);

    const data = encodeQp({ linear: ising.h, quadratic: ising.J }, { qubits: props.qubits, couplers: props.couplers });
    const annealingTime = params.annealingTime ?? this.ctx.option<number>('annealingTime');
    const job: ProblemJob = {
      solver: solver.identity,
      type: 'ising',
      data: { ...data, offset: 0 },
      params: {
        num_reads: numReads,
        answer_mode: params.answerMode ?? 'histogram',
        auto_scale: false,
        ...(annealingTime !== undefined ? { annealing_time: annealingTime } : {}),
        ...(params.solverParams ?? {}),
      },
      label: params.label ?? `qahan ${n}-variable ${bqm.vartype} model${b ? ` #${b}` : ''}`,
    };
    return { bqm, embedding, method, direct, chainStrength, scale, job };
  }

  private async chooseEmbedding(bqm: BinaryQuadraticModel, solverKey: string, graph: HardwareGraph, params: DWaveQpuParams): Promise<{ method: EmbeddingMethod; embedding: Embedding }> {
    const n = bqm.numVariables;
    const asked = params.embeddingMethod ?? 'auto';
    if (!['auto', 'none', 'clique', 'heuristic'].includes(asked)) throw new RangeError(`embeddingMethod must be 'auto', 'none', 'clique' or 'heuristic', got ${String(asked)}`);
    const identity = () => ({ method: 'none' as const, embedding: Array.from({ length: n }, (_, i) => [i]) });
    const clique = () => ({ method: 'clique' as const, embedding: this.embeddings.get(solverKey, n, graph) });
    if (asked === 'none') {
      if (!fitsDirectly(bqm, graph)) throw new EmbeddingError(`embeddingMethod 'none': the model's variables and interactions are not all qubits and couplers of ${solverKey.split(';')[0]}`);
      return identity();
    }
    if (asked === 'clique') return clique();
    if (asked === 'auto') {
      if (fitsDirectly(bqm, graph)) return identity();
      const pairs = (n * (n - 1)) / 2;
      if (pairs > 0 && bqm.numInteractions >= 0.5 * pairs && n <= largestCliqueSize(graph)) return clique();
    }
    const edges: [number, number][] = [];
    for (const [i, j] of bqm.quadraticTerms()) edges.push(i < j ? [i, j] : [j, i]);
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const opts = params.embeddingOptions ?? {};
    const key = `heuristic:${n}:${structureHash(edges)}:${JSON.stringify(opts)}`;
    try {
      const embedding = await this.embeddings.lookupAsync(solverKey, key, graph, () => findEmbeddingAsync(edges, graph, { ...opts, numVariables: n, signal: params.signal }));
      return { method: 'heuristic', embedding };
    } catch (err) {
      // A model that fits a clique still reaches the QPU, with longer chains.
      if (asked === 'auto' && err instanceof EmbeddingError && n <= largestCliqueSize(graph)) return clique();
      throw err;
    }
  }
}

/** info.embedding: how the model was embedded and what its chains cost. */
function embeddingInfo(method: EmbeddingMethod, embedding: Embedding): Record<string, unknown> {
  const s = embeddingSummary(embedding);
  return { method, ...s, direct: method === 'none', numQubits: s.qubits };
}

/** FNV-1a over a sorted edge list: the cache key of a problem's structure. */
function structureHash(edges: [number, number][]): string {
  let h = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (const [a, b] of edges) {
    h = Math.imul(h ^ a, 0x01000193);
    h = Math.imul(h ^ b, 0x01000193);
    h2 = Math.imul(h2 ^ (a * 31 + b), 0x5bd1e995);
  }
  return `${edges.length}:${(h >>> 0).toString(16)}${(h2 >>> 0).toString(16)}`;
}

/** Every variable is a working qubit and every interaction a coupler: submit as is. */
function fitsDirectly(bqm: BinaryQuadraticModel, g: HardwareGraph): boolean {
  const qubits = new Set(g.qubits);
  for (let i = 0; i < bqm.numVariables; i++) if (!qubits.has(i)) return false;
  const couplers = couplerSet(g);
  const stride = 2 ** 24;
  for (const [i, j] of bqm.quadraticTerms()) if (!couplers.has(i < j ? i * stride + j : j * stride + i)) return false;
  return true;
}

/**
 * A factor <= 1 that keeps each qubit's summed couplings (per_qubit_coupling_range) inside range; for
 * per_group_coupling_range the per-qubit sum is used as a conservative stand-in.
 */
function limitCouplingSums(ising: EmbeddedIsing, props: Record<string, unknown>): number {
  const range = (props.per_qubit_coupling_range ?? props.per_group_coupling_range) as [number, number] | undefined;
  if (!range) return 1;
  const sums = new Map<number, number>();
  for (const [key, v] of ising.J) {
    const [a, b] = key.split(',').map(Number);
    sums.set(a, (sums.get(a) ?? 0) + v);
    sums.set(b, (sums.get(b) ?? 0) + v);
  }
  let factor = 1;
  for (const s of sums.values()) {
    if (s < range[0]) factor = Math.min(factor, range[0] / s);
    if (s > range[1]) factor = Math.min(factor, range[1] / s);
  }
  return factor;
}

function rescale(ising: EmbeddedIsing, scale: number, hRange: [number, number], jRange: [number, number]): EmbeddedIsing {
  const clip = (v: number, r: [number, number]) => Math.min(r[1], Math.max(r[0], v));
  const h = new Map<number, number>();
  for (const [q, v] of ising.h) h.set(q, clip(v * scale, hRange));
  const J = new Map<string, number>();
  for (const [k, v] of ising.J) J.set(k, clip(v * scale, jRange));
  return { h, J, offset: ising.offset * scale, chainStrength: ising.chainStrength * scale };
}

function emptyModelSet(bqm: BinaryQuadraticModel, sampler: string): SampleSet {
  return new SampleSet({ vartype: bqm.vartype, numVariables: 0, samples: new Int8Array(0), energies: [bqm.offset], info: { timing: {}, sampler } });
}
