/**
 * Aggregation and Markdown reports for the experiments: convergence (curves over seeds, epochs and
 * seconds to a target accuracy, smoothness, final accuracy) and noise robustness.
 */
import * as fs from 'fs';
import * as path from 'path';
import { findAttentionMethod } from '../attention/methods';
import { ChartOptions, lineChartSvg, Series, svgToPng } from './plot';
import type { EpochMetrics, IterationRecord } from './trainer';

export interface RunData {
  method: string;
  seed: number;
  epochs: EpochMetrics[];
  iterations: IterationRecord[];
}

export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

export function meanStd(values: readonly number[]): MeanStd {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  if (!n) return { mean: NaN, std: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Standard deviation of successive differences: how jagged a curve is (0 for a straight line of equal steps). */
export function roughness(values: readonly number[]): number {
  if (values.length < 3) return NaN;
  const d = values.slice(1).map((v, i) => v - values[i]);
  return meanStd(d).std;
}

export interface MethodSummary {
  method: string;
  seeds: number[];
  /** Per epoch over seeds. */
  epochs: number[];
  testAccuracy: MeanStd[];
  testLoss: MeanStd[];
  trainLoss: MeanStd[];
  trainAccuracy: MeanStd[];
  elapsedSeconds: MeanStd[];
  finalTestAccuracy: MeanStd;
  bestTestAccuracy: MeanStd;
  epochSeconds: MeanStd;
  annealShare: MeanStd;
  /** First epoch whose test accuracy reaches the target (runs that never do are left out; `reached` counts). */
  epochsToTarget: MeanStd;
  secondsToTarget: MeanStd;
  reached: number;
  /** Smoothness: std of epoch-to-epoch changes (mean over seeds), and of iteration-to-iteration loss changes. */
  epochLossRoughness: MeanStd;
  epochAccuracyRoughness: MeanStd;
  iterationLossRoughness: MeanStd;
  iterationAccuracyRoughness: MeanStd;
}

export function summarizeMethod(method: string, runs: readonly RunData[], target: number): MethodSummary {
  const E = Math.min(...runs.map((r) => r.epochs.length));
  const epochs = Array.from({ length: E }, (_, i) => i + 1);
  const per = (f: (m: EpochMetrics) => number) => epochs.map((_, i) => meanStd(runs.map((r) => f(r.epochs[i]))));
  const toTarget = runs.map((r) => r.epochs.findIndex((m) => m.testAccuracy >= target));
  const reachedRuns = runs.filter((_, i) => toTarget[i] >= 0);
  return {
    method,
    seeds: runs.map((r) => r.seed),
    epochs,
    testAccuracy: per((m) => m.testAccuracy),
    testLoss: per((m) => m.testLoss),
    trainLoss: per((m) => m.trainLoss),
    trainAccuracy: per((m) => m.trainAccuracy),
    elapsedSeconds: per((m) => m.elapsedSeconds),
    finalTestAccuracy: meanStd(runs.map((r) => r.epochs[E - 1]?.testAccuracy ?? NaN)),
    bestTestAccuracy: meanStd(runs.map((r) => Math.max(...r.epochs.slice(0, E).map((m) => m.testAccuracy)))),
    epochSeconds: meanStd(runs.flatMap((r) => r.epochs.slice(0, E).map((m) => m.seconds))),
    annealShare: meanStd(runs.flatMap((r) => r.epochs.slice(0, E).map((m) => (m.buildSeconds + m.annealSeconds) / Math.max(1e-9, m.seconds)))),
    epochsToTarget: meanStd(toTarget.filter((i) => i >= 0).map((i) => i + 1)),
    secondsToTarget: meanStd(reachedRuns.map((r) => r.epochs[r.epochs.findIndex((m) => m.testAccuracy >= target)].elapsedSeconds)),
    reached: reachedRuns.length,
    epochLossRoughness: meanStd(runs.map((r) => roughness(r.epochs.slice(0, E).map((m) => m.testLoss)))),
    epochAccuracyRoughness: meanStd(runs.map((r) => roughness(r.epochs.slice(0, E).map((m) => m.testAccuracy)))),
    iterationLossRoughness: meanStd(runs.map((r) => roughness(r.iterations.map((m) => m.loss)))),
    iterationAccuracyRoughness: meanStd(runs.map((r) => roughness(r.iterations.map((m) => m.accuracy)))),
  };
}

/** Moving average with a window (for readable iteration curves). */
export function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    if (i >= window) s -= values[i - window];
    out.push(s / Math.min(i + 1, window));
  }
  return out;
}

