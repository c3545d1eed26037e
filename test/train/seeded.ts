/** Test helpers shared by the training-kernel tests: seeded inputs and a scale-relative error. */

/** n seeded values in [-scale, scale) (xorshift32); `levels` > 0 gives integers 0..levels-1 instead (ties). */
export function seededData(n: number, seed: number, opts: { scale?: number; levels?: number } = {}): Float32Array {
  const scale = opts.scale ?? 1;
  const levels = opts.levels ?? 0;
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const u = (s >>> 0) / 4294967296;
    out[i] = levels > 0 ? Math.floor(u * levels) : (u * 2 - 1) * scale;
  }
  return out;
}

/** max|a - b| / max|b| (relative to the reference's scale); the lengths must match. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? m : m / scale;
}
