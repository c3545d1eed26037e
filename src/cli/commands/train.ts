import * as fs from 'fs';
import * as path from 'path';
import { Command, choiceOption, intOption, numberOption, parseCommandArgs, UsageError } from '../command';
import { METHOD_NAMES, MethodName, AttentionOptions } from '../../attention/options';
import { SAMPLER_NAMES, SamplerName } from '../../config/qahan-config';

export const TRAIN_OPTIONS = {
  dataset: { type: 'string' },
  method: { type: 'string' },
  epochs: { type: 'string' },
  limit: { type: 'string' },
  seed: { type: 'string' },
  'data-dir': { type: 'string' },
  out: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  backend: { type: 'string' },
  sampler: { type: 'string' },
  k: { type: 'string' },
  'keep-ratio': { type: 'string' },
  lambda: { type: 'string' },
  gamma: { type: 'string' },
  'num-reads': { type: 'string' },
  'num-sweeps': { type: 'string' },
  'trotter-slices': { type: 'string' },
  schedule: { type: 'string' },
  resume: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

/** The attention options shared by `train` and `experiment`. */
export function attentionOptionsFrom(v: Record<string, string | boolean | undefined>): AttentionOptions {
  const s = (name: string) => v[name] as string | undefined;
  const o: AttentionOptions = {
    k: intOption(s('k'), 'k'),
    keepRatio: numberOption(s('keep-ratio'), 'keep-ratio'),
    lambda: numberOption(s('lambda'), 'lambda'),
    gamma: numberOption(s('gamma'), 'gamma'),
    numReads: intOption(s('num-reads'), 'num-reads'),
    numSweeps: intOption(s('num-sweeps'), 'num-sweeps'),
    trotterSlices: intOption(s('trotter-slices'), 'trotter-slices'),
    schedule: choiceOption(s('schedule'), 'schedule', ['geometric', 'linear'] as const),
  };
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as AttentionOptions;
}

export const command: Command = {
  name: 'train',
  summary: 'Train an attention network (qahan | reinforce | gumbel | soft | none | topk | qubo-ls) on MNIST or CIFAR-10',
  usage:
    'qahan train --dataset mnist|cifar10 --method qahan|reinforce|gumbel|soft|none|topk|qubo-ls --epochs E [--limit L] [--seed S] [--data-dir D] [--out DIR] ' +
    '[--batch-size 32] [--lr 0.003] [--backend tensorflow|wasm|cpu] [--sampler sa|sqa|exact|dwave-qpu|dwave-hybrid] ' +
    '[--k K | --keep-ratio 0.25] [--lambda L] [--gamma G] [--num-reads 1] [--num-sweeps 128] [--trotter-slices 8] [--schedule geometric|linear] [--resume] [--quiet]',
  async run(argv) {
    const { values: v, positionals } = parseCommandArgs(argv, TRAIN_OPTIONS, false);
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const dataset = choiceOption(v.dataset as string | undefined, 'dataset', ['mnist', 'cifar10'] as const, 'mnist')!;
    const method = choiceOption(v.method as string | undefined, 'method', METHOD_NAMES, 'qahan') as MethodName;
    const epochs = intOption(v.epochs as string | undefined, 'epochs', 1)!;
    const seed = intOption(v.seed as string | undefined, 'seed', 0, 0)!;
    const sampler = choiceOption(v.sampler as string | undefined, 'sampler', SAMPLER_NAMES) as SamplerName | undefined;
    const backend = choiceOption(v.backend as string | undefined, 'backend', ['tensorflow', 'wasm', 'cpu'] as const);
    const attention = attentionOptionsFrom(v);
    const lr = numberOption(v.lr as string | undefined, 'lr', 3e-3)!;
    if (!(lr > 0 && lr <= 1)) throw new UsageError(`--lr (the learning rate) must be in (0, 1], got ${JSON.stringify(v.lr)}`);
    const batchSize = intOption(v['batch-size'] as string | undefined, 'batch-size', 32)!;
    const limit = intOption(v.limit as string | undefined, 'limit');
    const out = path.resolve((v.out as string | undefined) ?? path.join('runs', `${dataset}-${method}-s${seed}`));
    const { CHECKPOINT_JSON } = await import('../../train/checkpoint');
    if (v.resume && !fs.existsSync(path.join(out, CHECKPOINT_JSON))) {
      // The user asked to continue a run: starting a new one instead would be a surprise.
      const why = fs.existsSync(out) ? `${out} holds no ${CHECKPOINT_JSON}` : `${out} does not exist`;
      throw new UsageError(`--resume: nothing to resume, ${why}; check --out, or leave out --resume to start a new run`);
    }
    const { initBackend, describeBackend } = await import('../../train/backend');
    await initBackend(backend);
    const { train } = await import('../../train/trainer');
    const quiet = !!v.quiet;
    if (!quiet) process.stderr.write(`${describeBackend()}\n`);
    const r = await train({
      dataset,
      method,
      epochs,
      out,
      seed,
      limit,
      dataDir: v['data-dir'] as string | undefined,
      batchSize,
      lr,
      sampler,
      attention,
      resume: !!v.resume,
      progress: !quiet,
    });
    if (r.alreadyComplete && !quiet) process.stderr.write(`${out}: all ${epochs} epochs already done\n`);
    const last = r.epochs[r.epochs.length - 1];
    if (last) {
      console.log(JSON.stringify({ out, epoch: last.epoch, testAccuracy: last.testAccuracy, testLoss: last.testLoss, seconds: last.seconds }));
    }
    return 0;
  },
};
