/**
 * The training network's hot kernels in qahan's native addon, run in place on the tfjs wasm heap.
 *
 * On the wasm backend a training step of the protocol's `deep` backbone spent about 70% of its time in
 * Conv2D, its two gradients and MaxPoolGrad (XNNPACK's forward is 128-bit wasm SIMD without FMA; the
 * gradients are compositions or scalar loops). The addon's versions (native/src/train_conv*.cc) use the
 * CPU's widest vectors and read and write the tensors where the wasm backend keeps them: no copies.
 *
 * Each function here returns null when its case is not covered (another data type or layout, a stride or
 * dilation above 1, no addon with these kernels, a heap that is not a plain ArrayBuffer); the caller then
 * runs the wasm path. QAHAN_NATIVE_TRAINING=0 turns them all off.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { addon } from '../native/addon';

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
export interface WasmHeapBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  wasm: { HEAPU8: Uint8Array };
}

type TrainingKernelOp = 'conv2d' | 'conv2dBackpropFilter' | 'conv2dBackpropInput' | 'maxPoolGrad';

interface TrainingKernelAddon {
  trainingKernel(op: TrainingKernelOp, heap: ArrayBuffer, offsets: [number, number, number], dims: number[]): void;
  sumRows?(heap: ArrayBuffer, offsets: [number, number], rows: number, cols: number): void;
  trainingKernelIsa?: string;
}

let resolved: TrainingKernelAddon | null | undefined;
let disabled = false;

/** Turns the native training kernels off (false) or back on, e.g. to time them against wasm in one run. */
export function setNativeTraining(enabled: boolean): void {
  disabled = !enabled;
}

/** The addon when it has the training kernels and they are not turned off, else null. */
export function nativeTrainingAddon(): TrainingKernelAddon | null {
  if (disabled) return null;
  if (resolved !== undefined) return resolved;
  resolved = null;
  if (process.env.QAHAN_NATIVE_TRAINING === '0') return resolved;
  try {
    const a = addon() as unknown as Partial<TrainingKernelAddon>;
    if (typeof a.trainingKernel === 'function') resolved = a as TrainingKernelAddon;
  } catch {
    // No addon: the wasm kernels do the work.
  }
  return resolved;
}

/** Which instruction set the native training kernels use, or null when they are not in use. */
export function nativeTrainingIsa(): string | null {
  return nativeTrainingAddon()?.trainingKernelIsa ?? null;
}

type Shape4 = [number, number, number, number];

interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}

function pair(v: unknown): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  return [NaN, NaN];
}

function isHeapBackend(b: unknown): b is WasmHeapBackend {
  const w = b as Partial<WasmHeapBackend> | null;
  return w != null && w.dataIdMap != null && typeof w.makeOutput === 'function' && w.wasm?.HEAPU8 != null;
}

/**
 * The wasm heap as an ArrayBuffer, or null (a SharedArrayBuffer under threads). Read it after allocating:
 * an allocation may grow the wasm memory, which replaces the buffer. Not `instanceof`: the memory may come
 * from another realm (jest, vm contexts).
 */
export function plainHeap(b: WasmHeapBackend): ArrayBuffer | null {
  const heap = b.wasm.HEAPU8.buffer;
  return Object.prototype.toString.call(heap) === '[object ArrayBuffer]' ? (heap as ArrayBuffer) : null;
}

/** Byte offsets of the tensors in the wasm heap, or null if one is not there. */
function offsets(b: WasmHeapBackend, ts: TensorInfo[]): number[] | null {
  const out: number[] = [];
  for (const t of ts) {
    const d = b.dataIdMap.get(t.dataId);
    if (d == null || typeof d.memoryOffset !== 'number') return null;
    out.push(d.memoryOffset);
  }
  return out;
}

/**
 * Runs `op` into a new float32 output of `outShape`. The heap is read after the output is allocated: the
 * allocation may grow the wasm memory, which replaces its ArrayBuffer.
 */
function runInto(
  native: TrainingKernelAddon,
  b: WasmHeapBackend,
  op: TrainingKernelOp,
  ins: [TensorInfo, TensorInfo],
  outShape: number[],
  dims: number[],
): TensorInfo | null {
  const out = b.makeOutput(outShape, 'float32');
  const offs = offsets(b, [ins[0], ins[1], out]);
  const heap = plainHeap(b);
  if (offs == null || heap == null) {
    (b as unknown as { disposeData(id: object): void }).disposeData(out.dataId);
    return null;
  }
  native.trainingKernel(op, heap, offs as [number, number, number], dims);
  return out;
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | number[][];
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** [n, h, w, ci, kh, kw, co, padTop, padLeft, oh, ow] for a stride-1, undilated NHWC convolution, else null. */
function convDims(xShape: Shape4, filterShape: Shape4, a: ConvAttrs): number[] | null {
  if (a.dataFormat != null && a.dataFormat !== 'NHWC' && a.dataFormat !== 'channelsLast') return null;
  const [sh, sw] = pair(a.strides);
  const [dh, dw] = pair(a.dilations ?? 1);
  if (sh !== 1 || sw !== 1 || dh !== 1 || dw !== 1) return null;
  if (Array.isArray(a.pad)) return null;
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, 1, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0 || top >= info.filterHeight || left >= info.filterWidth) return null;
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.outChannels, top, left, info.outHeight, info.outWidth];
}

