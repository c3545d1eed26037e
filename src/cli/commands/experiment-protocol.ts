import * as fs from 'fs';
/**
 * The protocol part of `qahan experiment` (docs/protocol.md): plan, run (one shard), report, evaluate.
 * Kept apart from experiment.ts's convergence/noise experiments so the two change independently.
 */
import * as path from 'path';
import { choiceOption, intOption, numberOption, scaleOption, UsageError } from '../command';
import { ARCH_NAMES } from '../../attention/backbone';
import type { AttentionOptions } from '../../attention/settings';
import type { ParsedArgs } from '../command';
import { attentionOptionsFrom } from './train';
import { SAMPLER_NAMES } from '../../config/qahan-config';
import { CLASSICAL_SOLVERS, isMaskSolver } from '../../train/mask-solvers';

type Values = ParsedArgs['values'] & Record<string, string | boolean | string[] | undefined>;

/** --cross-samplers: a comma-separated list of mask solvers ('' for none). */
function solverList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const v = value.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = v.filter((x) => !isMaskSolver(x));
  if (bad.length) throw new UsageError(`--cross-samplers takes solvers among ${[...SAMPLER_NAMES, ...CLASSICAL_SOLVERS].join(', ')}, got ${bad.join(', ')}`);
  return v;
}

function numbers(value: string | undefined, name: string): number[] | undefined {
  if (value === undefined) return undefined;
  const v = value.split(',').filter((x) => x.trim() !== '').map((x) => Number(x.trim()));
  if (v.some((x) => !Number.isFinite(x) || x < 0)) throw new UsageError(`--${name} must be a comma-separated list of non-negative numbers, got ${JSON.stringify(value)}`);
  return v;
}

/** --seeds: a count N (seeds 0..N-1), a range A-B, or a list A,B,C. */
export function parseSeeds(value: string | undefined, fallback: number): number[] {
  if (value === undefined) return Array.from({ length: fallback }, (_, i) => i);
  const t = value.trim();
  let seeds: number[];
  if (/^\d+$/.test(t)) seeds = Array.from({ length: Number(t) }, (_, i) => i);
  else if (/^\d+-\d+$/.test(t)) {
    const [a, b] = t.split('-').map(Number);
    seeds = b >= a ? Array.from({ length: b - a + 1 }, (_, i) => a + i) : [];
  } else if (/^\d+(,\d+)+$/.test(t)) seeds = t.split(',').map(Number);
  else seeds = [];
  if (!seeds.length || new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds must be a count (10), a range (0-9) or a list (0,3,7) of distinct seeds, got ${JSON.stringify(value)}`);
  return seeds;
}

/** --grid METHOD.KNOB=V1,V2 (repeatable) -> { METHOD: { KNOB: [V1, V2] } }. */
export function parseGrid(values: string[] | undefined): Record<string, Partial<Record<keyof AttentionOptions, number[]>>> {
  const grid: Record<string, Partial<Record<keyof AttentionOptions, number[]>>> = {};
  for (const g of values ?? []) {
    const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9]+)=(.+)$/.exec(g.trim());
    if (!m) throw new UsageError(`--grid takes METHOD.KNOB=V1,V2 (e.g. gumbel.tauMin=0.3,0.5), got ${JSON.stringify(g)}`);
    (grid[m[1]] ??= {})[m[2] as keyof AttentionOptions] = numbers(m[3], 'grid')!;
  }
  return grid;
}

/**
 * --tuned FILE,FILE: tuning reports' summary.json files (or the folders holding them); each method family's
 * chosen configuration (their `tuning`) becomes the plan's configuration for that method.
 */
export function readTuned(value: string | undefined): Record<string, { lr: number; knobs: Record<string, number> }> | undefined {
  if (!value) return undefined;
  const out: Record<string, { lr: number; knobs: Record<string, number> }> = {};
  for (const item of value.split(',').map((x) => x.trim()).filter(Boolean)) {
    const file = fs.existsSync(item) && fs.statSync(item).isDirectory() ? path.join(item, 'summary.json') : item;
    let summary: { tuning?: { family: string; lr: number; knobs: Record<string, unknown> }[] };
    try {
      summary = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`--tuned: cannot read ${file} (${(err as Error).message.split('\n')[0]})`);
    }
    if (!Array.isArray(summary.tuning)) throw new UsageError(`--tuned: ${file} has no 'tuning' (made by qahan experiment report on a tuning folder)`);
    for (const t of summary.tuning) {
      if (out[t.family]) throw new UsageError(`--tuned: ${t.family} is tuned in more than one file`);
      const knobs: Record<string, number> = {};
      for (const [k, v] of Object.entries(t.knobs ?? {})) {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`--tuned: ${file}: ${t.family}'s knob ${k} is not a number`);
        knobs[k] = v;
      }
      out[t.family] = { lr: t.lr, knobs };
    }
  }
  return out;
}

