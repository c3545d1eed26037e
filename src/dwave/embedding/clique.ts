/**
 * Clique (all-to-all) minor embeddings for Chimera, Pegasus and Zephyr working graphs, following the
 * L-shaped chain construction of SAPI_SPEC.md §7.6 with its monotone-pairing (DP) variant.
 *
 * In a window [a, b] of grid positions, variable v takes a vertical run at column c_v covering rows
 * [r_v, b] and a horizontal run at row r_v covering columns [a, c_v]. Its two parts meet in cell
 * (r_v, c_v). If the pairs can be ordered with both c and r non-decreasing, v's vertical part and w's
 * horizontal part (v before w) meet in cell (r_w, c_v), so every two chains touch. A longest-common-
 * subsequence style DP finds the largest such pairing in a window; on full yield it reproduces the
 * diagonal construction (c_v = r_v). Missing couplers are handled by pruning the chains that miss others.
 */
import { couplerKey, couplerSet, graphFingerprint, HardwareGraph } from '../topology';
import { buildIntervalModel, hasIntervalModel, IntervalModel, Run, runPart } from './interval';

/** chains[v] = the qubits of logical variable v. */
export type Embedding = number[][];

interface Window {
  a: number;
  b: number;
  /** An upper bound on the chains this window can hold. */
  bound: number;
}

interface Built {
  chains: number[][];
  maxChain: number;
}

/** A cover table: cover[u][pos][cell] = the run of orientation u at pos covering that cell, in run lists. */
function cellIndex(run: Run): (cell: number) => number {
  // Segments along a run are contiguous and equally long.
  const len = run.segs[0].hi - run.segs[0].lo;
  const lo = run.lo;
  return (cell: number) => (cell < run.lo || cell >= run.hi ? -1 : run.segs[Math.floor((cell - lo) / len)].qubit);
}

class CliqueSearch {
  readonly model: IntervalModel;
  readonly size: number;
  /** coverCount[u][cell][pos + 1]: prefix sums over pos of "number of runs of orientation u at pos covering cell". */
  private readonly prefix: Int32Array[][];

  /** Dense index of each qubit id, and a bitset of coupled dense pairs. */
  private readonly dense: Int32Array;
  private readonly bits: Uint32Array;
  private readonly evaluated = new Map<number, number[][]>();
  private readonly built = new Map<number, number[][]>();
  private readonly owner: Int32Array;
  private readonly adjStart: Int32Array;
  private readonly adjList: Int32Array;

