/**
 * The part of the attention network every method shares: backbone CNN -> feature map F (N = H x W
 * positions, C channels) -> scorer a = sigmoid(1x1 conv of F) -> pooling -> classifier. What fills the
 * attention slot between the scorer and the pooling is a method (methods/*.ts).
 *
 * Weights are plain tf.Variables (no tf.layers) so that one training step can be split around an
 * asynchronous annealer; their names and order are what checkpoints store.
 */
import * as tf from '@tensorflow/tfjs';
import { ResolvedAttentionOptions, AttentionOptions, resolveAttentionOptions } from './settings';

export interface ConvSpec {
  filters: number;
  kernel: number;
  /** Follow with a 2x2 max-pool. Default true. */
  pool?: boolean;
}

/** The backbone: convs (same padding, ReLU), each followed by a 2x2 max-pool unless pool is false. No convs: the input is the feature map. */
export interface NetworkSpec {
  inputShape: [number, number, number];
  numClasses: number;
  convs: ConvSpec[];
  /** Width of the classifier's hidden layer (0: a single linear layer). */
  hidden: number;
}

/**
 * Backbone families: 'small' (the first experiments' nets, the default so their checkpoints stay
 * loadable) and 'deep' (VGG-style pairs of 3x3 convs, for the protocol, so that the backbone is not what
 * limits accuracy). Both keep the attention slot's feature map at 7x7 (MNIST) and 8x8 (CIFAR-10), so the
 * QUBOs keep N = 49 and N = 64 variables.
 */
export const ARCH_NAMES = ['small', 'deep'] as const;
export type ArchName = (typeof ARCH_NAMES)[number];

