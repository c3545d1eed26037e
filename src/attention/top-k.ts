/** Top-k selection over rows of host arrays: the masks of topk, the test-time masks of REINFORCE and Gumbel, and qubo-ls's start. */

/** The k largest entries of each row of `values` (B rows of N), best first; ties go to the lower index. */
export function topKIndices(values: ArrayLike<number>, B: number, N: number, k: number): Int32Array {
  const out = new Int32Array(B * k);
  const idx = Array.from({ length: N }, (_, i) => i);
  for (let b = 0; b < B; b++) {
    idx.sort((i, j) => values[b * N + j] - values[b * N + i] || i - j);
    for (let t = 0; t < k; t++) out[b * k + t] = idx[t];
  }
  return out;
}

/** 0/1 masks (B x N) from k indices per row. */
export function maskFromIndices(indices: Int32Array, B: number, N: number, k: number): Float32Array {
  const m = new Float32Array(B * N);
  for (let b = 0; b < B; b++) for (let t = 0; t < k; t++) m[b * N + indices[b * k + t]] = 1;
  return m;
}

/** 0/1 masks (B x N) keeping the k highest scores of each row. */
export function topKMask(scores: ArrayLike<number>, B: number, N: number, k: number): Float32Array {
  return maskFromIndices(topKIndices(scores, B, N, k), B, N, k);
}
