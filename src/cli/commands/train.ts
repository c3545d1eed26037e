import * as fs from 'fs';
import * as path from 'path';
import { Command, choiceOption, intOption, numberOption, parseCommandArgs, UsageError } from '../command';
import { METHOD_NAMES, MethodName, AttentionOptions } from '../../attention/options';
import { SAMPLER_NAMES, SamplerName } from '../../config/qahan-config';
import { ARCH_NAMES } from '../../attention/backbone';
import { LR_SCHEDULES } from '../../train/trainer';

export const TRAIN_OPTIONS = {
  dataset: { type: 'string' },
  method: { type: 'string' },
  arch: { type: 'string' },
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
  'tau0': { type: 'string' },
  'tau-min': { type: 'string' },
  'tau-decay': { type: 'string' },
  'baseline-momentum': { type: 'string' },
  'entropy-bonus': { type: 'string' },
  'validation-fraction': { type: 'string' },
  'eval-every': { type: 'string' },
  'data-seed': { type: 'string' },
  'lr-schedule': { type: 'string' },
  setting: { type: 'string' },
  variant: { type: 'string' },
  resume: { type: 'boolean' },
  'allow-new': { type: 'boolean' },
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
    tau0: numberOption(s('tau0'), 'tau0'),
    tauMin: numberOption(s('tau-min'), 'tau-min'),
    tauDecay: numberOption(s('tau-decay'), 'tau-decay'),
    baselineMomentum: numberOption(s('baseline-momentum'), 'baseline-momentum'),
    entropyBonus: numberOption(s('entropy-bonus'), 'entropy-bonus'),
  };
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as AttentionOptions;
}

export const command: Command = {
  name: 'train',
  summary: 'Train an attention network (qahan | reinforce | gumbel | soft | none | topk | qubo-ls) on MNIST or CIFAR-10',
  usage:
    'qahan train --dataset mnist|cifar10 --method qahan|reinforce|gumbel|soft|none|topk|qubo-ls --epochs E [--limit L] [--seed S] [--data-dir D] [--out DIR] ' +
    '[--batch-size 32] [--lr 0.003] [--backend tensorflow|wasm|cpu] [--sampler sa|sqa|exact|dwave-qpu|dwave-hybrid] ' +
    '[--k K | --keep-ratio 0.25] [--lambda L] [--gamma G] [--num-reads 1] [--num-sweeps 128] [--trotter-slices 8] [--schedule geometric|linear] ' +
    '[--tau0 1] [--tau-min 0.5] [--tau-decay 1e-4] [--baseline-momentum 0.9] [--entropy-bonus 0] [--arch small|deep] ' +
    '[--validation-fraction 0] [--eval-every STEPS] [--data-seed S] [--lr-schedule constant|cosine] [--setting NAME] [--variant NAME] [--resume [--allow-new]] [--quiet]',
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
    const arch = choiceOption(v.arch as string | undefined, 'arch', ARCH_NAMES, 'small')!;
    const out = path.resolve((v.out as string | undefined) ?? path.join('runs', `${dataset}-${method}-s${seed}`));
    const { CHECKPOINT_JSON } = await import('../../train/checkpoint');
    if (v['allow-new'] && !v.resume) throw new UsageError('--allow-new only goes with --resume');
    const validationFraction = numberOption(v['validation-fraction'] as string | undefined, 'validation-fraction');
    if (validationFraction !== undefined && !(validationFraction >= 0 && validationFraction < 1)) throw new UsageError(`--validation-fraction must be in [0, 1), got ${JSON.stringify(v['validation-fraction'])}`);
    const evalEvery = intOption(v['eval-every'] as string | undefined, 'eval-every');
    if (evalEvery !== undefined && !(validationFraction! > 0)) throw new UsageError('--eval-every evaluates the validation split: give --validation-fraction > 0 too');
    const dataSeed = intOption(v['data-seed'] as string | undefined, 'data-seed', undefined, 0);
    // --allow-new: resume when there is a checkpoint, else start (a planned run's command, rerun after a kill).
    if (v.resume && !v['allow-new'] && !fs.existsSync(path.join(out, CHECKPOINT_JSON))) {
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
      arch,
      validationFraction,
      evalEvery,
      dataSeed,
      lrSchedule: choiceOption(v['lr-schedule'] as string | undefined, 'lr-schedule', LR_SCHEDULES),
      setting: v.setting as string | undefined,
      variant: v.variant as string | undefined,
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
