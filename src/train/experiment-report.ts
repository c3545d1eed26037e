/**
 * The protocol's report (docs/protocol.md): merges finished run folders from anywhere, groups them by
 * setting and variant (method + sampler + knobs + learning rate), and computes per variant the final test
 * accuracy, validation-based convergence (steps and seconds to a target, areas under the validation
 * accuracy curves), a smoothness measure that does not reward early convergence and noise-robustness
 * areas; then seed-paired comparisons of every annealed method against every other variant with bootstrap
 * intervals, paired t and Wilcoxon p-values, Holm's correction per metric and Cohen's d_z.
 *
 * Writes per setting: <out>/<setting>/summary.json, report.md and SVG (+ PNG) charts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { findAttentionMethod } from '../attention/methods';
import { settingName } from './experiment-plan';
import { CROSS_SAMPLER_FILE, NOISE_FILE, readRunConfig, RunConfig, RunCrossSamplerResult, RunNoiseResult } from './experiment-run';
import type { Series } from './plot';
import { crossSamplerMarkdown, writeChart, type CrossSamplerCell } from './report';
import { bootstrapCI, cohensDz, holm, mean, minimumDetectableDifference, pairedT, sd, wilcoxonSignedRank } from './statistics';
import { EpochMetrics, IterationRecord, ITERATIONS_FILE, METRICS_FILE, readJsonl, runComplete, ValidationRecord, VALIDATION_FILE } from './trainer';
import { claimVerdicts, type ClaimVerdict } from './claim-verdicts';
import { claimPower, claimPowerMarkdown, type ClaimPower } from './claim-power';
import { shortNumber } from './number-text';
import { tuningChoices, tuningMarkdown, type TuningChoice, type VariantConfig } from './tuning-choice';

export interface LoadedRun {
  dir: string;
  config: RunConfig;
  setting: string;
  variant: string;
  seed: number;
  epochs: EpochMetrics[];
  iterations: IterationRecord[];
  validation: ValidationRecord[];
  noise: RunNoiseResult[];
  /** The final checkpoint evaluated with other solvers' masks (annealed methods). */
  crossSampler: RunCrossSamplerResult[];
}

/** Every folder under the roots holding a run's config.json and metrics.jsonl (a run's folder is not searched further). */
export function findRunDirs(roots: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.name === 'config.json') && entries.some((e) => e.name === METRICS_FILE)) {
      out.push(d);
      return;
    }
    for (const e of entries) if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(path.join(d, e.name));
  };
  for (const r of roots) walk(path.resolve(r));
  return [...new Set(out)].sort();
}

/** The variant a run belongs to: the plan's name, else method (+ @sampler for methods that use one). */
function variantOf(c: RunConfig): string {
  if (c.variant) return c.variant;
  const m = findAttentionMethod(c.method);
  return m?.usesSampler && c.sampler ? `${c.method}@${c.sampler}` : c.method;
}

export function loadRun(dir: string): LoadedRun {
  const config = readRunConfig(dir);
  return {
    dir,
    config,
    setting: config.setting ?? settingName(config.dataset, config.limit, config.arch ?? 'small'),
    variant: variantOf(config),
    seed: config.seed,
    epochs: readJsonl<EpochMetrics>(path.join(dir, METRICS_FILE)).slice(0, config.epochs),
    iterations: readJsonl<IterationRecord>(path.join(dir, ITERATIONS_FILE)),
    validation: readJsonl<ValidationRecord>(path.join(dir, VALIDATION_FILE)),
    noise: readJsonl<RunNoiseResult>(path.join(dir, NOISE_FILE)),
    crossSampler: readJsonl<RunCrossSamplerResult>(path.join(dir, CROSS_SAMPLER_FILE)),
  };
}

// --- per-run measures ---

/** Area under y(x) from 0 to `horizon` (trapezoids, y held after the last point), divided by the horizon. */
export function normalisedArea(xs: readonly number[], ys: readonly number[], horizon: number): number {
  if (!xs.length || !(horizon > 0)) return NaN;
  let area = 0;
  for (let i = 1; i < xs.length && xs[i - 1] < horizon; i++) {
    const x1 = Math.min(xs[i], horizon);
    const y1 = xs[i] > horizon ? ys[i - 1] + ((ys[i] - ys[i - 1]) * (horizon - xs[i - 1])) / (xs[i] - xs[i - 1]) : ys[i];
    area += ((x1 - xs[i - 1]) * (ys[i - 1] + y1)) / 2;
  }
  const last = xs[xs.length - 1];
  if (last < horizon) area += (horizon - last) * ys[ys.length - 1];
  return area / horizon;
}

/**
 * Smoothness of the per-iteration training loss after the first epoch: the standard deviation of the
 * loss around a centred moving average (window `window`, odd), relative to that average. Removing the
 * trend means a method still descending is not penalised for descending, dropping epoch 1 leaves out
 * where convergence speed dominates, and the relative form keeps a method that reached a lower loss
 * (whose minibatch losses are smaller in absolute terms) from looking smoother for that alone.
 * Lower is smoother. Returns both the relative and the absolute spread.
 */
