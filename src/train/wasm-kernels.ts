/**
 * Training kernels for the TensorFlow.js wasm backend.
 *
 * The stock `@tensorflow/tfjs-backend-wasm` (4.22) can run a CNN forward pass
 * fast (XNNPACK) but cannot train one: it has no `Conv2DBackpropFilter`
 * kernel (tfjs issue 8474), and its `Conv2DBackpropInput` and transposed
 * `BatchMatMul` are slow scalar loops. This module registers replacements that
 * are expressed as compositions of the fast wasm forward kernels:
 *
 *  - Conv2DBackpropFilter: dW is itself a convolution. With the batch
 *    dimension used as the channel dimension,
 *      dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[n,oh,ow,co]
 *    is `conv2d(xT, dyT)` where xT = x transposed to [ci,H,W,N] (ci is the
 *    "batch", N the "channels"), dyT = dy transposed to [OH,OW,N,co] (the
 *    "filter"), with the forward stride used as the dilation and the forward
 *    padding kept. The [ci,fh,fw,co] result is transposed to [fh,fw,ci,co].
 *  - Conv2DBackpropInput: dx is a stride-1 convolution of dy (zero-dilated by
 *    the stride when the stride is > 1, and padded by fh-1-pad) with the
 *    spatially flipped, in/out-transposed filter.
 *  - BatchMatMul / _FusedMatMul with transposeA/transposeB: transpose the
 *    operands explicitly with the wasm Transpose kernel, then call the fast
 *    non-transposed matmul.
 *
 * Everything stays inside the wasm heap (no reads back to JS).
 *
 * Where qahan's native addon is loaded, Conv2D, both convolution gradients, MaxPoolGrad and bias-gradient
 * Sums run natively on the wasm heap instead (./native-kernels), and the compositions above serve the
 * cases it does not cover.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { nativeConv2D, nativeConv2DBackpropFilter, nativeConv2DBackpropInput, nativeMaxPoolGrad, nativeSumLeading } from './native-kernels';

const WASM = 'wasm';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];
type PadAttr = 'valid' | 'same' | number | ExplicitPad;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** The parts of the wasm backend object these kernels use. */
interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

/** Names of the kernels this module registers (or replaces) on the wasm backend. */
export const WASM_TRAINING_KERNELS = [
  'Conv2D',
  'MaxPoolGrad',
  'Sum',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  '_FusedMatMul',
] as const;

/** Stock wasm kernels we replace, kept so that we can call them and restore them. */
const originals = new Map<string, KernelConfig>();
let installed = false;

function stockKernel(name: string): KernelFunc {
  const cfg = originals.get(name) ?? tf.getKernel(name, WASM);
  if (cfg == null) throw new Error(`qahan wasm kernels: wasm backend has no '${name}' kernel`);
  return cfg.kernelFunc;
}

function run(name: string, backend: WasmBackendLike, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const out = stockKernel(name)({ inputs, backend: backend as never, attrs });
  if (Array.isArray(out)) throw new Error(`qahan wasm kernels: '${name}' returned several outputs`);
  return out;
}

/** Disposes intermediate tensors created inside a kernel. */
class Scratch {
  private readonly held: TensorInfo[] = [];
  constructor(private readonly backend: WasmBackendLike) {}
  keep(t: TensorInfo): TensorInfo {
    this.held.push(t);
    return t;
  }
  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    return this.keep(run(name, this.backend, inputs, attrs));
  }
  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }
  /** Dispose everything held except `result` (which the caller returns). */
  done(result?: TensorInfo): void {
    for (const t of this.held) {
      if (t !== result) this.backend.disposeData(t.dataId);
    }
    this.held.length = 0;
  }
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function isNCHW(dataFormat: unknown): boolean {
  return dataFormat === 'NCHW';
}

/** Explicit NCHW paddings reordered to NHWC. */
function padToNHWC(pad: PadAttr, nchw: boolean): PadAttr {
  return nchw && Array.isArray(pad) ? [pad[0], pad[2], pad[3], pad[1]] : pad;
}

interface ConvGeom {
  n: number;
  h: number;
  w: number;
  ci: number;
  fh: number;
  fw: number;
  co: number;
  oh: number;
  ow: number;
  sh: number;
  sw: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

function convGeometry(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: PadAttr,
  rounding: Rounding,
): ConvGeom {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, rounding, false, 'channelsLast');
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    ci: info.inChannels,
    fh: info.filterHeight,
    fw: info.filterWidth,
    co: info.outChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    top: info.padInfo.top,
    bottom: info.padInfo.bottom,
    left: info.padInfo.left,
    right: info.padInfo.right,
  };
}

