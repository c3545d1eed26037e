import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend';
import { FusedAdamOptimizer } from '../../src/train/fused-adam';
import { addon } from '../../src/native/addon';
import { seededData } from './seeded';

const data = (n: number, seed: number, scale = 1) => seededData(n, seed, { scale });

beforeAll(async () => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  expect((await initBackend('wasm')).backend).toBe('wasm');
});

/** Runs `steps` Adam steps with a changing learning rate; returns the variables' and the state's values. */
function train(make: (lr: number) => tf.AdamOptimizer, tag: string, steps: number, hold?: (vars: tf.Variable[]) => tf.Tensor[]): Float32Array[] {
  const shapes = [[3, 3, 2, 5], [7], [40, 3]];
  const vars = shapes.map((s, i) => tf.variable(tf.tensor(data(s.reduce((a, b) => a * b, 1), 10 + i, 0.5), s), true, `${tag}_${i}`));
  const held = hold ? hold(vars) : [];
  const opt = make(1e-2);
  // A matMul with a variable as its weights between steps: the wasm backend caches XNNPACK operators (with
  // packed weights) per weight tensor, so an update must reach them too.
  const probe = tf.tensor2d(data(5 * 40, 7), [5, 40]);
  const forward: Float32Array[] = [];
  for (let t = 0; t < steps; t++) {
    forward.push(tf.tidy(() => tf.matMul(probe, vars[2] as tf.Tensor2D).dataSync() as Float32Array));
    (opt as unknown as { learningRate: number }).learningRate = 1e-2 * (1 - t / (2 * steps));
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, i) => (grads[v.name] = tf.tensor(data(v.size, 100 * t + i, t % 3 === 0 ? 1e-3 : 2), v.shape)));
    opt.applyGradients(grads as unknown as tf.NamedTensorMap as never);
    tf.dispose(Object.values(grads));
  }
  forward.push(tf.tidy(() => tf.matMul(probe, vars[2] as tf.Tensor2D).dataSync() as Float32Array));
  probe.dispose();
  const out = [...forward, ...vars.map((v) => v.dataSync() as Float32Array)];
  const state = (opt as unknown as { accumulatedFirstMoment: { variable: tf.Variable }[]; accumulatedSecondMoment: { variable: tf.Variable }[] });
  for (const m of [...state.accumulatedFirstMoment, ...state.accumulatedSecondMoment]) out.push(m.variable.dataSync() as Float32Array);
  void held; // the caller disposes what it holds
  vars.forEach((v) => v.dispose());
  opt.dispose();
  return out;
}

test('the addon has the fused Adam step', () => {
  expect(typeof (addon() as unknown as { adamUpdate?: unknown }).adamUpdate).toBe('function');
});

test('fused Adam gives tfjs Adam\'s weights and moments bit for bit', () => {
  const ref = train((lr) => tf.train.adam(lr), 'ref', 12);
  const fused = train((lr) => new FusedAdamOptimizer(lr, 0.9, 0.999), 'fused', 12);
  expect(fused.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) expect(Array.from(fused[i])).toEqual(Array.from(ref[i]));
});

test('a variable whose memory another tensor shares is updated by tfjs arithmetic, with the same result', () => {
  const ref = train((lr) => tf.train.adam(lr), 'ref2', 5);
  // A reshape shares the variable's memory: writing in place would change it too.
  let view: tf.Tensor | undefined;
  let before: number[] = [];
  const fused = train(
    (lr) => new FusedAdamOptimizer(lr, 0.9, 0.999),
    'fused2',
    5,
    (vars) => {
      view = vars[1].reshape([7, 1]);
      before = Array.from(view.dataSync());
      return [view];
    },
  );
  for (let i = 0; i < ref.length; i++) expect(Array.from(fused[i])).toEqual(Array.from(ref[i]));
  // The view still holds the variable's initial values: nothing was written through shared memory.
  expect(before.length).toBe(7);
  expect(Array.from(view!.dataSync())).toEqual(before);
  view!.dispose();
});

test('getWeights lists the same state as tfjs Adam (checkpoints unchanged)', async () => {
  const v = tf.variable(tf.tensor1d([1, 2, 3]), true, 'gw_v');
  const a = tf.train.adam(1e-3);
  const b = new FusedAdamOptimizer(1e-3, 0.9, 0.999);
  a.applyGradients({ gw_v: tf.tensor1d([0.1, 0.2, 0.3]) } as unknown as tf.NamedTensorMap as never);
  v.assign(tf.tensor1d([1, 2, 3]));
  b.applyGradients({ gw_v: tf.tensor1d([0.1, 0.2, 0.3]) } as unknown as tf.NamedTensorMap as never);
  const wa = await a.getWeights();
  const wb = await b.getWeights();
  expect(wb.map((w) => w.name)).toEqual(wa.map((w) => w.name));
  for (let i = 0; i < wa.length; i++) expect(Array.from(wb[i].tensor.dataSync())).toEqual(Array.from(wa[i].tensor.dataSync()));
  v.dispose();
  a.dispose();
  b.dispose();
});

test('adamUpdate checks its arguments', () => {
  const k = addon() as unknown as { adamUpdate(h: unknown, o: unknown, n: unknown, s: unknown): void };
  const heap = new ArrayBuffer(80);
  const s = [0.9, 0.1, 0.999, 0.001, 0.1, 0.001, 1e-7, -1e-3];
  const name = (f: () => void) => {
    try {
      f();
    } catch (e) {
      return (e as Error).name;
    }
    return 'none';
  };
  expect(name(() => k.adamUpdate(heap, [0, 16, 32, 48, 64], 4, s))).toBe('none');
  expect(name(() => k.adamUpdate(heap, [0, 0, 32, 48, 64], 4, s))).toBe('none'); // weights updated in place
  expect(name(() => k.adamUpdate(heap, [0, 16, 32, 48, 64], 5, s))).toBe('RangeError'); // past the end / overlapping
  expect(name(() => k.adamUpdate(heap, [0, 16, 24, 48, 64], 4, s))).toBe('RangeError'); // overlapping
  expect(name(() => k.adamUpdate(heap, [0, 16, 32, 48], 4, s))).toBe('RangeError'); // four offsets
  expect(name(() => k.adamUpdate(heap, [0, 16, 32, 48, 64], 4, [1, 2]))).toBe('RangeError');
  expect(name(() => k.adamUpdate(heap, [0, 16, 32, 48, 64], 4, [...s.slice(0, 7), NaN]))).toBe('RangeError');
  expect(name(() => k.adamUpdate({}, [0, 16, 32, 48, 64], 4, s))).toBe('TypeError');
});
