import * as fs from 'fs';
import * as path from 'path';
import { Command, choiceOption, flagSpec, intOption, numberOption, OptionSpecs, parseCommandArgs, scaleOption, stringSpec, UsageError } from '../command';
import { attentionMethod, METHOD_NAMES, MethodName, parseMethod } from '../../attention/methods';
import { SAMPLER_NAMES, SamplerName } from '../../config/qahan-config';
import type { Dataset, DatasetName } from '../../data/dataset';
import { ATTENTION_OPTIONS, attentionOptionsFrom, TRAIN_OPTIONS } from './train';
import { ProgressBar } from '../progress';

const T = TRAIN_OPTIONS;
/** Each option says which subcommands read it; defaults differ between them. */
const OPTIONS = {
  dataset: stringSpec('mnist|cifar10', '(plan, convergence, noise) dataset', 'mnist'),
  methods: stringSpec('M1,M2,..', `(plan, convergence, noise) methods, each NAME or NAME@SAMPLER: ${METHOD_NAMES.join(', ')}`, 'plan: its standard set; convergence/noise: all'),
  seeds: stringSpec('N|A-B|A,B', '(plan, convergence, noise) seeds: a count, a range or a list', 'plan: 10; convergence/noise: 3'),
  epochs: stringSpec('E', '(plan, convergence, noise) epochs per run', '5'),
  limit: stringSpec('L', '(plan, convergence, noise) training images', 'plan: the whole set; convergence/noise: 5000'),
  lrs: stringSpec('X1,X2', '(plan) learning rates to sweep', '0.003'),
  lr: stringSpec('X', '(convergence, noise) Adam learning rate; (plan) same as --lrs', '0.003'),
  arch: { ...T.arch, description: '(plan) backbone network', default: 'deep' },
  'batch-size': { ...T['batch-size'], description: '(plan, convergence, noise) training batch size' },
  'lr-schedule': { ...T['lr-schedule'], description: '(plan) learning rate over training', default: 'cosine' },
  augment: { ...T.augment, description: '(plan) training-image augmentation of every run (flip: mirror left to right with probability 1/2)' },
  'eval-every': stringSpec('STEPS', '(plan) validation every STEPS steps', '100'),
  'validation-fraction': stringSpec('F', '(plan) share of training images held out for validation', '0.1'),
  'data-seed': stringSpec('S', '(plan) seed of the data split', '0'),
  setting: stringSpec('NAME', "(plan) the setting's name", 'derived from dataset, arch and limit'),
  grid: { type: 'string', multiple: true, value: 'METHOD.KNOB=V1,V2', description: '(plan) grid over an attention knob, repeatable (e.g. gumbel.tauMin=0.3,0.5)', default: 'none' },
  tuned: { type: 'string', value: 'F1,F2', description: "(plan) tuning reports' summary.json files (or their folders): each method gets its chosen learning rate and knobs", default: 'none' },
  qahan: stringSpec('CMD', '(plan) how runs.txt invokes qahan', 'npx qahan'),
  sbatch: { type: 'string', multiple: true, value: 'LINE', description: '(plan) #SBATCH line for the Slurm script, repeatable', default: 'none' },
  shard: stringSpec('I/N', '(run) which shard of the plan this process trains', '0/1'),
  'no-noise': flagSpec('(run) skip the noise evaluations after training'),
  out: stringSpec('DIR', 'output folder', 'plan: results/plans/<setting>; report: results/report; convergence/noise: results/<dataset>'),
  target: stringSpec('ACC', '(report, convergence) accuracy that counts as reached, in (0, 1]', "report: 0.98 x the best hard-attention variant's final validation accuracy; convergence: 0.9 MNIST, 0.45 CIFAR-10"),
  sigmas: stringSpec('S1,S2', '(plan, evaluate, noise) Gaussian pixel-noise levels', '0.1,0.2,0.3,0.5'),
  rates: stringSpec('R1,R2', '(plan, evaluate, noise) salt-and-pepper rates', '0.05,0.1,0.2,0.3'),
  'qubo-sigmas': stringSpec('S1,S2', '(noise) QUBO coefficient-noise levels', '0.05,0.1,0.2,0.5'),
  'control-errors': stringSpec('E1,E2', '(plan, evaluate) QPU control-error levels', 'none'),
  'control-error-images': stringSpec('N', '(plan, evaluate) test images per control-error level', '500'),
  'cross-samplers': stringSpec('S1,S2', '(plan, evaluate) solvers an annealed method is also evaluated with ("trained with X, evaluated with Y"; empty: none)', 'plan: sa,sqa,topk,qubo-ls; evaluate: none'),
  'cross-sampler-images': stringSpec('N', '(plan, evaluate) test images per cross-sampler evaluation', '1000'),
  'data-dir': T['data-dir'],
  backend: T.backend,
  sampler: { ...T.sampler, description: '(convergence, noise) sampler of the annealed methods' },
  ...ATTENTION_OPTIONS,
  quiet: T.quiet,
  'no-png': flagSpec('(report, convergence, noise) charts as SVG only'),
  scale: T.scale,
} as const satisfies OptionSpecs;

