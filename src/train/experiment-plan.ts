/**
 * A sweep as a list of independent runs (docs/protocol.md): methods (with their sampler and knobs) x
 * learning rates x seeds of one setting. `writePlan` writes
 *
 *   plan.json      the plan and every run's training options
 *   runs.txt       one shell line per run: `qahan train ... --resume --allow-new` (so a rerun after a kill
 *                  continues from the last epoch checkpoint), then `qahan experiment evaluate` (noise curves)
 *   slurm.sbatch   a Slurm array over runs.txt: task i runs line i + 1
 *
 * Run folders are relative to the plan folder (runs/<id>), so the folder can be copied to a cluster.
 */
import * as fs from 'fs';
import * as path from 'path';
import { attentionMethod, METHOD_NAMES, MethodName, parseMethod } from '../attention/methods';
import type { AttentionOptions } from '../attention/settings';
import { ArchName, parseArch } from '../attention/backbone';
import { SAMPLER_NAMES, SamplerName } from '../config/qahan-config';
import type { DatasetName } from '../data/dataset';
import type { Augment, LrSchedule } from './trainer';
import { CROSS_SOLVERS } from './mask-solvers';

/** Attention knobs a plan may grid over, with their `qahan train` flags. */
export const KNOB_FLAGS: Partial<Record<keyof AttentionOptions, string>> = {
  lambda: '--lambda',
  gamma: '--gamma',
  k: '--k',
  keepRatio: '--keep-ratio',
  numReads: '--num-reads',
  numSweeps: '--num-sweeps',
  trotterSlices: '--trotter-slices',
  tau0: '--tau0',
  tauMin: '--tau-min',
  tauDecay: '--tau-decay',
  baselineMomentum: '--baseline-momentum',
  entropyBonus: '--entropy-bonus',
};

export interface NoiseLevels {
  /** Gaussian pixel noise sigmas (0-1 pixel units). */
  sigmas: number[];
  /** Salt-and-pepper rates. */
  rates: number[];
  /** QPU control-error sigmas (fraction of the h/J range), for methods that use a sampler. */
  controlErrors: number[];
  /** Test images for the control-error evaluation (it anneals one image at a time). */
  controlErrorImages: number;
  /**
   * Solvers an annealed method's final checkpoint is also evaluated with ("trained with X, evaluated with
   * Y"; mask-solvers.ts CROSS_SOLVERS). Absent in plans written before it: none.
   */
  crossSamplers?: string[];
  /** Test images for each cross-sampler evaluation. */
  crossSamplerImages?: number;
}

/** A method's configuration chosen by tuning (src/train/tuning-choice.ts). */
export interface TunedConfig {
  lr: number;
  knobs?: Partial<Record<keyof AttentionOptions, number>>;
}

export interface PlanOptions {
  dataset: DatasetName;
  /** Method specs: a registry name, with `@sampler` for methods that use one (`qahan@sa`). Default: defaultMethodSpecs(). */
  methods?: string[];
  seeds: number[];
  epochs: number;
  limit?: number;
  /** Learning-rate grid (one run per rate). Default [0.003]. */
  lrs?: number[];
  arch?: ArchName;
  /** Default 'cosine' (docs/protocol.md). */
  lrSchedule?: LrSchedule;
  /** Training-image augmentation of every run. Default 'none'. */
  augment?: Augment;
  batchSize?: number;
  /** Validation evaluations every this many steps. Default 100. */
  evalEvery?: number;
  /** Default 0.1. */
  validationFraction?: number;
  /** The data subset and split, the same for every run. Default 0. */
  dataSeed?: number;
  dataDir?: string;
  /** Attention options for every run. */
  attention?: AttentionOptions;
  /** Per-method knob grids: { reinforce: { entropyBonus: [0, 0.01] } }. */
  grid?: Record<string, Partial<Record<keyof AttentionOptions, number[]>>>;
  /**
   * Tuned configurations per method spec ({ 'qahan@sqa': { lr: 0.001, knobs: { lambda: 0.136 } } }, from the
   * tuning reports' `tuning`): such a method gets exactly that learning rate and those knobs instead of
   * `lrs` and `grid`, and its variant is named by its spec alone.
   */
  tuned?: Record<string, TunedConfig>;
  /** Noise evaluation after training. Default: the levels of `qahan experiment noise`, control errors 0.02, 0.05, 0.1. */
  noise?: Partial<NoiseLevels>;
  /** Name of the setting. Default e.g. 'mnist-10k-deep'. */
  setting?: string;
  /** How runs.txt invokes the CLI. Default 'npx qahan'. */
  qahan?: string;
  /** Extra #SBATCH lines (e.g. '--time=04:00:00'). */
  sbatch?: string[];
}