export function iterationSmoothness(iterations: readonly IterationRecord[], window = 51): { relative: number; absolute: number } {
  const loss = iterations.filter((r) => r.epoch > 1).map((r) => r.loss);
  const h = Math.floor(window / 2);
  if (loss.length < 2 * h + 3) return { relative: NaN, absolute: NaN };
  const rel: number[] = [];
  const abs: number[] = [];
  let s = 0;
  for (let i = 0; i < 2 * h + 1; i++) s += loss[i];
  for (let c = h; c + h < loss.length; c++) {
    if (c > h) s += loss[c + h] - loss[c - h - 1];
    const trend = s / (2 * h + 1);
    abs.push(loss[c] - trend);
    rel.push((loss[c] - trend) / Math.max(trend, 1e-6));
  }
  return { relative: sd(rel), absolute: sd(abs) };
}

/**
 * Area under accuracy over noise levels 0..max (level 0 = the clean accuracy), divided by max level and by the
 * clean accuracy. With `levels`, a run missing any of them (its evaluation cut short) gets NaN: an area over
 * fewer levels is not comparable with the others'.
 */
export function noiseArea(results: readonly RunNoiseResult[], kind: RunNoiseResult['kind'], clean: number | undefined, levels?: readonly number[]): number {
  const rs = results.filter((r) => r.kind === kind && r.level > 0).sort((a, b) => a.level - b.level);
  if (!rs.length || !(clean! > 0)) return NaN;
  if (levels && levels.some((l) => !rs.some((r) => r.level === l))) return NaN;
  const xs = [0, ...rs.map((r) => r.level)];
  const ys = [clean!, ...rs.map((r) => r.accuracy)];
  return normalisedArea(xs, ys, xs[xs.length - 1]) / clean!;
}

interface RunMeasures {
  seed: number;
  finalTest: number;
  finalValidation: number;
  totalSteps: number;
  totalSeconds: number;
  /** Infinity when the target was never reached. */
  stepsToTarget: number;
  secondsToTarget: number;
  aucSteps: number;
  aucSeconds: number;
  smoothness: number;
  smoothnessAbsolute: number;
  noiseGaussian: number;
  noiseSaltPepper: number;
  noiseControlError: number;
  epochSeconds: number;
}

/**
 * Which clock the seconds-based measures use: 'cpu' (the process's CPU seconds, every thread) when every
 * run recorded it at every validation point and epoch, else 'wall'. CPU seconds are what a method costs;
 * wall seconds on a shared machine also count other jobs and pauses.
 */
export type Clock = 'cpu' | 'wall';
export function clockOf(runs: readonly LoadedRun[]): Clock {
  const ok = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  return runs.length > 0 && runs.every((r) => r.validation.every((v) => ok(v.cpuSeconds)) && r.epochs.every((e) => ok(e.cpuSeconds) && ok(e.cpuElapsedSeconds))) ? 'cpu' : 'wall';
}
const secondsAt = (v: ValidationRecord, clock: Clock) => (clock === 'cpu' ? v.cpuSeconds! : v.seconds);
const totalSeconds = (e: EpochMetrics | undefined, clock: Clock) => (e ? (clock === 'cpu' ? e.cpuElapsedSeconds! : e.elapsedSeconds) : NaN);

/** Validation curve with chance accuracy at step 0 (where every method starts). */
function curve(run: LoadedRun, chance: number, clock: Clock): { steps: number[]; seconds: number[]; acc: number[] } {
  const v = run.validation.filter((r) => r.epoch <= run.config.epochs);
  return { steps: [0, ...v.map((r) => r.step)], seconds: [0, ...v.map((r) => secondsAt(r, clock))], acc: [chance, ...v.map((r) => r.validationAccuracy)] };
}

/** Per noise kind, the levels (> 0) any run of the setting was evaluated at: what a complete evaluation has. */
type NoiseLevelsOf = Partial<Record<RunNoiseResult['kind'], number[]>>;
function noiseLevelsOf(runs: readonly LoadedRun[]): NoiseLevelsOf {
  const out: NoiseLevelsOf = {};
  for (const r of runs) for (const n of r.noise) if (n.level > 0 && !(out[n.kind] ??= []).includes(n.level)) out[n.kind]!.push(n.level);
  return out;
}

