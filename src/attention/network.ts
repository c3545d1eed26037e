/**
 * The attention network: backbone CNN -> feature map (N = H x W positions, C channels) -> attention
 * slot (one of qahan | reinforce | gumbel | soft | none) -> pooling -> classifier.
 *
 * Every method shares the backbone, the scorer a = sigmoid(1x1 conv of F) and the classifier; the hard
 * methods differ only in how the binary mask m over positions is chosen and how the scorer is trained
 * to choose it. The slot passes F * m * a (kept positions weighted by their scores) and pools
 * sum_i m_i a_i F_i / k. See docs/method.md.
 *
 * Weights are plain tf.Variables (no tf.layers) so that one training step can be split around the
 * asynchronous annealer: QAHAN runs the backbone and scorer outside the gradient tape, awaits the
 * sampler, then computes the loss inside tf.variableGrads with the mask as a constant tensor.
 */
import * as tf from '@tensorflow/tfjs';
import type { Sampler } from '../samplers/sampler';
import { AttentionOptions, HARD_METHODS, MethodName, ResolvedAttentionOptions, resolveAttentionOptions } from './options';
import { addCardinalityPenalty, AttentionQubos, automaticGamma, buildAttentionQubos, perturbQubos, toBqms } from './qubo';
import { Rng } from './rng';

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