export interface Chart {
  file: string;
  title: string;
  svg: string;
  png?: boolean;
}

/** Whether charts get a PNG beside the SVG, and at what scale (pixels per SVG unit). */
export interface ChartRender {
  png?: boolean;
  scale?: number;
}

/** Writes DIR/<name>.svg (and .png when resvg loads); returns what was written. */
export function writeChart(dir: string, name: string, series: Series[], o: ChartOptions, render: boolean | ChartRender = true): Chart & { pngError?: string } {
  const { png = true, scale = 1 } = typeof render === 'boolean' ? { png: render } : render;
  fs.mkdirSync(dir, { recursive: true });
  const svg = lineChartSvg(series, o);
  fs.writeFileSync(path.join(dir, `${name}.svg`), svg);
  let wrote = false;
  let pngError: string | undefined;
  if (png) {
    const r = svgToPng(svg, { scale });
    if (r.png) {
      fs.writeFileSync(path.join(dir, `${name}.png`), r.png);
      wrote = true;
    } else pngError = r.error;
  }
  return { file: `${name}.svg`, title: o.title, svg, png: wrote, pngError };
}

const pct = (m: MeanStd) => (Number.isFinite(m.mean) ? `${(100 * m.mean).toFixed(2)} ± ${(100 * m.std).toFixed(2)}%` : 'n/a');
const num = (m: MeanStd, d = 3) => (Number.isFinite(m.mean) ? `${m.mean.toFixed(d)} ± ${m.std.toFixed(d)}` : 'n/a');

function band(name: string, x: number[], ms: MeanStd[]): Series {
  return { name, x, y: ms.map((m) => m.mean), low: ms.map((m) => m.mean - m.std), high: ms.map((m) => m.mean + m.std) };
}

/** One run of an annealed method evaluated with one solver (mask-evaluation.ts, crossSamplerEvaluation). */
export interface CrossSamplerCell {
  method: string;
  seed: number;
  /** The sampler the run was trained with (its config.json). */
  trainedWith: string;
  evaluatedWith: string;
  /** Test accuracy on `images` test images with that solver's masks. */
  accuracy: number;
  images: number;
  keptMean: number;
}

/** The "trained with X, evaluated with Y" table: rows the method (and its training sampler), columns the evaluation solver, mean ± std over seeds. */
export function crossSamplerMarkdown(cells: readonly CrossSamplerCell[]): string[] {
  if (!cells.length) return [];
  const solvers = [...new Set(cells.map((c) => c.evaluatedWith))];
  const rows = [...new Set(cells.map((c) => `${c.method}\u0000${c.trainedWith}`))];
  const lines = ['', '### Trained with X, evaluated with Y', ''];
  lines.push(
    `Test accuracy of each annealed method's checkpoints with masks from another solver (first ${Math.max(...cells.map((c) => c.images))} test images; mean ± std over seeds). ` +
      'A network that needs its annealer at test time loses accuracy under topk; one that learned top-k-like masks does not.',
    '',
  );
  lines.push(`| trained (with) | ${solvers.join(' | ')} |`);
  lines.push(`|---|${solvers.map(() => '---:').join('|')}|`);
  for (const row of rows) {
    const [method, trainedWith] = row.split('\u0000');
    const cellsOf = (s: string) => cells.filter((c) => c.method === method && c.trainedWith === trainedWith && c.evaluatedWith === s).map((c) => c.accuracy);
    lines.push(`| ${method} (${trainedWith}) | ${solvers.map((s) => pct(meanStd(cellsOf(s)))).join(' | ')} |`);
  }
  return lines;
}

