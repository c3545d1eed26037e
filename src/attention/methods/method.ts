/**
 * The attention slot's one interface. A method decides the mask m over positions (or none) between the
 * shared scorer and the pooling, and how the scorer learns to choose it. A training step is
 *
 *   prepare (outside the tape, may await a sampler) -> head (inside tf.variableGrads) -> optimizer -> afterStep
 *
 * and a test-time forward is predictMask, then the masked head (or, without a mask, head itself).
 * Adding a method is one file here and one line in the registry (index.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Sampler } from '../../samplers/sampler';
import type { Backbone } from '../backbone';
import type { AttentionQubos } from '../qubo';
import { Rng } from '../rng';

/** What a method carries from step to step; saved in checkpoints. */
export interface MethodState {
  /** REINFORCE's moving-average baseline of the per-image loss. */
  baseline?: number;
}

export interface MethodContext {
  /** The shared layers and the resolved options (k, lambda, ...). */
  readonly net: Backbone;
  /** From createSampler(); set when the method says usesSampler. */
  readonly sampler: Sampler | undefined;
  /** Training steps taken before this one: seeds the step's noise, drives schedules such as Gumbel's tau. */
  readonly step: number;
  readonly state: MethodState;
}

export interface PredictContext extends MethodContext {
  /** Test-time forwards this network ran before this one (seeds test-time noise). */
  readonly call: number;
  /** Relative sigma of QUBO coefficient noise for this forward (methods with usesQubo). */
  readonly quboNoise: number;
}

/** A batch's masks and how they were found. */
export interface MaskResult {
  /** B * N, 0/1. */
  mask: Float32Array;
  /** QUBO energy of each image's mask (methods with usesQubo). */
  energies?: Float64Array;
  /** The QUBOs that were solved and each image's gamma (methods with usesQubo). */
  qubos?: AttentionQubos;
  gammas?: Float64Array;
  /** Building the QUBOs, and solving them (annealing, or local search for qubo-ls), milliseconds. */
  buildMs: number;
  annealMs: number;
}

/** prepare's result: the step's mask and the split of its time. */
export interface Prepared extends MaskResult {
  /** The backbone + scorer pass outside the tape and reading it to the host, milliseconds. */
  scoreMs: number;
}

/** The shared forward pass: feature map F [B, N, C], scorer logits s and scores a = sigmoid(s) [B, N]. */
export interface Forward {
  F: tf.Tensor3D;
  s: tf.Tensor2D;
  a: tf.Tensor2D;
  batch: number;
}

export interface Head {
  /** Classifier logits [B, classes]. */
  logits: tf.Tensor2D;
  /** A term added to the mean cross-entropy, given the per-image cross-entropies (REINFORCE's score-function term). */
  surrogate?: (ce: Float32Array) => tf.Scalar;
}

export interface AttentionMethod {
  readonly name: string;
  /** What the method is in an experiment: QAHAN itself, a hard-attention baseline, an ablation of QAHAN, or a reference without hard attention. */
  readonly role: 'annealed' | 'baseline' | 'ablation' | 'reference';
  /** Keeps exactly k positions. */
  readonly hard: boolean;
  /** Builds the attention QUBO (so quboNoise applies, and build/solve times are reported). */
  readonly usesQubo: boolean;
  /** Needs a sampler from createSampler(). */
  readonly usesSampler: boolean;
  /** Work outside the gradient tape, before head (may be asynchronous). */
  prepare?(ctx: MethodContext, x: tf.Tensor4D): Promise<Prepared>;
  /** Inside tf.variableGrads: the logits (and any surrogate loss) from the shared forward pass. */
  head(ctx: MethodContext, fwd: Forward, prepared: Prepared | undefined): Head;
  /** After the optimizer step, with the batch's mean cross-entropy. */
  afterStep?(ctx: MethodContext, info: { loss: number }): void;
  /** Test time: the mask (B x N) to classify with; undefined (or no predictMask) classifies with head. */
  predictMask?(ctx: PredictContext, fwd: Forward): Promise<Float32Array | undefined>;
  /**
   * The logits from a given host mask (test time, and masks from another solver in `qahan masks`).
   * Default: the backbone's headFromConstantMask (sum_i m_i a_i F_i / k).
   */
  maskedHead?(net: Backbone, fwd: Forward, mask: Float32Array): tf.Tensor2D;
}

/** The logits of `method` from a host mask: its own maskedHead, else the shared F * m * a / k. */
export function logitsFromMask(method: AttentionMethod, net: Backbone, fwd: Forward, mask: Float32Array): tf.Tensor2D {
  return method.maskedHead ? method.maskedHead(net, fwd, mask) : net.headFromConstantMask(fwd.F, fwd.a, mask);
}

/** The seed of a training step's solver (and its QUBO noise): one stream per step. */
export function stepSeed(ctx: MethodContext): number {
  return new Rng(ctx.net.seed, 2 * ctx.step + 1).uint32();
}

/** The noise stream of a training step's head (REINFORCE's samples, Gumbel's noise). */
export function headRng(ctx: MethodContext): Rng {
  return new Rng(ctx.net.seed, 2 * ctx.step + 2);
}

/** The seed of a test-time forward: differs per call, so repeated evaluations draw fresh reads. */
export function testSeed(ctx: PredictContext): number {
  return new Rng(ctx.net.seed, 1_000_003 + 2 * ctx.step + ctx.call).uint32();
}
