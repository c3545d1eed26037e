import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend';
import { wasmTrainingKernelsRegistered } from '../../src/train/wasm-kernels';
import { relativeError, seededData } from './seeded';

const REL_TOL = 1e-5;

type Arr = Float32Array | Int32Array | Uint8Array;

const relErr = relativeError;
const data = (n: number, seed: number) => seededData(n, seed);

interface Res {
  values: Arr[];
  shapes: number[][];
}

/** Runs fn on a backend, returns the outputs' values and shapes. */
async function on(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Res> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const list = Array.isArray(outs) ? outs : [outs];
  const values = list.map((t) => t.dataSync() as Arr);
  const shapes = list.map((t) => t.shape);
  tf.dispose(list);
  return { values, shapes };
}

async function compare(fn: () => tf.Tensor | tf.Tensor[], tol = REL_TOL): Promise<void> {
  const w = await on('wasm', fn);
  const c = await on('cpu', fn);
  expect(w.shapes).toEqual(c.shapes);
  for (let i = 0; i < w.values.length; i++) {
    expect(relErr(w.values[i], c.values[i])).toBeLessThan(tol);
  }
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

beforeAll(async () => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined); // tfjs's "install tfjs-node" banner
  const info = await initBackend('wasm');
  expect(info.backend).toBe('wasm');
  expect(wasmTrainingKernelsRegistered()).toBe(true);
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

// [N, H, W, ci, fh, fw, co]
const convShapes: Array<[number, number, number, number, number, number, number]> = [
  [2, 8, 8, 1, 5, 5, 6],
  [3, 9, 7, 3, 3, 3, 4],
  [4, 28, 28, 1, 5, 5, 6],
  [2, 14, 14, 6, 5, 5, 16],
  [1, 5, 5, 2, 1, 1, 3],
  [2, 10, 11, 3, 2, 2, 5],
  [2, 6, 6, 4, 4, 4, 1],
];
const convCases = convShapes.flatMap((shape) =>
  [1, 2].flatMap((stride) => (['same', 'valid'] as const).map((pad) => ({ shape, stride, pad }))),
);

describe('wasm Conv2DBackpropFilter / Conv2DBackpropInput match cpu', () => {
  test.each(convCases)('%j', async ({ shape, stride, pad }) => {
    const [n, h, w, ci, fh, fw, co] = shape;
    const xShape: [number, number, number, number] = [n, h, w, ci];
    const fShape: [number, number, number, number] = [fh, fw, ci, co];
    const outShape = tf.backend_util.computeConv2DInfo(xShape, fShape, stride, 1, pad).outShape;
    const xv = data(n * h * w * ci, 11);
    const fv = data(fh * fw * ci * co, 12);
    const dyv = data(outShape.reduce((a, b) => a * b, 1), 13);
    await compare(() => {
      const x = tf.tensor4d(xv, xShape);
      const f = tf.tensor4d(fv, fShape);
      const dy = tf.tensor4d(dyv, outShape as [number, number, number, number]);
      return [
        run('Conv2DBackpropFilter', { x, dy }, { strides: stride, pad, dataFormat: 'NHWC', filterShape: fShape }),
        run('Conv2DBackpropInput', { dy, filter: f }, { strides: stride, pad, dataFormat: 'NHWC', inputShape: xShape }),
        // and through the public gradient API
        ...(() => {
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad).mul(dy).sum());
          return g([x, f]);
        })(),
      ];
    });
  });

  const explicit: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [1, 2],
    [2, 0],
    [0, 0],
  ];
  test.each([
    { format: 'NHWC' as const, pad: explicit, stride: 1 },
    { format: 'NHWC' as const, pad: explicit, stride: 2 },
    { format: 'NCHW' as const, pad: 'same' as const, stride: 2 },
    { format: 'NCHW' as const, pad: 'valid' as const, stride: 1 },
  ])('explicit padding / data format %j', async ({ format, pad, stride }) => {
    const xShape: [number, number, number, number] = format === 'NHWC' ? [2, 9, 8, 3] : [2, 3, 9, 8];
    const fShape: [number, number, number, number] = [3, 3, 3, 4];
    const info = tf.backend_util.computeConv2DInfo(
      xShape,
      fShape,
      stride,
      1,
      pad,
      undefined,
      false,
      format === 'NHWC' ? 'channelsLast' : 'channelsFirst',
    );
    const xv = data(2 * 3 * 9 * 8, 21);
    const fv = data(3 * 3 * 3 * 4, 22);
    const dyv = data(info.outShape.reduce((a, b) => a * b, 1), 23);
    const attrs = { strides: stride, pad, dataFormat: format };
    // The cpu backend has no NCHW conv backprop: compare NCHW on wasm against NHWC on cpu.
    const toNHWC = (t: tf.Tensor) => (format === 'NCHW' ? t.transpose([0, 2, 3, 1]) : t);
    const w = await on('wasm', () => {
      const x = tf.tensor4d(xv, xShape);
      const dy = tf.tensor4d(dyv, info.outShape as [number, number, number, number]);
      const f = tf.tensor4d(fv, fShape);
      return [
        run('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: fShape }),
        toNHWC(run('Conv2DBackpropInput', { dy, filter: f }, { ...attrs, inputShape: xShape })),
      ];
    });
    const c = await on('cpu', () => {
      const x = toNHWC(tf.tensor4d(xv, xShape)) as tf.Tensor4D;
      const dy = toNHWC(tf.tensor4d(dyv, info.outShape as [number, number, number, number]));
      const f = tf.tensor4d(fv, fShape);
      return [
        run('Conv2DBackpropFilter', { x, dy }, { strides: stride, pad, dataFormat: 'NHWC', filterShape: fShape }),
        run('Conv2DBackpropInput', { dy, filter: f }, { strides: stride, pad, dataFormat: 'NHWC', inputShape: x.shape }),
      ];
    });
    expect(w.shapes).toEqual(c.shapes);
    for (let i = 0; i < 2; i++) expect(relErr(w.values[i], c.values[i])).toBeLessThan(REL_TOL);
  });
});