function measure(run: LoadedRun, target: number, secondsHorizon: number, chance: number, clock: Clock, levels: NoiseLevelsOf = {}): RunMeasures {
  const last = run.epochs[run.epochs.length - 1];
  const c = curve(run, chance, clock);
  // A tolerance of 1e-12 so that an accuracy equal to the target as a rational (a count over the split) but
  // off by rounding in the last bits still reaches it.
  const hit = c.acc.findIndex((a, i) => i > 0 && a >= target - 1e-12);
  const sm = iterationSmoothness(run.iterations);
  const clean = run.noise.find((r) => r.kind === 'clean')?.accuracy;
  const ceClean = run.noise.find((r) => r.kind === 'control-error' && r.level === 0)?.accuracy;
  const hasCurve = c.steps.length > 1;
  return {
    seed: run.seed,
    finalTest: last?.testAccuracy ?? NaN,
    finalValidation: last?.validationAccuracy ?? NaN,
    totalSteps: last?.steps ?? NaN,
    totalSeconds: totalSeconds(last, clock),
    stepsToTarget: !hasCurve ? NaN : hit > 0 ? c.steps[hit] : Infinity,
    secondsToTarget: !hasCurve ? NaN : hit > 0 ? c.seconds[hit] : Infinity,
    aucSteps: hasCurve ? normalisedArea(c.steps, c.acc, last.steps) : NaN,
    aucSeconds: hasCurve ? normalisedArea(c.seconds, c.acc, secondsHorizon) : NaN,
    smoothness: sm.relative,
    smoothnessAbsolute: sm.absolute,
    noiseGaussian: noiseArea(run.noise, 'gaussian', clean, levels.gaussian),
    noiseSaltPepper: noiseArea(run.noise, 'salt-pepper', clean, levels['salt-pepper']),
    noiseControlError: noiseArea(run.noise, 'control-error', ceClean, levels['control-error']),
    epochSeconds: mean(run.epochs.map((e) => (clock === 'cpu' ? e.cpuSeconds! : e.seconds))),
  };
}

// --- aggregation ---

export interface Estimate {
  mean: number;
  /** 95% percentile bootstrap interval of the mean over seeds. */
  ci95: [number, number];
  sd: number;
  n: number;
}

export interface VariantSummary {
  variant: string;
  method: string;
  role?: string;
  sampler?: string;
  seeds: number[];
  finalTest: Estimate;
  finalValidation: Estimate;
  /** Over the runs that reached the target (`reached` of `n`). */
  stepsToTarget: Estimate & { reached: number };
  secondsToTarget: Estimate & { reached: number };
  aucSteps: Estimate;
  aucSeconds: Estimate;
  smoothness: Estimate;
  smoothnessAbsolute: Estimate;
  noiseAuc: { gaussian: Estimate; saltPepper: Estimate; controlError: Estimate };
  epochSeconds: Estimate;
}

export interface Comparison {
  a: string;
  b: string;
  metric: ComparisonMetric;
  /** Seeds both variants have. */
  n: number;
  /** mean over seeds of (a - b). */
  meanDiff: number;
  ci95: [number, number];
  /** Paired t test, two-sided (the primary test). */
  p: number;
  /** Holm-adjusted p over this annealed variant's comparisons on this metric (one per other variant). */
  pHolm: number;
  /** Exact Wilcoxon signed-rank p (with 5 seeds it cannot go below 0.0625). */
  pWilcoxon: number;
  /** Cohen's d_z. */
  effectSize: number;
  sdDiff: number;
  /** Runs that never reached the target, counted at the last step + one evaluation (time-to-target metrics). */
  censored?: number;
  /** Which sign favours a. */
  better: 'higher' | 'lower';
}

export const COMPARISON_METRICS = ['finalTest', 'aucSteps', 'aucSeconds', 'stepsToTarget', 'secondsToTarget', 'smoothness', 'noiseAuc.gaussian', 'noiseAuc.saltPepper'] as const;
export type ComparisonMetric = (typeof COMPARISON_METRICS)[number];

const LOWER_IS_BETTER = new Set<ComparisonMetric>(['stepsToTarget', 'secondsToTarget', 'smoothness']);

function estimate(values: readonly number[], seed: number): Estimate {
  const v = values.filter(Number.isFinite);
  return { mean: mean(v), ci95: bootstrapCI(v, { seed }), sd: sd(v), n: v.length };
}

export interface SettingReport {
  setting: string;
  dataset: string;
  /** Validation accuracy that defines steps/seconds to target. */
  target: number;
  targetRule: string;
  /** Seconds horizon of aucSeconds: the shortest run's training time. */
  secondsHorizon: number;
  /** The clock of every seconds-based measure (secondsToTarget, aucSeconds, epoch seconds, the chart). */
  clock: Clock;
  runs: number;
  unfinished: string[];
  /** Finished runs trained unlike the rest of their setting or variant (consistentRuns), left out. */
  inconsistent?: string[];
  duplicates: string[];
  methods: Record<string, VariantSummary>;
  comparisons: Comparison[];
  /** Pilot-based power: per baseline, the smallest finalTest difference detectable at 80% power for n seeds. */
  power: { pair: string; sdDiff: number; mdd: Record<string, number> }[];
  /** Tuning settings: each method family's winning configuration on validation (./tuning-choice). */
  tuning: TuningChoice[];
  /** "Trained with X, evaluated with Y": every annealed run's final checkpoint with each solver's masks. */
  crossSampler: CrossSamplerCell[];
  /**
   * Positions kept per training image, per epoch, for variants whose count is free (qahan-free): the mean
   * over seeds of each run's mean and of its spread over images.
   */
  kept: { variant: string; seeds: number; epochs: { epoch: number; mean: number; std: number }[] }[];
  /** The claims' verdicts by the rule of docs/protocol.md, section 7 (./claim-verdicts). */
  claims: ClaimVerdict[];
  /** Seeds each claim comparison needs to detect its observed difference (./claim-power). */
  claimPower: ClaimPower[];
}

