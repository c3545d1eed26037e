/**
 * Training loop: Adam, seeded weights and data order, per-iteration and per-epoch metrics as JSONL,
 * a checkpoint after every epoch and `resume`.
 *
 * Files in `out`:
 *   config.json       the run's options
 *   metrics.jsonl     one object per epoch: epoch, trainLoss, trainAccuracy, testLoss, testAccuracy, seconds, ...
 *   iterations.jsonl  one object per training step: epoch, iteration, step, loss, accuracy, ms, buildMs, annealMs
 *   validation.jsonl  with evalEvery: validation accuracy and loss every evalEvery steps (and at each epoch's end),
 *                     with the training seconds up to that step (evaluation time excluded)
 *   checkpoint.json + checkpoint.bin   weights, optimizer state, epoch, step
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { attentionMethod } from '../attention/methods';
import { AttentionNetwork } from '../attention/network';
import { architecture, ArchName, parseArch } from '../attention/backbone';
import type { AttentionOptions, MethodName } from '../attention/options';
import type { SamplerName } from '../config/qahan-config';
import { batchCount, batches, Dataset, DatasetName, loadDataset, DataSplit } from '../data/dataset';
import { createSampler } from '../samplers/create-sampler';
import type { Sampler } from '../samplers/sampler';
import { CHECKPOINT_BIN, CHECKPOINT_JSON, CheckpointError, hasCheckpoint, loadCheckpoint, readCheckpointData, readCheckpointManifest, saveCheckpoint } from './checkpoint';
import { ProgressBar } from '../cli/progress';
import { adamOptimizer } from './fused-adam';

export interface TrainOptions {
  dataset: DatasetName;
  method: MethodName;
  epochs: number;
  out: string;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Training images (the test set is capped in proportion by the loader). */
  limit?: number;
  dataDir?: string;
  /** The sampler for qahan (default: the configured one, see resolveSamplerConfig). */
  sampler?: SamplerName | Sampler;
  attention?: AttentionOptions;
  /**
   * Share of the (limited) training images held out as the validation split, which chooses learning
   * rates, targets and epochs (docs/protocol.md). Default 0 (the first experiments' setting).
   */
  validationFraction?: number;
  /** Evaluate the validation split every this many training steps (validation.jsonl). Needs validationFraction > 0. */
  evalEvery?: number;
  /** Seed of the data shuffle, subset and validation split. Default: the run's seed. */
  dataSeed?: number;
  /**
   * Learning rate over training: 'constant' (default, the first experiments') or 'cosine', lr * (1 + cos(pi t / T)) / 2
   * at step t of T = epochs x steps per epoch, which lets a run settle at its end instead of hovering at lr's noise level.
   */
  lrSchedule?: LrSchedule;
  /**
   * Training-image augmentation: 'none' (default) or 'flip', each image mirrored left to right with
   * probability 1/2 per epoch (for CIFAR-10, whose classes are mirror-symmetric; MNIST's digits are not).
   */
  augment?: Augment;
  /** Names an experiment gives the run (written to config.json; reports group runs by them). */
  setting?: string;
  variant?: string;
  /** Backbone family (architecture(dataset, arch)); default 'small', the first experiments' nets. */
  arch?: ArchName;
  /**
   * Continue from out/checkpoint.* when present (a damaged checkpoint is a CheckpointError naming the
   * file); without one, a new run starts, saying so on stderr unless `progress` is false. The CLI's
   * `--resume` requires a checkpoint.
   */
  resume?: boolean;
  /** Progress bar on stderr. Default true. */
  progress?: boolean;
  /** An already loaded dataset (experiments load it once for all runs). */
  data?: Dataset;
  /** Batch size for evaluating the test set. Default 256. */
  evalBatchSize?: number;
  /** Called with each epoch's record. */
  onEpoch?: (m: EpochMetrics) => void;
}

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** On the validation split, when there is one. */
  validationLoss?: number;
  validationAccuracy?: number;
  /** Wall time of the epoch's training steps (evaluation excluded). */
  seconds: number;
  evalSeconds: number;
  /** Seconds spent building QUBOs and annealing during the epoch's training (qahan). */
  buildSeconds: number;
  annealSeconds: number;
  /** Cumulative training seconds up to the end of this epoch. */
  elapsedSeconds: number;
  /** CPU seconds of the epoch's training steps, and cumulative (ValidationRecord.cpuSeconds). */
  cpuSeconds?: number;
  cpuElapsedSeconds?: number;
  steps: number;
  method: MethodName;
  dataset: DatasetName;
  seed: number;
  backend: string;
  sampler?: string;
  /** Positions kept per training image over the epoch, mean and standard deviation (qahan-free). */
  keptMean?: number;
  keptStd?: number;
}