function list(value: string | undefined, name: string, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  const v = value.split(',').map((s) => Number(s.trim()));
  if (!v.length || v.some((x) => !Number.isFinite(x) || x < 0)) throw new UsageError(`--${name} must be a comma-separated list of non-negative numbers, got ${JSON.stringify(value)}`);
  return v;
}

interface Plan {
  dataset: DatasetName;
  methods: MethodName[];
  seeds: number[];
  epochs: number;
  limit?: number;
  out: string;
  dataDir?: string;
  batchSize: number;
  lr: number;
  sampler?: SamplerName;
  target: number;
  png: boolean;
  scale: number;
  quiet: boolean;
  attention: ReturnType<typeof attentionOptionsFrom>;
}

function runDir(plan: Plan, method: string, seed: number): string {
  return path.join(plan.out, 'runs', `${method}-s${seed}`);
}

/** Trains every (method, seed) not yet complete; all runs share one data split (data seed 0). */
async function ensureRuns(plan: Plan, data: Dataset): Promise<void> {
  const { train, runComplete } = await import('../../train/trainer');
  const total = plan.methods.length * plan.seeds.length;
  let i = 0;
  for (const seed of plan.seeds) {
    for (const method of plan.methods) {
      i++;
      const out = runDir(plan, method, seed);
      if (runComplete(out, plan.epochs) && fs.existsSync(path.join(out, 'checkpoint.json'))) {
        if (!plan.quiet) process.stderr.write(`[${i}/${total}] ${method} seed ${seed}: complete, skipped\n`);
        continue;
      }
      if (!plan.quiet) process.stderr.write(`[${i}/${total}] ${method} seed ${seed}\n`);
      await train({
        dataset: plan.dataset,
        method,
        epochs: plan.epochs,
        out,
        seed,
        limit: plan.limit,
        data,
        batchSize: plan.batchSize,
        lr: plan.lr,
        sampler: plan.sampler,
        attention: plan.attention,
        resume: true,
        progress: !plan.quiet,
      });
    }
  }
}

async function loadRuns(plan: Plan) {
  const { readJsonl } = await import('../../train/trainer');
  const runs = [];
  for (const method of plan.methods) {
    for (const seed of plan.seeds) {
      const dir = runDir(plan, method, seed);
      runs.push({
        method,
        seed,
        epochs: readJsonl<import('../../train/trainer').EpochMetrics>(path.join(dir, 'metrics.jsonl')).slice(0, plan.epochs),
        iterations: readJsonl<import('../../train/trainer').IterationRecord>(path.join(dir, 'iterations.jsonl')),
      });
    }
  }
  return runs;
}