describe('wasm BatchMatMul / _FusedMatMul with transposes match cpu', () => {
  const cases: Array<{ a: number[]; b: number[]; tA: boolean; tB: boolean }> = [];
  for (const [m, k, n] of [
    [64, 120, 84],
    [7, 1, 5],
    [1, 9, 3],
    [33, 17, 1],
  ]) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        cases.push({ a: tA ? [k, m] : [m, k], b: tB ? [n, k] : [k, n], tA, tB });
        cases.push({ a: tA ? [3, k, m] : [3, m, k], b: tB ? [3, n, k] : [3, k, n], tA, tB });
      }
    }
  }
  test.each(cases)('%j', async ({ a, b, tA, tB }) => {
    const av = data(a.reduce((x, y) => x * y, 1), 31);
    const bv = data(b.reduce((x, y) => x * y, 1), 32);
    await compare(() => {
      const ta = tf.tensor(av, a);
      const tb = tf.tensor(bv, b);
      const out = [tf.matMul(ta, tb, tA, tB)];
      if (a.length === 2) {
        const n = tB ? b[0] : b[1];
        const bias = tf.tensor1d(data(n, 33));
        out.push(tf.fused.matMul({ a: ta as tf.Tensor2D, b: tb as tf.Tensor2D, transposeA: tA, transposeB: tB, bias, activation: 'relu' }));
      }
      return out;
    });
  });
});

describe('a LeNet-size training step on wasm matches cpu', () => {
  test('gradients of conv/pool/dense/sigmoid/softmax-xent model', async () => {
    const batch = 8;
    const xv = data(batch * 28 * 28, 41).map((v) => (v + 1) / 2);
    const labels = Array.from({ length: batch }, (_, i) => i % 10);
    const shapes: Record<string, number[]> = {
      c1: [5, 5, 1, 6],
      b1: [6],
      c2: [5, 5, 6, 16],
      b2: [16],
      d1: [7 * 7 * 16, 32],
      e1: [32],
      d2: [32, 10],
      e2: [10],
    };
    const init = Object.fromEntries(
      Object.entries(shapes).map(([k, s], i) => [k, data(s.reduce((a, b) => a * b, 1), 100 + i).map((v) => v * 0.3)]),
    );
    const step = () => {
      const vars = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, tf.variable(tf.tensor(init[k], s), true, `lenet_${k}`)]));
      const x = tf.tensor4d(xv, [batch, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
      const f = () => {
        let h = tf.relu(tf.conv2d(x, vars.c1 as tf.Tensor4D, 1, 'same').add(vars.b1)) as tf.Tensor4D;
        h = tf.maxPool(h, 2, 2, 'valid');
        h = tf.sigmoid(tf.conv2d(h, vars.c2 as tf.Tensor4D, 1, 'same').add(vars.b2)) as tf.Tensor4D;
        h = tf.avgPool(h, 2, 2, 'valid');
        const flat = h.reshape([batch, -1]) as tf.Tensor2D;
        const d = tf.relu(tf.matMul(flat, vars.d1 as tf.Tensor2D).add(vars.e1)) as tf.Tensor2D;
        const logits = tf.matMul(d, vars.d2 as tf.Tensor2D).add(vars.e2);
        return tf.losses.softmaxCrossEntropy(y, logits).mean() as tf.Scalar;
      };
      const { value, grads } = tf.variableGrads(f);
      const out = [value, ...Object.keys(shapes).map((k) => grads[`lenet_${k}`])];
      Object.values(vars).forEach((v) => v.dispose());
      return out;
    };
    await compare(step, 1e-4);
  });

  test('tf.layers model trains on wasm without missing kernels', async () => {
    await tf.setBackend('wasm');
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, strides: 2, activation: 'relu' }));
    m.add(tf.layers.averagePooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    m.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
    const x = tf.tensor4d(data(16 * 28 * 28, 51), [16, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), 'int32'), 10);
    const before = tf.memory().numTensors;
    const l0 = (await m.trainOnBatch(x, y)) as number;
    let l = l0;
    for (let i = 0; i < 15; i++) l = (await m.trainOnBatch(x, y)) as number;
    expect(Number.isFinite(l)).toBe(true);
    expect(l).toBeLessThan(l0);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 20); // no per-step leak
    tf.dispose([x, y]);
    m.dispose();
  });
});
