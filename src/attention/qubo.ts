/**
 * The per-image attention QUBO
 *
 *   E(z) = -sum_i a_i z_i + lambda sum_{i<j} S_ij z_i z_j + gamma (sum_i z_i - k)^2,   z in {0,1}^N
 *
 * expanded (z_i^2 = z_i) into linear_i = -a_i + gamma (1 - 2k), quadratic_ij = lambda S_ij + 2 gamma
 * (i < j) and offset = gamma k^2. Built for a whole batch at once, natively when the addon has
 * `buildAttentionQubos`, else by the TypeScript reference below (which is also the tests' oracle).
 */
import { BinaryQuadraticModel } from '../model/bqm';
import { addon, NativeAttentionInput, NativeAttentionQubos } from '../native/addon';

export type AttentionQuboInput = NativeAttentionInput;
export type AttentionQubos = NativeAttentionQubos;

function checkInput(input: AttentionQuboInput): void {
  const { batch: B, positions: N } = input;
  if (!Number.isInteger(B) || B < 0) throw new RangeError(`batch must be a non-negative integer, got ${B}`);
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`positions must be a positive integer, got ${N}`);
  if (input.scores.length !== B * N) throw new RangeError(`scores has ${input.scores.length} values, expected ${B * N}`);
  if (input.similarity) {
    if (input.similarity.length !== B * N * N) throw new RangeError(`similarity has ${input.similarity.length} values, expected ${B * N * N}`);
  } else if (input.features) {
    const C = input.channels ?? 0;
    if (!Number.isInteger(C) || C < 1) throw new RangeError(`channels must be a positive integer with features, got ${C}`);
    if (input.features.length !== B * N * C) throw new RangeError(`features has ${input.features.length} values, expected ${B * N * C}`);
  } else {
    throw new TypeError('give similarity or features');
  }
}

/** Cosine similarity of the N feature vectors of one image (zero vectors have similarity 0 with everything). */
export function cosineSimilarity(features: ArrayLike<number>, positions: number, channels: number, image = 0): Float64Array {
  const N = positions;
  const C = channels;
  const base = image * N * C;
  const norms = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += features[base + i * C + c] ** 2;
    norms[i] = Math.sqrt(s);
  }
  const S = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = i; j < N; j++) {
      let dot = 0;
      for (let c = 0; c < C; c++) dot += features[base + i * C + c] * features[base + j * C + c];
      const d = norms[i] * norms[j];
      const v = d > 0 ? dot / d : 0;
      S[i * N + j] = v;
      S[j * N + i] = v;
    }
  }
  return S;
}

/** The TypeScript reference implementation (same contract as the native one). */
export function buildAttentionQubosReference(input: AttentionQuboInput): AttentionQubos {
  checkInput(input);
  const { batch: B, positions: N, lambda, gamma, k } = input;
  const linear = new Float64Array(B * N);
  const dense = new Float64Array(B * N * N);
  const offset = new Float64Array(B).fill(gamma * k * k);
  for (let b = 0; b < B; b++) {
    const S = input.similarity ? undefined : cosineSimilarity(input.features!, N, input.channels!, b);
    for (let i = 0; i < N; i++) {
      linear[b * N + i] = -input.scores[b * N + i] + gamma * (1 - 2 * k);
      for (let j = i + 1; j < N; j++) {
        const s = S ? S[i * N + j] : input.similarity![b * N * N + i * N + j];
        dense[b * N * N + i * N + j] = lambda * s + 2 * gamma;
      }
    }
  }
  return { batch: B, positions: N, linear, dense, offset };
}

let nativeState: 'unknown' | 'yes' | 'no' = 'unknown';

/** Whether the native addon offers buildAttentionQubos (checked once, with a tiny call). */
export function nativeQuboBuilderAvailable(): boolean {
  if (nativeState === 'unknown') {
    try {
      const a = addon();
      if (typeof a.buildAttentionQubos !== 'function') throw new Error('missing');
      const r = a.buildAttentionQubos({ batch: 1, positions: 2, scores: new Float64Array([0.5, 0.25]), similarity: new Float64Array([1, 0.5, 0.5, 1]), lambda: 1, gamma: 1, k: 1 });
      nativeState = r && r.linear.length === 2 && Math.abs(r.dense[1] - 2.5) < 1e-9 ? 'yes' : 'no';
    } catch {
      nativeState = 'no';
    }
  }
  return nativeState === 'yes';
}

