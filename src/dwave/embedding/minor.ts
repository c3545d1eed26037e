/**
 * A heuristic minor embedder after Cai, Macready and Roy, "A practical heuristic for finding graph minors"
 * (2014), the method behind Ocean's minorminer.
 *
 * Each source variable v gets a chain (a connected set of qubits). A chain is grown from a root qubit by
 * the cheapest paths to the chains of v's already placed neighbours: one Dijkstra per neighbour over the
 * target qubits, where entering a qubit costs base^(number of other chains on it). The root minimises the
 * summed path costs. Round after round every variable is ripped up and re-placed while the base grows, so
 * shared qubits get dearer until the chains are disjoint. Then chain-length rounds re-place each variable
 * with used qubits forbidden, keeping the new chain when it is no longer than the old one.
 *
 * Everything runs on dense qubit indices with typed arrays (CSR adjacency, one lazy-deletion binary heap,
 * per-neighbour distance buffers reused across calls).
 *
 * This is the synchronous fallback: `findEmbeddingAsync` / `findEmbeddingNative` (minor-native.ts) run the
 * native search (native/src/embedding.cc), which is faster and gives shorter chains (issue 13's table in
 * bench/results/issue13.md), off the main thread.
 */
import { EmbeddingError } from '../../errors';
import { HardwareGraph, mulberry32 } from '../topology';
import type { Embedding } from './clique';
import { checkEmbedding } from './validate';
import { abortError } from '../../samplers/sampler';
import { ChainMap, chainEntries, checkCount } from './minor-options';

export { EmbeddingError };

export type { ChainMap };

export interface FindEmbeddingOptions {
  /** Seed of the random choices (orders, ties, restarts); same seed and inputs give the same chains. Default 1. */
  seed?: number;
  /** Wall-clock budget for the whole search, ms. Default 30 000. */
  timeout?: number;
  /** Independent restarts before giving up. Default 10. */
  tries?: number;
  /** Overlap-removal rounds without progress before a restart. Default 10. */
  maxNoImprovement?: number;
  /** Chain-length rounds without a shorter total before stopping. Default 2. */
  chainLengthPatience?: number;
  /** Starting chains (may be changed by the search). */
  initialChains?: ChainMap;
  /** Chains kept as given; no other chain may use their qubits. */
  fixedChains?: ChainMap;
  /** Source variables 0..numVariables-1 even when some have no edge; default 1 + the largest index in the edges. */
  numVariables?: number;
  signal?: AbortSignal;
}

const INF = Number.POSITIVE_INFINITY;
/** Weights are capped so sums of a few thousand of them stay finite and ordered. */
const MAX_WEIGHT = 1e150;

/** Lazy-deletion binary min-heap of (key, node), grown on demand. */
class Heap {
  keys = new Float64Array(1024);
  nodes = new Int32Array(1024);
  size = 0;

  clear(): void {
    this.size = 0;
  }

  push(key: number, node: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      const n = new Int32Array(this.size * 2);
      n.set(this.nodes);
      this.keys = k;
      this.nodes = n;
    }
    const keys = this.keys;
    const nodes = this.nodes;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] <= key) break;
      keys[i] = keys[p];
      nodes[i] = nodes[p];
      i = p;
    }
    keys[i] = key;
    nodes[i] = node;
  }

  /** Removes the minimum; read `topKey`/`topNode` first. */
  pop(): void {
    const keys = this.keys;
    const nodes = this.nodes;
    const n = --this.size;
    if (n === 0) return;
    const key = keys[n];
    const node = nodes[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && keys[c + 1] < keys[c]) c++;
      if (keys[c] >= key) break;
      keys[i] = keys[c];
      nodes[i] = nodes[c];
      i = c;
    }
    keys[i] = key;
    nodes[i] = node;
  }
}

/** One neighbour's shortest-path tree: distances, parents and the nodes touched (for a cheap reset). */
interface Slot {
  dist: Float64Array;
  parent: Int32Array;
  touched: Int32Array;
  numTouched: number;
  /** The heap ran dry: every reachable qubit has its final distance. */
  exhausted: boolean;
}

class MinorSearch {
  readonly N: number;
  readonly ids: number[];
  readonly adjStart: Int32Array;
  readonly adjList: Int32Array;
  readonly n: number;
  readonly srcStart: Int32Array;
  readonly srcList: Int32Array;

