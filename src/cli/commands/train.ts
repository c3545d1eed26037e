import * as fs from 'fs';
import * as path from 'path';
import { Command, FIGURE_OPTIONS, OptionSpecs, choiceOption, flagSpec, stringSpec, intOption, numberOption, parseCommandArgs, scaleOption, UsageError } from '../command';
import { METHOD_NAMES, MethodName, AttentionOptions } from '../../attention/options';
import { SAMPLER_NAMES, SamplerName } from '../../config/qahan-config';
import { ARCH_NAMES } from '../../attention/backbone';
import { AUGMENTS, LR_SCHEDULES } from '../../train/trainer';

const str = stringSpec;
const flag = flagSpec;

/** The attention knobs (settings.ts), shared by `train` and `experiment`. */
export const ATTENTION_OPTIONS = {
  k: str('K', 'positions the attention keeps', 'round(keep-ratio x positions)'),
  'keep-ratio': str('R', 'share of positions kept when --k is not given', '0.25'),
  lambda: str('X', 'redundancy weight of the attention QUBO', '0.5 / (k - 1)'),
  gamma: str('X', 'cardinality penalty of the attention QUBO', 'the smallest that keeps exactly k, plus 0.1'),
  'num-reads': str('N', "annealer reads per image's QUBO", '1'),
  'num-sweeps': str('N', 'annealing sweeps per read', '128'),
  'trotter-slices': str('P', 'Trotter slices of the sqa sampler', '4'),
  schedule: str('geometric|linear', 'shape of the annealing schedule', "the sampler's own"),
  tau0: str('T', 'gumbel: initial softmax temperature', '1'),
  'tau-min': str('T', 'gumbel: temperature floor', '0.5'),
  'tau-decay': str('X', 'gumbel: temperature decay per step, tau = max(tau-min, tau0 exp(-decay step))', '1e-4'),
  'baseline-momentum': str('X', "reinforce: momentum of the reward baseline's moving average", '0.9'),
  'entropy-bonus': str('X', "reinforce: weight of the first pick's entropy in the loss", '0'),
} as const satisfies OptionSpecs;

export const TRAIN_OPTIONS = {
  dataset: str('mnist|cifar10', 'dataset to train on', 'mnist'),
  method: str('NAME', `attention method: ${METHOD_NAMES.join(', ')}`, 'qahan'),
  arch: str(ARCH_NAMES.join('|'), 'backbone network', 'small'),
  epochs: str('E', 'epochs to train', '1'),
  limit: str('L', 'training images (the test split shrinks in proportion)', 'none: the whole training set'),
  seed: str('S', 'seed of the weights, data order and noise', '0'),
  'data-dir': str('DIR', 'dataset folder', 'QAHAN_DATA_DIR, else ~/.cache/qahan/data'),
  out: str('DIR', 'run folder (metrics, checkpoint, curves)', 'runs/<dataset>-<method>-s<seed>'),
  'batch-size': str('B', 'training batch size', '32'),
  lr: str('X', 'Adam learning rate, in (0, 1]', '0.003'),
  backend: str('tensorflow|wasm|cpu', 'TensorFlow.js backend', 'QAHAN_TFJS_BACKEND, else the fastest that loads'),
  sampler: str(SAMPLER_NAMES.join('|'), 'sampler of the annealed methods', 'the configured one (qahan config)'),
  ...ATTENTION_OPTIONS,
  'validation-fraction': str('F', 'share of the training images held out for validation, in [0, 1)', '0'),
  'eval-every': str('STEPS', 'evaluate the validation split every STEPS steps (needs --validation-fraction > 0)', 'none: once per epoch'),
  'data-seed': str('S', 'seed of the data shuffle, subset and validation split', 'the run seed'),
  'lr-schedule': str(LR_SCHEDULES.join('|'), 'learning rate over training', 'constant'),
  augment: str(AUGMENTS.join('|'), 'training-image augmentation (flip: mirror each image left to right with probability 1/2)', 'none'),
  setting: str('NAME', "experiment setting written to config.json (reports group runs by it)", 'none'),
  variant: str('NAME', 'experiment variant written to config.json', 'none'),
  resume: flag('continue from the checkpoint in --out (which must exist)'),
  'allow-new': flag('with --resume: start a new run when there is no checkpoint'),
  quiet: flag('no progress bar or status lines on stderr'),
  'no-png': flag('draw the curves as SVG only'),
  ...FIGURE_OPTIONS,
} as const satisfies OptionSpecs;

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
  summary: `Train an attention network (${METHOD_NAMES.join(' | ')}) on MNIST or CIFAR-10; the run folder gets metrics, a checkpoint and accuracy/loss curves (SVG + PNG)`,
  usage: 'qahan train [--dataset mnist|cifar10] [--method NAME] [--epochs E] [--out DIR] [options]',
  options: TRAIN_OPTIONS,
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
    const scale = scaleOption(v.scale as string | undefined);
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
      augment: choiceOption(v.augment as string | undefined, 'augment', AUGMENTS),
      setting: v.setting as string | undefined,
      variant: v.variant as string | undefined,
      resume: !!v.resume,
      progress: !quiet,
    });
    if (r.alreadyComplete && !quiet) process.stderr.write(`${out}: all ${epochs} epochs already done\n`);
    const { writeRunCurves } = await import('../../train/run-curves');
    const curves = writeRunCurves(out, { png: !v['no-png'], scale });
    if (!quiet) {
      const names = curves.charts.map((c) => c.file.replace(/\.svg$/, c.png ? '.{svg,png}' : '.svg'));
      if (names.length) process.stderr.write(`curves: ${names.join(' ')} in ${out}\n`);
      if (curves.pngError) process.stderr.write(`PNG not written (${curves.pngError}); the curves are SVG only\n`);
    }
    const last = r.epochs[r.epochs.length - 1];
    if (last) {
      console.log(JSON.stringify({ out, epoch: last.epoch, testAccuracy: last.testAccuracy, testLoss: last.testLoss, seconds: last.seconds }));
    }
    return 0;
  },
};