export async function protocolCommand(which: 'plan' | 'run' | 'report' | 'evaluate', values: ParsedArgs['values'], args: string[]): Promise<number> {
  const v = values as Values;
  const s = (name: string) => v[name] as string | undefined;
  const quiet = !!v.quiet;
  const fail = (err: unknown): never => {
    if (err instanceof RangeError || err instanceof TypeError) throw new UsageError(err.message);
    throw err;
  };

  if (which === 'plan') {
    if (args.length) throw new UsageError(`unexpected argument ${args[0]}`);
    const { makePlan, writePlan } = await import('../../train/experiment-plan');
    const dataset = choiceOption(s('dataset'), 'dataset', ['mnist', 'cifar10'] as const, 'mnist')!;
    const validationFraction = numberOption(s('validation-fraction'), 'validation-fraction', 0.1)!;
    let plan;
    try {
      plan = makePlan({
        dataset,
        methods: s('methods')?.split(',').map((m) => m.trim()).filter(Boolean),
        seeds: parseSeeds(s('seeds'), 10),
        epochs: intOption(s('epochs'), 'epochs', 5)!,
        limit: intOption(s('limit'), 'limit'),
        lrs: numbers(s('lrs') ?? s('lr'), 'lrs'),
        arch: choiceOption(s('arch'), 'arch', ARCH_NAMES, 'deep'),
        batchSize: intOption(s('batch-size'), 'batch-size', 32),
        lrSchedule: choiceOption(s('lr-schedule'), 'lr-schedule', ['constant', 'cosine'] as const, 'cosine'),
        augment: choiceOption(s('augment'), 'augment', ['none', 'flip'] as const, 'none'),
        evalEvery: intOption(s('eval-every'), 'eval-every', 100),
        validationFraction,
        dataSeed: intOption(s('data-seed'), 'data-seed', 0, 0),
        dataDir: s('data-dir') ? path.resolve(s('data-dir')!) : undefined,
        attention: attentionOptionsFrom(v as ParsedArgs['values']),
        grid: parseGrid(v.grid as string[] | undefined),
        tuned: readTuned(s('tuned')) as never,
        noise: {
          sigmas: numbers(s('sigmas'), 'sigmas'),
          rates: numbers(s('rates'), 'rates'),
          controlErrors: numbers(s('control-errors'), 'control-errors'),
          controlErrorImages: intOption(s('control-error-images'), 'control-error-images'),
          crossSamplers: solverList(s('cross-samplers')),
          crossSamplerImages: intOption(s('cross-sampler-images'), 'cross-sampler-images'),
        } as never,
        setting: s('setting'),
      });
    } catch (err) {
      fail(err);
    }
    const out = path.resolve(s('out') ?? path.join('results', 'plans', plan!.setting));
    const files = writePlan(out, plan!, { qahan: s('qahan'), sbatch: v.sbatch as string[] | undefined });
    if (!quiet) process.stderr.write(`${plan!.runs.length} runs of ${plan!.setting}: ${plan!.methods.join(', ')} x ${plan!.lrs.length} learning rate(s) x seeds ${plan!.seeds.join(',')}\n`);
    console.log(JSON.stringify({ runs: plan!.runs.length, plan: files.plan, runsTxt: files.runs, sbatch: files.sbatch }));
    return 0;
  }

  if (which === 'run') {
    if (args.length !== 1) throw new UsageError('qahan experiment run DIR --shard I/N: give one plan folder');
    const { parseShard, readPlan } = await import('../../train/experiment-plan');
    let shard;
    let plan;
    try {
      shard = parseShard(s('shard') ?? '0/1');
      plan = readPlan(args[0]);
    } catch (err) {
      fail(err);
    }
    const backend = choiceOption(s('backend'), 'backend', ['tensorflow', 'wasm', 'cpu'] as const);
    const { initBackend, describeBackend } = await import('../../train/backend');
    await initBackend(backend);
    if (!quiet) process.stderr.write(`${describeBackend()}\n`);
    const { runShard } = await import('../../train/experiment-run');
    const r = await runShard(path.resolve(args[0]), plan!, shard!, {
      quiet,
      noNoise: !!v['no-noise'],
      dataDir: s('data-dir'),
      onRun: (i, n, run, state) => {
        if (!quiet) process.stderr.write(`[shard ${shard!.index}/${shard!.count}: ${i + 1}/${n}] ${run.id}${state === 'skip' ? ': complete, skipped' : ''}\n`);
      },
    });
    console.log(JSON.stringify({ shard: `${shard!.index}/${shard!.count}`, trained: r.trained.length, skipped: r.skipped.length, failed: r.failed }));
    return r.failed.length ? 1 : 0;
  }

  if (which === 'evaluate') {
    if (args.length !== 1) throw new UsageError('qahan experiment evaluate RUN_DIR: give one run folder');
    const backend = choiceOption(s('backend'), 'backend', ['tensorflow', 'wasm', 'cpu'] as const);
    const { initBackend } = await import('../../train/backend');
    await initBackend(backend);
    const { evaluateRun } = await import('../../train/experiment-run');
    let results;
    try {
      results = await evaluateRun(path.resolve(args[0]), {
        sigmas: numbers(s('sigmas'), 'sigmas') ?? [0.1, 0.2, 0.3, 0.5],
        rates: numbers(s('rates'), 'rates') ?? [0.05, 0.1, 0.2, 0.3],
        controlErrors: numbers(s('control-errors'), 'control-errors') ?? [],
        controlErrorImages: intOption(s('control-error-images'), 'control-error-images', 500),
        crossSamplers: solverList(s('cross-samplers')) ?? [],
        crossSamplerImages: intOption(s('cross-sampler-images'), 'cross-sampler-images', 1000),
        dataDir: s('data-dir'),
        quiet,
      });
    } catch (err) {
      fail(err);
    }
    console.log(JSON.stringify({ run: path.resolve(args[0]), results: results!.length }));
    return 0;
  }

  // report
  if (!args.length) throw new UsageError('qahan experiment report DIRS...: give at least one folder holding run folders');
  const { experimentReport } = await import('../../train/experiment-report');
  const out = path.resolve(s('out') ?? path.join('results', 'report'));
  const target = numberOption(s('target'), 'target');
  if (target !== undefined && !(target > 0 && target <= 1)) throw new UsageError(`--target is a validation accuracy in (0, 1], got ${JSON.stringify(s('target'))}`);
  const reports = experimentReport(args, out, { target, png: !v['no-png'], scale: scaleOption(s('scale')) });
  if (!reports.length) throw new UsageError(`no finished runs under ${args.join(', ')}`);
  for (const r of reports) console.log(JSON.stringify({ setting: r.setting, runs: r.runs, variants: Object.keys(r.methods).length, summary: path.join(out, r.setting, 'summary.json') }));
  return 0;
}
