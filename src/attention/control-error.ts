/**
 * A QPU's integrated control error on attention QUBOs, and the classical repair of the cardinality that
 * a single-flip annealer (what runs on a QPU) may break.
 *
 * Model: each image's BINARY QUBO is turned into its Ising form (z = (1 + s) / 2), scaled the way the
 * QPU's autoscaling does it, so that the largest |h| or |J| just fits the solver's h and J ranges, and
 * then every h_i and J_ij gets independent Gaussian noise of standard deviation `sigma` times the range's
 * half-width (hMax for h, jMax for J; D-Wave publishes control errors of roughly 1-3% of these). Scaled
 * back and converted to a QUBO again, the noisy model has the same shape as the clean one, so any sampler
 * can anneal it. Embedding (chains) is not modelled: this is the error on the logical problem.
 */
import type { AttentionQubos } from './qubo';

export interface ControlErrorOptions {
  /** Noise standard deviation as a fraction of the range's half-width (0.02 = 2%). */
  sigma: number;
  /** The solver's h range half-width. Default 4 (Advantage: h in [-4, 4]). */
  hMax?: number;
  /** The solver's J range half-width. Default 1 (J in [-1, 1]). */
  jMax?: number;
  /** A standard normal draw. */
  normal: () => number;
}

/** The Ising form of image b: h (N), J (N x N upper triangle, row-major) and the scale factor that fits them into the ranges. */
export function isingOfImage(q: AttentionQubos, b: number, hMax = 4, jMax = 1): { h: Float64Array; J: Float64Array; scale: number } {
  const N = q.positions;
  const h = new Float64Array(N);
  const J = new Float64Array(N * N);
  for (let i = 0; i < N; i++) h[i] += q.linear[b * N + i] / 2;
  for (let i = 0; i < N; i++) {
    for (let j = i + 1; j < N; j++) {
      const v = q.dense[b * N * N + i * N + j];
      J[i * N + j] = v / 4;
      h[i] += v / 4;
      h[j] += v / 4;
    }
  }
  let hAbs = 0;
  let jAbs = 0;
  for (let i = 0; i < N; i++) hAbs = Math.max(hAbs, Math.abs(h[i]));
  for (let i = 0; i < N * N; i++) jAbs = Math.max(jAbs, Math.abs(J[i]));
  // Divide by this to fit: the QPU's autoscale (the tighter of the two ranges decides).
  const scale = Math.max(hAbs / hMax, jAbs / jMax, Number.MIN_VALUE);
  return { h, J, scale };
}

/**
 * A copy of `q` with the control error applied to every image (the clean arrays are not touched).
 * Offsets are carried over unchanged: only the argmin matters, and energies are always re-scored on
 * the clean model.
 */
export function withControlError(q: AttentionQubos, o: ControlErrorOptions): AttentionQubos {
  if (!(o.sigma >= 0) || !Number.isFinite(o.sigma)) throw new RangeError(`sigma must be a finite number >= 0, got ${o.sigma}`);
  const hMax = o.hMax ?? 4;
  const jMax = o.jMax ?? 1;
  if (!(hMax > 0) || !(jMax > 0)) throw new RangeError('hMax and jMax must be > 0');
  const N = q.positions;
  const out: AttentionQubos = { batch: q.batch, positions: N, linear: new Float64Array(q.linear.length), dense: new Float64Array(q.dense.length), offset: Float64Array.from(q.offset) };
  for (let b = 0; b < q.batch; b++) {
    const { h, J, scale } = isingOfImage(q, b, hMax, jMax);
    // Noise in the QPU's units, back in the model's units.
    for (let i = 0; i < N; i++) h[i] += scale * o.sigma * hMax * o.normal();
    for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) J[i * N + j] += scale * o.sigma * jMax * o.normal();
    // Back to a QUBO: Q_ij = 4 J_ij, L_i = 2 h_i - sum_j Q_ij / 2.
    for (let i = 0; i < N; i++) out.linear[b * N + i] = 2 * h[i];
    for (let i = 0; i < N; i++) {
      for (let j = i + 1; j < N; j++) {
        const v = 4 * J[i * N + j];
        out.dense[b * N * N + i * N + j] = v;
        out.linear[b * N + i] -= v / 2;
        out.linear[b * N + j] -= v / 2;
      }
    }
  }
  return out;
}

/**
 * Makes a mask keep exactly k positions by the clean model's energy: while too many are kept, drop the
 * one whose presence costs the most; while too few, add the one that lowers the energy most. Returns the
 * number of positions changed (0 when the cardinality already held). In place on `mask` (length N).
 */
export function repairCardinality(q: AttentionQubos, b: number, mask: Uint8Array | Float32Array, k: number): number {
  const N = q.positions;
  const lin = q.linear.subarray(b * N, (b + 1) * N);
  const dense = q.dense.subarray(b * N * N, (b + 1) * N * N);
  const pair = (i: number, j: number) => (i < j ? dense[i * N + j] : dense[j * N + i]);
  let count = 0;
  for (let i = 0; i < N; i++) count += mask[i] ? 1 : 0;
  let changed = 0;
  while (count !== k) {
    const dropping = count > k;
    let best = -1;
    let bestValue = dropping ? -Infinity : Infinity;
    for (let x = 0; x < N; x++) {
      if (!mask[x] !== !dropping) continue;
      // x's field: its linear term and its pairs with the other kept positions.
      let f = lin[x];
      for (let l = 0; l < N; l++) if (l !== x && mask[l]) f += pair(x, l);
      if (dropping ? f > bestValue : f < bestValue) {
        bestValue = f;
        best = x;
      }
    }
    mask[best] = dropping ? 0 : 1;
    count += dropping ? -1 : 1;
    changed++;
  }
  return changed;
}