/** Builds the batch's QUBOs: natively when available (unless QAHAN_QUBO_BUILDER=ts), else in TypeScript. */
export function buildAttentionQubos(input: AttentionQuboInput): AttentionQubos {
  if (process.env.QAHAN_QUBO_BUILDER !== 'ts' && nativeQuboBuilderAvailable()) {
    return addon().buildAttentionQubos(input);
  }
  return buildAttentionQubosReference(input);
}

/** Which builder buildAttentionQubos uses now. */
export function quboBuilderName(): 'native' | 'ts' {
  return process.env.QAHAN_QUBO_BUILDER !== 'ts' && nativeQuboBuilderAvailable() ? 'native' : 'ts';
}

/**
 * Adds Gaussian noise N(0, (sigma * scale_b)^2) to every linear and upper-triangle coefficient of each
 * model, scale_b being the model's largest |coefficient|. In place; `normal` draws a standard normal.
 */
export function perturbQubos(q: AttentionQubos, sigma: number, normal: () => number): AttentionQubos {
  if (!(sigma > 0)) return q;
  const N = q.positions;
  for (let b = 0; b < q.batch; b++) {
    let scale = 0;
    for (let i = 0; i < N; i++) scale = Math.max(scale, Math.abs(q.linear[b * N + i]));
    for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) scale = Math.max(scale, Math.abs(q.dense[b * N * N + i * N + j]));
    const s = sigma * scale;
    for (let i = 0; i < N; i++) {
      q.linear[b * N + i] += s * normal();
      for (let j = i + 1; j < N; j++) q.dense[b * N * N + i * N + j] += s * normal();
    }
  }
  return q;
}

/**
 * The automatic cardinality penalty of image b: the smallest gamma for which no optimum keeps k - 1 or
 * k + 1 positions (moving from a k-set to k +- 1 always costs more than it gains), plus `margin`.
 * Needs the similarity-only part of the model: the quadratic entries lambda S_ij (built with gamma 0).
 */
export function automaticGamma(scores: ArrayLike<number>, q0: AttentionQubos, b: number, lambda: number, k: number, margin: number): number {
  const N = q0.positions;
  let amax = -Infinity;
  let amin = Infinity;
  for (let i = 0; i < N; i++) {
    amax = Math.max(amax, scores[b * N + i]);
    amin = Math.min(amin, scores[b * N + i]);
  }
  let qmax = 0; // max(0, lambda max S)
  let qmin = 0; // min(0, lambda min S)
  for (let i = 0; i < N; i++) {
    for (let j = i + 1; j < N; j++) {
      const v = q0.dense[b * N * N + i * N + j];
      if (v > qmax) qmax = v;
      if (v < qmin) qmin = v;
    }
  }
  // Adding j to a k-set: -a_j + lambda sum_{K} S_ij + gamma > 0 needs gamma > a_max - k * qmin.
  // Dropping i from a k-set: a_i - lambda sum_{K\i} S_ij + gamma > 0 needs gamma > (k - 1) * qmax - a_min.
  return Math.max(amax - k * qmin, (k - 1) * qmax - amin, 0) + margin;
}

/** Adds gamma (sum z - k)^2 to image b's model, expanded (in place). */
export function addCardinalityPenalty(q: AttentionQubos, b: number, gamma: number, k: number): void {
  const N = q.positions;
  for (let i = 0; i < N; i++) {
    q.linear[b * N + i] += gamma * (1 - 2 * k);
    const row = b * N * N + i * N;
    for (let j = i + 1; j < N; j++) q.dense[row + j] += 2 * gamma;
  }
  q.offset[b] += gamma * k * k;
}

/** One BinaryQuadraticModel per image. */
export function toBqms(q: AttentionQubos): BinaryQuadraticModel[] {
  const N = q.positions;
  const out: BinaryQuadraticModel[] = [];
  for (let b = 0; b < q.batch; b++) {
    out.push(
      BinaryQuadraticModel.fromDense('BINARY', q.linear.subarray(b * N, (b + 1) * N), q.dense.subarray(b * N * N, (b + 1) * N * N), q.offset[b]),
    );
  }
  return out;
}

/** E(z) of image b's model, straight from the arrays (for tests and checks). */
export function quboEnergy(q: AttentionQubos, b: number, z: ArrayLike<number>): number {
  const N = q.positions;
  let e = q.offset[b];
  for (let i = 0; i < N; i++) {
    if (!z[i]) continue;
    e += q.linear[b * N + i];
    for (let j = i + 1; j < N; j++) if (z[j]) e += q.dense[b * N * N + i * N + j];
  }
  return e;
}