  chains: Int32Array[];
  readonly use: Int32Array;
  /** The variable whose fixed chain holds a qubit, or -1. */
  readonly fixedOwner: Int32Array;
  readonly isFixed: Uint8Array;
  /** Weight of a qubit by its use count in the current round. */
  private pow = new Float64Array(64);
  /** Forbid any used qubit (chain-length rounds). */
  private exclusive = false;

  /** Used neighbours per qubit, and 1 / degree: a free qubit in a crowded spot costs up to 1 + crowding. */
  readonly usedNbrs: Int32Array;
  private readonly invDeg: Float64Array;
  private readonly crowding = 1;
  private readonly slots: Slot[] = [];
  private readonly heap = new Heap();
  private readonly stamp: Int32Array;
  private stampNow = 0;
  private rand: () => number = Math.random;

  constructor(target: HardwareGraph, sourceEdges: Iterable<readonly [number, number]>, numVariables: number | undefined) {
    this.ids = target.qubits.slice();
    this.N = this.ids.length;
    const maxId = this.ids.reduce((m, q) => Math.max(m, q), -1);
    const dense = new Int32Array(maxId + 1).fill(-1);
    this.ids.forEach((q, i) => (dense[q] = i));
    this.dense = dense;
    const deg = new Int32Array(this.N + 1);
    const cs: number[] = [];
    for (const [a, b] of target.couplers) {
      const i = a <= maxId ? dense[a] : -1;
      const j = b <= maxId ? dense[b] : -1;
      if (i < 0 || j < 0 || i === j) continue;
      cs.push(i, j);
      deg[i + 1]++;
      deg[j + 1]++;
    }
    for (let i = 0; i < this.N; i++) deg[i + 1] += deg[i];
    this.adjStart = deg;
    this.adjList = new Int32Array(deg[this.N]);
    const fill = deg.slice(0, this.N);
    for (let e = 0; e < cs.length; e += 2) {
      this.adjList[fill[cs[e]]++] = cs[e + 1];
      this.adjList[fill[cs[e + 1]]++] = cs[e];
    }

    // Source graph: deduplicated, loops dropped.
    const pairs = new Set<number>();
    let n = numVariables ?? 0;
    for (const [u, v] of sourceEdges) {
      if (!Number.isInteger(u) || !Number.isInteger(v) || u < 0 || v < 0) throw new RangeError(`source edge (${u}, ${v}) must join non-negative integer variables`);
      n = Math.max(n, u + 1, v + 1);
      if (u !== v) pairs.add(u < v ? u * 2 ** 26 + v : v * 2 ** 26 + u);
    }
    this.n = n;
    const sdeg = new Int32Array(n + 1);
    const flat: number[] = [];
    for (const key of pairs) {
      const u = Math.floor(key / 2 ** 26);
      const v = key - u * 2 ** 26;
      flat.push(u, v);
      sdeg[u + 1]++;
      sdeg[v + 1]++;
    }
    for (let i = 0; i < n; i++) sdeg[i + 1] += sdeg[i];
    this.srcStart = sdeg;
    this.srcList = new Int32Array(sdeg[n]);
    const sf = sdeg.slice(0, n);
    for (let e = 0; e < flat.length; e += 2) {
      this.srcList[sf[flat[e]]++] = flat[e + 1];
      this.srcList[sf[flat[e + 1]]++] = flat[e];
    }

    this.chains = Array.from({ length: n }, () => new Int32Array(0));
    this.use = new Int32Array(this.N);
    this.fixedOwner = new Int32Array(this.N).fill(-1);
    this.isFixed = new Uint8Array(n);
    this.stamp = new Int32Array(this.N);
    this.usedNbrs = new Int32Array(this.N);
    this.invDeg = new Float64Array(this.N);
    for (let i = 0; i < this.N; i++) {
      const d = this.adjStart[i + 1] - this.adjStart[i];
      this.invDeg[i] = d > 0 ? 1 / d : 0;
    }
  }

  private readonly dense: Int32Array;