export interface RunSpec {
  /** Position in runs.txt (0-based; the Slurm array index). */
  index: number;
  /** Folder name under runs/ and the run's name: <variant>-s<seed>. */
  id: string;
  setting: string;
  /** Method spec, knobs and learning rate: what the report compares. */
  variant: string;
  method: MethodName;
  sampler?: SamplerName;
  seed: number;
  lr: number;
  knobs: Partial<Record<keyof AttentionOptions, number>>;
  /** Relative to the plan folder. */
  out: string;
  /** The `qahan train` arguments (without the program). */
  trainArgs: string[];
  /** The `qahan experiment evaluate` arguments. */
  evaluateArgs: string[];
}

export interface ExperimentPlan {
  version: 1;
  setting: string;
  dataset: DatasetName;
  epochs: number;
  limit?: number;
  arch: ArchName;
  lrSchedule: LrSchedule;
  augment?: Augment;
  batchSize: number;
  evalEvery: number;
  validationFraction: number;
  dataSeed: number;
  dataDir?: string;
  seeds: number[];
  lrs: number[];
  methods: string[];
  attention: AttentionOptions;
  grid: NonNullable<PlanOptions['grid']>;
  /** Methods with a tuned configuration (PlanOptions.tuned), when any. */
  tuned?: Record<string, TunedConfig>;
  noise: NoiseLevels;
  runs: RunSpec[];
}

export const PLAN_FILE = 'plan.json';
export const RUNS_FILE = 'runs.txt';
export const SBATCH_FILE = 'slurm.sbatch';

/** Every registered method; those that use a sampler once with SQA and once with SA. */
export function defaultMethodSpecs(): string[] {
  return METHOD_NAMES.flatMap((m) => (attentionMethod(m).usesSampler ? [`${m}@sqa`, `${m}@sa`] : [m]));
}

/** 'qahan@sa' -> { method: 'qahan', sampler: 'sa' }; checks both against the registries. */
export function parseMethodSpec(spec: string): { method: MethodName; sampler?: SamplerName } {
  const [name, sampler, extra] = spec.trim().split('@');
  if (extra !== undefined) throw new RangeError(`method spec ${JSON.stringify(spec)}: at most one @sampler`);
  const method = parseMethod(name);
  if (sampler === undefined) return { method };
  if (!attentionMethod(method).usesSampler) throw new RangeError(`method spec ${JSON.stringify(spec)}: ${method} uses no sampler`);
  if (!(SAMPLER_NAMES as readonly string[]).includes(sampler)) throw new RangeError(`method spec ${JSON.stringify(spec)}: sampler must be one of ${SAMPLER_NAMES.join(', ')}`);
  return { method, sampler: sampler as SamplerName };
}

/** The default name of a setting: dataset, training images, backbone. */
export function settingName(dataset: string, limit: number | undefined, arch: string): string {
  const size = limit === undefined ? 'full' : limit % 1000 === 0 ? `${limit / 1000}k` : String(limit);
  return `${dataset}-${size}-${arch}`;
}

function cartesian(grid: Partial<Record<keyof AttentionOptions, number[]>>): Partial<Record<keyof AttentionOptions, number>>[] {
  let out: Partial<Record<keyof AttentionOptions, number>>[] = [{}];
  for (const [key, values] of Object.entries(grid)) {
    if (!values?.length) continue;
    out = out.flatMap((o) => values.map((v) => ({ ...o, [key]: v })));
  }
  return out;
}

