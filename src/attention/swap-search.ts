/**
 * Best-improvement 1-swap local search on one attention QUBO: repeatedly apply the swap (drop one kept
 * position, add one unkept) that lowers the energy most, until none does. Swaps keep the number of ones,
 * so the cardinality penalty is constant along the search and only scores and redundancy decide.
 * Used by the qubo-ls method and as a classical reference for annealed masks (N <= 64: cheap).
 */
import type { AttentionQubos } from './qubo';

export interface SwapSearchResult {
  /** 0/1, length N. */
  mask: Uint8Array;
  /** The QUBO's energy of `mask` (offset included). */
  energy: number;
  /** Swaps applied. */
  swaps: number;
}

/** Image b's model from the batch arrays; `start` (length N, nonzero = kept) is where the search begins. */
export function swapLocalSearch(q: AttentionQubos, b: number, start: ArrayLike<number>): SwapSearchResult {
  const N = q.positions;
  if (start.length !== N) throw new RangeError(`start has ${start.length} values, expected ${N}`);
  if (!Number.isInteger(b) || b < 0 || b >= q.batch) throw new RangeError(`image must be an integer in 0..${q.batch - 1}, got ${b}`);
  const lin = q.linear.subarray(b * N, (b + 1) * N);
  const dense = q.dense.subarray(b * N * N, (b + 1) * N * N);
  // Symmetric couplings with a zero diagonal, so Q[x][y] reads the same for either order.
  const Q = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = i + 1; j < N; j++) {
      Q[i * N + j] = dense[i * N + j];
      Q[j * N + i] = dense[i * N + j];
    }
  }
  const z = new Uint8Array(N);
  for (let i = 0; i < N; i++) z[i] = start[i] ? 1 : 0;
  // f[x] = lin[x] + sum_{l kept, l != x} Q[x][l]: the energy of adding x (x unkept) or of x's presence (x kept).
  const f = new Float64Array(N);
  for (let x = 0; x < N; x++) {
    let v = lin[x];
    for (let l = 0; l < N; l++) if (z[l]) v += Q[x * N + l];
    f[x] = v;
  }
  let scale = 0;
  for (let x = 0; x < N; x++) scale = Math.max(scale, Math.abs(f[x]));
  // Only strict improvements beyond rounding count, so the search cannot cycle.
  const tol = 1e-12 * Math.max(1, scale);
  let swaps = 0;
  for (;;) {
    let best = -tol;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < N; i++) {
      if (!z[i]) continue;
      for (let j = 0; j < N; j++) {
        if (z[j]) continue;
        // Drop i (-f[i]), then add j, whose field no longer sees i.
        const d = f[j] - Q[j * N + i] - f[i];
        if (d < best) {
          best = d;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    z[bi] = 0;
    z[bj] = 1;
    for (let x = 0; x < N; x++) f[x] += Q[x * N + bj] - Q[x * N + bi];
    swaps++;
  }
  let energy = q.offset[b];
  for (let i = 0; i < N; i++) {
    if (!z[i]) continue;
    energy += lin[i];
    for (let j = i + 1; j < N; j++) if (z[j]) energy += Q[i * N + j];
  }
  return { mask: z, energy, swaps };
}