export interface ReportOptions {
  /** Validation accuracy target; default: 0.98 x the best hard-attention variant's mean final validation accuracy. */
  target?: number;
  png?: boolean;
  /** PNG pixels per SVG unit. Default 1. */
  scale?: number;
  /** Seeds for the power table. Default [5, 10, 20]. */
  powerSeeds?: number[];
}

function hardRole(role: string | undefined): boolean {
  return role === 'annealed' || role === 'baseline' || role === 'ablation';
}

function metricValue(m: RunMeasures, metric: ComparisonMetric): number {
  switch (metric) {
    case 'noiseAuc.gaussian':
      return m.noiseGaussian;
    case 'noiseAuc.saltPepper':
      return m.noiseSaltPepper;
    default:
      return m[metric];
  }
}

/** Summaries and comparisons of one setting's finished runs. */
export function summarizeSetting(setting: string, runs: readonly LoadedRun[], o: ReportOptions = {}): { report: SettingReport; measures: Map<string, RunMeasures[]> } {
  const variants = [...new Set(runs.map((r) => r.variant))];
  const chance = 1 / 10;
  const lastVal = (r: LoadedRun) => r.epochs[r.epochs.length - 1]?.validationAccuracy ?? NaN;
  const roleOf = (v: string) => findAttentionMethod(runs.find((r) => r.variant === v)!.config.method)?.role;
  let target = o.target;
  let targetRule = 'given';
  if (target === undefined) {
    const hard = variants.filter((v) => hardRole(roleOf(v)));
    const best = Math.max(...(hard.length ? hard : variants).map((v) => mean(runs.filter((r) => r.variant === v).map(lastVal).filter(Number.isFinite))).filter(Number.isFinite));
    // Exactly 0.98 x best (docs/protocol.md, section 5): rounding it down to 0.1% would let a validation
    // accuracy below it (0.955 for best 0.9755, target 0.95599) count as reaching it.
    target = Number.isFinite(best) ? 0.98 * best : NaN;
    targetRule = '0.98 x the best hard-attention variant\'s mean final validation accuracy';
  }
  const clock = clockOf(runs);
  const horizon = Math.min(...runs.map((r) => (r.epochs.length ? totalSeconds(r.epochs[r.epochs.length - 1], clock) : Infinity)));
  const measures = new Map<string, RunMeasures[]>();
  const levels = noiseLevelsOf(runs);
  for (const v of variants) measures.set(v, runs.filter((r) => r.variant === v).map((r) => measure(r, target!, horizon, chance, clock, levels)).sort((a, b) => a.seed - b.seed));
  const methods: Record<string, VariantSummary> = {};
  variants.forEach((v, vi) => {
    const ms = measures.get(v)!;
    const run0 = runs.find((r) => r.variant === v)!;
    const s = 1000 * vi;
    const reachedSteps = ms.map((m) => m.stepsToTarget).filter(Number.isFinite);
    methods[v] = {
      variant: v,
      method: run0.config.method,
      role: roleOf(v),
      sampler: findAttentionMethod(run0.config.method)?.usesSampler ? run0.config.sampler : undefined,
      seeds: ms.map((m) => m.seed),
      finalTest: estimate(ms.map((m) => m.finalTest), s + 1),
      finalValidation: estimate(ms.map((m) => m.finalValidation), s + 2),
      stepsToTarget: { ...estimate(reachedSteps, s + 3), reached: reachedSteps.length },
      secondsToTarget: { ...estimate(ms.map((m) => m.secondsToTarget).filter(Number.isFinite), s + 4), reached: reachedSteps.length },
      aucSteps: estimate(ms.map((m) => m.aucSteps), s + 5),
      aucSeconds: estimate(ms.map((m) => m.aucSeconds), s + 6),
      smoothness: estimate(ms.map((m) => m.smoothness), s + 7),
      smoothnessAbsolute: estimate(ms.map((m) => m.smoothnessAbsolute), s + 8),
      noiseAuc: {
        gaussian: estimate(ms.map((m) => m.noiseGaussian), s + 9),
        saltPepper: estimate(ms.map((m) => m.noiseSaltPepper), s + 10),
        controlError: estimate(ms.map((m) => m.noiseControlError), s + 11),
      },
      epochSeconds: estimate(ms.map((m) => m.epochSeconds), s + 12),
    };
  });
  // Every annealed variant against every other variant, paired by seed.
  const comparisons: Comparison[] = [];
  const annealed = variants.filter((v) => roleOf(v) === 'annealed');
  const evalEvery = Math.max(1, ...runs.map((r) => r.config.evalEvery ?? 1));
  let bootSeed = 7;
  for (const metric of COMPARISON_METRICS) {
    const family: Comparison[] = [];
    for (const a of annealed) {
      for (const b of variants) {
        if (b === a) continue;
        const ma = new Map(measures.get(a)!.map((m) => [m.seed, m]));
        const pairs = measures.get(b)!.filter((m) => ma.has(m.seed)).map((mb) => [ma.get(mb.seed)!, mb] as const);
        let censored = 0;
        const val = (m: RunMeasures) => {
          const x = metricValue(m, metric);
          if (x === Infinity) {
            // Never reached: counted at the end of training plus one evaluation interval (a lower bound on the true time).
            censored++;
            return metric === 'stepsToTarget' ? m.totalSteps + evalEvery : m.totalSeconds * (1 + evalEvery / Math.max(1, m.totalSteps));
          }
          return x;
        };
        const d = pairs.map(([x, y]) => val(x) - val(y)).filter(Number.isFinite);
        if (d.length < 2) continue;
        family.push({
          a,
          b,
          metric,
          n: d.length,
          meanDiff: mean(d),
          ci95: bootstrapCI(d, { seed: bootSeed++ }),
          p: pairedT(d).p,
          pHolm: NaN,
          pWilcoxon: wilcoxonSignedRank(d).p,
          effectSize: cohensDz(d),
          sdDiff: sd(d),
          ...(metric === 'stepsToTarget' || metric === 'secondsToTarget' ? { censored } : {}),
          better: LOWER_IS_BETTER.has(metric) ? 'lower' : 'higher',
        });
      }
    }
    // Holm's family: one annealed variant against every other variant on this metric.
    for (const a of annealed) {
      const mine = family.filter((c) => c.a === a);
      const adj = holm(mine.map((c) => c.p));
      mine.forEach((c, i) => (c.pHolm = adj[i]));
    }
    comparisons.push(...family);
  }
  const powerSeeds = o.powerSeeds ?? [5, 10, 20];
  const finalComps = comparisons.filter((c) => c.metric === 'finalTest');
  const m = Math.max(1, ...annealed.map((a) => finalComps.filter((c) => c.a === a).length));
  const power = finalComps.map((c) => ({
    pair: `${c.a} - ${c.b}`,
    sdDiff: c.sdDiff,
    // Holm's first step tests at alpha / m: the detectable difference there is the conservative one.
    mdd: Object.fromEntries(powerSeeds.map((n) => [String(n), minimumDetectableDifference(c.sdDiff, n, 0.05 / m, 0.8)])),
  }));
  const claims = claimVerdicts(comparisons, (v) => methods[v]?.method);
  return {
    report: {
      setting,
      dataset: runs[0]?.config.dataset ?? '',
      target: target!,
      targetRule,
      secondsHorizon: horizon,
      clock,
      runs: runs.length,
      unfinished: [],
      duplicates: [],
      methods,
      comparisons,
      power,
      tuning: tuningChoices(methods, variantConfigs(runs)),
      claims,
      claimPower: claimPower(claims, comparisons),
      kept: keptPerEpoch(runs, variants),
      crossSampler: runs.flatMap((r) =>
        r.crossSampler.map((c) => ({ method: r.variant, seed: r.seed, trainedWith: r.config.sampler ?? 'default', evaluatedWith: c.evaluatedWith, accuracy: c.accuracy, images: c.images, keptMean: c.keptMean })),
      ),
    },
    measures,
  };
}

