/**
 * Training loop: Adam, seeded weights and data order, per-iteration and per-epoch metrics as JSONL,
 * a checkpoint after every epoch and `resume`.
 *
 * Files in `out`:
 *   config.json       the run's options
 *   metrics.jsonl     one object per epoch: epoch, trainLoss, trainAccuracy, testLoss, testAccuracy, seconds, ...
 *   iterations.jsonl  one object per training step: epoch, iteration, step, loss, accuracy, ms, buildMs, annealMs
 *   checkpoint.json + checkpoint.bin   weights, optimizer state, epoch, step
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { AttentionNetwork, architecture } from '../attention/network';
import type { AttentionOptions, MethodName } from '../attention/options';
import type { SamplerName } from '../config/qahan-config';
import { batchCount, batches, Dataset, DatasetName, loadDataset, DataSplit } from '../data/dataset';
import { createSampler } from '../samplers/create-sampler';
import type { Sampler } from '../samplers/sampler';
import { CHECKPOINT_BIN, CHECKPOINT_JSON, CheckpointError, hasCheckpoint, loadCheckpoint, readCheckpointData, readCheckpointManifest, saveCheckpoint } from './checkpoint';
import { ProgressBar } from './progress';

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
  /** Wall time of the epoch's training steps (evaluation excluded). */
  seconds: number;
  evalSeconds: number;
  /** Seconds spent building QUBOs and annealing during the epoch's training (qahan). */
  buildSeconds: number;
  annealSeconds: number;
  /** Cumulative training seconds up to the end of this epoch. */
  elapsedSeconds: number;
  steps: number;
  method: MethodName;
  dataset: DatasetName;
  seed: number;
  backend: string;
  sampler?: string;
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
}

export interface TrainResult {
  out: string;
  epochs: EpochMetrics[];
  /** True when every epoch was already done (nothing trained). */
  alreadyComplete: boolean;
}

export const METRICS_FILE = 'metrics.jsonl';
export const ITERATIONS_FILE = 'iterations.jsonl';

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
  if (o.resume !== undefined && typeof o.resume !== 'boolean') throw new TypeError(`resume must be true or false, got ${JSON.stringify(o.resume)}`);
}

function writeJsonl(file: string, rows: unknown[]): void {
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r) + '\n').join(''));
}

/** Whether out/metrics.jsonl already holds `epochs` epochs. */
export function runComplete(out: string, epochs: number): boolean {
  const rows = readJsonl<EpochMetrics>(path.join(out, METRICS_FILE));
  return rows.length >= epochs && rows.slice(0, epochs).every((r, i) => r.epoch === i + 1);
}

export function samplerFor(method: MethodName, sampler: TrainOptions['sampler']): Sampler | undefined {
  if (method !== 'qahan') return undefined;
  if (sampler && typeof sampler === 'object') return sampler;
  return createSampler(sampler as SamplerName | undefined);
}

