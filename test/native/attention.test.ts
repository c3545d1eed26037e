import { addon } from '../../src/native/addon';
import { expectThrowsKind, rng } from './helpers';

const native = addon();

function direct(a: ArrayLike<number>, S: (i: number, j: number) => number, z: number[], lambda: number, gamma: number, k: number): number {
  const N = z.length;
  let e = 0;
  let sum = 0;
  for (let i = 0; i < N; i++) {
    e -= a[i] * z[i];
    sum += z[i];
    for (let j = i + 1; j < N; j++) e += lambda * S(i, j) * z[i] * z[j];
  }
  return e + gamma * (sum - k) ** 2;
}

function expanded(q: ReturnType<typeof native.buildAttentionQubos>, b: number, z: number[]): number {
  const N = q.positions;
  let e = q.offset[b];
  for (let i = 0; i < N; i++) {
    e += q.linear[b * N + i] * z[i];
    for (let j = i + 1; j < N; j++) e += q.dense[b * N * N + i * N + j] * z[i] * z[j];
  }
  for (let i = 0; i < N; i++) for (let j = 0; j <= i; j++) expect(q.dense[b * N * N + i * N + j]).toBe(0);
  return e;
}

describe('buildAttentionQubos', () => {
  const B = 3;
  const N = 7;
  const C = 5;
  const r = rng(99);
  const scores = new Float32Array(B * N).map(() => r() * 2 - 1);
  const lambda = 0.7;
  const gamma = 1.3;
  const k = 2;

  test('similarity input: expanded energy equals the formula on random z', () => {
    const sim = new Float64Array(B * N * N).map(() => r());
    const q = native.buildAttentionQubos({ batch: B, positions: N, scores, similarity: sim, lambda, gamma, k });
    expect(q.batch).toBe(B);
    expect(q.linear.length).toBe(B * N);
    expect(q.dense.length).toBe(B * N * N);
    expect(q.offset.length).toBe(B);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < 30; t++) {
        const z = Array.from({ length: N }, () => (r() < 0.4 ? 1 : 0));
        const want = direct(scores.subarray(b * N), (i, j) => sim[b * N * N + i * N + j], z, lambda, gamma, k);
        expect(expanded(q, b, z)).toBeCloseTo(want, 9);
      }
  });

  test('features input: cosine similarity', () => {
    const feats = new Float64Array(B * N * C).map(() => r() * 2 - 1);
    feats.fill(0, 2 * C, 3 * C); // an all-zero row has similarity 0
    const q = native.buildAttentionQubos({ batch: B, positions: N, scores, features: feats, channels: C, lambda, gamma, k });
    const cos = (b: number, i: number, j: number) => {
      let d = 0;
      let ni = 0;
      let nj = 0;
      for (let c = 0; c < C; c++) {
        const x = feats[(b * N + i) * C + c];
        const y = feats[(b * N + j) * C + c];
        d += x * y;
        ni += x * x;
        nj += y * y;
      }
      return ni > 0 && nj > 0 ? d / Math.sqrt(ni * nj) : 0;
    };
    for (let b = 0; b < B; b++)
      for (let t = 0; t < 30; t++) {
        const z = Array.from({ length: N }, () => (r() < 0.5 ? 1 : 0));
        expect(expanded(q, b, z)).toBeCloseTo(direct(scores.subarray(b * N), (i, j) => cos(b, i, j), z, lambda, gamma, k), 9);
      }
  });

  test('the QUBOs feed the samplers: SA finds the exact optimum', async () => {
    const sim = new Float64Array(N * N).map(() => r());
    const q = native.buildAttentionQubos({ batch: 1, positions: N, scores: scores.subarray(0, N), similarity: sim, lambda, gamma, k });
    const model = { numVariables: N, vartype: 'BINARY' as const, linear: q.linear, offset: q.offset[0], dense: q.dense };
    const ex = await native.exactSolve(model, { threads: 1, maxStates: 1 });
    const [sa] = await native.simulatedAnnealing([model], { numReads: 8, seed: 1, threads: 1, numSweeps: 200 });
    expect(Math.min(...sa.energies)).toBeCloseTo(ex.energies[0], 9);
  });

  test('bad input is rejected', () => {
    const sim = new Float64Array(B * N * N);
    const ok = { batch: B, positions: N, scores, similarity: sim, lambda, gamma, k };
    expectThrowsKind(() => native.buildAttentionQubos({ ...ok, similarity: new Float64Array(3) }), 'TypeError', /similarity/);
    expectThrowsKind(() => native.buildAttentionQubos({ ...ok, lambda: NaN }), 'RangeError', /lambda/);
    expectThrowsKind(() => native.buildAttentionQubos({ ...ok, batch: 0 }), 'RangeError', /batch/);
    expectThrowsKind(() => native.buildAttentionQubos({ ...ok, similarity: undefined }), 'TypeError');
    expectThrowsKind(() => native.buildAttentionQubos({ ...ok, features: new Float64Array(1), channels: 1 }), 'TypeError');
    const bad = Float64Array.from(scores);
    bad[4] = Infinity;
    expectThrowsKind(() => native.buildAttentionQubos({ ...ok, scores: bad }), 'RangeError', /input.scores\[4\] must be finite/);
    expectThrowsKind(() => native.buildAttentionQubos({ ...ok, batch: 1 << 20, positions: 1 << 10 }), 'RangeError', /too large/);
  });
});
