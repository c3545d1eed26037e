/**
 * Adam with one native call per variable on the wasm backend.
 *
 * tfjs's AdamOptimizer runs about fifteen small kernels per variable and step; on the `deep` backbone
 * that was about a sixth of a training step. This subclass keeps tfjs's state (the same moment variables,
 * bias-correction scalars and iteration count, so getWeights / setWeights and checkpoints are unchanged)
 * and does the arithmetic in the addon (native/src/train_adam.cc) with tfjs's float32 roundings on the wasm
 * heap: the moments in place, the weights into a new tensor assigned to the variable as tfjs does (the wasm
 * backend caches XNNPACK operators, with packed copies of the weights, by tensor: weights changed in place
 * would be used stale). Where that is not possible (another backend, no addon, a moment whose memory is
 * shared with another tensor) it does what tfjs does.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeTrainingAddon, plainHeap, type WasmHeapBackend } from './native-kernels';

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

interface AdamAddon {
  adamUpdate(heap: ArrayBuffer, offsets: [number, number, number, number, number], n: number, scalars: number[]): void;
}

/** tfjs AdamOptimizer's fields this class reads (they are private in its typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}

type HeapEntry = { memoryOffset: number; refCount?: number };

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    const native = nativeTrainingAddon() as unknown as Partial<AdamAddon> | null;
    const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmHeapBackend) : null;
    if (native?.adamUpdate == null || backend == null) return super.applyGradients(variableGradients);
    const self = this as unknown as AdamState;
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: (variableGradients as Record<string, tf.Tensor>)[name] }));
    // As tfjs: 1 - beta^t from the float32 accumulators, then beta^t advanced once for all variables.
    const oneMinusAcc1 = Math.fround(1 - self.accBeta1.dataSync()[0]);
    const oneMinusAcc2 = Math.fround(1 - self.accBeta2.dataSync()[0]);
    const scalars = [self.beta1, 1 - self.beta1, self.beta2, 1 - self.beta2, oneMinusAcc1, oneMinusAcc2, self.epsilon, -self.learningRate];
    const rest: { name: string; tensor: tf.Tensor }[] = [];
    list.forEach(({ name, tensor: gradient }, i) => {
      const value = tf.engine().registeredVariables[name];
      if (self.accumulatedFirstMoment[i] == null) {
        self.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      if (self.accumulatedSecondMoment[i] == null) {
        self.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      }
      if (gradient == null) return;
      const m = self.accumulatedFirstMoment[i]!.variable;
      const v = self.accumulatedSecondMoment[i]!.variable;
      if (!this.applyNative(native as AdamAddon, backend, [value, m, v, gradient], scalars)) rest.push({ name, tensor: gradient });
    });
    if (rest.length) this.applyTfjs(self, list, rest, oneMinusAcc1, oneMinusAcc2);
    tf.tidy(() => {
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }

  /** The native step; false (nothing done) when a moment's memory cannot be written in place. */
  private applyNative(native: AdamAddon, b: WasmHeapBackend, ts: [tf.Variable, tf.Variable, tf.Variable, tf.Tensor], scalars: number[]): boolean {
    const n = ts[0].size;
    for (const t of ts) if (t.dtype !== 'float32' || t.size !== n || b.dataIdMap.get(t.dataId) == null) return false;
    // The moments are overwritten: only when no other tensor shares their memory.
    for (const k of [1, 2]) {
      if ((b.dataIdMap.get(ts[k].dataId) as HeapEntry).refCount !== 1) return false;
      for (let j = 0; j < 4; j++) if (j !== k && ts[j].dataId === ts[k].dataId) return false;
    }
    const out = b.makeOutput([...ts[0].shape], 'float32');
    const heap = plainHeap(b);
    const at = (t: { dataId: object }) => (b.dataIdMap.get(t.dataId) as HeapEntry).memoryOffset;
    const newValue = tf.engine().makeTensorFromTensorInfo(out);
    if (heap == null) {
      newValue.dispose();
      return false;
    }
    native.adamUpdate(heap, [at(ts[0]), at(out), at(ts[1]), at(ts[2]), at(ts[3])], n, scalars);
    ts[0].assign(newValue);
    newValue.dispose();
    return true;
  }

  /** tfjs's own arithmetic for the variables the native step could not take. */
  private applyTfjs(self: AdamState, list: { name: string }[], rest: { name: string; tensor: tf.Tensor }[], c1: number, c2: number): void {
    tf.tidy(() => {
      for (const { name, tensor: gradient } of rest) {
        const i = list.findIndex((x) => x.name === name);
        const value = tf.engine().registeredVariables[name];
        const m = self.accumulatedFirstMoment[i]!.variable;
        const v = self.accumulatedSecondMoment[i]!.variable;
        const m1 = tf.add(tf.mul(m, self.beta1), tf.mul(gradient, 1 - self.beta1));
        const v1 = tf.add(tf.mul(v, self.beta2), tf.mul(tf.square(gradient), 1 - self.beta2));
        const mh = tf.div(m1, c1);
        const vh = tf.div(v1, c2);
        m.assign(m1);
        v.assign(v1);
        value.assign(tf.add(tf.mul(tf.div(mh, tf.add(tf.sqrt(vh), self.epsilon)), -self.learningRate), value));
      }
    });
  }
}

/** Adam for training: the fused one (same state and results as tf.train.adam). */
export function adamOptimizer(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number): tf.AdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
