import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend';
import { nativeTrainingIsa, setNativeTraining } from '../../src/train/native-kernels';
import { addon } from '../../src/native/addon';
import { relativeError, seededData } from './seeded';

const data = (n: number, seed: number, levels = 0) => seededData(n, seed, { levels });

async function values(backend: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const v = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return v;
}

const maxRelErr = relativeError;

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

beforeAll(async () => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  expect((await initBackend('wasm')).backend).toBe('wasm');
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

test('the native training kernels are in use with the built addon', () => {
  expect(['avx512', 'avx2', 'portable']).toContain(nativeTrainingIsa());
});

describe('native Conv2D matches cpu', () => {
  // [N, H, W, ci, fh, fw, co]: channel counts below, at and above a vector, odd sizes, 1x1 filters.
  const shapes: Array<[number, number, number, number, number, number, number]> = [
    [2, 7, 9, 1, 3, 3, 32],
    [3, 6, 5, 5, 3, 3, 17],
    [1, 5, 5, 16, 1, 1, 3],
    [2, 8, 6, 33, 2, 4, 64],
    [1, 4, 4, 2, 4, 4, 8],
  ];
  test.each(shapes.flatMap((shape) => (['same', 'valid'] as const).map((pad) => ({ shape, pad }))))('%j', async ({ shape, pad }) => {
    const [n, h, w, ci, fh, fw, co] = shape;
    const xv = data(n * h * w * ci, 5);
    const fv = data(fh * fw * ci * co, 6);
    const fn = () => [tf.conv2d(tf.tensor4d(xv, [n, h, w, ci]), tf.tensor4d(fv, [fh, fw, ci, co]), 1, pad)];
    const [a] = await values('wasm', fn);
    const [b] = await values('cpu', fn);
    expect(maxRelErr(a, b)).toBeLessThan(1e-5);
  });
});

describe('native MaxPoolGrad matches cpu, ties included', () => {
  const cases = [
    { shape: [2, 8, 6, 5], size: 2, stride: 2, pad: 'valid' as const },
    { shape: [1, 7, 7, 3], size: 2, stride: 2, pad: 'valid' as const },
    { shape: [2, 7, 9, 4], size: 3, stride: 2, pad: 'same' as const },
    { shape: [1, 6, 6, 19], size: 3, stride: 1, pad: 'same' as const },
  ];
  test.each(cases)('%j', async ({ shape, size, stride, pad }) => {
    const [n, h, w, c] = shape;
    // Values from {0, 1, 2}: most windows hold a tie, which the first maximum must win.
    const xv = data(n * h * w * c, 7, 3);
    const fn = () => {
      const x = tf.tensor4d(xv, [n, h, w, c]);
      const y = tf.maxPool(x, size, stride, pad);
      const dy = tf.tensor4d(data(y.size, 8), y.shape as [number, number, number, number]);
      return [run('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: size, strides: stride, pad })];
    };
    const [a] = await values('wasm', fn);
    const [b] = await values('cpu', fn);
    expect(maxRelErr(a, b)).toBeLessThan(1e-6);
  });
});

describe('native Sum over all but the last axis equals the wasm kernel bit for bit', () => {
  const cases = [
    { shape: [4, 7, 5, 33], axis: [0, 1, 2], keepDims: false },
    { shape: [4, 7, 5, 33], axis: [0, 1, 2], keepDims: true },
    { shape: [4, 7, 5, 33], axis: [2, 0, 1], keepDims: false }, // another order: the wasm kernel's case
    { shape: [300, 1500], axis: [0], keepDims: false },
    { shape: [3, 6, 2], axis: [-3, -2], keepDims: false },
    { shape: [3, 6, 2], axis: [1, 2], keepDims: false }, // not a leading-axes sum: the wasm kernel's case
  ];
  test.each(cases)('%j', async ({ shape, axis, keepDims }) => {
    const xv = data(shape.reduce((p, q) => p * q, 1), 9);
    const fn = () => [tf.sum(tf.tensor(xv, shape), axis, keepDims)];
    const [a] = await values('wasm', fn);
    setNativeTraining(false);
    let b: Float32Array;
    try {
      [b] = await values('wasm', fn);
    } finally {
      setNativeTraining(true);
    }
    expect(Array.from(a)).toEqual(Array.from(b));
    const [c] = await values('cpu', fn);
    expect(maxRelErr(a, c)).toBeLessThan(1e-5);
  });
});

describe('trainingKernel checks its arguments', () => {
  const k = () => addon() as unknown as { trainingKernel(op: unknown, heap: unknown, offsets: unknown, dims: unknown): void };
  const dims = [1, 4, 4, 2, 3, 3, 4, 1, 1, 4, 4]; // x 32 floats, filter 72, out 64
  const heap = new ArrayBuffer(4 * (32 + 72 + 64));

  test('a valid call writes the output', () => {
    const f = new Float32Array(heap);
    f.fill(1, 0, 32 + 72);
    k().trainingKernel('conv2d', heap, [0, 128, 416], dims);
    // The centre pixels see 3 x 3 x 2 ones.
    expect(f[104 + (1 * 4 + 1) * 4]).toBe(18);
  });
  test.each([
    ['an unknown op', ['conv3d', heap, [0, 128, 416], dims], RangeError],
    ['a heap that is not an ArrayBuffer', ['conv2d', new Float32Array(10), [0, 128, 416], dims], TypeError],
    ['a tensor past the end', ['conv2d', heap, [0, 128, 420], dims], RangeError],
    ['an unaligned offset', ['conv2d', heap, [2, 128, 416], dims], RangeError],
    ['an output overlapping an input', ['conv2d', heap, [0, 128, 100], dims], RangeError],
    ['a pad as large as the filter', ['conv2d', heap, [0, 128, 416], [1, 4, 4, 2, 3, 3, 4, 3, 1, 4, 4]], RangeError],
    ['a zero size', ['conv2d', heap, [0, 128, 416], [0, 4, 4, 2, 3, 3, 4, 1, 1, 4, 4]], RangeError],
    ['too few dims', ['conv2d', heap, [0, 128, 416], [1, 4, 4]], RangeError],
    ['a non-integer dim', ['maxPoolGrad', heap, [0, 128, 416], [1, 4, 4, 2, 2, 2, 2, 2, 0, 0, 2.5, 2]], RangeError],
  ])('%s', (_what, args, type) => {
    const [op, h, offs, d] = args as [unknown, unknown, unknown, unknown];
    // By name: the addon's errors come from Node's realm, not jest's.
    let thrown: unknown;
    try {
      k().trainingKernel(op, h, offs, d);
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Error | undefined)?.name).toBe((type as ErrorConstructor).name);
  });
});