function float32(...ts: TensorInfo[]): boolean {
  return ts.every((t) => t.dtype === 'float32' && t.shape.length === 4);
}

function context(args: KernelArgs): { native: TrainingKernelAddon; b: WasmHeapBackend } | null {
  const native = nativeTrainingAddon();
  if (native == null || !isHeapBackend(args.backend)) return null;
  return { native, b: args.backend };
}

/** Conv2D, or null. */
export function nativeConv2D(args: KernelArgs): TensorInfo | null {
  const c = context(args);
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  if (c == null || !float32(x, filter)) return null;
  const d = convDims(x.shape as Shape4, filter.shape as Shape4, args.attrs as unknown as ConvAttrs);
  if (d == null) return null;
  return runInto(c.native, c.b, 'conv2d', [x, filter], [d[0], d[9], d[10], d[6]], d);
}

/** Conv2DBackpropFilter (x, dy; attrs.filterShape), or null. */
export function nativeConv2DBackpropFilter(args: KernelArgs): TensorInfo | null {
  const c = context(args);
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: Shape4 };
  if (c == null || !float32(x, dy)) return null;
  const d = convDims(x.shape as Shape4, attrs.filterShape, attrs);
  if (d == null || dy.shape[1] !== d[9] || dy.shape[2] !== d[10] || dy.shape[3] !== d[6]) return null;
  return runInto(c.native, c.b, 'conv2dBackpropFilter', [x, dy], [...attrs.filterShape], d);
}

/** Conv2DBackpropInput (dy, filter; attrs.inputShape), or null. */
export function nativeConv2DBackpropInput(args: KernelArgs): TensorInfo | null {
  const c = context(args);
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: Shape4 };
  if (c == null || !float32(dy, filter)) return null;
  const d = convDims(attrs.inputShape, filter.shape as Shape4, attrs);
  if (d == null || dy.shape[1] !== d[9] || dy.shape[2] !== d[10] || dy.shape[3] !== d[6]) return null;
  return runInto(c.native, c.b, 'conv2dBackpropInput', [dy, filter], [...attrs.inputShape], d);
}

/** MaxPoolGrad (dy, input; NHWC), or null. */
export function nativeMaxPoolGrad(args: KernelArgs): TensorInfo | null {
  const c = context(args);
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const a = args.attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  if (c == null || !float32(dy, input) || typeof a.pad === 'object') return null;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { top, left } = info.padInfo;
  if (top < 0 || left < 0 || top >= info.filterHeight || left >= info.filterWidth) return null;
  const dims = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, top, left, info.outHeight, info.outWidth];
  return runInto(c.native, c.b, 'maxPoolGrad', [dy, input], [...input.shape], dims);
}

/**
 * Sum over every axis but the last (a bias gradient), or null. The wasm kernel moves the summed axes
 * innermost with a Transpose first; the native one streams the rows once, in the same order, so the sums
 * are the same to the bit.
 */
export function nativeSumLeading(args: KernelArgs): TensorInfo | null {
  const c = context(args);
  const x = args.inputs.x as TensorInfo;
  const a = args.attrs as unknown as { axis: number | number[]; keepDims?: boolean };
  const r = x.shape.length;
  if (c == null || c.native.sumRows == null || x.dtype !== 'float32' || r < 2) return null;
  // Leading axes in increasing order only: in another order the wasm kernel sums in another order.
  const axes = (Array.isArray(a.axis) ? a.axis : [a.axis]).map((v) => (v < 0 ? v + r : v));
  if (axes.length !== r - 1 || axes.some((v, i) => v !== i)) return null;
  const cols = x.shape[r - 1];
  const rows = x.shape.slice(0, r - 1).reduce((p, q) => p * q, 1);
  if (rows < 1 || cols < 1) return null;
  const out = c.b.makeOutput(a.keepDims ? [...Array(r - 1).fill(1), cols] : [cols], 'float32');
  const offs = offsets(c.b, [x, out]);
  const heap = plainHeap(c.b);
  if (offs == null || heap == null) {
    (c.b as unknown as { disposeData(id: object): void }).disposeData(out.dataId);
    return null;
  }
  c.native.sumRows(heap, offs as [number, number], rows, cols);
  return out;
}