const numberText = (v: number) => String(Number(v.toPrecision(6)));

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function makePlan(o: PlanOptions): ExperimentPlan {
  if (!o.seeds.length) throw new RangeError('a plan needs at least one seed');
  const arch = parseArch(o.arch ?? 'small');
  const methods = o.methods?.length ? o.methods : defaultMethodSpecs();
  const parsed = methods.map((m) => ({ spec: m.trim(), ...parseMethodSpec(m) }));
  const grid = o.grid ?? {};
  for (const [m, g] of Object.entries(grid)) {
    parseMethod(m);
    for (const key of Object.keys(g)) if (!(key in KNOB_FLAGS)) throw new RangeError(`grid ${m}.${key}: not a knob (${Object.keys(KNOB_FLAGS).join(', ')})`);
  }
  const lrs = o.lrs?.length ? o.lrs : [0.003];
  const setting = o.setting ?? settingName(o.dataset, o.limit, arch);
  const plan: ExperimentPlan = {
    version: 1,
    setting,
    dataset: o.dataset,
    epochs: o.epochs,
    limit: o.limit,
    arch,
    lrSchedule: o.lrSchedule ?? 'cosine',
    ...(o.augment && o.augment !== 'none' ? { augment: o.augment } : {}),
    batchSize: o.batchSize ?? 32,
    evalEvery: o.evalEvery ?? 100,
    validationFraction: o.validationFraction ?? 0.1,
    dataSeed: o.dataSeed ?? 0,
    dataDir: o.dataDir,
    seeds: o.seeds,
    lrs,
    methods: parsed.map((p) => p.spec),
    attention: o.attention ?? {},
    grid,
    ...(o.tuned && Object.keys(o.tuned).length ? { tuned: o.tuned } : {}),
    noise: {
      sigmas: o.noise?.sigmas ?? [0.1, 0.2, 0.3, 0.5],
      rates: o.noise?.rates ?? [0.05, 0.1, 0.2, 0.3],
      controlErrors: o.noise?.controlErrors ?? [0.02, 0.05, 0.1],
      controlErrorImages: o.noise?.controlErrorImages ?? 500,
      crossSamplers: o.noise?.crossSamplers ?? [...CROSS_SOLVERS],
      crossSamplerImages: o.noise?.crossSamplerImages ?? 1000,
    },
    runs: [],
  };
  if (!(plan.validationFraction > 0)) throw new RangeError('the protocol needs a validation split: validationFraction > 0');
  // Seed-major order: a partial sweep (first shards, first array tasks) has every method at the first seeds.
  for (const seed of o.seeds) {
    for (const p of parsed) {
      const tuned = o.tuned?.[p.spec];
      // A tuned method keeps its chosen configuration; a grid given for it too varies knobs on top (the
      // baselines at another k, say), and only those knobs name the variant.
      for (const point of cartesian(grid[p.method] ?? {})) {
        const knobs = tuned ? { ...(tuned.knobs ?? {}), ...point } : point;
        for (const lr of tuned ? [tuned.lr] : lrs) {
          const knobText = (kn: object) => Object.entries(kn).map(([k, v]) => `-${k}${numberText(v as number)}`).join('');
          const variant = tuned ? `${p.spec}${knobText(point)}` : `${p.spec}${knobText(knobs)}${lrs.length > 1 ? `-lr${numberText(lr)}` : ''}`;
          const id = `${variant}-s${seed}`;
          const out = path.posix.join('runs', id);
          const attention = { ...plan.attention, ...knobs };
          const trainArgs = [
            'train',
            '--dataset', o.dataset,
            '--method', p.method,
            ...(p.sampler ? ['--sampler', p.sampler] : []),
            '--arch', arch,
            '--epochs', String(o.epochs),
            ...(o.limit !== undefined ? ['--limit', String(o.limit)] : []),
            '--seed', String(seed),
            '--data-seed', String(plan.dataSeed),
            '--lr', numberText(lr),
            '--lr-schedule', plan.lrSchedule,
            ...(plan.augment ? ['--augment', plan.augment] : []),
            '--batch-size', String(plan.batchSize),
            '--validation-fraction', numberText(plan.validationFraction),
            '--eval-every', String(plan.evalEvery),
            ...Object.entries(attention).flatMap(([k, v]) => {
              const flag = KNOB_FLAGS[k as keyof AttentionOptions];
              if (!flag) throw new RangeError(`attention option ${k} has no train flag here`);
              return [flag, String(v)];
            }),
            ...(o.dataDir ? ['--data-dir', o.dataDir] : []),
            '--setting', setting,
            '--variant', variant,
            '--out', out,
            '--resume',
            '--allow-new',
            '--quiet',
          ];
          const n = plan.noise;
          const usesSampler = attentionMethod(p.method).usesSampler;
          const annealed = attentionMethod(p.method).role === 'annealed';
          const cross = n.crossSamplers ?? [];
          const evaluateArgs = [
            'experiment', 'evaluate', out,
            '--sigmas', n.sigmas.join(','),
            '--rates', n.rates.join(','),
            ...(usesSampler && n.controlErrors.length ? ['--control-errors', n.controlErrors.join(','), '--control-error-images', String(n.controlErrorImages)] : []),
            ...(annealed && cross.length ? ['--cross-samplers', cross.join(','), '--cross-sampler-images', String(n.crossSamplerImages ?? 1000)] : []),
            ...(o.dataDir ? ['--data-dir', o.dataDir] : []),
            '--quiet',
          ];
          plan.runs.push({ index: plan.runs.length, id, setting, variant, method: p.method, sampler: p.sampler, seed, lr, knobs, out, trainArgs, evaluateArgs });
        }
      }
    }
  }
  const ids = new Set(plan.runs.map((r) => r.id));
  if (ids.size !== plan.runs.length) throw new RangeError('two runs of the plan share a folder name: a method is listed twice');
  return plan;
}

