/**
 * `qahan masks`: how good a trained run's attention masks are, on its test split, with any solver.
 *
 * For every test image the clean penalty QUBO is built from the network's scores and features; the
 * masks come from the chosen solver (a sampler from createSampler, optionally behind the QPU
 * control-error model, or the classical ablations 'topk' and 'qubo-ls'); the reference optimum is the
 * best of a far larger annealing budget, top-k refined by 1-swaps and the evaluated mask, each refined by
 * exhaustive 1- and 2-swap search. Accuracy is the network's test accuracy with those masks, classified
 * by the run's own head (qahan-energy pools energy contributions, qahan-free divides by the count kept).
 *
 * A qahan-free run is evaluated on its own form, the free QUBO (no cardinality, nothing repaired): there
 * 'topk' keeps a_i > tau, 'qubo-ls' descends by single flips and swaps from that, and the reference is
 * the best of a large SA budget and those masks, each refined by that descent. Overlap under control error is the
 * Jaccard index with the noiseless masks, as the counts may differ.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { annealAttention, buildAttentionProblem } from '../attention/annealed-masks';
import { attentionMethod, findAttentionMethod } from '../attention/methods';
import { logitsFromMask } from '../attention/methods/method';
import { samplerParams } from '../attention/methods/qahan';
import { annealFreeMasks, buildFreeQubos, freeDescent, thresholdMask } from '../attention/methods/qahan-free';
import { AttentionNetwork } from '../attention/network';
import type { MethodName } from '../attention/options';
import { quboEnergy, toBqms } from '../attention/qubo';
import { referenceOptimum } from '../attention/reference-optimum';
import { swapLocalSearch } from '../attention/swap-search';
import { topKMask } from '../attention/top-k';
import type { SamplerName } from '../config/qahan-config';
import { batches, DataSplit, loadDataset, DatasetName } from '../data/dataset';
import { createSampler } from '../samplers/create-sampler';
import { SimulatedAnnealingSampler } from '../samplers/simulated-annealing';
import type { Sampler } from '../samplers/sampler';
import { buildNetwork } from './trainer';
import { parseArch } from '../attention/backbone';
import { loadCheckpoint } from './checkpoint';
import type { CrossSamplerCell } from './report';

import { CLASSICAL_SOLVERS, CROSS_SOLVERS, MaskSolver } from './mask-solvers';

export { CLASSICAL_SOLVERS, CROSS_SOLVERS };
export type { MaskSolver };

export interface MaskEvaluationOptions {
  run: string;
  /** Test images to evaluate (the first of the run's test split). Default 1000. */
  limit?: number;
  /** Default: the configured sampler (createSampler()). */
  sampler?: MaskSolver;
  /** QPU control error, sigma as a fraction of the h/J range (forces the single-flip path). */
  controlError?: number;
  /** Overrides the run's qpuFormulation (what the single-flip path anneals). */
  qpuFormulation?: 'threshold' | 'penalty';
  dataDir?: string;
  batchSize?: number;
  /** Seeds the solver's reads. Default 0. */
  seed?: number;
  /**
   * Compare each mask with the reference optimum (atReference, atLeastTopk, atLeastTopkSwap,
   * meanEnergyGap). Default true; false skips the reference's large annealing budget (those fields are
   * then NaN): accuracy and counts only, as the cross-sampler table needs.
   */
  reference?: boolean;
  /** Images to keep for a figure (with their masks). Default 0. */
  keepImages?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface MaskEvaluation {
  run: string;
  dataset: DatasetName;
  method: MethodName;
  solver: string;
  /** 'swap' | 'threshold' | 'penalty' (fixed k) or 'free' (qahan-free) for samplers, the ablation's name otherwise. */
  path: string;
  controlError?: number;
  images: number;
  k: number;
  accuracy: number;
  /** Shares of images. */
  atReference: number;
  atLeastTopk: number;
  atLeastTopkSwap: number;
  cardinalityViolations: number;
  /** Share of images whose solver answer (before the host's repair) did not keep exactly k. */
  rawCardinalityViolations: number;
  meanEnergyGap: number;
  /** QUBO building plus solving, per image. */
  msPerImage: number;
  keptMean: number;
  keptStd: number;
  /** With controlError: the same path without noise. */
  accuracyNoiseless?: number;
  overlapWithNoiseless?: number;
}

export interface MaskFigureData {
  /** Normalised pixels of the kept images, NHWC, with the dataset's mean/std to undo it. */
  images: Float32Array;
  shape: [number, number, number, number];
  mean: number[];
  std: number[];
  masks: Float32Array;
  featureShape: [number, number];
  labels: Uint8Array;
  predictions: Uint8Array;
}