async function convergence(plan: Plan, data: Dataset): Promise<string> {
  await ensureRuns(plan, data);
  const { convergenceReport } = await import('../../train/report');
  const { crossSamplerEvaluation } = await import('../../train/mask-evaluation');
  const tf = await import('@tensorflow/tfjs');
  // The annealed methods' checkpoints with masks from each solver (1000 test images, accuracy only).
  const crossBar = new ProgressBar('cross-sampler evaluation', 0, { enabled: !plan.quiet });
  const crossSampler = await crossSamplerEvaluation(
    plan.methods.flatMap((method) => plan.seeds.map((seed) => ({ method, seed, dir: runDir(plan, method, seed) }))),
    { dataDir: plan.dataDir, onRun: plan.quiet ? undefined : (done, total) => crossBar.update(done, 'runs', total) },
  );
  const r = convergenceReport({
    crossSampler,
    dataset: plan.dataset,
    target: plan.target,
    limit: plan.limit,
    epochs: plan.epochs,
    runs: await loadRuns(plan),
    outDir: plan.out,
    png: plan.png,
    scale: plan.scale,
    notes: [
      `tfjs backend ${tf.getBackend()}; batch size ${plan.batchSize}; Adam lr ${plan.lr}; QAHAN sampler ${plan.sampler ?? 'configured default'}.`,
      `${data.train.shape[0]} training and ${data.test.shape[0]} test images; every run uses the same split, seeds change weights, data order and noise.`,
    ],
  });
  return path.join(plan.out, 'convergence.md') + (r.summaries.length ? '' : '');
}

async function noise(plan: Plan, data: Dataset, sigmas: number[], rates: number[], quboSigmas: number[]): Promise<string> {
  await ensureRuns(plan, data);
  const { loadDataset } = await import('../../data/dataset');
  const { buildNetwork, evaluate, samplerFor, readJsonl } = await import('../../train/trainer');
  const { loadCheckpoint } = await import('../../train/checkpoint');
  const { noiseReport } = await import('../../train/report');
  type NoiseResult = import('../../train/report').NoiseResult;
  const cacheFile = path.join(plan.out, 'noise-results.jsonl');
  const cached = readJsonl<NoiseResult>(cacheFile);
  const key = (r: Pick<NoiseResult, 'method' | 'seed' | 'kind' | 'level'>) => `${r.method}|${r.seed}|${r.kind}|${r.level}`;
  const have = new Map(cached.map((r) => [key(r), r]));
  const tests = new Map<string, Dataset['test']>();
  const testFor = async (kind: 'clean' | 'gaussian' | 'salt-pepper', level: number) => {
    if (kind === 'clean' || level === 0) return data.test;
    const k = `${kind}:${level}`;
    if (!tests.has(k)) {
      const d = await loadDataset({
        name: plan.dataset,
        dataDir: plan.dataDir,
        limit: plan.limit,
        seed: 0,
        validationFraction: 0,
        noise: kind === 'gaussian' ? { kind, sigma: level } : { kind: 'salt-pepper', rate: level },
        noiseSplits: ['test'],
      });
      tests.set(k, d.test);
    }
    return tests.get(k)!;
  };
  const jobs: Pick<NoiseResult, 'kind' | 'level'>[] = [
    { kind: 'clean', level: 0 },
    ...sigmas.filter((s) => s > 0).map((level) => ({ kind: 'gaussian' as const, level })),
    ...rates.filter((s) => s > 0).map((level) => ({ kind: 'salt-pepper' as const, level })),
  ];
  for (const method of plan.methods) {
    for (const seed of plan.seeds) {
      const mine = [...jobs, ...(attentionMethod(method).usesQubo ? quboSigmas.filter((s) => s > 0).map((level) => ({ kind: 'qubo' as const, level })) : [])];
      const todo = mine.filter((j) => !have.has(key({ method, seed, ...j })));
      if (!todo.length) continue;
      const net = buildNetwork(plan.dataset, method, seed, samplerFor(method, plan.sampler), plan.attention);
      try {
        await loadCheckpoint(runDir(plan, method, seed), net);
        for (const j of todo) {
          const split = await testFor(j.kind === 'qubo' ? 'clean' : j.kind, j.level);
          const r = await evaluate(net, split, 256, j.kind === 'qubo' ? { quboNoise: j.level } : {});
          const res: NoiseResult = { method, seed, kind: j.kind, level: j.level, accuracy: r.accuracy, loss: r.loss };
          have.set(key(res), res);
          fs.appendFileSync(cacheFile, JSON.stringify(res) + '\n');
          if (!plan.quiet) process.stderr.write(`${method} seed ${seed} ${j.kind} ${j.level}: ${(100 * r.accuracy).toFixed(2)}%\n`);
        }
      } finally {
        net.dispose();
      }
    }
  }
  const results = [...have.values()].filter((r) => plan.methods.includes(r.method as MethodName) && plan.seeds.includes(r.seed));
  noiseReport(plan.dataset, results, plan.out, { png: plan.png, scale: plan.scale }, [
    `Models: the final checkpoints of the convergence runs (${plan.epochs} epochs, seeds ${plan.seeds.join(', ')}).`,
    `Pixel noise is applied to the test images in [0, 1] before normalisation; QUBO noise adds N(0, (sigma * max|coefficient|)^2) to every coefficient of each image's attention QUBO (the methods that build one: ${plan.methods.filter((m) => attentionMethod(m).usesQubo).join(', ') || 'none here'}).`,
  ]);
  return path.join(plan.out, 'noise.md');
}