  constructor(readonly g: HardwareGraph) {
    this.model = buildIntervalModel(g);
    const maxQ = g.qubits.reduce((m, q) => Math.max(m, q), 0);
    this.dense = new Int32Array(maxQ + 1).fill(-1);
    g.qubits.forEach((q, i) => (this.dense[q] = i));
    const N = g.qubits.length;
    this.bits = new Uint32Array(Math.ceil((N * N) / 32));
    for (const [x, y] of g.couplers) {
      const i = this.dense[x];
      const j = this.dense[y];
      for (const bit of [i * N + j, j * N + i]) this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
    this.owner = new Int32Array(N).fill(-1);
    const deg = new Int32Array(N + 1);
    for (const [x, y] of g.couplers) {
      deg[this.dense[x] + 1]++;
      deg[this.dense[y] + 1]++;
    }
    for (let i = 0; i < N; i++) deg[i + 1] += deg[i];
    this.adjStart = deg;
    this.adjList = new Int32Array(deg[N]);
    const fill = deg.slice(0, N);
    for (const [x, y] of g.couplers) {
      const i = this.dense[x];
      const j = this.dense[y];
      this.adjList[fill[i]++] = j;
      this.adjList[fill[j]++] = i;
    }
    this.size = this.model.size;
    const P = this.size;
    this.prefix = [0, 1].map((u) => {
      const cells = Array.from({ length: P + 1 }, () => new Int32Array(P + 1));
      for (let pos = 0; pos < P; pos++) {
        for (const run of this.model.runs[u][pos]) {
          for (let x = Math.max(0, run.lo); x < Math.min(P, run.hi); x++) cells[x][pos + 1] += 1;
        }
      }
      for (let x = 0; x < P; x++) for (let pos = 0; pos < P; pos++) cells[x][pos + 1] += cells[x][pos];
      return cells;
    });
  }

  /** All windows, with an upper bound on their chain count. */
  windows(): Window[] {
    const P = this.size;
    const out: Window[] = [];
    for (let a = 0; a < P; a++) {
      for (let b = a; b < P; b++) {
        // Verticals at columns a..b that reach row b; horizontals at rows a..b that reach back to column a.
        const nv = this.prefix[0][b][b + 1] - this.prefix[0][b][a];
        const nh = this.prefix[1][a][b + 1] - this.prefix[1][a][a];
        const bound = Math.min(nv, nh);
        if (bound > 0) out.push({ a, b, bound });
      }
    }
    return out;
  }

  /**
   * The window's chains after pruning to a clique minor (cached), or [] when the window cannot hold
   * `need` chains even before pruning.
   */
  evaluate(w: Window, need = 0): number[][] {
    const key = w.a * 100000 + w.b;
    let hit = this.evaluated.get(key);
    if (hit) return hit;
    let built = this.built.get(key);
    if (!built) {
      built = this.build(w).chains;
      this.built.set(key, built);
    }
    if (built.length < need) return [];
    hit = this.prune(built);
    this.evaluated.set(key, hit);
    this.built.delete(key);
    return hit;
  }

  /**
   * Removes chains until every remaining pair is joined by a coupler (the chain that misses the most
   * others goes first, then the longest). Chains built by `build` are connected by construction.
   */
  private prune(chains: number[][]): number[][] {
    const n = chains.length;
    const owner = this.owner;
    const dense = this.dense;
    const { adjStart, adjList } = this;
    chains.forEach((c, i) => c.forEach((q) => (owner[dense[q]] = i)));
    const touch = new Uint8Array(n * n);
    for (let i = 0; i < n; i++) {
      for (const q of chains[i]) {
        const d = dense[q];
        for (let e = adjStart[d]; e < adjStart[d + 1]; e++) {
          const o = owner[adjList[e]];
          if (o >= 0 && o !== i) touch[i * n + o] = 1;
        }
      }
    }
    chains.forEach((c) => c.forEach((q) => (owner[dense[q]] = -1)));
    const alive = new Uint8Array(n).fill(1);
    const missing = new Int32Array(n);
    let bad = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) if (j !== i && !touch[i * n + j]) missing[i]++;
      if (missing[i] > 0) bad++;
    }
    while (bad > 0) {
      let worst = -1;
      for (let i = 0; i < n; i++) {
        if (!alive[i] || missing[i] === 0) continue;
        if (worst < 0 || missing[i] > missing[worst] || (missing[i] === missing[worst] && chains[i].length > chains[worst].length)) worst = i;
      }
      alive[worst] = 0;
      bad--;
      for (let j = 0; j < n; j++) {
        if (alive[j] && j !== worst && !touch[worst * n + j]) {
          missing[j]--;
          if (missing[j] === 0) bad--;
        }
      }
    }
    return chains.filter((_, i) => alive[i]);
  }

  /** The largest monotone pairing of vertical and horizontal runs in a window, as chains. */
  build(w: Window): Built {
    const { a, b } = w;
    const { runs } = this.model;
    const span = b - a + 1;
    interface Cand {
      run: Run;
      pos: number;
      /** The run's qubit covering each cell a..b (dense qubit index), or -1. */
      cells: Int32Array;
    }
    const cellsOf = (run: Run) => {
      const at = cellIndex(run);
      const out = new Int32Array(span);
      for (let x = 0; x < span; x++) {
        const q = at(a + x);
        out[x] = q < 0 ? -1 : this.dense[q];
      }
      return out;
    };
    const V: Cand[] = [];
    const H: Cand[] = [];
    for (let c = a; c <= b; c++) for (const run of runs[0][c]) if (run.lo <= b && run.hi > b) V.push({ run, pos: c, cells: cellsOf(run) });
    for (let r = a; r <= b; r++) for (const run of runs[1][r]) if (run.lo <= a && run.hi > a) H.push({ run, pos: r, cells: cellsOf(run) });
    const nV = V.length;
    const nH = H.length;
    const bits = this.bits;
    const N = this.g.qubits.length;
    // score = pairs * BIG - sum |c - r| (prefer many pairs, then short chains).
    const BIG = 1 << 20;
    const W = nH + 1;
    const dp = new Float64Array((nV + 1) * W);
    const ok = new Uint8Array((nV + 1) * W);
    for (let i = 1; i <= nV; i++) {
      const v = V[i - 1];
      const vc = v.cells;
      const vx = v.pos - a;
      for (let j = 1; j <= nH; j++) {
        const h = H[j - 1];
        let best = dp[(i - 1) * W + j];
        const left = dp[i * W + j - 1];
        if (left > best) best = left;
        const qv = vc[h.pos - a];
        if (qv >= 0) {
          const qh = h.cells[vx];
          if (qh >= 0) {
            const bit = qv * N + qh;
            if (bits[bit >>> 5] & (1 << (bit & 31))) {
              ok[i * W + j] = 1;
              const s = dp[(i - 1) * W + j - 1] + BIG - Math.abs(v.pos - h.pos);
              if (s > best) best = s;
            }
          }
        }
        dp[i * W + j] = best;
      }
    }
    const chains: number[][] = [];
    let i = nV;
    let j = nH;
    while (i > 0 && j > 0) {
      const here = dp[i * W + j];
      const v = V[i - 1];
      const h = H[j - 1];
      if (ok[i * W + j] && here === dp[(i - 1) * W + j - 1] + BIG - Math.abs(v.pos - h.pos)) {
        chains.push([...runPart(v.run, h.pos, b), ...runPart(h.run, a, v.pos)]);
        i--;
        j--;
      } else if (here === dp[(i - 1) * W + j]) i--;
      else j--;
    }
    chains.reverse();
    let maxChain = 0;
    for (const c of chains) maxChain = Math.max(maxChain, c.length);
    return { chains, maxChain };
  }
}

