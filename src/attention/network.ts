/**
 * The attention network: the shared backbone (backbone.ts: convs, scorer a = sigmoid(1x1 conv of F),
 * pooling, classifier) with one method in the attention slot (methods/*.ts). The slot passes F * m * a
 * (kept positions weighted by their scores) and pools sum_i m_i a_i F_i / k. See docs/method.md.
 *
 * A training step runs the method's asynchronous work outside the gradient tape (QAHAN awaits the
 * sampler there), then the loss inside tf.variableGrads, then the optimizer and the method's hook. This
 * file knows no method by name: it asks the method's module.
 */
import * as tf from '@tensorflow/tfjs';
import type { Sampler } from '../samplers/sampler';
import { Backbone, NetworkSpec } from './backbone';
import { attentionMethod, AttentionMethod, MethodContext, MethodName, MethodState, PredictContext, Prepared } from './methods';
import { logitsFromMask } from './methods/method';
import type { AttentionOptions } from './settings';

export { architecture } from './backbone';
export type { ConvSpec, NetworkSpec } from './backbone';
export type { MaskResult } from './methods';

export interface NetworkOptions {
  method: MethodName;
  attention?: AttentionOptions;
  /** Required by methods that use a sampler ('qahan'): the configured sampler (from createSampler). */
  sampler?: Sampler;
  /** Seeds the weights and every noise stream. */
  seed?: number;
}

/** Wall-clock split of the last step, milliseconds. */
export interface StepTimings {
  totalMs: number;
  /** The method's backbone + scorer pass outside the tape, and reading its results (qahan, qubo-ls). */
  scoreMs: number;
  /** Building the QUBOs, and solving them (annealing; local search for qubo-ls). */
  buildMs: number;
  annealMs: number;
  /** Forward + backward inside tf.variableGrads, and the optimizer update. */
  gradMs: number;
}

export interface StepResult {
  loss: number;
  accuracy: number;
  timings: StepTimings;
  /** Positions kept per image (mean and standard deviation over the batch), for methods whose count varies (qahan-free). */
  kept?: { mean: number; std: number };
}

/** Mean and standard deviation of the number of ones per row of a B x N mask. */
export function keptStats(mask: Float32Array, N: number): { mean: number; std: number } {
  const B = Math.max(1, mask.length / N);
  let sum = 0;
  let sq = 0;
  for (let b = 0; b < mask.length / N; b++) {
    let c = 0;
    for (let i = 0; i < N; i++) c += mask[b * N + i] ? 1 : 0;
    sum += c;
    sq += c * c;
  }
  const mean = sum / B;
  return { mean, std: Math.sqrt(Math.max(0, sq / B - mean * mean)) };
}

const now = () => performance.now();

export class AttentionNetwork extends Backbone {
  readonly method: MethodName;
  /** The method's module (the strategy in the attention slot). */
  readonly strategy: AttentionMethod;
  readonly sampler: Sampler | undefined;
  /** Training steps taken (drives tau and the noise streams; saved in checkpoints). */
  step = 0;
  /** The method's state across steps (saved in checkpoints). */
  readonly methodState: MethodState = {};
  /** Timings of the last trainStep. */
  lastTimings: StepTimings = { totalMs: 0, scoreMs: 0, buildMs: 0, annealMs: 0, gradMs: 0 };
  /** Test-time forwards so far (seeds their annealing); checkpointed with training so a resumed run draws as an uninterrupted one. */
  evalCalls = 0;

  constructor(spec: NetworkSpec, o: NetworkOptions) {
    const strategy = attentionMethod(o.method);
    if (strategy.usesSampler && !o.sampler) throw new TypeError(`method '${o.method}' needs a sampler (createSampler())`);
    super(spec, o.attention, o.seed ?? 0);
    this.method = o.method;
    this.strategy = strategy;
    this.sampler = o.sampler;
  }

  /** REINFORCE's moving-average baseline of the per-image loss (checkpointed). */
  get baseline(): number | undefined {
    return this.methodState.baseline;
  }

  set baseline(value: number | undefined) {
    this.methodState.baseline = value;
  }

  /** Whether the method keeps a hard subset of positions. */
  get isHard(): boolean {
    return this.strategy.hard;
  }

  private context(): MethodContext {
    return { net: this, sampler: this.sampler, step: this.step, state: this.methodState };
  }

  /** The shared forward pass (inside a tape or a tidy). */
  private forward(x: tf.Tensor4D) {
    const F = this.features(x);
    const s = this.scoreLogits(F);
    return { F, s, a: tf.sigmoid(s) as tf.Tensor2D, batch: x.shape[0] };
  }

  /**
   * One optimisation step on (x, labels one-hot). Returns the batch's mean loss and accuracy (the loss
   * is the classification loss, without any surrogate term).
   */
  async trainStep(x: tf.Tensor4D, labels: tf.Tensor2D, optimizer: tf.Optimizer): Promise<StepResult> {
    const t0 = now();
    const B = x.shape[0];
    const ctx = this.context();
    const prepared: Prepared | undefined = this.strategy.prepare ? await this.strategy.prepare(ctx, x) : undefined;
    const tGrad = now();
    let correct: tf.Tensor | undefined;
    let ceMean = 0;
    const { value, grads } = tf.variableGrads(() => {
      const { logits, surrogate } = this.strategy.head(ctx, this.forward(x), prepared);
      const ce = tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;
      const ceValues = Float32Array.from(ce.dataSync());
      ceMean = ceValues.reduce((u, v) => u + v, 0) / B;
      correct = tf.keep(tf.equal(tf.argMax(logits, 1), tf.argMax(labels, 1)));
      const loss = tf.mean(ce) as tf.Scalar;
      return surrogate ? tf.add(loss, surrogate(ceValues)) : loss;
    }, this.variables);
    optimizer.applyGradients(grads as tf.NamedTensorMap);
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    const hits = await correct!.data();
    correct!.dispose();
    this.strategy.afterStep?.(ctx, { loss: ceMean });
    this.step++;
    const tEnd = now();
    let acc = 0;
    for (let i = 0; i < hits.length; i++) acc += hits[i];
    this.lastTimings = {
      totalMs: tEnd - t0,
      scoreMs: prepared?.scoreMs ?? 0,
      buildMs: prepared?.buildMs ?? 0,
      annealMs: prepared?.annealMs ?? 0,
      gradMs: tEnd - tGrad,
    };
    const kept = prepared && !this.strategy.hard ? keptStats(prepared.mask, this.positions) : undefined;
    return { loss: ceMean, accuracy: acc / B, timings: this.lastTimings, ...(kept ? { kept } : {}) };
  }

  /**
   * Test-time forward: logits [B, classes] and the mask used (hard methods). QAHAN anneals; REINFORCE,
   * Gumbel and topk keep the k highest scores; qubo-ls searches. `quboNoise` overrides the option.
   */
  async predict(x: tf.Tensor4D, opts: { quboNoise?: number } = {}): Promise<{ logits: tf.Tensor2D; mask?: Float32Array }> {
    const ctx: PredictContext = { ...this.context(), call: this.evalCalls++, quboNoise: opts.quboNoise ?? this.options.quboNoise };
    const fwd = tf.tidy(() => this.forward(x));
    try {
      const mask = this.strategy.predictMask ? await this.strategy.predictMask(ctx, fwd) : undefined;
      const logits = tf.tidy(() => (mask ? logitsFromMask(this.strategy, this, fwd, mask) : this.strategy.head(ctx, fwd, undefined).logits));
      return { logits, mask };
    } finally {
      fwd.F.dispose();
      fwd.s.dispose();
      fwd.a.dispose();
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
}