export interface ConvergenceReportInput {
  dataset: string;
  target: number;
  limit?: number;
  epochs: number;
  runs: RunData[];
  outDir: string;
  png?: boolean;
  /** PNG pixels per SVG unit. Default 1. */
  scale?: number;
  notes?: string[];
  /** Optional "trained with X, evaluated with Y" cells for the annealed methods. */
  crossSampler?: CrossSamplerCell[];
}

/** Aggregates the runs, writes the charts and convergence.md into outDir; returns the Markdown and summaries. */
export function convergenceReport(input: ConvergenceReportInput): { markdown: string; summaries: MethodSummary[]; charts: Chart[] } {
  const methods = [...new Set(input.runs.map((r) => r.method))];
  const summaries = methods.map((m) =>
    summarizeMethod(
      m,
      input.runs.filter((r) => r.method === m),
      input.target,
    ),
  );
  const dir = input.outDir;
  const charts: (Chart & { pngError?: string })[] = [];
  const png: ChartRender = { png: input.png !== false, scale: input.scale };
  charts.push(writeChart(dir, 'test-accuracy', summaries.map((s) => band(s.method, s.epochs, s.testAccuracy)), { title: `Test accuracy (${input.dataset})`, xLabel: 'epoch', yLabel: 'test accuracy', xInteger: true, yPercent: true }, png));
  charts.push(writeChart(dir, 'test-loss', summaries.map((s) => band(s.method, s.epochs, s.testLoss)), { title: `Test loss (${input.dataset})`, xLabel: 'epoch', yLabel: 'test cross-entropy', xInteger: true }, png));
  charts.push(writeChart(dir, 'train-loss', summaries.map((s) => band(s.method, s.epochs, s.trainLoss)), { title: `Training loss (${input.dataset})`, xLabel: 'epoch', yLabel: 'training cross-entropy', xInteger: true }, png));
  charts.push(
    writeChart(
      dir,
      'test-accuracy-vs-time',
      summaries.map((s) => ({ name: s.method, x: s.elapsedSeconds.map((m) => m.mean), y: s.testAccuracy.map((m) => m.mean) })),
      { title: `Test accuracy vs training time (${input.dataset})`, xLabel: 'training seconds (mean over seeds)', yLabel: 'test accuracy', yPercent: true },
      png,
    ),
  );
  // Iteration-level loss: mean over seeds of a 10-step moving average.
  const iterSeries: Series[] = methods.map((m) => {
    const rs = input.runs.filter((r) => r.method === m);
    const L = Math.min(...rs.map((r) => r.iterations.length));
    const smoothed = rs.map((r) => movingAverage(r.iterations.slice(0, L).map((i) => i.loss), 10));
    const ms = Array.from({ length: L }, (_, i) => meanStd(smoothed.map((s) => s[i])));
    return band(m, Array.from({ length: L }, (_, i) => i + 1), ms);
  });
  charts.push(writeChart(dir, 'iteration-loss', iterSeries, { title: `Training loss per iteration (${input.dataset}, 10-step moving average)`, xLabel: 'iteration', yLabel: 'training cross-entropy', xInteger: true }, png));

  const lines: string[] = [];
  lines.push(`# Convergence: ${input.dataset}`, '');
  lines.push(
    `${methods.length} methods x ${Math.max(...summaries.map((s) => s.seeds.length))} seeds, ${input.epochs} epochs${input.limit ? `, ${input.limit} training images` : ''}; ` +
      `target test accuracy ${(100 * input.target).toFixed(1)}%. Bands and ± are one standard deviation over seeds.`,
    '',
  );
  for (const n of input.notes ?? []) lines.push(`- ${n}`);
  if (input.notes?.length) lines.push('');
  lines.push('| method | final test acc | best test acc | epochs to target (reached) | seconds to target | s / epoch | QUBO build+solve share |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const s of summaries) {
    lines.push(
      `| ${s.method} | ${pct(s.finalTestAccuracy)} | ${pct(s.bestTestAccuracy)} | ${s.reached ? num(s.epochsToTarget, 2) : 'never'} (${s.reached}/${s.seeds.length}) | ${s.reached ? num(s.secondsToTarget, 1) : 'n/a'} | ${num(s.epochSeconds, 1)} | ${findAttentionMethod(s.method)?.usesQubo ? pct(s.annealShare) : '-'} |`,
    );
  }
  lines.push('', '### Smoothness (lower is smoother)', '');
  lines.push('Standard deviation of successive changes; per-epoch test curves and raw per-iteration training curves, mean ± std over seeds.', '');
  lines.push('| method | epoch test-loss changes | epoch test-accuracy changes | iteration loss changes | iteration accuracy changes |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const s of summaries) {
    lines.push(`| ${s.method} | ${num(s.epochLossRoughness, 4)} | ${num(s.epochAccuracyRoughness, 4)} | ${num(s.iterationLossRoughness, 4)} | ${num(s.iterationAccuracyRoughness, 4)} |`);
  }
  lines.push(...crossSamplerMarkdown(input.crossSampler ?? []));
  lines.push('', '## Verdict', '');
  lines.push(...verdict(summaries));
  lines.push('', '## Charts', '');
  for (const c of charts) lines.push(`![${c.title}](${c.png ? c.file.replace(/\.svg$/, '.png') : c.file})`, '');
  const pngErr = charts.find((c) => c.pngError)?.pngError;
  if (pngErr) lines.push(`PNG rendering was unavailable (${pngErr}); the charts are SVG only.`, '');
  const markdown = lines.join('\n');
  fs.writeFileSync(path.join(dir, 'convergence.md'), markdown);
  fs.writeFileSync(path.join(dir, 'convergence.json'), JSON.stringify(summaries, null, 1));
  return { markdown, summaries, charts };
}