  denseOf(q: number, what: string): number {
    const i = Number.isInteger(q) && q >= 0 && q < this.dense.length ? this.dense[q] : -1;
    if (i < 0) throw new RangeError(`${what} uses qubit ${q}, which is not a working qubit of the target graph`);
    return i;
  }

  setRandom(rand: () => number): void {
    this.rand = rand;
  }

  get random(): () => number {
    return this.rand;
  }

  /** Entering a qubit used by c other chains costs base^c (capped). */
  setBase(base: number): void {
    this.exclusive = false;
    this.pow[0] = 1;
    for (let c = 1; c < this.pow.length; c++) this.pow[c] = Math.min(MAX_WEIGHT, this.pow[c - 1] * base);
  }

  setExclusive(): void {
    this.exclusive = true;
  }

  private weight(q: number, v: number): number {
    const f = this.fixedOwner[q];
    if (f >= 0 && f !== v) return INF;
    const c = this.use[q];
    if (c === 0) return this.exclusive ? 1 : 1 + this.crowding * this.usedNbrs[q] * this.invDeg[q];
    if (this.exclusive) return INF;
    return c < this.pow.length ? this.pow[c] : MAX_WEIGHT;
  }

  place(v: number, chain: Int32Array): void {
    this.chains[v] = chain;
    for (let i = 0; i < chain.length; i++) if (this.use[chain[i]]++ === 0) this.crowd(chain[i], 1);
  }

  ripUp(v: number): Int32Array {
    const chain = this.chains[v];
    for (let i = 0; i < chain.length; i++) if (--this.use[chain[i]] === 0) this.crowd(chain[i], -1);
    this.chains[v] = new Int32Array(0);
    return chain;
  }

  private crowd(q: number, by: number): void {
    for (let e = this.adjStart[q], end = this.adjStart[q + 1]; e < end; e++) this.usedNbrs[this.adjList[e]] += by;
  }

  private slot(s: number): Slot {
    while (this.slots.length <= s) {
      this.slots.push({
        dist: new Float64Array(this.N).fill(INF),
        parent: new Int32Array(this.N).fill(-1),
        touched: new Int32Array(this.N),
        numTouched: 0,
        exhausted: false,
      });
    }
    return this.slots[s];
  }

  private resetSlot(sl: Slot): void {
    for (let i = 0; i < sl.numTouched; i++) {
      const x = sl.touched[i];
      sl.dist[x] = INF;
      sl.parent[x] = -1;
    }
    sl.numTouched = 0;
    sl.exhausted = false;
  }

  /**
   * Cheapest paths for v from chain `from` (distance 0 on its qubits, which are then never a root) to
   * every qubit up to `limit`; costs count every qubit entered, the last one included.
   */
  private dijkstra(sl: Slot, from: Int32Array, v: number, limit: number): void {
    this.resetSlot(sl);
    const { dist, parent, touched } = sl;
    const heap = this.heap;
    const adjStart = this.adjStart;
    const adjList = this.adjList;
    heap.clear();
    let nt = 0;
    for (let i = 0; i < from.length; i++) {
      const q = from[i];
      dist[q] = 0;
      touched[nt++] = q;
      heap.push(0, q);
    }
    let exhausted = true;
    while (heap.size > 0) {
      const d = heap.keys[0];
      const x = heap.nodes[0];
      if (d > limit) {
        exhausted = false;
        break;
      }
      heap.pop();
      if (d > dist[x]) continue;
      for (let e = adjStart[x], end = adjStart[x + 1]; e < end; e++) {
        const y = adjList[e];
        const w = this.weight(y, v);
        if (w === INF) continue;
        const nd = d + w;
        if (nd < dist[y]) {
          if (dist[y] === INF) touched[nt++] = y;
          dist[y] = nd;
          parent[y] = x;
          heap.push(nd, y);
        }
      }
    }
    sl.numTouched = nt;
    sl.exhausted = exhausted;
  }

  /** A random qubit among the least used that v may take, or -1. */
  private freeQubit(v: number): number {
    let best = -1;
    let bestW = INF;
    for (let t = 0; t < 48; t++) {
      const q = Math.floor(this.rand() * this.N);
      const w = this.weight(q, v);
      if (w < bestW) {
        bestW = w;
        best = q;
        if (w === 1) return q;
      }
    }
    for (let q = 0; q < this.N; q++) {
      const w = this.weight(q, v);
      if (w === 1) return q;
      if (w < bestW) {
        bestW = w;
        best = q;
      }
    }
    return best;
  }