/** The shell line of a run (as in runs.txt). */
export function runLine(run: RunSpec, qahan = 'npx qahan'): string {
  return `${qahan} ${run.trainArgs.map(shellQuote).join(' ')} && ${qahan} ${run.evaluateArgs.map(shellQuote).join(' ')}`;
}

/** Writes plan.json, runs.txt and slurm.sbatch into dir (absolute paths for the sbatch's working folder). */
export function writePlan(dir: string, plan: ExperimentPlan, o: { qahan?: string; sbatch?: string[] } = {}): { plan: string; runs: string; sbatch: string } {
  const abs = path.resolve(dir);
  fs.mkdirSync(abs, { recursive: true });
  const files = { plan: path.join(abs, PLAN_FILE), runs: path.join(abs, RUNS_FILE), sbatch: path.join(abs, SBATCH_FILE) };
  fs.writeFileSync(files.plan, JSON.stringify(plan, null, 1) + '\n');
  fs.writeFileSync(files.runs, plan.runs.map((r) => runLine(r, o.qahan) + '\n').join(''));
  const n = plan.runs.length;
  const sbatch = [
    '#!/bin/bash',
    `#SBATCH --job-name=qahan-${plan.setting}`,
    `#SBATCH --array=0-${n - 1}`,
    '#SBATCH --cpus-per-task=2',
    '#SBATCH --mem=4G',
    `#SBATCH --chdir=${abs}`,
    '#SBATCH --output=logs/%A_%a.out',
    ...(o.sbatch ?? []).map((l) => `#SBATCH ${l}`),
    '#SBATCH --requeue',
    '',
    `# ${n} runs of ${plan.setting} (${plan.methods.join(', ')}; seeds ${plan.seeds.join(', ')}). Task i runs line i + 1 of ${RUNS_FILE}.`,
    '# Every line resumes its run from the last epoch checkpoint, so a requeued or resubmitted task continues.',
    '# Moving this folder: change --chdir above (run folders are relative to it). Logs go to logs/ (create it first).',
    'set -euo pipefail',
    `line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${RUNS_FILE})`,
    'test -n "$line" || { echo "no line $((SLURM_ARRAY_TASK_ID + 1)) in ' + RUNS_FILE + '" >&2; exit 1; }',
    'echo "$line"',
    'eval "$line"',
    '',
  ].join('\n');
  fs.writeFileSync(files.sbatch, sbatch);
  fs.mkdirSync(path.join(abs, 'logs'), { recursive: true });
  return files;
}

export function readPlan(dir: string): ExperimentPlan {
  const file = path.join(dir, PLAN_FILE);
  if (!fs.existsSync(file)) throw new RangeError(`${dir} holds no ${PLAN_FILE}: write one with qahan experiment plan`);
  const plan = JSON.parse(fs.readFileSync(file, 'utf8')) as ExperimentPlan;
  if (plan.version !== 1 || !Array.isArray(plan.runs)) throw new RangeError(`${file} is not a version-1 experiment plan`);
  return plan;
}

/** "I/N" -> { index: I, count: N } with 0 <= I < N. */
export function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m) throw new RangeError(`a shard is I/N (e.g. 0/2), got ${JSON.stringify(value)}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!(count >= 1 && index < count)) throw new RangeError(`shard ${value}: need 0 <= I < N`);
  return { index, count };
}

/** The runs of shard I of N: those whose index i has i % N == I. */
export function shardRuns(plan: ExperimentPlan, shard: { index: number; count: number }): RunSpec[] {
  return plan.runs.filter((r) => r.index % shard.count === shard.index);
}