function keptPerEpoch(runs: readonly LoadedRun[], variants: readonly string[]): SettingReport['kept'] {
  const out: SettingReport['kept'] = [];
  for (const v of variants) {
    const rs = runs.filter((r) => r.variant === v && r.epochs.some((e) => e.keptMean !== undefined));
    if (!rs.length) continue;
    const n = Math.min(...rs.map((r) => r.epochs.length));
    const epochs = Array.from({ length: n }, (_, i) => ({
      epoch: i + 1,
      mean: mean(rs.map((r) => r.epochs[i].keptMean ?? NaN)),
      std: mean(rs.map((r) => r.epochs[i].keptStd ?? NaN)),
    }));
    out.push({ variant: v, seeds: rs.length, epochs });
  }
  return out;
}

/** Each variant's family (method, with @sampler when the variant names it), learning rate and attention options. */
function variantConfigs(runs: readonly LoadedRun[]): Map<string, VariantConfig> {
  const out = new Map<string, VariantConfig>();
  for (const r of runs) {
    if (out.has(r.variant)) continue;
    const c = r.config;
    const withSampler = c.sampler ? `${c.method}@${c.sampler}` : c.method;
    const attention = { ...(c.attention ?? {}) };
    delete attention.positions;
    delete attention.keepRatio;
    out.set(r.variant, { family: r.variant.startsWith(withSampler) ? withSampler : c.method, lr: c.lr ?? NaN, attention });
  }
  return out;
}