  /**
   * A new chain for v joining the chains of its placed neighbours (v itself must be ripped up), or undefined
   * when no qubit can reach them all.
   */
  grow(v: number): Int32Array | undefined {
    const nbrs: number[] = [];
    for (let e = this.srcStart[v]; e < this.srcStart[v + 1]; e++) {
      const u = this.srcList[e];
      if (this.chains[u].length > 0) nbrs.push(u);
    }
    const k = nbrs.length;
    if (k === 0) {
      const q = this.freeQubit(v);
      return q < 0 ? undefined : Int32Array.of(q);
    }
    // Grow the search radius until the best root is provably the cheapest (a root beyond the radius
    // costs more than the radius).
    let limit = 8;
    for (;;) {
      let anyOpen = false;
      for (let s = 0; s < k; s++) {
        const sl = this.slot(s);
        this.dijkstra(sl, this.chains[nbrs[s]], v, limit);
        if (!sl.exhausted) anyOpen = true;
      }
      const first = this.slots[0];
      let best = -1;
      let bestCost = INF;
      let ties = 0;
      for (let i = 0; i < first.numTouched; i++) {
        const x = first.touched[i];
        const d0 = first.dist[x];
        if (d0 === 0) continue;
        let total = d0;
        for (let s = 1; s < k && total < INF; s++) {
          const d = this.slots[s].dist[x];
          total = d === 0 ? INF : total + d;
        }
        if (total === INF) continue;
        total -= (k - 1) * this.weight(x, v);
        if (total < bestCost) {
          bestCost = total;
          best = x;
          ties = 1;
        } else if (total === bestCost && this.rand() * ++ties < 1) {
          best = x;
        }
      }
      if (best >= 0 && (bestCost <= limit || !anyOpen)) return this.collect(best, k);
      if (!anyOpen) return undefined;
      limit = best >= 0 ? bestCost : limit * 4;
    }
  }

  /** The union of the root and its paths back to each neighbour chain. */
  private collect(root: number, k: number): Int32Array {
    const mark = ++this.stampNow;
    const out: number[] = [root];
    this.stamp[root] = mark;
    for (let s = 0; s < k; s++) {
      const { dist, parent } = this.slots[s];
      let x = parent[root];
      while (x >= 0 && dist[x] > 0) {
        if (this.stamp[x] !== mark) {
          this.stamp[x] = mark;
          out.push(x);
        }
        x = parent[x];
      }
    }
    return Int32Array.from(out);
  }

  /** Rips up every non-fixed chain on a shared qubit and the chains of their neighbours; returns them. */
  clearAroundOverlaps(): number[] {
    const hit = new Uint8Array(this.n);
    const out: number[] = [];
    const add = (v: number) => {
      if (!hit[v] && !this.isFixed[v] && this.chains[v].length > 0) {
        hit[v] = 1;
        out.push(v);
      }
    };
    for (let v = 0; v < this.n; v++) {
      const c = this.chains[v];
      let shared = false;
      for (let i = 0; i < c.length && !shared; i++) shared = this.use[c[i]] > 1;
      if (!shared) continue;
      add(v);
      for (let e = this.srcStart[v]; e < this.srcStart[v + 1]; e++) add(this.srcList[e]);
    }
    for (const v of out) this.ripUp(v);
    return out;
  }

  /** Sum over qubits of (chains on it - 1), and the largest count. */
  overlap(): { excess: number; worst: number } {
    let excess = 0;
    let worst = 0;
    for (let q = 0; q < this.N; q++) {
      const c = this.use[q];
      if (c > 1) excess += c - 1;
      if (c > worst) worst = c;
    }
    return { excess, worst };
  }

  edgeList(): [number, number][] {
    const out: [number, number][] = [];
    for (let u = 0; u < this.n; u++) for (let e = this.srcStart[u]; e < this.srcStart[u + 1]; e++) if (u < this.srcList[e]) out.push([u, this.srcList[e]]);
    return out;
  }

  totalQubits(): number {
    let t = 0;
    for (const c of this.chains) t += c.length;
    return t;
  }