function isConnected(chain: readonly number[], couplers: Set<number>): boolean {
  if (chain.length <= 1) return chain.length === 1;
  const seen = new Uint8Array(chain.length);
  const stack = [0];
  seen[0] = 1;
  let count = 1;
  while (stack.length) {
    const x = chain[stack.pop()!];
    for (let j = 0; j < chain.length; j++) {
      if (!seen[j] && couplers.has(couplerKey(x, chain[j]))) {
        seen[j] = 1;
        count++;
        stack.push(j);
      }
    }
  }
  return count === chain.length;
}

function adjacencyMap(g: HardwareGraph): Map<number, number[]> {
  const adj = new Map<number, number[]>();
  for (const q of g.qubits) adj.set(q, []);
  for (const [x, y] of g.couplers) {
    adj.get(x)?.push(y);
    adj.get(y)?.push(x);
  }
  return adj;
}

// ---------------------------------------------------------------------------------------------
// Graphs without an interval model: single-qubit chains on a maximum clique of the graph itself.

function maxCliqueOfGraph(g: HardwareGraph): number[] {
  const adj = adjacencyMap(g);
  const nbr = new Map<number, Set<number>>();
  for (const [q, list] of adj) nbr.set(q, new Set(list));
  let best: number[] = [];
  let budget = 2_000_000;
  const expand = (clique: number[], cand: number[]) => {
    if (--budget < 0) return;
    if (cand.length === 0) {
      if (clique.length > best.length) best = clique.slice();
      return;
    }
    if (clique.length + cand.length <= best.length) return;
    for (let i = 0; i < cand.length; i++) {
      if (clique.length + cand.length - i <= best.length) return;
      const q = cand[i];
      const nq = nbr.get(q)!;
      clique.push(q);
      expand(clique, cand.slice(i + 1).filter((r) => nq.has(r)));
      clique.pop();
    }
  };
  const order = g.qubits.slice().sort((x, y) => (adj.get(y)!.length - adj.get(x)!.length) || x - y);
  expand([], order);
  return best.sort((x, y) => x - y);
}

// ---------------------------------------------------------------------------------------------

const searches = new WeakMap<HardwareGraph, CliqueSearch>();

/** One search state per graph object (interval model, coupler bitset, evaluated windows). */
function searchFor(g: HardwareGraph): CliqueSearch {
  let s = searches.get(g);
  if (!s) {
    s = new CliqueSearch(g);
    searches.set(g, s);
  }
  return s;
}

