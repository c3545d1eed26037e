import * as tf from '@tensorflow/tfjs';
import { currentBackend, describeBackend, initBackend, wasmBinaryDir } from '../../src/train/backend';
import * as fs from 'fs';
import * as path from 'path';

function tfjsNodeLoads(): boolean {
  try {
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}
const HAVE_TFJS_NODE = tfjsNodeLoads();

const savedEnv = process.env.QAHAN_TFJS_BACKEND;
beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined); // tfjs's "install tfjs-node" banner
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env.QAHAN_TFJS_BACKEND;
  else process.env.QAHAN_TFJS_BACKEND = savedEnv;
});

test('wasm binaries are found in the package dist folder', () => {
  const dir = wasmBinaryDir();
  expect(fs.existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
  expect(fs.existsSync(path.join(dir, 'tfjs-backend-wasm.wasm'))).toBe(true);
});

test('automatic choice: tfjs-node if it loads, else wasm (with reason)', async () => {
  delete process.env.QAHAN_TFJS_BACKEND;
  const info = await initBackend();
  if (HAVE_TFJS_NODE) {
    expect(info.backend).toBe('tensorflow');
  } else {
    expect(info.backend).toBe('wasm');
    expect(info.reason).toMatch(/tfjs-node/);
    expect(info.reason).toMatch(/SIMD, 1 thread/);
  }
  expect(tf.getBackend()).toBe(info.backend);
  expect(currentBackend()).toEqual(info);
  expect(describeBackend()).toContain(info.backend);
});

test('argument forces a backend', async () => {
  expect((await initBackend('cpu')).backend).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
  expect((await initBackend('wasm')).backend).toBe('wasm');
  expect(currentBackend().backend).toBe('wasm');
});

test('QAHAN_TFJS_BACKEND forces a backend; the argument wins over it', async () => {
  process.env.QAHAN_TFJS_BACKEND = 'cpu';
  const info = await initBackend();
  expect(info.backend).toBe('cpu');
  expect(info.reason).toMatch(/QAHAN_TFJS_BACKEND/);
  expect((await initBackend('wasm')).backend).toBe('wasm');
});

test('unknown backend names are rejected clearly', async () => {
  process.env.QAHAN_TFJS_BACKEND = 'webgpu';
  await expect(initBackend()).rejects.toThrow(/QAHAN_TFJS_BACKEND: unknown tfjs backend 'webgpu'/);
  await expect(initBackend('gpu' as never)).rejects.toThrow(/unknown tfjs backend 'gpu'/);
});

(HAVE_TFJS_NODE ? test.skip : test)('forcing tensorflow without a working tfjs-node is a clear error', async () => {
  process.env.QAHAN_TFJS_BACKEND = 'tensorflow';
  await expect(initBackend()).rejects.toThrow(/tfjs backend 'tensorflow' \(forced by QAHAN_TFJS_BACKEND\) is not available: @tensorflow\/tfjs-node/);
  delete process.env.QAHAN_TFJS_BACKEND;
  await expect(initBackend('tensorflow')).rejects.toThrow(/not available/);
  // a failed forced init leaves a usable backend behind
  expect((await initBackend('wasm')).backend).toBe('wasm');
});

test('currentBackend notices a change made outside initBackend', async () => {
  await initBackend('wasm');
  await tf.setBackend('cpu');
  expect(currentBackend()).toEqual({ backend: 'cpu', reason: 'changed outside initBackend (was wasm)' });
  await tf.setBackend('wasm');
});

test('a conv training step runs on the chosen backend', async () => {
  await initBackend('wasm');
  const x = tf.randomNormal([4, 12, 12, 1]);
  const w = tf.variable(tf.randomNormal([3, 3, 1, 2]));
  const { value, grads } = tf.variableGrads(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same').square().mean() as tf.Scalar);
  expect(Number.isFinite((await value.data())[0])).toBe(true);
  expect(Object.values(grads)[0].shape).toEqual([3, 3, 1, 2]);
});