  /**
   * Priority-first order: next the unvisited variable with the most visited neighbours (random ties), so
   * each chain is placed with as many neighbours to join as possible.
   */
  pfsOrder(subset?: number[], breadthFirst = false): number[] {
    const n = this.n;
    let stamp = 0;
    const tie = shuffled(n, this.rand);
    const rank = new Float64Array(n);
    tie.forEach((v, i) => (rank[v] = i / n));
    const visited = new Uint8Array(n);
    const count = new Int32Array(n);
    if (subset) {
      // Only the subset is ordered; placed variables count as visited neighbours.
      visited.fill(1);
      for (const v of subset) visited[v] = 0;
      for (const v of subset) for (let e = this.srcStart[v]; e < this.srcStart[v + 1]; e++) if (this.chains[this.srcList[e]].length > 0) count[v]++;
    }
    const heap = new Heap();
    const order: number[] = [];
    for (const s of subset ? subset.slice().sort((a, b) => count[b] - count[a] || rank[a] - rank[b]) : tie) {
      if (visited[s]) continue;
      heap.clear();
      heap.push(-count[s], s);
      while (heap.size > 0) {
        const x = heap.nodes[0];
        heap.pop();
        if (visited[x]) continue;
        visited[x] = 1;
        order.push(x);
        for (let e = this.srcStart[x]; e < this.srcStart[x + 1]; e++) {
          const y = this.srcList[e];
          if (!visited[y]) heap.push(breadthFirst ? ++stamp : -++count[y] + rank[y], y);
        }
      }
    }
    return order;
  }

