/**
 * The protocol's tooling end to end on a small synthetic MNIST fixture: plan a sweep, run it as two
 * shards (one run interrupted after its first epoch checkpoint and resumed), evaluate noise, and merge
 * every run folder into summary.json.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { architecture } from '../../src/attention/backbone';
import { AttentionNetwork } from '../../src/attention/network';
import { makePlan, parseShard, readPlan, runLine, shardRuns, writePlan } from '../../src/train/experiment-plan';
import { evaluateRun, runShard } from '../../src/train/experiment-run';
import { experimentReport, iterationSmoothness, normalisedArea, SettingReport } from '../../src/train/experiment-report';
import { EpochMetrics, IterationRecord, readJsonl, train, ValidationRecord } from '../../src/train/trainer';
import { tmpDir, writeMnist } from '../data/fixtures';
import { wasmOrCpu } from './test-backend';

let dataDir: string;

beforeAll(async () => {
  await wasmOrCpu();
  dataDir = tmpDir('qahan-exp-data-');
  writeMnist(dataDir, 200, 40, false); // raw files: the published md5s (of the .gz files) do not apply
});

test('plan: tuned methods get their chosen learning rate and knobs, named by their spec; the others keep the grids', () => {
  const plan = makePlan({
    dataset: 'mnist',
    methods: ['qahan@sqa', 'gumbel', 'none'],
    seeds: [0, 1],
    epochs: 2,
    lrs: [0.001, 0.003],
    grid: { gumbel: { tauMin: [0.3, 0.5] } },
    tuned: { 'qahan@sqa': { lr: 0.003, knobs: { lambda: 0.13 } }, none: { lr: 0.002 } },
  });
  // A grid on a tuned method varies knobs on top of its configuration, and names the variant by them alone.
  const matched = makePlan({
    dataset: 'mnist',
    methods: ['topk', 'qahan@sqa'],
    seeds: [0],
    epochs: 2,
    grid: { topk: { k: [21] } },
    tuned: { topk: { lr: 0.003 }, 'qahan@sqa': { lr: 0.003, knobs: { lambda: 0.13 } } },
  });
  expect(matched.runs.map((r) => r.id)).toEqual(['topk-k21-s0', 'qahan@sqa-s0']);
  expect(matched.runs[0].trainArgs.join(' ')).toContain('--lr 0.003');
  expect(matched.runs[0].trainArgs.join(' ')).toContain('--k 21');
  const variants = [...new Set(plan.runs.map((r) => r.variant))].sort();
  expect(variants).toEqual(['gumbel-tauMin0.3-lr0.001', 'gumbel-tauMin0.3-lr0.003', 'gumbel-tauMin0.5-lr0.001', 'gumbel-tauMin0.5-lr0.003', 'none', 'qahan@sqa']);
  const q = plan.runs.filter((r) => r.variant === 'qahan@sqa');
  expect(q.map((r) => r.lr)).toEqual([0.003, 0.003]);
  expect(q[0].trainArgs.join(' ')).toContain('--lambda 0.13');
  expect(plan.runs.filter((r) => r.variant === 'none').map((r) => r.lr)).toEqual([0.002, 0.002]);
  expect(plan.tuned).toEqual({ 'qahan@sqa': { lr: 0.003, knobs: { lambda: 0.13 } }, none: { lr: 0.002 } });
});

test('plan: runs.txt has one resumable qahan train line per run, the Slurm array covers them, shards partition them', () => {
  const dir = tmpDir('qahan-plan-');
  const plan = makePlan({ dataset: 'mnist', methods: ['qahan@sqa', 'qahan@sa', 'gumbel'], seeds: [0, 1, 2], epochs: 2, limit: 1000, lrs: [0.001, 0.003], grid: { gumbel: { tauMin: [0.3, 0.5] } }, dataDir });
  // 3 seeds x (2 qahan samplers + 2 gumbel tauMin) x 2 learning rates
  expect(plan.runs).toHaveLength(3 * 4 * 2);
  writePlan(dir, plan, { qahan: 'node dist/cli/main.js', sbatch: ['--time=02:00:00'] });
  const lines = fs.readFileSync(path.join(dir, 'runs.txt'), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(24);
  const outs = lines.map((l) => /--out (\S+)/.exec(l)![1]);
  expect(new Set(outs).size).toBe(24);
  for (const l of lines) {
    expect(l).toMatch(/^node dist\/cli\/main\.js train .*--resume --allow-new .*&& node dist\/cli\/main\.js experiment evaluate runs\//);
    expect(l).toContain('--validation-fraction 0.1 --eval-every 100');
  }
  expect(lines.filter((l) => l.includes('--sampler sa ')).length).toBe(6);
  expect(lines.filter((l) => l.includes('--tau-min 0.3')).length).toBe(6);
  expect(lines.filter((l) => l.includes('--control-errors')).length).toBe(12); // qahan only
  // Annealed methods are also evaluated with the other solvers' masks, by default with all four.
  expect(lines.filter((l) => l.includes('--cross-samplers sa,sqa,topk,qubo-ls --cross-sampler-images 1000')).length).toBe(12);
  expect(lines.filter((l) => l.includes('--tau-min') && l.includes('--cross-samplers')).length).toBe(0);
  const noCross = makePlan({ dataset: 'mnist', methods: ['qahan@sa'], seeds: [0], epochs: 1, noise: { crossSamplers: [] } });
  expect(runLine(noCross.runs[0], 'q')).not.toContain('--cross-samplers');
  const sbatch = fs.readFileSync(path.join(dir, 'slurm.sbatch'), 'utf8');
  expect(sbatch).toContain('#SBATCH --array=0-23\n');
  expect(sbatch).toContain('#SBATCH --time=02:00:00');
  expect(sbatch).toContain('sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" runs.txt');
  expect(readPlan(dir).runs[5].id).toBe(plan.runs[5].id);
  const a = shardRuns(plan, parseShard('0/2')).map((r) => r.index);
  const b = shardRuns(plan, parseShard('1/2')).map((r) => r.index);
  expect([...a, ...b].sort((x, y) => x - y)).toEqual(plan.runs.map((r) => r.index));
  expect(a.every((i) => i % 2 === 0)).toBe(true);
  expect(() => parseShard('2/2')).toThrow(RangeError);
  expect(() => makePlan({ dataset: 'mnist', methods: ['gumbel@sa'], seeds: [0], epochs: 1 })).toThrow(/uses no sampler/);
  expect(() => makePlan({ dataset: 'mnist', methods: ['nope'], seeds: [0], epochs: 1 })).toThrow(RangeError);
  expect(runLine(plan.runs[0], 'q')).toContain(`--out ${plan.runs[0].out}`);
  expect(lines.every((l) => !l.includes('--augment'))).toBe(true);
  const flipped = makePlan({ dataset: 'cifar10', methods: ['none'], seeds: [0], epochs: 1, augment: 'flip', dataDir });
  expect(runLine(flipped.runs[0], 'q')).toContain(' --augment flip ');
});

test('two shards, a run interrupted after its first epoch and resumed, then one merged summary.json', async () => {
  const dir = tmpDir('qahan-sweep-');
  const plan = makePlan({
    dataset: 'mnist',
    methods: ['qahan@sa', 'gumbel', 'none'],
    seeds: [0, 1, 2],
    epochs: 2,
    arch: 'small',
    evalEvery: 2,
    validationFraction: 0.2,
    attention: { numSweeps: 16 },
    noise: { sigmas: [0.3], rates: [0.2], controlErrors: [0.05], controlErrorImages: 8, crossSamplers: ['sa', 'topk'], crossSamplerImages: 8 },
    dataDir,
  });
  writePlan(dir, plan);
  expect(plan.runs).toHaveLength(9);

  // A run of shard 1 killed after its epoch-1 checkpoint: the same training, stopped one epoch early.
  const victim = shardRuns(plan, { index: 1, count: 2 })[0];
  const victimOut = path.join(dir, victim.out);
  await train({ dataset: 'mnist', method: victim.method, sampler: victim.sampler, arch: 'small', epochs: 1, seed: victim.seed, dataSeed: 0, lr: victim.lr, validationFraction: 0.2, evalEvery: 2, attention: { numSweeps: 16 }, setting: victim.setting, variant: victim.variant, out: victimOut, dataDir, progress: false });
  const before = readJsonl<EpochMetrics>(path.join(victimOut, 'metrics.jsonl'));
  expect(before).toHaveLength(1);

  const r0 = await runShard(dir, plan, parseShard('0/2'), { quiet: true });
  const r1 = await runShard(dir, plan, parseShard('1/2'), { quiet: true });
  expect(r0.trained.length + r1.trained.length).toBe(9);
  // Everything is complete now: a second pass skips every run.
  const again = await runShard(dir, plan, parseShard('0/2'), { quiet: true });
  expect(again.trained).toEqual([]);
  expect(again.skipped).toHaveLength(5);

  // The resumed run kept its first epoch and continued the step count and the validation curve.
  const after = readJsonl<EpochMetrics>(path.join(victimOut, 'metrics.jsonl'));
  expect(after.map((m) => m.epoch)).toEqual([1, 2]);
  expect(after[0]).toEqual(before[0]);
  const steps = readJsonl<IterationRecord>(path.join(victimOut, 'iterations.jsonl')).map((i) => i.step);
  expect(steps).toEqual(Array.from({ length: after[1].steps }, (_, i) => i + 1));
  const val = readJsonl<ValidationRecord>(path.join(victimOut, 'validation.jsonl'));
  expect(val.map((v) => v.step)).toEqual([2, 4, 5, 6, 8, 10]);
  expect(val.every((v, i) => i === 0 || v.seconds >= val[i - 1].seconds)).toBe(true);
  expect(after[1].validationAccuracy).toBe(val[val.length - 1].validationAccuracy);

  // A stray copy elsewhere and a partial run are found; the partial one is reported as unfinished.
  const elsewhere = tmpDir('qahan-elsewhere-');
  await train({ dataset: 'mnist', method: 'none', epochs: 1, seed: 5, dataSeed: 0, validationFraction: 0.2, evalEvery: 2, setting: plan.setting, variant: 'none', out: path.join(elsewhere, 'partial'), dataDir, progress: false });
  fs.writeFileSync(
    path.join(elsewhere, 'partial', 'config.json'),
    JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(elsewhere, 'partial', 'config.json'), 'utf8')), epochs: 2 }),
  );
  const out = tmpDir('qahan-report-');
  const reports = experimentReport([path.join(dir, 'runs'), elsewhere], out, { png: false });
  expect(reports).toHaveLength(1);
  const summary = JSON.parse(fs.readFileSync(path.join(out, plan.setting, 'summary.json'), 'utf8')) as SettingReport;
  expect(summary.unfinished).toEqual(['none-s5']);
  expect(summary.clock).toBe('cpu');
  expect(Object.keys(summary.methods).sort()).toEqual(['gumbel', 'none', 'qahan@sa']);
  for (const m of Object.values(summary.methods)) {
    expect(m.seeds).toEqual([0, 1, 2]);
    expect(m.finalTest.mean).toBeGreaterThanOrEqual(0);
    expect(m.finalTest.ci95[0]).toBeLessThanOrEqual(m.finalTest.mean);
    expect(m.finalTest.ci95[1]).toBeGreaterThanOrEqual(m.finalTest.mean);
    for (const key of ['stepsToTarget', 'aucSteps', 'aucSeconds', 'smoothness', 'finalValidation'] as const) expect(m[key]).toHaveProperty('mean');
    expect(m.aucSteps.mean).toBeGreaterThan(0);
    expect(m.aucSteps.mean).toBeLessThanOrEqual(1);
    expect(Number.isFinite(m.noiseAuc.gaussian.mean)).toBe(true);
    expect(Number.isFinite(m.noiseAuc.saltPepper.mean)).toBe(true);
  }
  expect(Number.isFinite(summary.methods['qahan@sa'].noiseAuc.controlError.mean)).toBe(true);
  expect(summary.methods.gumbel.noiseAuc.controlError.n).toBe(0);
  // qahan against each of the two others, per metric; Holm within each metric's family of two.
  const fin = summary.comparisons.filter((c) => c.metric === 'finalTest');
  expect(fin.map((c) => `${c.a}-${c.b}`).sort()).toEqual(['qahan@sa-gumbel', 'qahan@sa-none']);
  for (const c of summary.comparisons) {
    for (const key of ['a', 'b', 'metric', 'meanDiff', 'ci95', 'p', 'pHolm']) expect(c).toHaveProperty(key);
    expect(c.n).toBe(3);
    if (Number.isFinite(c.p)) expect(c.pHolm).toBeGreaterThanOrEqual(c.p);
  }
  expect(fs.existsSync(path.join(out, plan.setting, 'report.md'))).toBe(true);
  expect(fs.existsSync(path.join(out, plan.setting, 'validation-accuracy-vs-steps.svg'))).toBe(true);
  expect(fs.existsSync(path.join(out, plan.setting, 'noise-control-error.svg'))).toBe(true);
  // Trained with sa, evaluated with sa and with topk: the annealed runs only, one line per solver, cached.
  for (const r of plan.runs) {
    const file = path.join(dir, r.out, 'cross-sampler.jsonl');
    if (r.method !== 'qahan') {
      expect(fs.existsSync(file)).toBe(false);
      continue;
    }
    const cells = readJsonl<{ evaluatedWith: string; accuracy: number; images: number }>(file);
    expect(cells.map((c) => c.evaluatedWith)).toEqual(['sa', 'topk']);
    for (const c of cells) {
      expect(c.images).toBe(8);
      expect(c.accuracy).toBeGreaterThanOrEqual(0);
      expect(c.accuracy).toBeLessThanOrEqual(1);
    }
  }
  expect(summary.crossSampler.map((c) => `${c.method}/${c.trainedWith}/${c.evaluatedWith}/${c.seed}`).sort()).toEqual(
    ['sa', 'topk'].flatMap((s) => [0, 1, 2].map((seed) => `qahan@sa/sa/${s}/${seed}`)).sort(),
  );
  const md = fs.readFileSync(path.join(out, plan.setting, 'report.md'), 'utf8');
  expect(md).toContain('## Trained with X, evaluated with Y');
  expect(md).toMatch(/\| qahan@sa \(sa\) \| \d+\.\d\d ± \d+\.\d\d% \| \d+\.\d\d ± \d+\.\d\d% \|/);
  // A second evaluation finds them cached and appends nothing.
  const victimCross = path.join(dir, plan.runs.find((r) => r.method === 'qahan')!.out, 'cross-sampler.jsonl');
  const size = fs.statSync(victimCross).size;
  await evaluateRun(path.dirname(victimCross), { sigmas: [0.3], rates: [0.2], crossSamplers: ['sa', 'topk'], crossSamplerImages: 8, dataDir, quiet: true });
  expect(fs.statSync(victimCross).size).toBe(size);
  await expect(evaluateRun(path.dirname(victimCross), { sigmas: [], rates: [], crossSamplers: ['nope'], dataDir, quiet: true })).rejects.toThrow(/cross-sampler solvers/);
});

test("a plan's local run trains what its runs.txt line says (augmentation included), and records CPU seconds", async () => {
  const dir = tmpDir('qahan-plan-flip-');
  const plan = makePlan({ dataset: 'mnist', methods: ['none'], seeds: [0], epochs: 1, arch: 'small', evalEvery: 2, validationFraction: 0.2, augment: 'flip', dataDir });
  writePlan(dir, plan);
  expect(fs.readFileSync(path.join(dir, 'runs.txt'), 'utf8')).toContain(' --augment flip ');
  await runShard(dir, plan, parseShard('0/1'), { quiet: true, noNoise: true });
  const out = path.join(dir, plan.runs[0].out);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
  expect(config.augment).toBe('flip');
  const m = readJsonl<EpochMetrics>(path.join(out, 'metrics.jsonl'));
  expect(m[0].cpuSeconds).toBeGreaterThan(0);
  expect(m[0].cpuElapsedSeconds).toBe(m[0].cpuSeconds);
  const val = readJsonl<ValidationRecord>(path.join(out, 'validation.jsonl'));
  expect(val.length).toBeGreaterThan(1);
  for (let i = 1; i < val.length; i++) expect(val[i].cpuSeconds!).toBeGreaterThanOrEqual(val[i - 1].cpuSeconds!);
  expect(val[val.length - 1].cpuSeconds).toBeCloseTo(m[0].cpuElapsedSeconds!, 2);
});

test('normalised areas and the detrended smoothness measure', () => {
  // Accuracy rising linearly from 0 to 1 over 10 steps: area 0.5; held at 1 over a longer horizon.
  expect(normalisedArea([0, 10], [0, 1], 10)).toBeCloseTo(0.5, 12);
  expect(normalisedArea([0, 10], [0, 1], 20)).toBeCloseTo(0.75, 12);
  expect(normalisedArea([0, 10, 20], [0, 1, 1], 5)).toBeCloseTo(0.25, 12);
  const rec = (epoch: number, step: number, loss: number) => ({ epoch, iteration: step, step, loss, accuracy: 0, ms: 0, scoreMs: 0, buildMs: 0, annealMs: 0, gradMs: 0 });
  // A straight descent is perfectly smooth whatever its slope; alternating noise of 10% of the level is not.
  const straight = Array.from({ length: 400 }, (_, i) => rec(i < 100 ? 1 : 2, i + 1, 2 - i / 400));
  expect(iterationSmoothness(straight).relative).toBeCloseTo(0, 6);
  const jagged = straight.map((r, i) => ({ ...r, loss: r.loss * (1 + (i % 2 ? 0.1 : -0.1)) }));
  expect(iterationSmoothness(jagged).relative).toBeGreaterThan(0.09);
  expect(iterationSmoothness(jagged).relative).toBeLessThan(0.11);
  // Relative: the same relative noise at a 10x lower loss level scores the same.
  const low = jagged.map((r) => ({ ...r, loss: r.loss / 10 }));
  expect(iterationSmoothness(low).relative).toBeCloseTo(iterationSmoothness(jagged).relative, 6);
});

test("the deep backbones keep the attention slot's N = 49 (MNIST) and N = 64 (CIFAR-10) positions", () => {
  for (const [dataset, n, k] of [['mnist', 49, 12], ['cifar10', 64, 16]] as const) {
    for (const arch of ['small', 'deep'] as const) {
      const net = new AttentionNetwork(architecture(dataset, arch), { method: 'none', seed: 0 });
      expect([net.positions, net.k]).toEqual([n, k]);
      net.dispose();
    }
  }
  expect(() => architecture('mnist', 'huge' as never)).toThrow(RangeError);
});

test("REINFORCE's entropy bonus reaches the scorer's gradient (and 0 leaves the step unchanged)", async () => {
  const x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10).toFloat() as tf.Tensor2D;
  const scorerAfter = async (entropyBonus: number | undefined) => {
    const net = new AttentionNetwork(architecture('mnist'), { method: 'reinforce', seed: 1, attention: entropyBonus === undefined ? {} : { entropyBonus } });
    // SGD: Adam's first step is about lr x sign(gradient), which a smaller extra term rarely flips.
    const opt = tf.train.sgd(0.1);
    await net.trainStep(x, y, opt);
    const i = net.variableNames.indexOf('scorer/kernel');
    const w = Array.from(await net.variables[i].data());
    net.dispose();
    opt.dispose();
    return w;
  };
  const none = await scorerAfter(undefined);
  expect(await scorerAfter(0)).toEqual(none);
  const bonus = await scorerAfter(1);
  expect(bonus.some((v, i) => Math.abs(v - none[i]) > 1e-6)).toBe(true);
  x.dispose();
  y.dispose();
});

test('--tuned reads the tuning reports and says what is wrong with them', async () => {
  const { readTuned } = await import('../../src/cli/commands/experiment-protocol');
  const dir = tmpDir('qahan-tuned-');
  const write = (name: string, body: unknown) => {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(path.join(dir, name, 'summary.json'), JSON.stringify(body));
    return path.join(dir, name);
  };
  const a = write('a', { tuning: [{ family: 'qahan@sqa', lr: 0.001, knobs: { lambda: 0.13 } }] });
  const b = write('b', { tuning: [{ family: 'gumbel', lr: 0.003, knobs: { tauMin: 0.5 } }] });
  expect(readTuned(`${a},${path.join(b, 'summary.json')}`)).toEqual({ 'qahan@sqa': { lr: 0.001, knobs: { lambda: 0.13 } }, gumbel: { lr: 0.003, knobs: { tauMin: 0.5 } } });
  expect(readTuned(undefined)).toBeUndefined();
  expect(() => readTuned(path.join(dir, 'missing'))).toThrow(/cannot read/);
  expect(() => readTuned(write('c', { methods: {} }))).toThrow(/has no 'tuning'/);
  expect(() => readTuned(`${a},${a}`)).toThrow(/more than one file/);
  expect(() => readTuned(write('d', { tuning: [{ family: 'x', lr: 1, knobs: { k: 'no' } }] }))).toThrow(/not a number/);
});

test("the report's positions-kept table: per epoch, the mean over seeds of each run's mean and spread", () => {
  const root = tmpDir('qahan-kept-');
  const write = (variant: string, seed: number, kept: [number, number][] | undefined) => {
    const dir = path.join(root, `${variant}-s${seed}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ setting: 'kept-test', variant, dataset: 'mnist', method: variant, epochs: 2, seed, lr: 0.001, evalEvery: 1 }));
    const metrics = [1, 2].map((epoch, i) => ({ epoch, testAccuracy: 0.5, validationAccuracy: 0.5, seconds: 1, steps: 2 * epoch, ...(kept ? { keptMean: kept[i][0], keptStd: kept[i][1] } : {}) }));
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), metrics.map((m) => JSON.stringify(m)).join('\n') + '\n');
    const val = [1, 2, 3, 4].map((step) => ({ epoch: Math.ceil(step / 2), step, seconds: step, validationLoss: 1, validationAccuracy: 0.5 }));
    fs.writeFileSync(path.join(dir, 'validation.jsonl'), val.map((m) => JSON.stringify(m)).join('\n') + '\n');
  };
  write('qahan-free', 0, [[20, 4], [22, 5]]);
  write('qahan-free', 1, [[10, 2], [12, 3]]);
  write('topk', 0, undefined);
  write('topk', 1, undefined);
  const out = tmpDir('qahan-kept-report-');
  experimentReport([root], out, { png: false });
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'kept-test', 'summary.json'), 'utf8')) as SettingReport;
  expect(summary.kept).toEqual([{ variant: 'qahan-free', seeds: 2, epochs: [{ epoch: 1, mean: 15, std: 3 }, { epoch: 2, mean: 17, std: 4 }] }]);
  expect(fs.readFileSync(path.join(out, 'kept-test', 'report.md'), 'utf8')).toContain('| qahan-free | 2 | 15.0 ± 3.0 | 17.0 ± 4.0 |');
});