export function parseArch(value: unknown): ArchName {
  if (value === undefined) return 'small';
  if ((ARCH_NAMES as readonly unknown[]).includes(value)) return value as ArchName;
  throw new RangeError(`arch must be one of ${ARCH_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
}

/** The backbone of a dataset in an architecture family (default 'small'). */
export function architecture(dataset: 'mnist' | 'cifar10', arch: ArchName = 'small'): NetworkSpec {
  parseArch(arch);
  if (dataset === 'mnist') {
    if (arch === 'deep') {
      // 28x28x1 -> conv(32,3)-pool -> 14x14x32 -> conv(64,3) -> conv(64,3)-pool -> 7x7x64 -> conv(128,3) -> 7x7x128: N = 49.
      return {
        inputShape: [28, 28, 1],
        numClasses: 10,
        convs: [{ filters: 32, kernel: 3 }, { filters: 64, kernel: 3, pool: false }, { filters: 64, kernel: 3 }, { filters: 128, kernel: 3, pool: false }],
        hidden: 128,
      };
    }
    // 28x28x1 -> conv(16,5)-pool -> 14x14x16 -> conv(32,5)-pool -> 7x7x32 -> conv(64,3) -> 7x7x64: N = 49 positions.
    return {
      inputShape: [28, 28, 1],
      numClasses: 10,
      convs: [{ filters: 16, kernel: 5 }, { filters: 32, kernel: 5 }, { filters: 64, kernel: 3, pool: false }],
      hidden: 64,
    };
  }
  if (arch === 'deep') {
    // 32x32x3 -> conv(32,3) -> conv(32,3)-pool -> 16x16 -> conv(64,3) -> conv(64,3)-pool -> 8x8 -> conv(128,3) -> 8x8x128: N = 64.
    return {
      inputShape: [32, 32, 3],
      numClasses: 10,
      convs: [
        { filters: 32, kernel: 3, pool: false },
        { filters: 32, kernel: 3 },
        { filters: 64, kernel: 3, pool: false },
        { filters: 64, kernel: 3 },
        { filters: 128, kernel: 3, pool: false },
      ],
      hidden: 128,
    };
  }
  // 32x32x3 -> conv(32,3)-pool -> conv(64,3)-pool -> conv(64,3) -> 8x8x64: N = 64 positions.
  return {
    inputShape: [32, 32, 3],
    numClasses: 10,
    convs: [{ filters: 32, kernel: 3 }, { filters: 64, kernel: 3 }, { filters: 64, kernel: 3, pool: false }],
    hidden: 64,
  };
}

/** Scores and feature map of a batch, on the host. */
export interface HostForward {
  /** B x N, a = sigmoid(s). */
  scores: Float32Array;
  /** B x N x C. */
  features: Float32Array;
}

let variableCounter = 0;

/** log sigmoid(s) from ops with plain kernels (tf.logSigmoid's custom gradient keeps a tensor the tape may dispose). */
export function logSigmoid(s: tf.Tensor2D): tf.Tensor2D {
  return tf.log(tf.maximum(tf.sigmoid(s), 1e-30)) as tf.Tensor2D;
}

function heNormal(shape: number[], fanIn: number, seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed);
}

export class Backbone {
  readonly spec: NetworkSpec;
  readonly options: ResolvedAttentionOptions;
  readonly positions: number;
  readonly channels: number;
  readonly featureShape: [number, number];
  readonly variables: tf.Variable[] = [];
  /** Seeds the weights and every noise stream. */
  readonly seed: number;
  private readonly convW: tf.Variable[] = [];
  private readonly convB: tf.Variable[] = [];
  private readonly scoreW: tf.Variable;
  private readonly scoreB: tf.Variable;
  private readonly denseW: tf.Variable[] = [];
  private readonly denseB: tf.Variable[] = [];

  constructor(spec: NetworkSpec, attention: AttentionOptions | undefined, seed = 0) {
    this.spec = spec;
    this.seed = seed;
    let [h, w, c] = spec.inputShape;
    let s = this.seed * 7919 + 1;
    const v = (t: tf.Tensor, name: string) => {
      const x = tf.variable(t, true, `qahan_${++variableCounter}_${name}`);
      t.dispose();
      (x as unknown as { qahanName: string }).qahanName = name;
      this.variables.push(x);
      return x;
    };
    // Creation order is the checkpoint order: convs, scorer, classifier.
    spec.convs.forEach((cv, i) => {
      this.convW.push(v(heNormal([cv.kernel, cv.kernel, c, cv.filters], cv.kernel * cv.kernel * c, s++), `conv${i}/kernel`));
      this.convB.push(v(tf.zeros([cv.filters]), `conv${i}/bias`));
      c = cv.filters;
      if (cv.pool !== false) {
        h = Math.floor(h / 2);
        w = Math.floor(w / 2);
      }
    });
    this.featureShape = [h, w];
    this.positions = h * w;
    this.channels = c;
    this.options = resolveAttentionOptions(this.positions, attention);
    this.scoreW = v(tf.randomNormal([c, 1], 0, 0.1 / Math.sqrt(c), 'float32', s++), 'scorer/kernel');
    this.scoreB = v(tf.zeros([1]), 'scorer/bias');
    let fan = c;
    const widths = spec.hidden > 0 ? [spec.hidden, spec.numClasses] : [spec.numClasses];
    widths.forEach((width, i) => {
      this.denseW.push(v(heNormal([fan, width], fan, s++), `dense${i}/kernel`));
      this.denseB.push(v(tf.zeros([width]), `dense${i}/bias`));
      fan = width;
    });
  }

  /** Stable names of the variables, in order (for checkpoints). */
  get variableNames(): string[] {
    return this.variables.map((x) => (x as unknown as { qahanName: string }).qahanName);
  }

  /** Positions a hard mask keeps. */
  get k(): number {
    return this.options.k;
  }

  /** The feature map as [B, N, C]. */
  features(x: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => {
      let h: tf.Tensor4D = x;
      for (let i = 0; i < this.convW.length; i++) {
        h = tf.relu(tf.add(tf.conv2d(h, this.convW[i] as tf.Tensor4D, 1, 'same'), this.convB[i])) as tf.Tensor4D;
        if (this.spec.convs[i].pool !== false) h = tf.maxPool(h, 2, 2, 'valid');
      }
      return tf.reshape(h, [x.shape[0], this.positions, this.channels]) as tf.Tensor3D;
    });
  }

  /** Scorer logits s (a = sigmoid(s)), [B, N]: a 1x1 convolution of the feature map. */
  scoreLogits(F: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const [B, N, C] = F.shape;
      return tf.reshape(tf.add(tf.matMul(tf.reshape(F, [B * N, C]), this.scoreW as tf.Tensor2D), this.scoreB), [B, N]) as tf.Tensor2D;
    });
  }

  /** Classifier logits from pooled features [B, C]. */
  classify(pooled: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = pooled;
      for (let i = 0; i < this.denseW.length; i++) {
        h = tf.add(tf.matMul(h, this.denseW[i] as tf.Tensor2D), this.denseB[i]) as tf.Tensor2D;
        if (i < this.denseW.length - 1) h = tf.relu(h);
      }
      return h;
    });
  }

  /** Pooled features: sum_i w_i F_i / divisor (no weights: the plain sum). */
  pool(F: tf.Tensor3D, weights: tf.Tensor2D | undefined, divisor: number): tf.Tensor2D {
    const weighted = weights ? tf.mul(F, tf.expandDims(weights, 2)) : F;
    return tf.div(tf.sum(weighted, 1), divisor) as tf.Tensor2D;
  }

  /** The hard slot's output, classified: pooled sum_i m_i a_i F_i / k (m constant or straight-through). */
  headFromMask(F: tf.Tensor3D, a: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
    return this.classify(this.pool(F, tf.mul(mask, a) as tf.Tensor2D, this.k));
  }

  /** headFromMask with a host mask (B x N), which is a constant of the graph: no gradient reaches it. */
  headFromConstantMask(F: tf.Tensor3D, a: tf.Tensor2D, mask: Float32Array): tf.Tensor2D {
    return this.headFromMask(F, a, tf.tensor2d(mask, [F.shape[0], this.positions]));
  }

  /** Reads scores a and the feature map to the host. */
  async toHost(F: tf.Tensor3D, a: tf.Tensor2D): Promise<HostForward> {
    const [features, scores] = await Promise.all([F.data() as Promise<Float32Array>, a.data() as Promise<Float32Array>]);
    return { scores, features };
  }

  /** Backbone + scorer outside any tape, read back to the host. */
  async scoresAndFeatures(x: tf.Tensor4D): Promise<HostForward> {
    const [F, a] = tf.tidy(() => {
      const F = this.features(x);
      return [F, tf.sigmoid(this.scoreLogits(F))] as [tf.Tensor3D, tf.Tensor2D];
    });
    try {
      return await this.toHost(F, a);
    } finally {
      F.dispose();
      a.dispose();
    }
  }

  dispose(): void {
    this.variables.forEach((x) => x.dispose());
  }
}