/** The backbones used for the experiments. */
export function architecture(dataset: 'mnist' | 'cifar10'): NetworkSpec {
  if (dataset === 'mnist') {
    // 28x28x1 -> conv(16,5)-pool -> 14x14x16 -> conv(32,5)-pool -> 7x7x32 -> conv(64,3) -> 7x7x64: N = 49 positions.
    return {
      inputShape: [28, 28, 1],
      numClasses: 10,
      convs: [{ filters: 16, kernel: 5 }, { filters: 32, kernel: 5 }, { filters: 64, kernel: 3, pool: false }],
      hidden: 64,
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

export interface NetworkOptions {
  method: MethodName;
  attention?: AttentionOptions;
  /** Required for 'qahan': the configured sampler (from createSampler). */
  sampler?: Sampler;
  /** Seeds the weights and every noise stream. */
  seed?: number;
}

/** Wall-clock split of the last step, milliseconds. */
export interface StepTimings {
  totalMs: number;
  /** QAHAN: the backbone + scorer pass outside the tape, and reading its results. */
  scoreMs: number;
  buildMs: number;
  annealMs: number;
  /** Forward + backward inside tf.variableGrads, and the optimizer update. */
  gradMs: number;
}

export interface StepResult {
  loss: number;
  accuracy: number;
  timings: StepTimings;
}

export interface MaskResult {
  /** B * N, 0/1. */
  mask: Float32Array;
  /** Energy of the chosen sample per image (QAHAN only). */
  energies?: Float64Array;
  /** The QUBOs that were annealed (QAHAN only) and each image's gamma. */
  qubos?: AttentionQubos;
  gammas?: Float64Array;
  buildMs: number;
  annealMs: number;
}

const now = () => performance.now();
let variableCounter = 0;

/** log sigmoid(s) from ops with plain kernels (tf.logSigmoid's custom gradient keeps a tensor the tape may dispose). */
function logSigmoid(s: tf.Tensor2D): tf.Tensor2D {
  return tf.log(tf.maximum(tf.sigmoid(s), 1e-30)) as tf.Tensor2D;
}

function heNormal(shape: number[], fanIn: number, seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed);
}

export class AttentionNetwork {
  readonly spec: NetworkSpec;
  readonly method: MethodName;
  readonly options: ResolvedAttentionOptions;
  readonly positions: number;
  readonly channels: number;
  readonly featureShape: [number, number];
  readonly variables: tf.Variable[] = [];
  readonly sampler: Sampler | undefined;
  readonly seed: number;
  /** Training steps taken (drives tau and the noise streams; saved in checkpoints). */
  step = 0;
  /** REINFORCE's moving-average baseline of the reward's negative (the per-image loss). */
  baseline: number | undefined;
  /** Timings of the last trainStep. */
  lastTimings: StepTimings = { totalMs: 0, scoreMs: 0, buildMs: 0, annealMs: 0, gradMs: 0 };
  private readonly convW: tf.Variable[] = [];
  private readonly convB: tf.Variable[] = [];
  private readonly scoreW: tf.Variable;
  private readonly scoreB: tf.Variable;
  private readonly denseW: tf.Variable[] = [];
  private readonly denseB: tf.Variable[] = [];
  private evalCalls = 0;

  constructor(spec: NetworkSpec, o: NetworkOptions) {
    this.spec = spec;
    this.method = o.method;
    this.seed = o.seed ?? 0;
    let [h, w, c] = spec.inputShape;
    let seed = this.seed * 7919 + 1;
    const v = (t: tf.Tensor, name: string) => {
      const x = tf.variable(t, true, `qahan_${++variableCounter}_${name}`);
      t.dispose();
      (x as unknown as { qahanName: string }).qahanName = name;
      this.variables.push(x);
      return x;
    };
    spec.convs.forEach((cv, i) => {
      this.convW.push(v(heNormal([cv.kernel, cv.kernel, c, cv.filters], cv.kernel * cv.kernel * c, seed++), `conv${i}/kernel`));
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
    this.options = resolveAttentionOptions(this.positions, o.attention);
    this.scoreW = v(tf.randomNormal([c, 1], 0, 0.1 / Math.sqrt(c), 'float32', seed++), 'scorer/kernel');
    this.scoreB = v(tf.zeros([1]), 'scorer/bias');
    let fan = c;
    const widths = spec.hidden > 0 ? [spec.hidden, spec.numClasses] : [spec.numClasses];
    widths.forEach((width, i) => {
      this.denseW.push(v(heNormal([fan, width], fan, seed++), `dense${i}/kernel`));
      this.denseB.push(v(tf.zeros([width]), `dense${i}/bias`));
      fan = width;
    });
    if (this.method === 'qahan' && !o.sampler) throw new TypeError("method 'qahan' needs a sampler (createSampler())");
    this.sampler = o.sampler;
  }

  /** Stable names of the variables, in order (for checkpoints). */
  get variableNames(): string[] {
    return this.variables.map((x) => (x as unknown as { qahanName: string }).qahanName);
  }

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

  /** Pooled features: sum_i w_i F_i / divisor. */
  private pool(F: tf.Tensor3D, weights: tf.Tensor2D | undefined, divisor: number): tf.Tensor2D {
    const weighted = weights ? tf.mul(F, tf.expandDims(weights, 2)) : F;
    return tf.div(tf.sum(weighted, 1), divisor) as tf.Tensor2D;
  }

  /** The hard slot's output, pooled: sum_i m_i a_i F_i / k (m constant or straight-through). */
  headFromMask(F: tf.Tensor3D, a: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
    return this.classify(this.pool(F, tf.mul(mask, a) as tf.Tensor2D, this.k));
  }

  /** Top-k positions of each row of `values` (B x N), ordered best first. */
  private topK(values: ArrayLike<number>, B: number): Int32Array {
    const N = this.positions;
    const k = this.k;
    const out = new Int32Array(B * k);
    const idx = Array.from({ length: N }, (_, i) => i);
    for (let b = 0; b < B; b++) {
      idx.sort((i, j) => values[b * N + j] - values[b * N + i] || i - j);
      for (let t = 0; t < k; t++) out[b * k + t] = idx[t];
    }
    return out;
  }

  private maskFromIndices(indices: Int32Array, B: number): Float32Array {
    const N = this.positions;
    const k = this.k;
    const m = new Float32Array(B * N);
    for (let b = 0; b < B; b++) for (let t = 0; t < k; t++) m[b * N + indices[b * k + t]] = 1;
    return m;
  }

  /**
   * Sampler parameters. The schedule is set in the QUBO's own energy unit u (the batch's mean gamma,
   * the size of the barrier between neighbouring k-sets): SA anneals beta from 1/u to 100/u; SQA runs at
   * beta = 50/u with the transverse field going from u to 0.001 u. Measured in docs/method.md.
   */
  private samplerParams(seed: number, unit: number): Record<string, unknown> {
    const s = this.sampler!;
    const o = this.options;
    const p: Record<string, unknown> = { numReads: o.numReads, seed };
    const has = (name: string) => s.parameters.includes(name);
    if (has('numSweeps')) p.numSweeps = o.numSweeps;
    if (has('trotterSlices')) p.trotterSlices = o.trotterSlices;
    if (has('betaScheduleType')) p.betaScheduleType = o.schedule;
    if (has('gammaScheduleType')) p.gammaScheduleType = o.schedule;
    if (s.name === 'sa' && has('betaRange')) p.betaRange = [1 / unit, 100 / unit];
    if (s.name === 'sqa' && has('beta') && has('gammaRange')) {
      p.beta = 50 / unit;
      p.gammaRange = [unit, 1e-3 * unit];
    }
    return p;
  }

  /** The batch's QUBOs (B x N, host arrays in) and the gamma of each image. */
  buildQubos(scores: Float32Array, features: Float32Array, B: number, quboNoise = 0, noiseSeed = 0): { qubos: AttentionQubos; gammas: Float64Array } {
    const o = this.options;
    const N = this.positions;
    const q = buildAttentionQubos({ batch: B, positions: N, scores, features, channels: this.channels, lambda: o.lambda, gamma: 0, k: o.k });
    const gammas = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      gammas[b] = o.gamma ?? automaticGamma(scores, q, b, o.lambda, o.k, o.gammaMargin);
      addCardinalityPenalty(q, b, gammas[b], o.k);
    }
    if (quboNoise > 0) {
      const rng = new Rng(noiseSeed, 17);
      perturbQubos(q, quboNoise, () => rng.normal());
    }
    return { qubos: q, gammas };
  }

  /**
   * QAHAN's mask from scores a (B x N) and features (B x N x C, host arrays): one QUBO per image, all
   * annealed in one sampleBatch call, the lowest-energy sample of each kept.
   */
  async annealMasks(scores: Float32Array, features: Float32Array, B: number, opts: { quboNoise?: number; seed?: number } = {}): Promise<MaskResult> {
    const N = this.positions;
    const t0 = now();
    const seed = opts.seed ?? new Rng(this.seed, 1_000_003 + this.step * 2 + this.evalCalls++).uint32();
    const { qubos, gammas } = this.buildQubos(scores, features, B, opts.quboNoise ?? this.options.quboNoise, seed);
    const bqms = toBqms(qubos);
    const unit = gammas.reduce((u, v) => u + v, 0) / Math.max(1, B);
    const t1 = now();
    const sets = await this.sampler!.sampleBatch(bqms, this.samplerParams(seed, unit));
    const t2 = now();
    const mask = new Float32Array(B * N);
    const energies = new Float64Array(B);
    sets.forEach((set, b) => {
      const best = set.first;
      energies[b] = best.energy;
      for (let i = 0; i < N; i++) mask[b * N + i] = best.sample[i] > 0 ? 1 : 0;
    });
    return { mask, energies, qubos, gammas, buildMs: t1 - t0, annealMs: t2 - t1 };
  }

  /** Backbone + scorer outside any tape, read back to the host. */
  async scoresAndFeatures(x: tf.Tensor4D): Promise<{ scores: Float32Array; features: Float32Array }> {
    const [F, a] = tf.tidy(() => {
      const F = this.features(x);
      return [F, tf.sigmoid(this.scoreLogits(F))];
    });
    try {
      const [features, scores] = await Promise.all([F.data() as Promise<Float32Array>, a.data() as Promise<Float32Array>]);
      return { scores, features };
    } finally {
      F.dispose();
      a.dispose();
    }
  }

  private tau(): number {
    const o = this.options;
    return Math.max(o.tauMin, o.tau0 * Math.exp(-o.tauDecay * this.step));
  }

  /**
   * One optimisation step on (x, labels one-hot). Returns the batch's mean loss and accuracy (the loss
   * is the classification loss, without REINFORCE's surrogate term).
   */
  async trainStep(x: tf.Tensor4D, labels: tf.Tensor2D, optimizer: tf.Optimizer): Promise<StepResult> {
    const t0 = now();
    const B = x.shape[0];
    const N = this.positions;
    const k = this.k;
    let mask: Float32Array | undefined;
    let buildMs = 0;
    let annealMs = 0;
    if (this.method === 'qahan') {
      const { scores, features } = await this.scoresAndFeatures(x);
      const tScored = now();
      const r = await this.annealMasks(scores, features, B, { seed: new Rng(this.seed, 2 * this.step + 1).uint32() });
      mask = r.mask;
      buildMs = r.buildMs;
      annealMs = r.annealMs;
      this.lastTimings.scoreMs = tScored - t0;
    } else {
      this.lastTimings.scoreMs = 0;
    }
    const tGrad = now();
    const rng = new Rng(this.seed, 2 * this.step + 2);
    let kept: tf.Tensor[] = [];
    let ceMean = 0;
    const { value, grads } = tf.variableGrads(() => {
      const F = this.features(x);
      const s = this.scoreLogits(F);
      const a = tf.sigmoid(s);
      let logits: tf.Tensor2D;
      let extra: tf.Scalar | undefined;
      let plLogProb: tf.Tensor1D | undefined;
      switch (this.method) {
        case 'none':
          logits = this.classify(this.pool(F, undefined, N));
          break;
        case 'soft':
          logits = this.classify(this.pool(F, a, N));
          break;
        case 'qahan':
          logits = this.headFromMask(F, a, tf.tensor2d(mask!, [B, N]));
          break;
        case 'reinforce': {
          // Sample k positions without replacement with probabilities proportional to a (Gumbel-top-k
          // gives the Plackett-Luce order), on the host: the sample is a constant of the graph.
          const logw = logSigmoid(s);
          const lw = logw.dataSync();
          const keys = new Float32Array(B * N);
          for (let i = 0; i < B * N; i++) keys[i] = lw[i] + rng.gumbel();
          const order = this.topK(keys, B);
          logits = this.headFromMask(F, a, tf.tensor2d(this.maskFromIndices(order, B), [B, N]));
          // log p(order) = sum_t [log w_{i_t} - logsumexp_{j not chosen before t} log w_j]
          const chosen = new Float32Array(B * N);
          const before = new Float32Array(B * N);
          let lp: tf.Tensor1D = tf.zeros([B]);
          for (let t = 0; t < k; t++) {
            chosen.fill(0);
            for (let b = 0; b < B; b++) chosen[b * N + order[b * k + t]] = 1;
            const pick = tf.sum(tf.mul(logw, tf.tensor2d(chosen, [B, N])), 1);
            const norm = tf.logSumExp(tf.add(logw, tf.tensor2d(before.map((v) => v * -1e9), [B, N])), 1);
            lp = tf.add(lp, tf.sub(pick, norm));
            for (let b = 0; b < B; b++) before[b * N + order[b * k + t]] = 1;
          }
          plLogProb = lp;
          break;
        }
        case 'gumbel': {
          // Straight-through Gumbel top-k: hard top-k of (log a + g) / tau forward; the relaxed top-k
          // (k successive softmaxes, Xie & Ermon 2019) backward.
          const tau = this.tau();
          const g = new Float32Array(B * N);
          for (let i = 0; i < B * N; i++) g[i] = rng.gumbel();
          const alpha0 = tf.add(logSigmoid(s), tf.tensor2d(g, [B, N]));
          const hard = this.maskFromIndices(this.topK(alpha0.dataSync(), B), B);
          let alpha: tf.Tensor2D = alpha0 as tf.Tensor2D;
          let soft: tf.Tensor2D = tf.zeros([B, N]);
          for (let t = 0; t < k; t++) {
            const p = tf.softmax(tf.div(alpha, tau)) as tf.Tensor2D;
            soft = tf.add(soft, p);
            if (t < k - 1) alpha = tf.add(alpha, tf.log(tf.maximum(tf.sub(1, p), 1e-20))) as tf.Tensor2D;
          }
          const sv = soft.dataSync();
          const shift = new Float32Array(B * N);
          for (let i = 0; i < B * N; i++) shift[i] = hard[i] - sv[i];
          const st = tf.add(soft, tf.tensor2d(shift, [B, N])) as tf.Tensor2D; // value: hard; gradient: soft's
          logits = this.headFromMask(F, a, st);
          break;
        }
      }
      const ce = tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
      const ceVals = Float32Array.from(ce.dataSync());
      ceMean = ceVals.reduce((u, v) => u + v, 0) / B;
      if (plLogProb) {
        // Score-function term: reward r = -ce per image, baseline b; minimise mean((ce - b) * log p).
        const b0 = this.baseline ?? ceMean;
        const adv = tf.tensor1d(Array.from(ceVals, (v) => v - b0));
        extra = tf.mean(tf.mul(adv, plLogProb)) as tf.Scalar;
      }
      const correct = tf.equal(tf.argMax(logits, 1), tf.argMax(labels, 1));
      kept = [tf.keep(correct)];
      const loss = tf.mean(ce) as tf.Scalar;
      return extra ? tf.add(loss, extra) : loss;
    }, this.variables);
    optimizer.applyGradients(grads as tf.NamedTensorMap);
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    const correct = await kept[0].data();
    kept.forEach((t) => t.dispose());
    if (this.method === 'reinforce') {
      const m = this.options.baselineMomentum;
      this.baseline = this.baseline === undefined ? ceMean : m * this.baseline + (1 - m) * ceMean;
    }
    this.step++;
    const tEnd = now();
    let acc = 0;
    for (let i = 0; i < correct.length; i++) acc += correct[i];
    this.lastTimings = { totalMs: tEnd - t0, scoreMs: this.lastTimings.scoreMs, buildMs, annealMs, gradMs: tEnd - tGrad };
    return { loss: ceMean, accuracy: acc / B, timings: this.lastTimings };
  }

  /**
   * Test-time forward: logits [B, classes] and the mask used (hard methods). QAHAN anneals; REINFORCE
   * and Gumbel keep the k highest scores (the policy's mode). `quboNoise` overrides the option.
   */
  async predict(x: tf.Tensor4D, opts: { quboNoise?: number } = {}): Promise<{ logits: tf.Tensor2D; mask?: Float32Array }> {
    const B = x.shape[0];
    const N = this.positions;
    const [F, a] = tf.tidy(() => {
      const F = this.features(x);
      return [F, tf.sigmoid(this.scoreLogits(F))] as [tf.Tensor3D, tf.Tensor2D];
    });
    try {
      let mask: Float32Array | undefined;
      if (this.method === 'qahan') {
        const [features, scores] = await Promise.all([F.data() as Promise<Float32Array>, a.data() as Promise<Float32Array>]);
        mask = (await this.annealMasks(scores, features, B, { quboNoise: opts.quboNoise })).mask;
      } else if (this.method === 'reinforce' || this.method === 'gumbel') {
        mask = this.maskFromIndices(this.topK(await a.data(), B), B);
      }
      const logits = tf.tidy(() => {
        if (mask) return this.headFromMask(F, a, tf.tensor2d(mask, [B, N]));
        return this.classify(this.pool(F, this.method === 'soft' ? a : undefined, N));
      });
      return { logits, mask };
    } finally {
      F.dispose();
      a.dispose();
    }
  }

  /** Summed loss and number correct over a batch (labels one-hot). */
  async evaluateBatch(x: tf.Tensor4D, labels: tf.Tensor2D, opts: { quboNoise?: number } = {}): Promise<{ lossSum: number; correct: number }> {
    const { logits } = await this.predict(x, opts);
    const [lossSum, correct] = tf.tidy(() => {
      const ce = tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1));
      return [tf.sum(ce), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(labels, 1)), 'float32'))];
    });
    logits.dispose();
    const [l, c] = await Promise.all([lossSum.data(), correct.data()]);
    lossSum.dispose();
    correct.dispose();
    return { lossSum: l[0], correct: c[0] };
  }

  /** Whether the method keeps a hard subset of positions. */
  get isHard(): boolean {
    return HARD_METHODS.includes(this.method);
  }

  dispose(): void {
    this.variables.forEach((x) => x.dispose());
  }
}
