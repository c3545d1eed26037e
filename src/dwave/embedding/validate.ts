/**
 * Checking a minor embedding against its source and target graphs, and summarising its chains.
 */
import { EmbeddingError } from '../../errors';
import { HardwareGraph } from '../topology';
import type { Embedding } from './clique';

export interface EmbeddingCheck {
  valid: boolean;
  /** What is wrong, at most 50 messages. */
  errors: string[];
}

/**
 * Every source variable 0..n-1 (n = numVariables, or 1 + the largest index in the edges) has a non-empty
 * chain of working qubits; chains are connected in the target and disjoint; every source edge (u, v) has a
 * coupler between chain u and chain v.
 */
export function checkEmbedding(
  sourceEdges: Iterable<readonly [number, number]>,
  target: HardwareGraph,
  embedding: Embedding,
  numVariables = 0,
): EmbeddingCheck {
  const errors: string[] = [];
  const push = (m: string) => {
    if (errors.length < 50) errors.push(m);
  };
  const edges = Array.from(sourceEdges);
  let n = numVariables;
  for (const [u, v] of edges) n = Math.max(n, u + 1, v + 1);
  const maxId = target.qubits.reduce((m, q) => Math.max(m, q), -1);
  const dense = new Int32Array(maxId + 1).fill(-1);
  target.qubits.forEach((q, i) => (dense[q] = i));
  const N = target.qubits.length;
  const adj: number[][] = Array.from({ length: N }, () => []);
  for (const [a, b] of target.couplers) {
    const i = a <= maxId ? dense[a] : -1;
    const j = b <= maxId ? dense[b] : -1;
    if (i >= 0 && j >= 0) {
      adj[i].push(j);
      adj[j].push(i);
    }
  }
  const owner = new Int32Array(N).fill(-1);
  const chains: number[][] = [];
  for (let v = 0; v < Math.max(n, embedding.length); v++) {
    const chain = embedding[v] ?? [];
    const d: number[] = [];
    if (chain.length === 0 && v < n) push(`variable ${v} has no chain`);
    for (const q of chain) {
      const i = Number.isInteger(q) && q >= 0 && q <= maxId ? dense[q] : -1;
      if (i < 0) {
        push(`chain ${v} uses qubit ${q}, which is not a working qubit`);
        continue;
      }
      if (owner[i] === v) push(`qubit ${q} appears twice in chain ${v}`);
      else if (owner[i] >= 0) push(`qubit ${q} is in chains ${owner[i]} and ${v}`);
      else owner[i] = v;
      d.push(i);
    }
    chains.push(d);
  }
  // Connectivity: a search inside each chain.
  const seen = new Int32Array(N).fill(-1);
  chains.forEach((d, v) => {
    if (d.length <= 1) return;
    const stack = [d[0]];
    seen[d[0]] = v;
    let reached = 1;
    while (stack.length) {
      const x = stack.pop() as number;
      for (const y of adj[x]) {
        if (owner[y] === v && seen[y] !== v) {
          seen[y] = v;
          reached++;
          stack.push(y);
        }
      }
    }
    const distinct = new Set(d).size;
    if (reached < distinct) push(`chain ${v} is not connected (${reached} of ${distinct} qubits reachable)`);
  });
  // Chain adjacency.
  const touching = new Set<number>();
  chains.forEach((d, v) => {
    for (const x of d) for (const y of adj[x]) if (owner[y] >= 0 && owner[y] !== v) touching.add(v * 2 ** 26 + owner[y]);
  });
  for (const [u, v] of edges) {
    if (u === v) continue;
    if (!touching.has(u * 2 ** 26 + v)) push(`no coupler joins the chains of ${u} and ${v}`);
  }
  return { valid: errors.length === 0, errors };
}

/** Throws EmbeddingError naming the first problems when `embedding` is not a valid minor embedding. */
export function assertValidEmbedding(sourceEdges: Iterable<readonly [number, number]>, target: HardwareGraph, embedding: Embedding, numVariables = 0): void {
  const r = checkEmbedding(sourceEdges, target, embedding, numVariables);
  if (!r.valid) throw new EmbeddingError(`invalid embedding: ${r.errors.slice(0, 5).join('; ')}${r.errors.length > 5 ? '; ...' : ''}`);
}

export interface EmbeddingSummary {
  maxChainLength: number;
  meanChainLength: number;
  /** Qubits used by all chains together. */
  qubits: number;
}

export function embeddingSummary(embedding: Embedding): EmbeddingSummary {
  let qubits = 0;
  let max = 0;
  for (const c of embedding) {
    qubits += c.length;
    if (c.length > max) max = c.length;
  }
  return { maxChainLength: max, meanChainLength: embedding.length ? qubits / embedding.length : 0, qubits };
}
