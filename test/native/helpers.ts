import type { NativeModel, NativeVartype } from '../../src/native/addon';

/** Small deterministic PRNG (mulberry32) so every test is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random model; `format` picks coordinates or a dense matrix, `density` the share of pairs coupled. */
export function randomModel(
  n: number,
  vartype: NativeVartype,
  format: 'coo' | 'dense',
  seed: number,
  density = 0.6,
): NativeModel {
  const r = rng(seed);
  const linear = new Float64Array(n).map(() => Math.round((r() * 2 - 1) * 100) / 50);
  const offset = Math.round(r() * 100) / 10;
  const rows: number[] = [];
  const cols: number[] = [];
  const biases: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (r() < density) {
        // Random orientation: coordinates need not be upper triangular.
        if (r() < 0.5) {
          rows.push(i);
          cols.push(j);
        } else {
          rows.push(j);
          cols.push(i);
        }
        biases.push(Math.round((r() * 2 - 1) * 100) / 50);
      }
  if (format === 'coo') {
    return {
      numVariables: n,
      vartype,
      linear,
      offset,
      quadRow: Uint32Array.from(rows),
      quadCol: Uint32Array.from(cols),
      quadBias: Float64Array.from(biases),
    };
  }
  const dense = new Float64Array(n * n);
  biases.forEach((b, k) => {
    const i = Math.min(rows[k], cols[k]);
    const j = Math.max(rows[k], cols[k]);
    dense[i * n + j] = b;
    dense[j * n + i] = 12345; // the lower triangle must be ignored
  });
  return { numVariables: n, vartype, linear, offset, dense };
}

/** Energy of one sample (in the model's vartype) straight from the definition. */
export function energyOf(m: NativeModel, x: ArrayLike<number>, at = 0): number {
  const n = m.numVariables;
  let e = m.offset;
  for (let i = 0; i < n; i++) e += m.linear[i] * x[at + i];
  if (m.quadRow && m.quadCol && m.quadBias)
    for (let k = 0; k < m.quadRow.length; k++) e += m.quadBias[k] * x[at + m.quadRow[k]] * x[at + m.quadCol[k]];
  if (m.dense) for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) e += m.dense[i * n + j] * x[at + i] * x[at + j];
  return e;
}

/** Exhaustive minimum in TypeScript (n <= 16). */
export function bruteMin(m: NativeModel): number {
  const n = m.numVariables;
  const x = new Int8Array(n);
  let best = Infinity;
  for (let s = 0; s < 1 << n; s++) {
    for (let i = 0; i < n; i++) {
      const bit = (s >> i) & 1;
      x[i] = m.vartype === 'SPIN' ? (bit ? 1 : -1) : bit;
    }
    best = Math.min(best, energyOf(m, x));
  }
  return best;
}

/** Errors come from the addon's realm, not jest's sandbox: compare by name, not instanceof. */
export function expectThrowsKind(fn: () => unknown, kind: 'TypeError' | 'RangeError', msg?: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeDefined();
  expect((err as Error).name).toBe(kind);
  if (msg) expect((err as Error).message).toMatch(msg);
}

export function expectCancelled(err: unknown): void {
  expect(err).toBeDefined();
  expect((err as Error).name).toBe('Error');
  expect((err as { code?: string }).code).toBe('ERR_QAHAN_CANCELLED');
}