/** The network for a dataset, method and seed. */
export function buildNetwork(dataset: DatasetName, method: MethodName, seed: number, sampler?: Sampler, attention?: AttentionOptions): AttentionNetwork {
  return new AttentionNetwork(architecture(dataset), { method, sampler, seed, attention });
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
  const metricsFile = path.join(o.out, METRICS_FILE);
  const iterFile = path.join(o.out, ITERATIONS_FILE);

  let done: EpochMetrics[] = [];
  if (o.resume) {
    if (hasCheckpoint(o.out) && runComplete(o.out, o.epochs)) {
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
  const net = buildNetwork(o.dataset, o.method, seed, sampler, o.attention);
  fs.mkdirSync(o.out, { recursive: true });
  const optimizer = tf.train.adam(lr);
  const backend = tf.getBackend();
  let startEpoch = 0;
  let elapsed = 0;
  try {
    const data = o.data ?? (await loadDataset({ name: o.dataset, dataDir: o.dataDir, limit: o.limit, seed, validationFraction: 0 }));
    tf.util.assert(data.name === o.dataset, () => `dataset ${data.name} given for a ${o.dataset} run`);
    if (o.resume && hasCheckpoint(o.out)) {
      const m = await loadCheckpoint(o.out, net, optimizer);
      startEpoch = m.epoch;
      done = readJsonl<EpochMetrics>(metricsFile).filter((r) => r.epoch <= startEpoch);
      writeJsonl(metricsFile, done);
      writeJsonl(iterFile, readJsonl<IterationRecord>(iterFile).filter((r) => r.epoch <= startEpoch));
      elapsed = done.length ? done[done.length - 1].elapsedSeconds : 0;
      if (o.progress !== false) process.stderr.write(`resuming ${o.out} after epoch ${startEpoch}\n`);
    } else {
      fs.writeFileSync(metricsFile, '');
      fs.writeFileSync(iterFile, '');
    }
    const config = {
      dataset: o.dataset,
      method: o.method,
      epochs: o.epochs,
      batchSize,
      lr,
      seed,
      limit: o.limit,
      trainImages: data.train.shape[0],
      testImages: data.test.shape[0],
      backend,
      sampler: sampler?.name,
      positions: net.positions,
      attention: net.options,
    };
    fs.writeFileSync(path.join(o.out, 'config.json'), JSON.stringify(config, null, 1));

    const steps = batchCount(data.train, batchSize);
    for (let epoch = startEpoch + 1; epoch <= o.epochs; epoch++) {
      const bar = new ProgressBar(`${o.method} epoch ${epoch}/${o.epochs}`, steps, process.stderr, o.progress !== false);
      const t0 = performance.now();
      let lossSum = 0;
      let correct = 0;
      let n = 0;
      let buildMs = 0;
      let annealMs = 0;
      const iterLines: string[] = [];
      let it = 0;
      for (const b of batches(data.train, batchSize, { shuffleSeed: (seed * 100_003 + epoch) >>> 0, numClasses: data.numClasses })) {
        try {
          const r = await net.trainStep(b.xs, b.ys, optimizer);
          lossSum += r.loss * b.size;
          correct += r.accuracy * b.size;
          n += b.size;
          buildMs += r.timings.buildMs;
          annealMs += r.timings.annealMs;
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
          };
          iterLines.push(JSON.stringify(rec));
          bar.update(it, `loss ${(lossSum / n).toFixed(3)} acc ${((100 * correct) / n).toFixed(1)}%`);
        } finally {
          b.xs.dispose();
          b.ys.dispose();
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      elapsed += seconds;
      const te = performance.now();
      const test = await evaluate(net, data.test, o.evalBatchSize ?? 256);
      const m: EpochMetrics = {
        epoch,
        trainLoss: lossSum / n,
        trainAccuracy: correct / n,
        testLoss: test.loss,
        testAccuracy: test.accuracy,
        seconds: round(seconds, 3),
        evalSeconds: round((performance.now() - te) / 1000, 3),
        buildSeconds: round(buildMs / 1000, 3),
        annealSeconds: round(annealMs / 1000, 3),
        elapsedSeconds: round(elapsed, 3),
        steps: net.step,
        method: o.method,
        dataset: o.dataset,
        seed,
        backend,
        sampler: sampler?.name,
      };
      fs.appendFileSync(iterFile, iterLines.map((l) => l + '\n').join(''));
      await saveCheckpoint(o.out, net, optimizer, epoch);
      fs.appendFileSync(metricsFile, JSON.stringify(m) + '\n');
      done.push(m);
      o.onEpoch?.(m);
      if (o.progress !== false) {
        process.stderr.write(
          `${o.method} epoch ${epoch}: train loss ${m.trainLoss.toFixed(4)} acc ${(100 * m.trainAccuracy).toFixed(2)}% | test loss ${m.testLoss.toFixed(4)} acc ${(100 * m.testAccuracy).toFixed(2)}% | ${m.seconds.toFixed(1)} s` +
            (o.method === 'qahan' ? ` (QUBO build ${m.buildSeconds.toFixed(1)} s, annealing ${m.annealSeconds.toFixed(1)} s)` : '') +
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