function explicitPad(top: number, bottom: number, left: number, right: number): ExplicitPad {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

type Shape4 = [number, number, number, number];

/** The attributes both convolution gradients share. */
interface ConvBackpropAttrs {
  strides: number | [number, number];
  pad: PadAttr;
  dataFormat?: string;
  dimRoundingMode?: Rounding;
}

/**
 * dW of a 2-D convolution (NHWC). x: [N,H,W,ci], dy: [N,OH,OW,co] → [fh,fw,ci,co].
 * Exported for tests and benchmarks; registered as the wasm `Conv2DBackpropFilter`.
 */
function conv2DBackpropFilter(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const attrs = (args.attrs ?? {}) as unknown as ConvBackpropAttrs & { filterShape: Shape4 };
  const s = new Scratch(backend);
  let x = args.inputs.x as TensorInfo;
  let dy = args.inputs.dy as TensorInfo;
  if (isNCHW(attrs.dataFormat)) {
    x = s.transpose(x, [0, 2, 3, 1]);
    dy = s.transpose(dy, [0, 2, 3, 1]);
  }
  const pad = padToNHWC(attrs.pad, isNCHW(attrs.dataFormat));
  const g = convGeometry(x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, pad, attrs.dimRoundingMode);
  // [ci, H, W, N]: input channels become the batch, the batch becomes the channels.
  const xT = s.transpose(x, [3, 1, 2, 0]);
  const out = conv2DBackpropFilterCore(backend, xT, dy, g);
  s.done();
  return out;
}

function conv2DBackpropFilterCore(backend: WasmBackendLike, xT: TensorInfo, dy: TensorInfo, g: ConvGeom): TensorInfo {
  const s = new Scratch(backend);
  // [OH, OW, N, co]: the output gradient is the filter.
  const dyT = s.transpose(dy, [1, 2, 0, 3]);
  const conv = s.run(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      dilations: [g.sh, g.sw],
      pad: explicitPad(g.top, g.bottom, g.left, g.right),
      dataFormat: 'NHWC',
    },
  );
  // conv: [ci, fh', fw', co] with fh' >= fh (extra rows come from input pixels no output used).
  let k = conv;
  if (conv.shape[1] !== g.fh || conv.shape[2] !== g.fw) {
    k = s.slice(conv, [0, 0, 0, 0], [g.ci, g.fh, g.fw, g.co]);
  }
  const result = g.ci === 1 ? s.reshape(k, [g.fh, g.fw, 1, g.co]) : s.transpose(k, [1, 2, 0, 3]);
  s.done(result);
  return result;
}

/**
 * dx of a 2-D convolution (NHWC). dy: [N,OH,OW,co], filter: [fh,fw,ci,co] → [N,H,W,ci].
 */
function conv2DBackpropInput(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const attrs = (args.attrs ?? {}) as unknown as ConvBackpropAttrs & { inputShape: Shape4 };
  const nchw = isNCHW(attrs.dataFormat);
  const s = new Scratch(backend);
  let dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  let inputShape = attrs.inputShape;
  if (nchw) {
    dy = s.transpose(dy, [0, 2, 3, 1]);
    inputShape = [inputShape[0], inputShape[2], inputShape[3], inputShape[1]];
  }
  const pad = padToNHWC(attrs.pad, nchw);
  const g = convGeometry(inputShape, filter.shape as [number, number, number, number], attrs.strides, pad, attrs.dimRoundingMode);

  // Rows of (possibly dilated) dy used, and the stride-1 "full" convolution padding.
  const plan = (size: number, out: number, f: number, stride: number, padBefore: number) => {
    const used = (out - 1) * stride + 1; // zero-dilated dy without trailing zeros
    const before = f - 1 - padBefore;
    const afterNoTrail = size + f - 1 - used - before;
    const trail = Math.max(0, Math.min(stride - 1, afterNoTrail));
    return { before, after: afterNoTrail - trail, rows: used + trail };
  };
  const ph = plan(g.h, g.oh, g.fh, g.sh, g.top);
  const pw = plan(g.w, g.ow, g.fw, g.sw, g.left);
  if (ph.before < 0 || ph.after < 0 || pw.before < 0 || pw.after < 0 || g.ci === 0) {
    // Padding larger than the filter: not expressible this way; use the stock kernel.
    s.done();
    const stock = originals.get('Conv2DBackpropInput');
    if (stock == null) throw new Error('qahan wasm kernels: unsupported Conv2DBackpropInput padding');
    const out = stock.kernelFunc({ inputs: args.inputs, backend: backend as never, attrs: args.attrs ?? {} });
    return out as TensorInfo;
  }

  let dyd = dy;
  if (g.sh > 1 || g.sw > 1) {
    // Zero-dilate: [N,OH,1,OW,1,co] padded to [N,OH,sh,OW,sw,co], then cut trailing zeros.
    const r = s.reshape(dy, [g.n, g.oh, 1, g.ow, 1, g.co]);
    const p = s.run(
      'PadV2',
      { x: r },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, g.sh - 1],
          [0, 0],
          [0, g.sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    const full = s.reshape(p, [g.n, g.oh * g.sh, g.ow * g.sw, g.co]);
    dyd = ph.rows === g.oh * g.sh && pw.rows === g.ow * g.sw ? full : s.slice(full, [0, 0, 0, 0], [g.n, ph.rows, pw.rows, g.co]);
  }
  // Filter flipped in space, in/out channels swapped: [fh,fw,co,ci].
  const flipped = g.fh === 1 && g.fw === 1 ? filter : s.run('Reverse', { x: filter }, { dims: [0, 1] });
  const wT = g.ci === 1 || g.co === 1 ? s.reshape(flipped, [g.fh, g.fw, g.co, g.ci]) : s.transpose(flipped, [0, 1, 3, 2]);
  let dx = s.run(
    'Conv2D',
    { x: dyd, filter: wT },
    { strides: [1, 1], dilations: [1, 1], pad: explicitPad(ph.before, ph.after, pw.before, pw.after), dataFormat: 'NHWC' },
  );
  if (nchw) dx = s.transpose(dx, [0, 3, 1, 2]);
  s.done(dx);
  return dx;
}

function swapLast2(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return perm;
}

/** Transposes whichever operand is marked transposed, then calls the stock kernel without transposes. */
function untransposedMatMul(name: 'BatchMatMul' | '_FusedMatMul'): KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmBackendLike;
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean } & NamedAttrMap;
    if (!attrs.transposeA && !attrs.transposeB) {
      return stockKernel(name)(args);
    }
    const s = new Scratch(backend);
    const inputs = { ...args.inputs };
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    if (attrs.transposeA) inputs.a = isVector2(a) ? s.reshape(a, swapShape(a.shape)) : s.transpose(a, swapLast2(a.shape.length));
    if (attrs.transposeB) inputs.b = isVector2(b) ? s.reshape(b, swapShape(b.shape)) : s.transpose(b, swapLast2(b.shape.length));
    const out = stockKernel(name)({
      inputs,
      backend: args.backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    s.done();
    return out;
  };
}