interface RunConfig {
  dataset: DatasetName;
  method: MethodName;
  seed: number;
  limit?: number;
  validationFraction?: number;
  /** Seed of the data subset and split (runs before it used their seed). */
  dataSeed?: number;
  arch?: string;
  sampler?: string;
  attention?: Record<string, unknown>;
}

function readRunConfig(run: string): RunConfig {
  const file = path.join(run, 'config.json');
  if (!fs.existsSync(file)) throw new RangeError(`${run} is not a training run: ${file} is missing`);
  let c: RunConfig;
  try {
    c = JSON.parse(fs.readFileSync(file, 'utf8')) as RunConfig;
  } catch (err) {
    throw new RangeError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (c.dataset !== 'mnist' && c.dataset !== 'cifar10') throw new RangeError(`${file}: unknown dataset ${JSON.stringify(c.dataset)}`);
  return c;
}

/** The attention options a run was trained with, without the resolved-only fields. */
function attentionOf(c: RunConfig): Record<string, unknown> {
  const a = { ...(c.attention ?? {}) };
  delete a.positions;
  // keepRatio and k were resolved together: k decides.
  delete a.keepRatio;
  return a;
}

function firstImages(split: DataSplit, count: number): DataSplit {
  const n = Math.min(count, split.shape[0]);
  const per = split.shape[1] * split.shape[2] * split.shape[3];
  return { images: split.images.subarray(0, n * per), labels: split.labels.subarray(0, n), shape: [n, split.shape[1], split.shape[2], split.shape[3]], indices: split.indices.subarray(0, n) };
}

export async function evaluateMasks(o: MaskEvaluationOptions): Promise<{ result: MaskEvaluation; figure?: MaskFigureData }> {
  const config = readRunConfig(o.run);
  const controlError = o.controlError ?? 0;
  if (!(controlError >= 0) || !Number.isFinite(controlError)) throw new RangeError(`controlError must be a finite number >= 0, got ${controlError}`);
  const solverName = o.sampler;
  // A QUBO method whose count varies (qahan-free) is evaluated on its own form, the free QUBO.
  const method = attentionMethod(config.method);
  const free = method.usesQubo && !method.hard;
  const classical = solverName === 'topk' || solverName === 'qubo-ls';
  if (classical && controlError > 0) throw new RangeError(`--control-error models a QPU's annealer; it does not apply to ${solverName}`);
  const sampler: Sampler | undefined = classical ? undefined : createSampler(solverName as SamplerName | undefined);
  // The network only needs a sampler to be built for qahan; masks here come from the chosen solver.
  const net: AttentionNetwork = buildNetwork(config.dataset, config.method, config.seed ?? 0, sampler ?? new SimulatedAnnealingSampler(), {
    ...attentionOf(config),
    ...(o.qpuFormulation ? { qpuFormulation: o.qpuFormulation } : {}),
  }, parseArch(config.arch));
  try {
    await loadCheckpoint(o.run, net);
    const data = await loadDataset({ name: config.dataset, dataDir: o.dataDir, limit: config.limit, seed: config.dataSeed ?? config.seed ?? 0, validationFraction: config.validationFraction ?? 0 });
    const test = firstImages(data.test, o.limit ?? 1000);
    const N = net.positions;
    const k = net.k;
    const reference = new SimulatedAnnealingSampler();
    const total = test.shape[0];
    const keep = Math.min(o.keepImages ?? 0, total);
    const figure: MaskFigureData | undefined = keep
      ? { images: test.images.slice(0, keep * test.shape[1] * test.shape[2] * test.shape[3]), shape: [keep, test.shape[1], test.shape[2], test.shape[3]], mean: data.mean, std: data.std, masks: new Float32Array(keep * N), featureShape: net.featureShape, labels: test.labels.slice(0, keep), predictions: new Uint8Array(keep) }
      : undefined;
    let done = 0;
    let correct = 0;
    let correctClean = 0;
    let overlapSum = 0;
    let atRef = 0;
    let geTopk = 0;
    let geTopkSwap = 0;
    let violations = 0;
    let rawViolations = 0;
    let gapSum = 0;
    let solveMs = 0;
    let keptSum = 0;
    let keptSq = 0;
    let path = solverName ?? sampler!.name;
    const seed = o.seed ?? 0;
    const withReference = o.reference !== false;
    o.onProgress?.(0, total);
    for (const batch of batches(test, o.batchSize ?? 128)) {
      const B = batch.size;
      const [F, s, a] = tf.tidy(() => {
        const F = net.features(batch.xs);
        const s = net.scoreLogits(F);
        return [F, s, tf.sigmoid(s)] as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
      });
      try {
        const host = await net.toHost(F, a);
        const t0 = performance.now();
        const rowOf = (m: Float32Array, b: number) => m.subarray(b * N, (b + 1) * N);
        let mask: Float32Array;
        let clean: Float32Array | undefined;
        if (free) {
          // The free form (qahan-free): no cardinality, so no repair; topk is its optimum without
          // redundancy (a_i > tau), qubo-ls flip-and-swap descent from there, the reference the best of a
          // large SA budget and those masks, each refined by flip-and-swap descent.
          const fq = buildFreeQubos({ options: net.options, scores: host.scores, features: host.features, batch: B, channels: net.channels });
          const start = thresholdMask(fq);
          if (solverName === 'topk') {
            mask = start;
          } else if (solverName === 'qubo-ls') {
            mask = new Float32Array(B * N);
            for (let b = 0; b < B; b++) mask.set(freeDescent(fq, b, rowOf(start, b)).mask, b * N);
          } else {
            mask = (await annealFreeMasks(net, sampler!, host, B, { seed: seed + done, quboNoise: 0, controlError })).mask;
            path = 'free';
          }
          solveMs += performance.now() - t0;
          if (controlError > 0) clean = (await annealFreeMasks(net, sampler!, host, B, { seed: seed + done, quboNoise: 0 })).mask;
          const big = withReference ? await reference.sampleBatch(toBqms(fq), { numReads: 8, numSweeps: 1000, seed: 7 }) : [];
          for (let b = 0; b < B; b++) {
            const mine = rowOf(mask, b);
            const ts = rowOf(start, b);
            if (withReference) {
              const tsLs = freeDescent(fq, b, ts);
              let ref = tsLs.energy;
              for (const z of [mine, big[b].first.sample]) ref = Math.min(ref, freeDescent(fq, b, z).energy);
              const e = quboEnergy(fq, b, mine);
              const tol = 1e-9 * Math.max(1, Math.abs(ref));
              if (e <= ref + tol) atRef++;
              if (e <= quboEnergy(fq, b, ts) + tol) geTopk++;
              if (e <= tsLs.energy + tol) geTopkSwap++;
              gapSum += e - ref;
            }
            let kept = 0;
            for (let i = 0; i < N; i++) kept += mine[i] ? 1 : 0;
            keptSum += kept;
            keptSq += kept * kept;
            if (clean) {
              // Jaccard overlap: the sets may differ in size.
              let both = 0;
              let either = 0;
              for (let i = 0; i < N; i++) {
                both += mine[i] && clean[b * N + i] ? 1 : 0;
                either += mine[i] || clean[b * N + i] ? 1 : 0;
              }
              overlapSum += either ? both / either : 1;
            }
          }
        } else {
          const problem = buildAttentionProblem({ options: net.options, scores: host.scores, features: host.features, batch: B, channels: net.channels });
          const q = problem.qubos;
          const topk = topKMask(host.scores, B, N, k);
          let rawKept: Int32Array | undefined;
          if (solverName === 'topk') {
            mask = topk;
          } else if (solverName === 'qubo-ls') {
            mask = new Float32Array(B * N);
            for (let b = 0; b < B; b++) mask.set(swapLocalSearch(q, b, rowOf(topk, b)).mask, b * N);
          } else {
            const params = samplerParams(sampler!, net.options, seed + done);
            const r = await annealAttention(sampler!, problem, net.options, host.scores, { seed: seed + done, controlError, params });
            mask = r.mask;
            rawKept = r.rawKept;
            path = r.path;
          }
          solveMs += performance.now() - t0;
          if (controlError > 0) {
            const params = samplerParams(sampler!, net.options, seed + done);
            clean = (await annealAttention(sampler!, problem, net.options, host.scores, { seed: seed + done, controlError: 0, singleFlip: true, params })).mask;
          }
          const big = withReference ? await reference.sampleBatch(toBqms(problem.qubos), { numReads: 8, numSweeps: 1000, cardinality: k, seed: 7 }) : [];
          for (let b = 0; b < B; b++) {
            const mine = rowOf(mask, b);
            const tk = rowOf(topk, b);
            if (withReference) {
              const tkSwap = swapLocalSearch(q, b, tk);
              const ref = referenceOptimum(q, b, [tk, tkSwap.mask, mine, big[b].first.sample]);
              const e = quboEnergy(q, b, mine);
              const tol = 1e-9 * Math.max(1, Math.abs(ref.energy));
              if (e <= ref.energy + tol) atRef++;
              if (e <= quboEnergy(q, b, tk) + tol) geTopk++;
              if (e <= tkSwap.energy + tol) geTopkSwap++;
              gapSum += e - ref.energy;
            }
            let kept = 0;
            for (let i = 0; i < N; i++) kept += mine[i] ? 1 : 0;
            if (kept !== k) violations++;
            if (rawKept ? rawKept[b] !== k : kept !== k) rawViolations++;
            const raw = rawKept ? rawKept[b] : kept;
            keptSum += raw;
            keptSq += raw * raw;
            if (clean) {
              let ov = 0;
              for (let i = 0; i < N; i++) ov += mine[i] && clean[b * N + i] ? 1 : 0;
              overlapSum += ov / k;
            }
          }
        }
        const predict = (m: Float32Array) => tf.tidy(() => tf.argMax(logitsFromMask(net.strategy, net, { F, s, a, batch: B }, m), 1));
        const labels = tf.tidy(() => tf.argMax(batch.ys, 1));
        const pred = predict(mask);
        const [p, l] = await Promise.all([pred.data(), labels.data()]);
        for (let b = 0; b < B; b++) if (p[b] === l[b]) correct++;
        if (figure) for (let b = 0; b < B && done + b < keep; b++) {
          figure.masks.set(rowOf(mask, b), (done + b) * N);
          figure.predictions[done + b] = p[b];
        }
        pred.dispose();
        if (clean) {
          const pc = predict(clean);
          const c = await pc.data();
          for (let b = 0; b < B; b++) if (c[b] === l[b]) correctClean++;
          pc.dispose();
        }
        labels.dispose();
      } finally {
        F.dispose();
        s.dispose();
        a.dispose();
        batch.xs.dispose();
        batch.ys.dispose();
      }
      done += B;
      o.onProgress?.(done, total);
    }
    const share = (x: number) => x / Math.max(1, done);
    const keptMean = keptSum / Math.max(1, done);
    const result: MaskEvaluation = {
      run: o.run,
      dataset: config.dataset,
      method: config.method,
      solver: solverName ?? sampler!.name,
      path,
      ...(controlError > 0 ? { controlError } : {}),
      images: done,
      k,
      accuracy: share(correct),
      atReference: withReference ? share(atRef) : NaN,
      atLeastTopk: withReference ? share(geTopk) : NaN,
      atLeastTopkSwap: withReference ? share(geTopkSwap) : NaN,
      cardinalityViolations: share(violations),
      rawCardinalityViolations: share(rawViolations),
      meanEnergyGap: withReference ? gapSum / Math.max(1, done) : NaN,
      msPerImage: solveMs / Math.max(1, done),
      keptMean,
      keptStd: Math.sqrt(Math.max(0, keptSq / Math.max(1, done) - keptMean * keptMean)),
      ...(controlError > 0 ? { accuracyNoiseless: share(correctClean), overlapWithNoiseless: overlapSum / Math.max(1, done) } : {}),
    };
    return { result, figure };
  } finally {
    net.dispose();
  }
}

/**
 * "Trained with X, evaluated with Y": the test accuracy of every finished run of an annealed method
 * (qahan, qahan-energy, qahan-free) with its masks from each of `solvers`, on the first `limit` test
 * images (default 1000), without the reference optimum (accuracy only, to keep it cheap).
 */
export async function crossSamplerEvaluation(
  runs: readonly { method: string; seed: number; dir: string }[],
  o: { limit?: number; dataDir?: string; solvers?: readonly MaskSolver[]; onRun?: (done: number, total: number) => void } = {},
): Promise<CrossSamplerCell[]> {
  const annealed = runs.filter((r) => findAttentionMethod(r.method)?.role === 'annealed' && fs.existsSync(path.join(r.dir, 'checkpoint.json')));
  const solvers = o.solvers ?? CROSS_SOLVERS;
  const cells: CrossSamplerCell[] = [];
  let done = 0;
  for (const r of annealed) {
    const trainedWith = readRunConfig(r.dir).sampler ?? 'default';
    for (const solver of solvers) {
      const { result } = await evaluateMasks({ run: r.dir, limit: o.limit ?? 1000, sampler: solver, dataDir: o.dataDir, reference: false });
      cells.push({ method: r.method, seed: r.seed, trainedWith, evaluatedWith: solver, accuracy: result.accuracy, images: result.images, keptMean: result.keptMean });
      o.onRun?.(++done, annealed.length * solvers.length);
    }
  }
  return cells;
}