/** Every item with the best finite key (ties included), in input order. */
function best<T>(items: readonly T[], key: (t: T) => number, lowerIsBetter: boolean): T[] {
  const ok = items.filter((t) => Number.isFinite(key(t)));
  if (!ok.length) return [];
  const top = ok.reduce((a, b) => ((lowerIsBetter ? key(b) < key(a) : key(b) > key(a)) ? b : a));
  return ok.filter((t) => Math.abs(key(t) - key(top)) <= 1e-9 * Math.max(1, Math.abs(key(top))));
}

/** Plain statements of who won on each criterion, including when QAHAN did not. */
export function verdict(summaries: readonly MethodSummary[]): string[] {
  const out: string[] = [];
  const role = (s: MethodSummary) => findAttentionMethod(s.method)?.role;
  const q = summaries.find((s) => role(s) === 'annealed');
  const hard = summaries.filter((s) => s === q || role(s) === 'baseline');
  const ablations = summaries.filter((s) => role(s) === 'ablation');
  const say = (criterion: string, winners: MethodSummary[], value: (w: MethodSummary) => string) => {
    if (!winners.length) return;
    const names = winners.map((w) => `**${w.method}**`).join(', ');
    out.push(`- ${criterion}: ${names}${winners.length > 1 ? ' (tied)' : ''} (${value(winners[0])}).`);
  };
  const acc = best(summaries, (s) => s.finalTestAccuracy.mean, false);
  say('Highest final test accuracy', acc, (w) => pct(w.finalTestAccuracy));
  const fast = best(
    summaries.filter((s) => s.reached > 0),
    (s) => s.epochsToTarget.mean + (s.seeds.length - s.reached) * 1e3,
    true,
  );
  say('Fewest epochs to the target', fast, (w) => `${num(w.epochsToTarget, 2)} epochs, ${w.reached}/${w.seeds.length} runs reached it`);
  const quick = best(
    summaries.filter((s) => s.reached > 0),
    (s) => s.secondsToTarget.mean + (s.seeds.length - s.reached) * 1e9,
    true,
  );
  say('Least wall time to the target', quick, (w) => `${num(w.secondsToTarget, 1)} s`);
  const smooth = best(summaries, (s) => s.epochLossRoughness.mean, true);
  say('Smoothest epoch test-loss curve', smooth, (w) => num(w.epochLossRoughness, 4));
  const smoothIt = best(summaries, (s) => s.iterationLossRoughness.mean, true);
  say('Smoothest iteration loss curve', smoothIt, (w) => num(w.iterationLossRoughness, 4));
  const sep = (a: MeanStd, b: MeanStd) => Math.abs(a.mean - b.mean) > a.std + b.std;
  if (q && hard.length > 1) {
    const others = hard.filter((s) => s !== q);
    const beatsAcc = others.every((s) => q.finalTestAccuracy.mean > s.finalTestAccuracy.mean);
    const beatsSmooth = others.every((s) => q.epochLossRoughness.mean < s.epochLossRoughness.mean);
    const clear = q.seeds.length > 1 && others.every((s) => sep(q.finalTestAccuracy, s.finalTestAccuracy));
    const smoothKnown = Number.isFinite(q.epochLossRoughness.mean);
    out.push(
      `- Against the classical hard-attention baseline${others.length > 1 ? 's' : ''} (${others.map((s) => s.method).join(', ')}), QAHAN ${beatsAcc ? 'has the higher' : 'does not have the higher'} final accuracy` +
        `${beatsAcc && !clear ? (q.seeds.length > 1 ? ' (within one standard deviation of at least one baseline, so not a clear win)' : ' (one seed: no spread to judge it by)') : ''}` +
        (smoothKnown ? `; it ${beatsSmooth ? 'has' : 'does not have'} the smoother epoch test-loss curve in this run.` : '; epoch smoothness needs at least 3 epochs.'),
    );
  }
  if (q && ablations.length) {
    // The ablations share QAHAN's slot: topk drops the QUBO, qubo-ls keeps the QUBO but not the annealer.
    const parts = ablations.map((s) => {
      const higher = q.finalTestAccuracy.mean > s.finalTestAccuracy.mean;
      const close = q.seeds.length > 1 && s.seeds.length > 1 && !sep(q.finalTestAccuracy, s.finalTestAccuracy);
      return `${higher ? 'higher than' : 'not higher than'} **${s.method}**'s (${pct(q.finalTestAccuracy)} vs ${pct(s.finalTestAccuracy)}${close ? ', within one standard deviation' : ''})`;
    });
    out.push(`- Against its ablations in the same slot, QAHAN's final accuracy is ${parts.join('; ')}.`);
  }
  return out;
}

