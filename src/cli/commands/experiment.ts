import * as fs from 'fs';
import * as path from 'path';
import { Command, choiceOption, intOption, numberOption, parseCommandArgs, UsageError } from '../command';
import { attentionMethod, METHOD_NAMES, MethodName, parseMethod } from '../../attention/methods';
import { SAMPLER_NAMES, SamplerName } from '../../config/qahan-config';
import type { Dataset, DatasetName } from '../../data/dataset';
import { attentionOptionsFrom, TRAIN_OPTIONS } from './train';

const OPTIONS = {
  ...TRAIN_OPTIONS,
  methods: { type: 'string' },
  seeds: { type: 'string' },
  target: { type: 'string' },
  sigmas: { type: 'string' },
  rates: { type: 'string' },
  'qubo-sigmas': { type: 'string' },
  'no-png': { type: 'boolean' },
  lrs: { type: 'string' },
  grid: { type: 'string', multiple: true },
  'control-errors': { type: 'string' },
  'control-error-images': { type: 'string' },
  shard: { type: 'string' },
  qahan: { type: 'string' },
  sbatch: { type: 'string', multiple: true },
  'no-noise': { type: 'boolean' },
} as const;

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
  const crossSampler = await crossSamplerEvaluation(
    plan.methods.flatMap((method) => plan.seeds.map((seed) => ({ method, seed, dir: runDir(plan, method, seed) }))),
    { dataDir: plan.dataDir, onRun: plan.quiet ? undefined : (done, total) => process.stderr.write(`cross-sampler evaluation ${done}/${total}\n`) },
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
  noiseReport(plan.dataset, results, plan.out, plan.png, [
    `Models: the final checkpoints of the convergence runs (${plan.epochs} epochs, seeds ${plan.seeds.join(', ')}).`,
    `Pixel noise is applied to the test images in [0, 1] before normalisation; QUBO noise adds N(0, (sigma * max|coefficient|)^2) to every coefficient of each image's attention QUBO (the methods that build one: ${plan.methods.filter((m) => attentionMethod(m).usesQubo).join(', ') || 'none here'}).`,
  ]);
  return path.join(plan.out, 'noise.md');
}

export const command: Command = {
  name: 'experiment',
  summary: 'Run the convergence or noise-robustness experiment, or plan / run (in shards) / report a protocol sweep (docs/protocol.md)',
  usage:
    `qahan experiment plan --dataset D [--methods qahan@sqa,qahan@sa,gumbel,...] [--seeds 10 | 0-9 | 0,3] [--epochs E] [--limit L] [--lrs 0.001,0.003] [--arch small|deep] [--lr-schedule cosine|constant] ` +
    '[--eval-every 100] [--validation-fraction 0.1] [--data-seed 0] [--grid METHOD.KNOB=V1,V2 ...] [--sigmas ..] [--rates ..] [--control-errors ..] [--qahan "npx qahan"] [--sbatch LINE ...] [--out DIR]\n' +
    '       qahan experiment run DIR --shard I/N [--backend ...] [--data-dir D] [--no-noise] [--quiet]\n' +
    '       qahan experiment report DIRS... [--out DIR] [--target ACC] [--no-png]\n' +
    '       qahan experiment evaluate RUN_DIR [--sigmas ..] [--rates ..] [--control-errors ..] [--control-error-images 500] [--data-dir D]\n' +
    `       qahan experiment convergence|noise [--dataset mnist|cifar10] [--methods ${METHOD_NAMES.join(',')}] [--seeds 3] [--epochs 5] [--limit 5000] ` +
    '[--out results/<dataset>] [--data-dir D] [--target 0.9] [--batch-size 32] [--lr 0.003] [--backend ...] [--sampler ...] ' +
    '[--sigmas 0.1,0.2,0.3,0.5] [--rates 0.05,0.1,0.2,0.3] [--qubo-sigmas 0.05,0.1,0.2,0.5] [--no-png] [--quiet] [attention options as for train]',
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