/** True when swapping the last two dims is a pure reshape (one of them is 1). */
function isVector2(t: TensorInfo): boolean {
  const r = t.shape.length;
  return t.shape[r - 1] === 1 || t.shape[r - 2] === 1;
}

function swapShape(shape: number[]): number[] {
  const out = shape.slice();
  const r = shape.length;
  out[r - 1] = shape[r - 2];
  out[r - 2] = shape[r - 1];
  return out;
}

type KernelArgs = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };

/** The native kernel where it covers the case, else `fallback`. */
function nativeFirst(native: (a: KernelArgs) => TensorInfo | null, fallback: (a: KernelArgs) => TensorInfo): KernelFunc {
  return ((args: KernelArgs) => native(args) ?? fallback(args)) as unknown as KernelFunc;
}

/** The stock wasm kernel `name`. */
function stock(name: string): (a: KernelArgs) => TensorInfo {
  return (args) => run(name, args.backend as WasmBackendLike, args.inputs, args.attrs ?? {});
}

const replacements: Record<(typeof WASM_TRAINING_KERNELS)[number], KernelFunc> = {
  Conv2D: nativeFirst(nativeConv2D, stock('Conv2D')),
  MaxPoolGrad: nativeFirst(nativeMaxPoolGrad, stock('MaxPoolGrad')),
  Sum: nativeFirst(nativeSumLeading, stock('Sum')),
  Conv2DBackpropFilter: nativeFirst(nativeConv2DBackpropFilter, conv2DBackpropFilter),
  Conv2DBackpropInput: nativeFirst(nativeConv2DBackpropInput, conv2DBackpropInput),
  BatchMatMul: untransposedMatMul('BatchMatMul'),
  _FusedMatMul: untransposedMatMul('_FusedMatMul'),
};

/**
 * Registers the training kernels on the 'wasm' backend. Idempotent. Must be
 * called after `@tensorflow/tfjs-backend-wasm` has been imported (its kernels
 * registered); it may be called before or after the backend is initialised —
 * the stock kernels' setup functions are carried over.
 */
export function registerWasmTrainingKernels(): void {
  if (installed) return;
  if (tf.getKernel('Conv2D', WASM) == null) {
    throw new Error('qahan wasm kernels: @tensorflow/tfjs-backend-wasm is not loaded (no wasm Conv2D kernel)');
  }
  for (const name of WASM_TRAINING_KERNELS) {
    const stock = tf.getKernel(name, WASM);
    if (stock != null) {
      originals.set(name, stock);
      tf.unregisterKernel(name, WASM);
    }
    tf.registerKernel({
      kernelName: name,
      backendName: WASM,
      setupFunc: stock?.setupFunc,
      disposeFunc: stock?.disposeFunc,
      kernelFunc: replacements[name],
    });
  }
  installed = true;
}

/** Restores the stock wasm kernels (mainly for tests and benchmarks). */
export function unregisterWasmTrainingKernels(): void {
  if (!installed) return;
  for (const name of WASM_TRAINING_KERNELS) {
    tf.unregisterKernel(name, WASM);
    const stock = originals.get(name);
    if (stock != null) tf.registerKernel(stock);
  }
  originals.clear();
  installed = false;
}

/** Whether `registerWasmTrainingKernels` is in effect. */
export function wasmTrainingKernelsRegistered(): boolean {
  return installed;
}