const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(2) : 'n/a');
const fix = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const est = (e: Estimate, f: (x: number) => string) => (e.n ? `${f(e.mean)} [${f(e.ci95[0])}, ${f(e.ci95[1])}]` : 'n/a');

/** The verdict table: one row per annealed variant, baseline pair and claim, with the comparisons it rests on. */
function claimsMarkdown(claims: readonly ClaimVerdict[]): string[] {
  if (!claims.length) return [];
  const L = ['', '## The claims, by the protocol\'s rule', ''];
  L.push(
    'Section 7 of docs/protocol.md: supported when the variant beats both classical hard-attention baselines on every metric of the claim with Holm-adjusted p < 0.05; ' +
      'refuted when a baseline beats it on one of them with Holm-adjusted p < 0.05; otherwise not distinguishable at this power. ' +
      'Evidence: mean difference (variant - baseline) [95% interval], Holm p. qahan@sqa is the paper\'s method; the other annealed variants are ablations.',
    '',
  );
  L.push('| variant | against | claim | verdict | evidence |');
  L.push('|---|---|---|---|---|');
  const g = (x: number) => shortNumber(x);
  for (const c of claims) {
    const ev = c.evidence.map((e) => `${e.b} ${e.metric}: ${g(e.meanDiff)} [${g(e.ci95[0])}, ${g(e.ci95[1])}], p ${g(e.pHolm)}`).join('; ');
    L.push(`| ${c.variant} | ${c.baselines.join(', ')} | ${c.claim} | **${c.verdict}** | ${ev} |`);
  }
  return L;
}