export interface IterationRecord {
  epoch: number;
  iteration: number;
  step: number;
  loss: number;
  accuracy: number;
  ms: number;
  scoreMs: number;
  buildMs: number;
  annealMs: number;
  gradMs: number;
  /** Positions kept per image in the step's batch (methods whose count varies: qahan-free). */
  keptMean?: number;
  keptStd?: number;
}

/** CPU seconds used by this process so far (all threads). */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** One validation evaluation during training (validation.jsonl). */
export interface ValidationRecord {
  epoch: number;
  /** Training steps taken when evaluated. */
  step: number;
  /** Training seconds up to this step, evaluations excluded. */
  seconds: number;
  /**
   * The same in CPU seconds of the process (every thread: tfjs, the annealer's pool), evaluations excluded:
   * unlike wall time, not stretched by other jobs on a shared machine or by the process being stopped.
   */
  cpuSeconds?: number;
  validationLoss: number;
  validationAccuracy: number;
}

export interface TrainResult {
  out: string;
  epochs: EpochMetrics[];
  /** True when every epoch was already done (nothing trained). */
  alreadyComplete: boolean;
}

export const AUGMENTS = ['none', 'flip'] as const;
export type Augment = (typeof AUGMENTS)[number];

export const LR_SCHEDULES = ['constant', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

/** The learning rate of step t (0-based) of T under a schedule. */
export function scheduledLr(lr: number, schedule: LrSchedule, t: number, T: number): number {
  return schedule === 'cosine' ? (lr * (1 + Math.cos((Math.PI * Math.min(t, T)) / Math.max(1, T)))) / 2 : lr;
}

export const METRICS_FILE = 'metrics.jsonl';
/** Evaluations of a run's final checkpoint (written by experiment-run.ts); stale once the run trains again. */
export const NOISE_FILE = 'noise.jsonl';
export const CROSS_SAMPLER_FILE = 'cross-sampler.jsonl';
export const ITERATIONS_FILE = 'iterations.jsonl';
export const VALIDATION_FILE = 'validation.jsonl';

export function readJsonl<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const rows: T[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((l, k) => {
      if (!l.trim()) return;
      try {
        rows.push(JSON.parse(l) as T);
      } catch (err) {
        throw new SyntaxError(`${file}: line ${k + 1} is corrupt (${(err as Error).message})`, { cause: err });
      }
    });
  return rows;
}

/** Most images in one training or evaluation batch. */
export const MAX_BATCH_SIZE = 65536;

/**
 * Checks the options train() takes before anything is loaded or written: wrong types are TypeErrors,
 * values out of range RangeErrors, each naming the option. (Attention options are checked by the network.)
 */
export function checkTrainOptions(o: TrainOptions): void {
  if (!o || typeof o !== 'object') throw new TypeError('train() takes an options object');
  if (typeof o.out !== 'string' || o.out === '') throw new TypeError(`out must be a folder path, got ${JSON.stringify(o.out)}`);
  const integer = (v: unknown, name: string, lo: number, hi: number) => {
    if (typeof v !== 'number') throw new TypeError(`${name} must be a number, got ${JSON.stringify(v)}`);
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be an integer in ${lo}..${hi}, got ${v}`);
  };
  integer(o.epochs, 'epochs', 1, 1_000_000);
  if (o.batchSize !== undefined) integer(o.batchSize, 'batchSize', 1, MAX_BATCH_SIZE);
  if (o.evalBatchSize !== undefined) integer(o.evalBatchSize, 'evalBatchSize', 1, MAX_BATCH_SIZE);
  if (o.seed !== undefined) integer(o.seed, 'seed', 0, Number.MAX_SAFE_INTEGER);
  if (o.limit !== undefined) integer(o.limit, 'limit', 1, Number.MAX_SAFE_INTEGER);
  if (o.lr !== undefined) {
    if (typeof o.lr !== 'number') throw new TypeError(`lr must be a number, got ${JSON.stringify(o.lr)}`);
    // Adam's step is about lr per weight: beyond 1 it only diverges.
    if (!(o.lr > 0 && o.lr <= 1)) throw new RangeError(`lr (the learning rate) must be in (0, 1], got ${o.lr}`);
  }
  if (o.arch !== undefined) parseArch(o.arch);
  if (o.lrSchedule !== undefined && !(LR_SCHEDULES as readonly unknown[]).includes(o.lrSchedule)) throw new RangeError(`lrSchedule must be one of ${LR_SCHEDULES.join(', ')}, got ${JSON.stringify(o.lrSchedule)}`);
  if (o.augment !== undefined && !(AUGMENTS as readonly unknown[]).includes(o.augment)) throw new RangeError(`augment must be one of ${AUGMENTS.join(', ')}, got ${JSON.stringify(o.augment)}`);
  if (o.evalEvery !== undefined) integer(o.evalEvery, 'evalEvery', 1, Number.MAX_SAFE_INTEGER);
  if (o.dataSeed !== undefined) integer(o.dataSeed, 'dataSeed', 0, Number.MAX_SAFE_INTEGER);
  if (o.validationFraction !== undefined) {
    if (typeof o.validationFraction !== 'number') throw new TypeError(`validationFraction must be a number, got ${JSON.stringify(o.validationFraction)}`);
    if (!(o.validationFraction >= 0 && o.validationFraction < 1)) throw new RangeError(`validationFraction must be in [0, 1), got ${o.validationFraction}`);
  }
  if (o.evalEvery !== undefined && !(o.validationFraction! > 0) && !o.data) throw new RangeError('evalEvery needs a validation split: set validationFraction > 0');
  if (o.resume !== undefined && typeof o.resume !== 'boolean') throw new TypeError(`resume must be true or false, got ${JSON.stringify(o.resume)}`);
}

function writeJsonl(file: string, rows: unknown[]): void {
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r) + '\n').join(''));
}

/**
 * Whether a run has trained its epochs: every epoch's metrics line is there, and a checkpoint, if any, is
 * of the last epoch. Metrics are appended before the checkpoint is saved, so a kill between the two leaves
 * a checkpoint one epoch behind and the run is resumed (its last epoch trained again). Without a checkpoint
 * (a fresh checkout keeps results, not checkpoints) complete metrics are a finished run.
 */
export function runComplete(out: string, epochs: number): boolean {
  const rows = readJsonl<EpochMetrics>(path.join(out, METRICS_FILE));
  if (!(rows.length >= epochs && rows.slice(0, epochs).every((r, i) => r.epoch === i + 1))) return false;
  if (!fs.existsSync(path.join(out, CHECKPOINT_JSON))) return true;
  try {
    return readCheckpointManifest(out).epoch >= epochs;
  } catch {
    return false; // a damaged checkpoint: train() says why
  }
}

export function samplerFor(method: MethodName, sampler: TrainOptions['sampler']): Sampler | undefined {
  if (!attentionMethod(method).usesSampler) return undefined;
  if (sampler && typeof sampler === 'object') return sampler;
  return createSampler(sampler as SamplerName | undefined);
}

/** The network for a dataset, method and seed (backbone family `arch`, default 'small'). */
export function buildNetwork(dataset: DatasetName, method: MethodName, seed: number, sampler?: Sampler, attention?: AttentionOptions, arch?: ArchName): AttentionNetwork {
  return new AttentionNetwork(architecture(dataset, arch), { method, sampler, seed, attention });
}

/** Mean loss and accuracy on a split (optionally with QUBO noise for qahan). */
export async function evaluate(net: AttentionNetwork, split: DataSplit, batchSize = 256, opts: { quboNoise?: number } = {}): Promise<{ loss: number; accuracy: number }> {
  let lossSum = 0;
  let correct = 0;
  let n = 0;
  for (const b of batches(split, batchSize)) {
    try {
      const r = await net.evaluateBatch(b.xs, b.ys, opts);
      lossSum += r.lossSum;
      correct += r.correct;
      n += b.size;
    } finally {
      b.xs.dispose();
      b.ys.dispose();
    }
  }
  return { loss: lossSum / Math.max(1, n), accuracy: correct / Math.max(1, n) };
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  checkTrainOptions(o);
  const seed = o.seed ?? 0;
  const batchSize = o.batchSize ?? 32;
  const lr = o.lr ?? 3e-3;
  const arch = parseArch(o.arch);
  const metricsFile = path.join(o.out, METRICS_FILE);
  const iterFile = path.join(o.out, ITERATIONS_FILE);
  const valFile = path.join(o.out, VALIDATION_FILE);

  let done: EpochMetrics[] = [];
  if (o.resume) {
    if (runComplete(o.out, o.epochs)) {
      return { out: o.out, epochs: readJsonl<EpochMetrics>(metricsFile).slice(0, o.epochs), alreadyComplete: true };
    }
    if (hasCheckpoint(o.out)) {
      // A checkpoint that cannot be resumed fails now, naming its file, before the data is loaded.
      const manifest = readCheckpointManifest(o.out);
      readCheckpointData(o.out, manifest);
      if (manifest.method !== o.method) {
        throw new CheckpointError(path.join(o.out, CHECKPOINT_JSON), `the checkpoint is of a '${manifest.method}' run, this one trains '${o.method}'; check --out or --method`);
      }
    } else if (fs.existsSync(path.join(o.out, CHECKPOINT_JSON))) {
      // The manifest is renamed into place last: without its .bin the checkpoint is damaged, not absent.
      throw new CheckpointError(path.join(o.out, CHECKPOINT_BIN), `is missing, so the checkpoint in ${o.out} cannot be resumed; delete ${CHECKPOINT_JSON} to start over`);
    } else if (o.progress !== false) {
      const why = fs.existsSync(o.out) ? `no checkpoint in ${o.out}` : `${o.out} does not exist`;
      process.stderr.write(`resume: ${why}; starting a new run from epoch 1\n`);
    }
  }

  // The network first: it checks the method and attention options, so a bad one fails before the data loads.
  const sampler = samplerFor(o.method, o.sampler);
  const net = buildNetwork(o.dataset, o.method, seed, sampler, o.attention, arch);
  fs.mkdirSync(o.out, { recursive: true });
  const optimizer = adamOptimizer(lr);
  const backend = tf.getBackend();
  let startEpoch = 0;
  let elapsed = 0;
  let cpuElapsed = 0;
  try {
    const dataSeed = o.dataSeed ?? seed;
    const validationFraction = o.validationFraction ?? 0;
    const data = o.data ?? (await loadDataset({ name: o.dataset, dataDir: o.dataDir, limit: o.limit, seed: dataSeed, validationFraction }));
    const hasValidation = data.validation.shape[0] > 0;
    if (o.evalEvery !== undefined && !hasValidation) throw new RangeError('evalEvery needs a validation split, and this dataset has none (validationFraction 0)');
    tf.util.assert(data.name === o.dataset, () => `dataset ${data.name} given for a ${o.dataset} run`);
    if (o.resume && hasCheckpoint(o.out)) {
      const m = await loadCheckpoint(o.out, net, optimizer);
      net.evalCalls = m.evalCalls ?? 0;
      startEpoch = m.epoch;
      done = readJsonl<EpochMetrics>(metricsFile).filter((r) => r.epoch <= startEpoch);
      writeJsonl(metricsFile, done);
      writeJsonl(iterFile, readJsonl<IterationRecord>(iterFile).filter((r) => r.epoch <= startEpoch));
      writeJsonl(valFile, readJsonl<ValidationRecord>(valFile).filter((r) => r.epoch <= startEpoch));
      elapsed = done.length ? done[done.length - 1].elapsedSeconds : 0;
      cpuElapsed = done.length ? (done[done.length - 1].cpuElapsedSeconds ?? NaN) : 0;
      if (o.progress !== false) process.stderr.write(`resuming ${o.out} after epoch ${startEpoch}\n`);
    } else {
      fs.writeFileSync(metricsFile, '');
      fs.writeFileSync(iterFile, '');
      if (hasValidation) fs.writeFileSync(valFile, '');
      else fs.rmSync(valFile, { force: true });
    }
    const config = {
      ...(o.setting !== undefined ? { setting: o.setting } : {}),
      ...(o.variant !== undefined ? { variant: o.variant } : {}),
      dataset: o.dataset,
      method: o.method,
      arch,
      epochs: o.epochs,
      batchSize,
      lr,
      lrSchedule: o.lrSchedule ?? 'constant',
      augment: o.augment ?? 'none',
      seed,
      limit: o.limit,
      dataSeed,
      validationFraction,
      evalEvery: o.evalEvery,
      trainImages: data.train.shape[0],
      validationImages: data.validation.shape[0],
      testImages: data.test.shape[0],
      backend,
      sampler: sampler?.name,
      positions: net.positions,
      attention: net.options,
    };
    fs.writeFileSync(path.join(o.out, 'config.json'), JSON.stringify(config, null, 1));

    // Evaluations of an earlier final checkpoint (a run trained again from scratch or for more epochs) go.
    if (startEpoch < o.epochs) for (const f of [NOISE_FILE, CROSS_SAMPLER_FILE]) fs.rmSync(path.join(o.out, f), { force: true });
    const steps = batchCount(data.train, batchSize);
    for (let epoch = startEpoch + 1; epoch <= o.epochs; epoch++) {
      const bar = new ProgressBar(`${o.method} epoch ${epoch}/${o.epochs}`, steps, { enabled: o.progress !== false });
      const t0 = performance.now();
      const c0 = cpuNow();
      let lossSum = 0;
      let correct = 0;
      let n = 0;
      let buildMs = 0;
      let annealMs = 0;
      let keptN = 0;
      let keptSum = 0;
      let keptSq = 0;
      const iterLines: string[] = [];
      const valLines: string[] = [];
      let evalMs = 0;
      let evalCpu = 0;
      // Validation at fixed steps; its time is kept out of the training seconds.
      const validate = async (): Promise<{ loss: number; accuracy: number }> => {
        const tv = performance.now();
        const cv = cpuNow();
        const r = await evaluate(net, data.validation, o.evalBatchSize ?? 256);
        const rec: ValidationRecord = {
          epoch,
          step: net.step,
          seconds: round(elapsed + (tv - t0 - evalMs) / 1000, 3),
          cpuSeconds: round(cpuElapsed + (cv - c0 - evalCpu), 3),
          validationLoss: r.loss,
          validationAccuracy: r.accuracy,
        };
        valLines.push(JSON.stringify(rec));
        evalMs += performance.now() - tv;
        evalCpu += cpuNow() - cv;
        return r;
      };
      let it = 0;
      const flipSeed = o.augment === 'flip' ? (seed * 100_019 + epoch * 7_919 + 1) >>> 0 : undefined;
      for (const b of batches(data.train, batchSize, { shuffleSeed: (seed * 100_003 + epoch) >>> 0, numClasses: data.numClasses, flipSeed })) {
        try {
          if (o.lrSchedule === 'cosine') (optimizer as unknown as { learningRate: number }).learningRate = scheduledLr(lr, 'cosine', net.step, o.epochs * steps);
          const r = await net.trainStep(b.xs, b.ys, optimizer);
          lossSum += r.loss * b.size;
          correct += r.accuracy * b.size;
          n += b.size;
          buildMs += r.timings.buildMs;
          annealMs += r.timings.annealMs;
          if (r.kept) {
            keptN += b.size;
            keptSum += r.kept.mean * b.size;
            keptSq += (r.kept.std ** 2 + r.kept.mean ** 2) * b.size;
          }
          it++;
          const rec: IterationRecord = {
            epoch,
            iteration: it,
            step: net.step,
            loss: r.loss,
            accuracy: r.accuracy,
            ms: round(r.timings.totalMs),
            scoreMs: round(r.timings.scoreMs),
            buildMs: round(r.timings.buildMs),
            annealMs: round(r.timings.annealMs),
            gradMs: round(r.timings.gradMs),
            ...(r.kept ? { keptMean: round(r.kept.mean, 3), keptStd: round(r.kept.std, 3) } : {}),
          };
          iterLines.push(JSON.stringify(rec));
          if (o.evalEvery && net.step % o.evalEvery === 0 && it < steps) await validate();
          bar.update(it, `loss ${(lossSum / n).toFixed(3)} acc ${((100 * correct) / n).toFixed(1)}%`);
        } finally {
          b.xs.dispose();
          b.ys.dispose();
        }
      }
      // The epoch's end is always a validation point (and the last one of the curve).
      const val = hasValidation ? await validate() : undefined;
      const seconds = (performance.now() - t0 - evalMs) / 1000;
      const cpuSeconds = cpuNow() - c0 - evalCpu;
      elapsed += seconds;
      cpuElapsed += cpuSeconds;
      const te = performance.now();
      const test = await evaluate(net, data.test, o.evalBatchSize ?? 256);
      const m: EpochMetrics = {
        epoch,
        trainLoss: lossSum / n,
        trainAccuracy: correct / n,
        testLoss: test.loss,
        testAccuracy: test.accuracy,
        ...(val ? { validationLoss: val.loss, validationAccuracy: val.accuracy } : {}),
        seconds: round(seconds, 3),
        evalSeconds: round((performance.now() - te + evalMs) / 1000, 3),
        buildSeconds: round(buildMs / 1000, 3),
        annealSeconds: round(annealMs / 1000, 3),
        elapsedSeconds: round(elapsed, 3),
        cpuSeconds: round(cpuSeconds, 3),
        cpuElapsedSeconds: round(cpuElapsed, 3),
        steps: net.step,
        method: o.method,
        dataset: o.dataset,
        seed,
        backend,
        sampler: sampler?.name,
        ...(keptN ? { keptMean: round(keptSum / keptN, 3), keptStd: round(Math.sqrt(Math.max(0, keptSq / keptN - (keptSum / keptN) ** 2)), 3) } : {}),
      };
      fs.appendFileSync(iterFile, iterLines.map((l) => l + '\n').join(''));
      if (valLines.length) fs.appendFileSync(valFile, valLines.map((l) => l + '\n').join(''));
      // Metrics before the checkpoint: a kill between the two leaves the checkpoint behind, and resume
      // drops the epoch's records and trains it again (the other order left a run one line short for good).
      fs.appendFileSync(metricsFile, JSON.stringify(m) + '\n');
      await saveCheckpoint(o.out, net, optimizer, epoch);
      done.push(m);
      o.onEpoch?.(m);
      if (o.progress !== false) {
        process.stderr.write(
          `${o.method} epoch ${epoch}: train loss ${m.trainLoss.toFixed(4)} acc ${(100 * m.trainAccuracy).toFixed(2)}% | test loss ${m.testLoss.toFixed(4)} acc ${(100 * m.testAccuracy).toFixed(2)}% | ${m.seconds.toFixed(1)} s` +
            (attentionMethod(o.method).usesQubo ? ` (QUBO build ${m.buildSeconds.toFixed(1)} s, annealing ${m.annealSeconds.toFixed(1)} s)` : '') +
            '\n',
        );
      }
    }
  } finally {
    net.dispose();
    optimizer.dispose();
  }
  return { out: o.out, epochs: done, alreadyComplete: false };
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
