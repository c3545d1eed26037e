/**
 * Running a plan's runs locally (one shard of N) and the noise evaluation of a finished run.
 *
 * A run is trained with resume (a kill loses at most the epoch in progress; a complete run is skipped),
 * then evaluated under pixel noise and, for methods that use a sampler, under the QPU control-error
 * model, and for annealed methods with other solvers' masks (cross-sampler.jsonl: does a network trained on
 * annealed masks need the annealer at test time?). Evaluations are cached line by line, so they resume too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { attentionMethod, MethodName } from '../attention/methods';
import { parseArch } from '../attention/backbone';
import type { AttentionOptions } from '../attention/settings';
import type { SamplerName } from '../config/qahan-config';
import { Dataset, DatasetName, loadDataset } from '../data/dataset';
import { hasCheckpoint, loadCheckpoint } from './checkpoint';
import { ExperimentPlan, RunSpec, shardRuns } from './experiment-plan';
import { CROSS_SOLVERS, isMaskSolver, MaskSolver } from './mask-solvers';
import { buildNetwork, CROSS_SAMPLER_FILE, evaluate, METRICS_FILE, NOISE_FILE, readJsonl, runComplete, samplerFor, train } from './trainer';

export { CROSS_SAMPLER_FILE, NOISE_FILE };

export type NoiseKind = 'clean' | 'gaussian' | 'salt-pepper' | 'control-error';

/** One line of a run's noise.jsonl. */
export interface RunNoiseResult {
  kind: NoiseKind;
  level: number;
  accuracy: number;
  /** Test images evaluated. */
  images: number;
}

/** One line of a run's cross-sampler.jsonl: its final checkpoint with masks from another solver. */
export interface RunCrossSamplerResult {
  evaluatedWith: string;
  accuracy: number;
  /** Test images evaluated (the first of the test split). */
  images: number;
  /** Positions kept per image, mean. */
  keptMean: number;
}

/** What a run's config.json holds (the fields read here). */
export interface RunConfig {
  setting?: string;
  variant?: string;
  dataset: DatasetName;
  method: MethodName;
  arch?: string;
  epochs: number;
  seed: number;
  dataSeed?: number;
  limit?: number;
  lr?: number;
  validationFraction?: number;
  evalEvery?: number;
  sampler?: string;
  attention?: Record<string, unknown>;
}

export function readRunConfig(dir: string): RunConfig {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) throw new RangeError(`${dir} is not a training run: ${file} is missing`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RunConfig;
}

/** The attention options a run was trained with (resolved-only fields dropped). */
function attentionOf(c: RunConfig): AttentionOptions {
  const a = { ...(c.attention ?? {}) };
  delete a.positions;
  delete a.keepRatio;
  return a as AttentionOptions;
}

export interface EvaluateRunOptions {
  sigmas: number[];
  rates: number[];
  controlErrors?: number[];
  controlErrorImages?: number;
  /** Solvers to evaluate an annealed method's masks with (mask-solvers.ts); others ignore it. */
  crossSamplers?: string[];
  crossSamplerImages?: number;
  dataDir?: string;
  quiet?: boolean;
}

/** Evaluations not cached yet need the final checkpoint, which a fresh checkout does not have. */
function needCheckpoint(dir: string): void {
  if (!hasCheckpoint(dir)) {
    throw new RangeError(
      `${dir}: evaluations are missing and so is the checkpoint to compute them (a checkout keeps a run's results, not its checkpoint); evaluate where it was trained, or train it again after deleting its ${METRICS_FILE}`,
    );
  }
}

/** Evaluates a finished run's final checkpoint under noise; returns every result (cached ones included). */
export async function evaluateRun(dir: string, o: EvaluateRunOptions): Promise<RunNoiseResult[]> {
  const c = readRunConfig(dir);
  if (!runComplete(dir, c.epochs)) throw new RangeError(`${dir}: the run has not finished its ${c.epochs} epochs; train it first`);
  const file = path.join(dir, NOISE_FILE);
  const have = new Map(readJsonl<RunNoiseResult>(file).map((r) => [`${r.kind}|${r.level}`, r]));
  const add = (r: RunNoiseResult) => {
    have.set(`${r.kind}|${r.level}`, r);
    fs.appendFileSync(file, JSON.stringify(r) + '\n');
    if (!o.quiet) process.stderr.write(`${dir}: ${r.kind} ${r.level}: ${(100 * r.accuracy).toFixed(2)}%\n`);
  };
  type PixelJob = { kind: 'clean' | 'gaussian' | 'salt-pepper'; level: number };
  const pixel: PixelJob[] = [
    { kind: 'clean', level: 0 } as PixelJob,
    ...o.sigmas.filter((s) => s > 0).map((level) => ({ kind: 'gaussian' as const, level })),
    ...o.rates.filter((s) => s > 0).map((level) => ({ kind: 'salt-pepper' as const, level })),
  ].filter((j) => !have.has(`${j.kind}|${j.level}`));
  if (pixel.length) {
    needCheckpoint(dir);
    const net = buildNetwork(c.dataset, c.method, c.seed, samplerFor(c.method, c.sampler as SamplerName | undefined), attentionOf(c), parseArch(c.arch));
    try {
      await loadCheckpoint(dir, net);
      for (const j of pixel) {
        const d = await loadDataset({
          name: c.dataset,
          dataDir: o.dataDir,
          limit: c.limit,
          seed: c.dataSeed ?? c.seed,
          validationFraction: c.validationFraction ?? 0,
          ...(j.kind === 'gaussian' ? { noise: { kind: 'gaussian' as const, sigma: j.level } } : j.kind === 'salt-pepper' ? { noise: { kind: 'salt-pepper' as const, rate: j.level } } : {}),
          noiseSplits: ['test'],
        });
        const r = await evaluate(net, d.test, 256);
        add({ kind: j.kind, level: j.level, accuracy: r.accuracy, images: d.test.shape[0] });
      }
    } finally {
      net.dispose();
    }
  }
  const controlErrors = attentionMethod(c.method).usesSampler ? (o.controlErrors ?? []).filter((s) => s > 0 && !have.has(`control-error|${s}`)) : [];
  if (controlErrors.length) {
    needCheckpoint(dir);
    const { evaluateMasks } = await import('./mask-evaluation');
    for (const s of controlErrors) {
      const { result } = await evaluateMasks({ run: dir, controlError: s, sampler: c.sampler as SamplerName | undefined, limit: o.controlErrorImages ?? 500, dataDir: o.dataDir });
      // The noiseless accuracy of the same path and images is the curve's level 0.
      if (!have.has('control-error|0') && result.accuracyNoiseless !== undefined) add({ kind: 'control-error', level: 0, accuracy: result.accuracyNoiseless, images: result.images });
      add({ kind: 'control-error', level: s, accuracy: result.accuracy, images: result.images });
    }
  }
  await crossSamplerRun(dir, c, o);
  return [...have.values()];
}