export interface NoiseResult {
  method: string;
  seed: number;
  kind: 'clean' | 'gaussian' | 'salt-pepper' | 'qubo';
  level: number;
  accuracy: number;
  loss: number;
}

export function noiseReport(dataset: string, results: readonly NoiseResult[], outDir: string, png: boolean | ChartRender = true, notes: string[] = []): { markdown: string; charts: Chart[] } {
  const methods = [...new Set(results.map((r) => r.method))];
  const charts: (Chart & { pngError?: string })[] = [];
  const lines: string[] = [`# Noise robustness: ${dataset}`, ''];
  for (const n of notes) lines.push(`- ${n}`);
  if (notes.length) lines.push('');
  const kinds: { kind: NoiseResult['kind']; label: string; file: string; only?: (method: string) => boolean }[] = [
    { kind: 'gaussian', label: 'Gaussian pixel noise sigma (0-1 pixel units)', file: 'noise-gaussian' },
    { kind: 'salt-pepper', label: 'salt-and-pepper rate', file: 'noise-salt-pepper' },
    { kind: 'qubo', label: 'QUBO coefficient noise (relative sigma)', file: 'noise-qubo', only: (m) => !!findAttentionMethod(m)?.usesQubo },
  ];
  for (const k of kinds) {
    const ms = k.only ? methods.filter(k.only) : methods;
    const series: Series[] = [];
    const table: string[] = [];
    let levels: number[] = [];
    for (const m of ms) {
      const clean = results.filter((r) => r.method === m && r.kind === 'clean');
      const rs = results.filter((r) => r.method === m && r.kind === k.kind);
      levels = [...new Set([0, ...rs.map((r) => r.level)])].sort((a, b) => a - b);
      const stats = levels.map((l) => meanStd((l === 0 ? clean : rs.filter((r) => r.level === l)).map((r) => r.accuracy)));
      if (!rs.length) continue;
      series.push(band(m, levels, stats));
      const drop = meanStd(
        [...new Set(rs.map((r) => r.seed))].map((seed) => {
          const c = clean.find((r) => r.seed === seed)?.accuracy ?? NaN;
          const worst = rs.filter((r) => r.seed === seed && r.level === levels[levels.length - 1])[0]?.accuracy ?? NaN;
          return c - worst;
        }),
      );
      table.push(`| ${m} | ${stats.map(pct).join(' | ')} | ${pct(drop)} |`);
    }
    if (!series.length) continue;
    lines.push(`## ${k.label}`, '');
    lines.push(`| method | ${levels.map((l) => String(l)).join(' | ')} | drop at ${levels[levels.length - 1]} |`);
    lines.push(`|---|${levels.map(() => '---:').join('|')}|---:|`);
    lines.push(...table, '');
    const c = writeChart(outDir, k.file, series, { title: `Test accuracy under ${k.label.split(' (')[0]} (${dataset})`, xLabel: k.label, yLabel: 'test accuracy', yPercent: true }, png);
    charts.push(c);
    lines.push(`![${c.title}](${c.png ? c.file.replace(/\.svg$/, '.png') : c.file})`, '');
  }
  // Verdict on pixel noise: smallest mean accuracy drop at the strongest level.
  lines.push('## Verdict', '');
  for (const kind of ['gaussian', 'salt-pepper'] as const) {
    const drops = methods
      .map((m) => {
        const clean = meanStd(results.filter((r) => r.method === m && r.kind === 'clean').map((r) => r.accuracy)).mean;
        const rs = results.filter((r) => r.method === m && r.kind === kind);
        if (!rs.length) return undefined;
        const top = Math.max(...rs.map((r) => r.level));
        const acc = meanStd(rs.filter((r) => r.level === top).map((r) => r.accuracy)).mean;
        return { m, drop: clean - acc, acc, top };
      })
      .filter((d): d is { m: string; drop: number; acc: number; top: number } => !!d);
    if (!drops.length) continue;
    const most = drops.reduce((a, b) => (b.acc > a.acc ? b : a));
    const least = drops.reduce((a, b) => (b.drop < a.drop ? b : a));
    lines.push(`- ${kind}: at the strongest level (${most.top}) **${most.m}** keeps the highest accuracy (${(100 * most.acc).toFixed(2)}%); **${least.m}** loses the least (${(100 * least.drop).toFixed(2)} points).`);
  }
  lines.push('');
  const pngErr = charts.find((c) => c.pngError)?.pngError;
  if (pngErr) lines.push(`PNG rendering was unavailable (${pngErr}); the charts are SVG only.`, '');
  const markdown = lines.join('\n');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'noise.md'), markdown);
  return { markdown, charts };
}