/** The largest clique minor the construction finds, with its chains (shortest chains kept). */
function largestClique(g: HardwareGraph): Embedding {
  if (g.qubits.length === 0) return [];
  if (!hasIntervalModel(g)) return maxCliqueOfGraph(g).map((q) => [q]);
  const search = searchFor(g);
  const wins = search.windows().sort((x, y) => y.bound - x.bound || x.b - x.a - (y.b - y.a));
  let best: number[][] = [];
  let bestMax = Infinity;
  let tried = 0;
  for (const w of wins) {
    if (w.bound < best.length) break;
    if (++tried > 400 && best.length > 0) break;
    const kept = search.evaluate(w, best.length);
    const mx = kept.reduce((m, c) => Math.max(m, c.length), 0);
    if (kept.length > best.length || (kept.length === best.length && mx < bestMax)) {
      best = kept;
      bestMax = mx;
    }
  }
  return best;
}

function sortChains(chains: number[][]): Embedding {
  return chains.map((c) => c.slice().sort((x, y) => x - y));
}

/**
 * A clique minor for K_k on `g`: chains[v] for v = 0..k-1, every pair of chains joined by a coupler, each
 * chain connected, chains disjoint. Prefers short chains (the narrowest window that holds k chains).
 * Throws RangeError when the construction cannot fit k variables on this graph.
 */
export function findCliqueEmbedding(g: HardwareGraph, k: number): Embedding {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`clique size must be a non-negative integer, got ${k}`);
  if (k === 0) return [];
  if (!hasIntervalModel(g)) {
    const clique = maxCliqueOfGraph(g);
    if (clique.length < k) throw new RangeError(`cannot embed K${k}: the largest clique on this graph is K${clique.length}`);
    return clique.slice(0, k).map((q) => [q]);
  }
  const known = largestCache.get(g);
  if (known && k > known.length) {
    throw new RangeError(`cannot embed K${k} on this ${g.family} graph: the largest clique found is K${known.length}`);
  }
  const search = searchFor(g);
  const wins = search.windows().filter((w) => w.bound >= k);
  // Narrow windows first (short chains); among equal widths, the roomiest first.
  wins.sort((x, y) => x.b - x.a - (y.b - y.a) || y.bound - x.bound || x.a - y.a);
  let best: number[][] | undefined;
  let bestMax = Infinity;
  let bestWidth = -1;
  for (const w of wins) {
    const width = w.b - w.a;
    // After a success, look a little wider for shorter chains, then stop.
    if (best && width > bestWidth + 1) break;
    let chains = search.evaluate(w, k);
    if (chains.length < k) continue;
    chains = chains
      .map((c, i) => ({ c, i }))
      .sort((x, y) => x.c.length - y.c.length || x.i - y.i)
      .slice(0, k)
      .sort((x, y) => x.i - y.i)
      .map((x) => x.c);
    const mx = chains.reduce((m, c) => Math.max(m, c.length), 0);
    if (!best || mx < bestMax) {
      best = chains;
      bestMax = mx;
      if (bestWidth < 0) bestWidth = width;
    }
  }
  if (!best) {
    const largest = largestCliqueSize(g);
    throw new RangeError(`cannot embed K${k} on this ${g.family} graph: the largest clique found is K${largest}`);
  }
  return sortChains(best);
}

const largestCache = new WeakMap<HardwareGraph, Embedding>();

function largestFor(g: HardwareGraph): Embedding {
  let e = largestCache.get(g);
  if (!e) {
    e = sortChains(largestClique(g));
    largestCache.set(g, e);
  }
  return e;
}

/** The largest K this module can embed on `g` (its clique embeddings are valid for every k up to it). */
export function largestCliqueSize(g: HardwareGraph): number {
  return largestFor(g).length;
}

/** The largest clique embedding found on `g`. */
export function findLargestCliqueEmbedding(g: HardwareGraph): Embedding {
  return largestFor(g).map((c) => c.slice());
}

/** All pairs (i, j), i < j < k: the edges of K_k, for verifyEmbedding. */
export function* cliqueEdges(k: number): IterableIterator<[number, number]> {
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) yield [i, j];
}

/**
 * Checks an embedding against the hardware: chains non-empty, on working qubits, disjoint and connected,
 * and every source edge (u, v) realised by at least one coupler between chain u and chain v.
 */