function markdown(r: SettingReport, charts: { title: string; file: string; png?: boolean }[]): string {
  const L: string[] = [`# ${r.setting}`, ''];
  const vs = Object.values(r.methods);
  L.push(
    `${r.runs} finished runs of ${vs.length} variants (${r.dataset}). Means over seeds with 95% bootstrap intervals. ` +
      `Target validation accuracy ${pct(r.target)}% (${r.targetRule}); areas under the validation curves are normalised to [0, 1] ` +
      `(seconds: over the first ${fix(r.secondsHorizon, 1)} s, the shortest run). ` +
      (r.clock === 'cpu'
        ? 'Seconds are CPU seconds of the training process (every thread, evaluations excluded), so other jobs on the machine do not stretch them. '
        : 'Seconds are wall-clock training seconds (evaluations excluded). ') +
      'The test set chose nothing here.',
    '',
  );
  if (r.unfinished.length) L.push(`Unfinished runs left out: ${r.unfinished.join(', ')}.`, '');
  if (r.duplicates.length) L.push(`Duplicate run folders left out: ${r.duplicates.join(', ')}.`, '');
  if (r.inconsistent?.length) L.push(`Runs trained unlike the rest of their setting or variant (data, split, schedule, learning rate or knobs), left out: ${r.inconsistent.join(', ')}.`, '');
  L.push('| variant | seeds | final test acc % | final val acc % | steps to target (reached) | seconds to target | AUC steps | AUC seconds | smoothness (rel.) | noise AUC gauss | noise AUC s&p | noise AUC control error | s / epoch |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const v of vs) {
    L.push(
      `| ${v.variant} | ${v.seeds.length} | ${est(v.finalTest, pct)} | ${est(v.finalValidation, pct)} | ${est(v.stepsToTarget, (x) => fix(x, 0))} (${v.stepsToTarget.reached}/${v.seeds.length}) | ${est(v.secondsToTarget, (x) => fix(x, 1))} | ` +
        `${est(v.aucSteps, fix)} | ${est(v.aucSeconds, fix)} | ${est(v.smoothness, (x) => fix(x, 4))} | ${est(v.noiseAuc.gaussian, fix)} | ${est(v.noiseAuc.saltPepper, fix)} | ${est(v.noiseAuc.controlError, fix)} | ${fix(v.epochSeconds.mean, 1)} |`,
    );
  }
  L.push(...claimsMarkdown(r.claims ?? []));
  if (r.kept?.length) {
    const n = Math.max(...r.kept.map((k) => k.epochs.length));
    L.push('', '## Positions kept', '', 'Per training image, for variants whose count is free: mean over seeds of each epoch\'s mean (and of its spread over images).', '');
    L.push(`| variant | seeds | ${Array.from({ length: n }, (_, i) => `epoch ${i + 1}`).join(' | ')} |`);
    L.push(`|---|---:|${Array.from({ length: n }, () => '---:').join('|')}|`);
    for (const k of r.kept) L.push(`| ${k.variant} | ${k.seeds} | ${k.epochs.map((e) => `${fix(e.mean, 1)} ± ${fix(e.std, 1)}`).join(' | ')} |`);
  }
  L.push(...crossSamplerMarkdown(r.crossSampler ?? []).map((l) => l.replace(/^### /, '## ')));
  L.push('', ...tuningMarkdown(r.tuning));
  L.push('## Seed-paired comparisons', '');
  L.push('Difference a - b over the seeds both have; p from the paired t test, Holm-corrected over the comparisons of each annealed variant on the same metric; Wilcoxon p (exact) as a check; d_z = mean / sd of the differences.', '');
  L.push('| a | b | metric | n | mean diff | 95% CI | p | p (Holm) | p (Wilcoxon) | d_z | better for a |');
  L.push('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
  const g = (x: number) => shortNumber(x, 4);
  for (const c of r.comparisons) {
    L.push(`| ${c.a} | ${c.b} | ${c.metric}${c.censored ? ` (${c.censored} censored)` : ''} | ${c.n} | ${g(c.meanDiff)} | [${g(c.ci95[0])}, ${g(c.ci95[1])}] | ${g(c.p)} | ${g(c.pHolm)} | ${g(c.pWilcoxon)} | ${fix(c.effectSize, 2)} | ${c.better} |`);
  }
  if (r.power.length) {
    const ns = Object.keys(r.power[0].mdd);
    L.push('', '## Power (from these runs as a pilot)', '');
    L.push(`Smallest true final-test-accuracy difference a paired t test detects with 80% power at alpha 0.05 / m, m the comparisons per annealed variant (Holm's first step): (t(1 - alpha/2, n-1) + t(0.8, n-1)) x sd / sqrt(n), sd the paired differences' standard deviation here.`, '');
    L.push(`| pair | sd of differences (points) | ${ns.map((n) => `n = ${n}`).join(' | ')} |`);
    L.push(`|---|---:|${ns.map(() => '---:').join('|')}|`);
    for (const p of r.power) L.push(`| ${p.pair} | ${pct(p.sdDiff)} | ${ns.map((n) => pct(p.mdd[n])).join(' | ')} |`);
  }
  const cp = claimPowerMarkdown(r.claimPower);
  if (cp.length) L.push('', ...cp);
  L.push('', '## Charts', '');
  for (const c of charts) L.push(`![${c.title}](${c.png ? c.file.replace(/\.svg$/, '.png') : c.file})`, '');
  return L.join('\n');
}

function meanCurve(rs: readonly LoadedRun[], x: (v: ValidationRecord) => number): { x: number[]; y: number[]; low: number[]; high: number[] } {
  const L = Math.min(...rs.map((r) => r.validation.length));
  const xs: number[] = [];
  const ys: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < L; i++) {
    const vals = rs.map((r) => r.validation[i].validationAccuracy);
    const m = mean(vals);
    const s = rs.length > 1 ? sd(vals) : 0;
    xs.push(mean(rs.map((r) => x(r.validation[i]))));
    ys.push(m);
    lo.push(m - s);
    hi.push(m + s);
  }
  return { x: xs, y: ys, low: lo, high: hi };
}

/**
 * What every run of a setting must share (the data, split, schedule and evaluation grid), defaults filled in
 * (runs written before dataSeed drew their split with their own seed: one category, as they were planned).
 */
function settingSignature(c: RunConfig): string {
  const x = c as RunConfig & { batchSize?: number; lrSchedule?: string; augment?: string };
  return JSON.stringify([c.dataset, c.arch ?? 'small', c.epochs, c.limit ?? null, c.dataSeed ?? 'the run\'s seed', c.validationFraction ?? 0, c.evalEvery ?? null, x.batchSize ?? 32, x.lrSchedule ?? 'constant', x.augment ?? 'none']);
}

/** What every run of a variant must share besides: method, sampler, learning rate and attention options. */
function variantSignature(c: RunConfig): string {
  const a: Record<string, unknown> = { ...(c.attention ?? {}) };
  delete a.positions;
  delete a.keepRatio;
  return JSON.stringify([c.method, c.sampler ?? null, c.lr ?? null, Object.keys(a).sort().map((k) => [k, a[k]])]);
}

/**
 * Runs that share their setting's most common data/split/schedule signature and their variant's most common
 * configuration; the others (a pilot filed under the setting's name, a run of an older plan) are left out and
 * listed, since a paired comparison needs every seed trained the same way.
 */
export function consistentRuns(runs: readonly LoadedRun[]): { kept: LoadedRun[]; inconsistent: string[] } {
  const majority = (xs: string[]) => {
    const n = new Map<string, number>();
    for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
    return [...n.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  const setting = majority(runs.map((r) => settingSignature(r.config)));
  const variant = new Map([...new Set(runs.map((r) => r.variant))].map((v) => [v, majority(runs.filter((r) => r.variant === v).map((r) => variantSignature(r.config)))]));
  const kept: LoadedRun[] = [];
  const inconsistent: string[] = [];
  for (const r of runs) {
    if (settingSignature(r.config) === setting && variantSignature(r.config) === variant.get(r.variant)) kept.push(r);
    else inconsistent.push(r.dir);
  }
  return { kept, inconsistent };
}

/** Merges run folders found under `roots` and writes one report per setting into outDir/<setting>/. */
export function experimentReport(roots: readonly string[], outDir: string, o: ReportOptions = {}): SettingReport[] {
  const dirs = findRunDirs(roots);
  const all = dirs.map(loadRun);
  const settings = [...new Set(all.map((r) => r.setting))].sort();
  const reports: SettingReport[] = [];
  for (const setting of settings) {
    const mine = all.filter((r) => r.setting === setting);
    const unfinished: string[] = [];
    const duplicates: string[] = [];
    const seen = new Set<string>();
    const done: LoadedRun[] = [];
    const finished = mine.filter((r) => {
      if (runComplete(r.dir, r.config.epochs)) return true;
      unfinished.push(`${r.variant}-s${r.seed}`);
      return false;
    });
    const { kept, inconsistent } = consistentRuns(finished);
    for (const r of kept) {
      const key = `${r.variant}|${r.seed}`;
      if (seen.has(key)) {
        duplicates.push(r.dir);
        continue;
      }
      seen.add(key);
      done.push(r);
    }
    if (!done.length) continue;
    const { report } = summarizeSetting(setting, done, o);
    report.unfinished = unfinished;
    report.duplicates = duplicates;
    report.inconsistent = inconsistent;
    const dir = path.join(outDir, setting);
    fs.mkdirSync(dir, { recursive: true });
    const png = { png: o.png !== false, scale: o.scale };
    const variants = Object.keys(report.methods);
    const withCurve = variants.filter((v) => done.some((r) => r.variant === v && r.validation.length));
    const charts: ReturnType<typeof writeChart>[] = [];
    const series = (x: (v: ValidationRecord) => number): Series[] => withCurve.map((v) => ({ name: v, ...meanCurve(done.filter((r) => r.variant === v), x) }));
    if (withCurve.length) {
      charts.push(writeChart(dir, 'validation-accuracy-vs-steps', series((v) => v.step), { title: `Validation accuracy (${setting})`, xLabel: 'training step', yLabel: 'validation accuracy', xInteger: true, yPercent: true }, png));
      charts.push(
        writeChart(dir, 'validation-accuracy-vs-seconds', series((v) => secondsAt(v, report.clock)), {
          title: `Validation accuracy vs training time (${setting})`,
          xLabel: `training ${report.clock === 'cpu' ? 'CPU ' : ''}seconds (mean over seeds)`,
          yLabel: 'validation accuracy',
          yPercent: true,
        }, png),
      );
    }
    const testSeries: Series[] = variants.map((v) => {
      const rs = done.filter((r) => r.variant === v);
      const E = Math.min(...rs.map((r) => r.epochs.length));
      const y = Array.from({ length: E }, (_, i) => mean(rs.map((r) => r.epochs[i].testAccuracy)));
      return { name: v, x: Array.from({ length: E }, (_, i) => i + 1), y };
    });
    charts.push(writeChart(dir, 'test-accuracy', testSeries, { title: `Test accuracy per epoch (${setting}; reported, never used to choose)`, xLabel: 'epoch', yLabel: 'test accuracy', xInteger: true, yPercent: true }, png));
    for (const [kind, label] of [['gaussian', 'Gaussian sigma'], ['salt-pepper', 'salt-and-pepper rate'], ['control-error', 'QPU control error (share of h/J range)']] as const) {
      const ns: Series[] = [];
      for (const v of variants) {
        const rs = done.filter((r) => r.variant === v && r.noise.some((n) => n.kind === kind));
        if (!rs.length) continue;
        const levels = [...new Set(rs.flatMap((r) => r.noise.filter((n) => n.kind === kind).map((n) => n.level)))].sort((a, b) => a - b);
        const base = (r: LoadedRun) => (kind === 'control-error' ? r.noise.find((n) => n.kind === kind && n.level === 0) : r.noise.find((n) => n.kind === 'clean'))?.accuracy ?? NaN;
        const xs = levels[0] === 0 ? levels : [0, ...levels];
        const y = xs.map((l) => mean(rs.map((r) => (l === 0 ? base(r) : r.noise.find((n) => n.kind === kind && n.level === l)?.accuracy ?? NaN) / base(r))));
        ns.push({ name: v, x: xs, y });
      }
      if (ns.length) charts.push(writeChart(dir, `noise-${kind}`, ns, { title: `Accuracy under ${label}, relative to clean (${setting})`, xLabel: label, yLabel: 'accuracy relative to clean', yPercent: true }, png));
    }
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(report, null, 1) + '\n');
    fs.writeFileSync(path.join(dir, 'report.md'), markdown(report, charts));
    reports.push(report);
  }
  return reports;
}
