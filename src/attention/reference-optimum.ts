/**
 * The reference optimum of an attention QUBO under its cardinality: the best of the given starting masks
 * (a large annealing budget, top-k refined by 1-swaps, ...), each refined by exhaustive best-improvement
 * 1- and 2-swap search (drop two kept positions and add two unkept ones at once) until neither improves.
 * A 2-swap pass costs C(k,2) C(N-k,2) evaluations (44k for N = 49, k = 12): a reference, not a method.
 */
import type { AttentionQubos } from './qubo';
import { quboEnergy } from './qubo';
import { swapLocalSearch } from './swap-search';

export interface RefinedMask {
  mask: Uint8Array;
  energy: number;
}

/** Exhaustive 1- and 2-swap descent from `start` (length N, nonzero = kept) on image b. */
export function twoSwapDescent(q: AttentionQubos, b: number, start: ArrayLike<number>): RefinedMask {
  const N = q.positions;
  const dense = q.dense.subarray(b * N * N, (b + 1) * N * N);
  const Q = new Float64Array(N * N);
  for (let i = 0; i < N; i++)
    for (let j = i + 1; j < N; j++) {
      Q[i * N + j] = dense[i * N + j];
      Q[j * N + i] = dense[i * N + j];
    }
  let z = swapLocalSearch(q, b, start).mask;
  for (;;) {
    const f = new Float64Array(N);
    for (let x = 0; x < N; x++) {
      let v = q.linear[b * N + x];
      for (let l = 0; l < N; l++) if (l !== x && z[l]) v += Q[x * N + l];
      f[x] = v;
    }
    const ins: number[] = [];
    const outs: number[] = [];
    for (let x = 0; x < N; x++) (z[x] ? ins : outs).push(x);
    let scale = 1;
    for (let x = 0; x < N; x++) scale = Math.max(scale, Math.abs(f[x]));
    let best = -1e-12 * scale;
    let move: number[] | undefined;
    for (let a = 0; a < ins.length; a++) {
      for (let a2 = a + 1; a2 < ins.length; a2++) {
        const i = ins[a];
        const i2 = ins[a2];
        const drop = -f[i] - f[i2] + Q[i * N + i2];
        for (let c = 0; c < outs.length; c++) {
          const j = outs[c];
          const addJ = f[j] - Q[j * N + i] - Q[j * N + i2];
          for (let c2 = c + 1; c2 < outs.length; c2++) {
            const j2 = outs[c2];
            const d = drop + addJ + f[j2] - Q[j2 * N + i] - Q[j2 * N + i2] + Q[j * N + j2];
            if (d < best) {
              best = d;
              move = [i, i2, j, j2];
            }
          }
        }
      }
    }
    if (!move) break;
    z = Uint8Array.from(z);
    z[move[0]] = 0;
    z[move[1]] = 0;
    z[move[2]] = 1;
    z[move[3]] = 1;
    // A 2-swap may open new 1-swaps.
    z = swapLocalSearch(q, b, z).mask;
  }
  return { mask: z, energy: quboEnergy(q, b, z) };
}

/** The lowest of the refined starts. */
export function referenceOptimum(q: AttentionQubos, b: number, starts: ArrayLike<number>[]): RefinedMask {
  if (starts.length === 0) throw new RangeError('referenceOptimum needs at least one start');
  let best: RefinedMask | undefined;
  for (const s of starts) {
    const r = twoSwapDescent(q, b, s);
    if (!best || r.energy < best.energy) best = r;
  }
  return best!;
}