/** The cross-sampler evaluations of an annealed method's run that cross-sampler.jsonl does not hold yet. */
async function crossSamplerRun(dir: string, c: RunConfig, o: EvaluateRunOptions): Promise<void> {
  if (attentionMethod(c.method).role !== 'annealed') return;
  const unknown = (o.crossSamplers ?? []).filter((s) => !isMaskSolver(s));
  if (unknown.length) throw new RangeError(`cross-sampler solvers must be among ${CROSS_SOLVERS.join(', ')} (or another sampler), got ${unknown.join(', ')}`);
  const file = path.join(dir, CROSS_SAMPLER_FILE);
  const have = new Set(readJsonl<RunCrossSamplerResult>(file).map((r) => r.evaluatedWith));
  const todo = (o.crossSamplers ?? []).filter((s) => !have.has(s));
  if (!todo.length) return;
  needCheckpoint(dir);
  const { evaluateMasks } = await import('./mask-evaluation');
  for (const solver of todo) {
    const { result } = await evaluateMasks({ run: dir, limit: o.crossSamplerImages ?? 1000, sampler: solver as MaskSolver, dataDir: o.dataDir, reference: false });
    const r: RunCrossSamplerResult = { evaluatedWith: solver, accuracy: result.accuracy, images: result.images, keptMean: result.keptMean };
    fs.appendFileSync(file, JSON.stringify(r) + '\n');
    if (!o.quiet) process.stderr.write(`${dir}: evaluated with ${solver}: ${(100 * r.accuracy).toFixed(2)}%\n`);
  }
}

export interface RunShardOptions {
  /** Called before each run: position in the shard, its size, the run, and whether it was already complete. */
  onRun?: (i: number, n: number, run: RunSpec, state: 'skip' | 'train') => void;
  quiet?: boolean;
  /** Skip the noise evaluation (tests; a later call does it). */
  noNoise?: boolean;
  /** Data folder (overrides the plan's). */
  dataDir?: string;
  /** An already loaded dataset for every run (tests). */
  data?: Dataset;
}

/** Trains (or resumes, or skips) the runs of one shard of a plan in `planDir`, then evaluates each under noise. */
export async function runShard(
  planDir: string,
  plan: ExperimentPlan,
  shard: { index: number; count: number },
  o: RunShardOptions = {},
): Promise<{ trained: string[]; skipped: string[]; failed: { id: string; error: string }[] }> {
  const runs = shardRuns(plan, shard);
  const dataDir = o.dataDir ?? plan.dataDir;
  let data = o.data;
  const trained: string[] = [];
  const skipped: string[] = [];
  const failed: { id: string; error: string }[] = [];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    const out = path.resolve(planDir, run.out);
    const complete = runComplete(out, plan.epochs);
    o.onRun?.(i, runs.length, run, complete ? 'skip' : 'train');
    // One run's failure (a damaged checkpoint, say) is reported and the shard goes on with the others.
    try {
    if (!complete) {
      // One load per shard: every run of a plan shares the data subset and split (plan.dataSeed).
      data ??= await loadDataset({ name: plan.dataset, dataDir, limit: plan.limit, seed: plan.dataSeed, validationFraction: plan.validationFraction });
      await train({
        dataset: plan.dataset,
        method: run.method,
        sampler: run.sampler,
        arch: plan.arch,
        epochs: plan.epochs,
        limit: plan.limit,
        seed: run.seed,
        dataSeed: plan.dataSeed,
        lr: run.lr,
        lrSchedule: plan.lrSchedule,
        augment: plan.augment,
        batchSize: plan.batchSize,
        validationFraction: plan.validationFraction,
        evalEvery: plan.evalEvery,
        attention: { ...plan.attention, ...run.knobs } as AttentionOptions,
        setting: run.setting,
        variant: run.variant,
        out,
        data,
        resume: true,
        progress: !o.quiet,
      });
      trained.push(run.id);
    } else skipped.push(run.id);
    if (!o.noNoise) {
      await evaluateRun(out, { ...plan.noise, dataDir, quiet: o.quiet });
    }
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      failed.push({ id: run.id, error });
      process.stderr.write(`${run.id}: failed: ${error}\n`);
    }
  }
  return { trained, skipped, failed };
}
