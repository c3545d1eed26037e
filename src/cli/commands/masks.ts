import * as fs from 'fs';
import * as path from 'path';
import { Command, choiceOption, FIGURE_OPTIONS, flagSpec, intOption, numberOption, OptionSpecs, parseCommandArgs, scaleOption, stringSpec, UsageError } from '../command';
import { SAMPLER_NAMES } from '../../config/qahan-config';
import { findAttentionMethod } from '../../attention/methods';

const SOLVERS = [...SAMPLER_NAMES, 'topk', 'qubo-ls'] as const;

const OPTIONS = {
  limit: stringSpec('N', "test images, the first of the run's test split", '1000'),
  sampler: stringSpec(SOLVERS.join('|'), 'solver of the masks (a qahan-free run is solved in its own free form: topk a_i > tau, qubo-ls flip-and-swap descent)', 'the configured sampler'),
  'control-error': stringSpec('SIGMA', 'QPU control error: Gaussian noise of SIGMA times the h/J range on the Ising form (single-flip path)', 'none'),
  'qpu-formulation': stringSpec('threshold|penalty', 'what the single-flip path anneals, both repaired to k', 'threshold'),
  png: stringSpec('FILE', 'draw the first 32 test images with the kept positions outlined (.svg beside it)', 'none: no figure'),
  json: flagSpec('print one JSON object on stdout'),
  'data-dir': stringSpec('DIR', 'dataset folder', 'QAHAN_DATA_DIR, else ~/.cache/qahan/data'),
  seed: stringSpec('S', "seed of the solver's reads", '0'),
  backend: stringSpec('tensorflow|wasm|cpu', 'TensorFlow.js backend', 'QAHAN_TFJS_BACKEND, else the fastest that loads'),
  ...FIGURE_OPTIONS,
} as const satisfies OptionSpecs;

export const command: Command = {
  name: 'masks',
  options: OPTIONS,
  summary: "Evaluate a trained run's attention masks on its test split (quality against the QUBO's optimum, accuracy, control error)",
  usage: 'qahan masks RUN_DIR [options]',
  async run(argv) {
    const { values: v, positionals } = parseCommandArgs(argv, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('give exactly one RUN_DIR (a folder written by qahan train)');
    const run = path.resolve(positionals[0]);
    if (!fs.existsSync(path.join(run, 'config.json'))) throw new UsageError(`${positionals[0]} is not a training run (no config.json)`);
    const sampler = choiceOption(v.sampler as string | undefined, 'sampler', SOLVERS);
    const controlError = numberOption(v['control-error'] as string | undefined, 'control-error');
    if (controlError !== undefined && !(controlError >= 0 && controlError < 1)) throw new UsageError(`--control-error must be in [0, 1), got ${controlError}`);
    const limit = intOption(v.limit as string | undefined, 'limit', 1000);
    const seed = intOption(v.seed as string | undefined, 'seed', 0, 0);
    const png = v.png as string | undefined;
    const scale = scaleOption(v.scale as string | undefined);
    const { initBackend } = await import('../../train/backend');
    await initBackend(v.backend as 'tensorflow' | 'wasm' | 'cpu' | undefined);
    const { evaluateMasks } = await import('../../train/mask-evaluation');
    const { ProgressBar } = await import('../progress');
    let bar: InstanceType<typeof ProgressBar> | undefined;
    const { result, figure } = await evaluateMasks({
      run,
      limit,
      sampler,
      controlError,
      qpuFormulation: choiceOption(v['qpu-formulation'] as string | undefined, 'qpu-formulation', ['threshold', 'penalty'] as const),
      dataDir: v['data-dir'] as string | undefined,
      seed,
      keepImages: png ? 32 : 0,
      onProgress: (done, total) => {
        bar ??= new ProgressBar('masks', total, { enabled: !v.json });
        bar.update(done);
      },
    });
    if (png && figure) {
      const { maskGridSvg } = await import('../../train/mask-figure');
      const { svgToPng } = await import('../../train/plot');
      const title = `${result.method} run, masks by ${result.solver}${result.controlError ? ` with ${(100 * result.controlError).toFixed(1)}% control error` : ''} (red: kept positions)`;
      const svg = maskGridSvg(figure, { title });
      const svgFile = png.replace(/\.png$/i, '') + '.svg';
      fs.writeFileSync(svgFile, svg);
      const r = svgToPng(svg, { scale });
      if (r.png) fs.writeFileSync(png, r.png);
      else process.stderr.write(`PNG not written (${r.error}); the SVG is at ${svgFile}\n`);
    }
    if (v.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      const lines = [
        `${result.images} test images, ${result.method} network, masks by ${result.solver} (${result.path}), k = ${result.k}`,
        `accuracy            ${pct(result.accuracy)}`,
        `at the reference    ${pct(result.atReference)}   (>= top-k ${pct(result.atLeastTopk)}, >= top-k + 1-swap ${pct(result.atLeastTopkSwap)})`,
        `mean energy gap     ${result.meanEnergyGap.toExponential(2)}`,
        result.path === 'free' || findAttentionMethod(result.method)?.hard === false
          ? `kept                ${result.keptMean.toFixed(2)} +- ${result.keptStd.toFixed(2)} positions per image (no cardinality)`
          : `cardinality broken  ${pct(result.cardinalityViolations)} of masks (${pct(result.rawCardinalityViolations)} of raw answers; kept ${result.keptMean.toFixed(2)} +- ${result.keptStd.toFixed(2)})`,
        `solve time          ${result.msPerImage.toFixed(3)} ms per image`,
      ];
      if (result.controlError !== undefined) lines.push(`noiseless accuracy  ${pct(result.accuracyNoiseless!)}; overlap with the noiseless masks ${result.overlapWithNoiseless!.toFixed(4)}`);
      process.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  },
};