export const command: Command = {
  name: 'experiment',
  options: OPTIONS,
  summary: 'Run the convergence or noise-robustness experiment, or plan / run (in shards) / report a protocol sweep (docs/protocol.md)',
  usage:
    'qahan experiment plan [--dataset D] [--methods M1,M2] [--seeds N] [--out DIR] [options]\n' +
    '       qahan experiment run PLAN_DIR --shard I/N [options]\n' +
    '       qahan experiment report DIRS... [--out DIR] [--target ACC] [options]\n' +
    '       qahan experiment evaluate RUN_DIR [options]\n' +
    '       qahan experiment convergence|noise [--dataset D] [--methods M1,M2] [--seeds N] [options]\n' +
    '(each option below names the subcommands that read it)',
  async run(argv) {
    const { values: v, positionals } = parseCommandArgs(argv, OPTIONS, true);
    const which = positionals[0];
    if (which === 'plan' || which === 'run' || which === 'report' || which === 'evaluate') {
      const { protocolCommand } = await import('./experiment-protocol');
      return protocolCommand(which, v, positionals.slice(1));
    }
    if (which !== 'convergence' && which !== 'noise') throw new UsageError("say which experiment: 'convergence', 'noise', 'plan', 'run', 'report' or 'evaluate'");
    if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}`);
    const s = (name: string) => v[name] as string | undefined;
    const dataset = choiceOption(s('dataset'), 'dataset', ['mnist', 'cifar10'] as const, 'mnist')!;
    let methods: MethodName[];
    try {
      methods = s('methods') ? s('methods')!.split(',').map((m) => parseMethod(m.trim())) : [...METHOD_NAMES];
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const nSeeds = intOption(s('seeds'), 'seeds', 3)!;
    const plan: Plan = {
      dataset,
      methods,
      seeds: Array.from({ length: nSeeds }, (_, i) => i),
      epochs: intOption(s('epochs'), 'epochs', 5)!,
      limit: intOption(s('limit'), 'limit', 5000),
      out: path.resolve(s('out') ?? path.join('results', dataset)),
      dataDir: s('data-dir'),
      batchSize: intOption(s('batch-size'), 'batch-size', 32)!,
      lr: numberOption(s('lr'), 'lr', 3e-3)!,
      sampler: choiceOption(s('sampler'), 'sampler', SAMPLER_NAMES) as SamplerName | undefined,
      target: numberOption(s('target'), 'target', dataset === 'mnist' ? 0.9 : 0.45)!,
      png: !v['no-png'],
      scale: scaleOption(s('scale')),
      quiet: !!v.quiet,
      attention: attentionOptionsFrom(v),
    };
    const backend = choiceOption(s('backend'), 'backend', ['tensorflow', 'wasm', 'cpu'] as const);
    const { initBackend, describeBackend } = await import('../../train/backend');
    await initBackend(backend);
    if (!plan.quiet) process.stderr.write(`${describeBackend()}\n`);
    const { loadDataset } = await import('../../data/dataset');
    const data = await loadDataset({ name: dataset, dataDir: plan.dataDir, limit: plan.limit, seed: 0, validationFraction: 0 });
    fs.mkdirSync(plan.out, { recursive: true });
    const report =
      which === 'convergence'
        ? await convergence(plan, data)
        : await noise(plan, data, list(s('sigmas'), 'sigmas', [0.1, 0.2, 0.3, 0.5]), list(s('rates'), 'rates', [0.05, 0.1, 0.2, 0.3]), list(s('qubo-sigmas'), 'qubo-sigmas', [0.05, 0.1, 0.2, 0.5]));
    console.log(report);
    return 0;
  },
};