export function verifyEmbedding(
  g: HardwareGraph,
  embedding: Embedding,
  edges: Iterable<[number, number]>,
): { valid: boolean; errors: string[] } {
  const errors: string[] = [];
  const push = (msg: string) => {
    if (errors.length < 50) errors.push(msg);
  };
  const qubits = new Set(g.qubits);
  const couplers = couplerSet(g);
  const adj = adjacencyMap(g);
  const owner = new Map<number, number>();
  embedding.forEach((chain, v) => {
    if (!chain || chain.length === 0) push(`chain ${v} is empty`);
    for (const q of chain ?? []) {
      if (!qubits.has(q)) push(`chain ${v} uses qubit ${q}, which is not a working qubit`);
      const o = owner.get(q);
      if (o !== undefined && o !== v) push(`qubit ${q} is in chains ${o} and ${v}`);
      else if (o === v) push(`qubit ${q} appears twice in chain ${v}`);
      owner.set(q, v);
    }
    if (chain && chain.length > 0 && !isConnected(chain, couplers)) push(`chain ${v} is not connected`);
  });
  // Chain-to-chain adjacency.
  const touching = new Set<number>();
  embedding.forEach((chain, v) => {
    for (const q of chain ?? []) {
      for (const r of adj.get(q) ?? []) {
        const o = owner.get(r);
        if (o !== undefined && o !== v) touching.add(v * 2 ** 24 + o);
      }
    }
  });
  for (const [u, v] of edges) {
    if (u === v) continue;
    if (u < 0 || v < 0 || u >= embedding.length || v >= embedding.length) {
      push(`edge (${u}, ${v}) names a variable without a chain`);
      continue;
    }
    if (!touching.has(u * 2 ** 24 + v)) push(`no coupler joins the chains of ${u} and ${v}`);
  }
  return { valid: errors.length === 0, errors };
}

/** Embeddings cached per (solver, k) for cliques or (solver, key) otherwise, recomputed when the solver's graph changes. */
export class EmbeddingCache {
  private readonly store = new Map<string, { fingerprint: string; embedding: Embedding }>();
  private readonly other = new Map<string, { fingerprint: string; value: unknown }>();
  private readonly fingerprints = new WeakMap<HardwareGraph, string>();

  get(solverId: string, k: number, g: HardwareGraph): Embedding {
    const fp = this.fingerprintOf(g);
    const key = `${solverId}\u0000${k}`;
    const hit = this.store.get(key);
    if (hit && hit.fingerprint === fp) return hit.embedding.map((c) => c.slice());
    const embedding = findCliqueEmbedding(g, k);
    this.store.set(key, { fingerprint: fp, embedding });
    return embedding.map((c) => c.slice());
  }

  /**
   * Any embedding cached under (solverId, key), e.g. a problem's structure, made by `make` on a miss or
   * when the solver's graph changed. The caller must not mutate the returned value.
   */
  lookup<T>(solverId: string, key: string, g: HardwareGraph, make: () => T): T {
    const { full, fp, hit } = this.probe(solverId, key, g);
    if (hit) return hit.value as T;
    const value = make();
    this.other.set(full, { fingerprint: fp, value });
    return value;
  }

  /** `lookup` for a maker that works asynchronously (the native embedder); only a success is cached. */
  async lookupAsync<T>(solverId: string, key: string, g: HardwareGraph, make: () => Promise<T>): Promise<T> {
    const { full, fp, hit } = this.probe(solverId, key, g);
    if (hit) return hit.value as T;
    const value = await make();
    this.other.set(full, { fingerprint: fp, value });
    return value;
  }

  /** A graph's fingerprint, computed once per graph object. */
  private fingerprintOf(g: HardwareGraph): string {
    let fp = this.fingerprints.get(g);
    if (!fp) {
      fp = graphFingerprint(g);
      this.fingerprints.set(g, fp);
    }
    return fp;
  }

  /** The cache key, the graph's fingerprint and a hit made on that graph. */
  private probe(solverId: string, key: string, g: HardwareGraph) {
    const fp = this.fingerprintOf(g);
    const full = `${solverId}\u0000${key}`;
    const entry = this.other.get(full);
    return { full, fp, hit: entry && entry.fingerprint === fp ? entry : undefined };
  }


  has(solverId: string, k: number): boolean {
    return this.store.has(`${solverId}\u0000${k}`);
  }

  clear(): void {
    this.store.clear();
    this.other.clear();
  }

  get size(): number {
    return this.store.size + this.other.size;
  }
}