  shuffle(a: number[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.rand() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
  }
}

function shuffled(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * A minor embedding of the source graph (edges over variables 0..n-1) in `target`: chains[v] lists the
 * qubits of variable v, each chain connected, chains disjoint, and every source edge (u, v) realised by a
 * coupler between chain u and chain v. Throws EmbeddingError when none was found within `tries` restarts
 * and `timeout` ms, RangeError for bad arguments, and the signal's reason when aborted.
 */
export function findEmbedding(sourceEdges: Iterable<readonly [number, number]>, target: HardwareGraph, options: FindEmbeddingOptions = {}): Embedding {
  const started = performance.now();
  const timeout = options.timeout ?? 30_000;
  if (!(timeout > 0)) throw new RangeError(`timeout must be a positive number of ms, got ${timeout}`);
  const tries = checkCount(options.tries, 'tries', 10, 1);
  const maxNoImprovement = checkCount(options.maxNoImprovement, 'maxNoImprovement', 10, 1);
  const patience = checkCount(options.chainLengthPatience, 'chainLengthPatience', 2, 0);
  if (options.numVariables !== undefined) checkCount(options.numVariables, 'numVariables', 0, 0);
  const signal = options.signal;
  if (signal?.aborted) throw abortError(signal);

  const S = new MinorSearch(target, sourceEdges, options.numVariables);
  const n = S.n;
  if (n === 0) return [];

  const fixed = chainEntries(options.fixedChains).map(([v, c]) => [v, Int32Array.from(c, (q) => S.denseOf(q, `fixed chain of variable ${v}`))] as const);
  for (const [v, c] of fixed) {
    if (v >= n) throw new RangeError(`fixed chain for variable ${v}, but the source has ${n} variables`);
    S.isFixed[v] = 1;
    for (const q of c) {
      if (S.fixedOwner[q] >= 0 && S.fixedOwner[q] !== v) throw new RangeError(`qubit ${S.ids[q]} is in the fixed chains of ${S.fixedOwner[q]} and ${v}`);
      S.fixedOwner[q] = v;
    }
  }
  const initial = chainEntries(options.initialChains)
    .filter(([v]) => v < n && !S.isFixed[v])
    .map(([v, c]) => [v, Int32Array.from(new Set(c), (q) => S.denseOf(q, `initial chain of variable ${v}`))] as const);
  const free = Array.from({ length: n }, (_, v) => v).filter((v) => !S.isFixed[v]);

  const outOfTime = () => performance.now() - started > timeout;
  const check = (): boolean => {
    if (signal?.aborted) throw abortError(signal);
    return outOfTime();
  };

  const baseSeed = (options.seed ?? 1) >>> 0;
  let lastExcess = -1;
  for (let attempt = 0; attempt < tries; attempt++) {
    S.setRandom(mulberry32((baseSeed + Math.imul(attempt, 0x9e3779b1)) >>> 0));
    S.chains = Array.from({ length: n }, () => new Int32Array(0));
    S.use.fill(0);
    S.usedNbrs.fill(0);
    for (const [v, c] of fixed) S.place(v, Int32Array.from(c));
    // Initial chains only seed the first try: later tries start afresh.
    if (attempt === 0) for (const [v, c] of initial) S.place(v, c);

    // Placement round, then overlap rounds with a growing penalty.
    // Overlaps cost from the start as much as a 1000-qubit detour: chains share a qubit only when walled in.
    let base = 1000;
    S.setBase(base);
    // Most-connected-first order on even tries, breadth-first on odd ones: neither wins everywhere
    // (measured: PFS clears 3-regular graphs, BFS grids). A random order spreads chains over the whole
    // graph and doubles their length.
    const order = S.pfsOrder(undefined, attempt % 2 === 1).filter((v) => !S.isFixed[v]);
    let failed = false;
    for (const v of order) {
      if (S.chains[v].length > 0) continue;
      if (check()) break;
      const c = S.grow(v);
      if (!c) {
        failed = true;
        break;
      }
      S.place(v, c);
    }
    if (failed) break; // unreachable neighbours: no restart will help
    if (order.some((v) => S.chains[v].length === 0)) break; // out of time while placing
    let best = S.overlap().excess;

    let stale = 0;
    while (best > 0 && stale < maxNoImprovement && !outOfTime()) {
      base = Math.min(base * 1.5, 1e6);
      S.setBase(base);
      if (stale > 0) {
        // Stuck: chains wall each other in. Clear the overlapping chains and their neighbours, then place
        // them again, most-connected first, so the region is re-packed rather than patched.
        const cleared = S.clearAroundOverlaps();
        for (const v of S.pfsOrder(cleared)) {
          if (check()) break;
          const c = S.grow(v);
          if (c) S.place(v, c);
        }
        if (cleared.some((v) => S.chains[v].length === 0)) break;
      } else {
        for (const v of S.pfsOrder().filter((v) => !S.isFixed[v])) {
          if (check()) break;
          const old = S.ripUp(v);
          const c = S.grow(v);
          S.place(v, c ?? old);
        }
      }
      const { excess } = S.overlap();
      if (excess < best) {
        best = excess;
        stale = 0;
      } else stale++;
    }
    lastExcess = best;
    if (best > 0) {
      if (outOfTime()) break;
      continue;
    }

    // Chain-length rounds: used qubits are forbidden, so chains stay disjoint.
    S.setExclusive();
    let total = S.totalQubits();
    let staleLen = 0;
    while (staleLen < patience && !outOfTime()) {
      const round = free.slice();
      S.shuffle(round);
      for (const v of round) {
        if (check()) break;
        const old = S.ripUp(v);
        const c = S.grow(v);
        S.place(v, c && c.length <= old.length ? c : old);
      }
      // Late rounds shave a qubit here and there: below 0.5% a round is not worth its time.
      const t = S.totalQubits();
      if (t < total * 0.995) staleLen = 0;
      else staleLen++;
      total = Math.min(total, t);
    }
    const result = S.chains.map((c) => Array.from(c, (q) => S.ids[q]).sort((a, b) => a - b));
    // Cheap next to the search, and a wrong embedding would only show up as wrong samples much later.
    const verdict = checkEmbedding(S.edgeList(), target, result, n);
    if (!verdict.valid) throw new EmbeddingError(`internal error: the embedding found is invalid: ${verdict.errors.slice(0, 3).join('; ')}`);
    return result;
  }
  const why = outOfTime() ? `the ${timeout} ms timeout passed` : `${tries} ${tries === 1 ? 'try' : 'tries'} failed`;
  throw new EmbeddingError(
    `no embedding of the ${n}-variable source graph into the ${target.qubits.length}-qubit ${target.family} graph: ${why}` +
      (lastExcess > 0 ? ` (best attempt: ${lastExcess} qubits shared by several chains)` : lastExcess < 0 ? ' (some variable could not reach its neighbours)' : ''),
  );
}
