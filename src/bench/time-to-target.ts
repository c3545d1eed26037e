/**
 * Time-to-target and success probability per sampler (issue 12): parallel tempering and tabu search beside
 * SA and SQA in the same run, each on 2 threads under a wall-clock budget per instance, on ../shared/bench
 * and, when QAHAN_BENCH_EXTRA names a directory filled by bench/fetch-extra.sh, the 2048-spin Chimera
 * glasses and the larger Gset graphs. PT and tabu run with `timeLimit` and `targetEnergy` (every read
 * stops once one reaches the best-known energy); SA and SQA repeat calls of a fixed schedule until the
 * target or the budget. A run succeeds when it reaches the best-known value; its time to target is the
 * wall time from the start of the run until the target was first found (PT/tabu: the native time stamp
 * of the best state; SA/SQA: the end of the call that found it). Gset rows also count the runs within
 * 0.1% of the best-known cut (the issue's Gset target).
 *
 * Knobs: QAHAN_BENCH_TTT_RUNS (runs per instance and sampler, default 3), QAHAN_BENCH_TTT_FILTER (a
 * regular expression on instance names), QAHAN_BENCH_TTT_SAMPLERS (comma list, default sa,sqa,pt,tabu).
 *
 * Run alone (from the compiled library): `node dist/bench/time-to-target.js run PART` writes
 * bench/results/issue12-parts/PART.json; `node dist/bench/time-to-target.js merge` writes
 * bench/results/issue12.md from every part, so a long benchmark can run in pieces (a later part's row for
 * the same instance and sampler replaces an earlier one).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { ParallelTemperingSampler } from '../samplers/parallel-tempering';
import { PathIntegralAnnealingSampler } from '../samplers/path-integral-annealing';
import type { SampleSet } from '../samplers/sample-set';
import { SimulatedAnnealingSampler } from '../samplers/simulated-annealing';
import { TabuSampler } from '../samplers/tabu';
import { BenchInstance, loadBenchInstances } from './instances';
import { markdownTable } from './report';

export type TttSampler = 'sa' | 'sqa' | 'pt' | 'tabu';

export interface TimeToTargetRow {
  instance: string;
  family: string;
  n: number;
  /** From QAHAN_BENCH_EXTRA rather than ../shared/bench. */
  extra: boolean;
  sampler: string;
  budgetS: number;
  runs: number;
  best: number;
  found: number;
  gapPct: number;
  successProbability: number;
  /** Runs within 0.1% of the best-known value. */
  within01Pct: number;
  medianTimeToTargetS: number | null;
  /** Median over runs of when each run's final best was found (an upper bound on its time to within 0.1%). */
  medianTimeToBestS: number;
  meanSecondsPerRun: number;
}

const THREADS = 2;

/** The issue's budgets: Chimera 2 s (the 512-spin C8 set) and 10 s (larger), Gset 10 s, bqp 2 s. */
export function budgetFor(inst: Pick<BenchInstance, 'family' | 'bqm'>): number {
  if (inst.family === 'chimera') return inst.bqm.numVariables <= 512 ? 2 : 10;
  return inst.family === 'gset' ? 10 : 2;
}

function relGap(inst: BenchInstance, value: number): number {
  const d = inst.sense === 'max' ? inst.best - value : value - inst.best;
  return Math.max(0, d) / Math.abs(inst.best || 1);
}

interface RunResult {
  energy: number;
  seconds: number;
  timeToTargetS: number | null;
  timeToBestS: number;
}

async function runNative(kind: 'pt' | 'tabu', inst: BenchInstance, budget: number, seed: number): Promise<RunResult> {
  const target = inst.energyFor(inst.best);
  const t0 = performance.now();
  const params = { numReads: THREADS, threads: THREADS, timeLimit: budget, targetEnergy: target, seed };
  const ss: SampleSet = kind === 'pt' ? await new ParallelTemperingSampler().sample(inst.bqm, params) : await new TabuSampler().sample(inst.bqm, params);
  const seconds = (performance.now() - t0) / 1000;
  const energy = ss.first.energy;
  const ttb = (ss.info as unknown as { timeToBestMs: number[] }).timeToBestMs;
  let timeToTargetS: number | null = null;
  let timeToBestS = Infinity;
  for (let r = 0; r < ss.length; r++) {
    const t = ttb[r] / 1000;
    if (ss.energies[r] <= energy + 1e-9 * Math.max(1, Math.abs(energy))) timeToBestS = Math.min(timeToBestS, t);
    if (relGap(inst, inst.valueOf(ss.energies[r])) === 0) timeToTargetS = timeToTargetS === null ? t : Math.min(timeToTargetS, t);
  }
  return { energy, seconds, timeToTargetS, timeToBestS };
}

async function runAnnealer(kind: 'sa' | 'sqa', inst: BenchInstance, budget: number, seed: number): Promise<RunResult> {
  const t0 = performance.now();
  let energy = Infinity;
  let timeToBestS = 0;
  let call = 0;
  const numSweeps = inst.family === 'bqp' ? 1000 : 10000;
  for (;;) {
    const params = { numReads: THREADS, threads: THREADS, numSweeps: kind === 'sqa' ? numSweeps / 10 : numSweeps, seed: seed * 1000 + call++ };
    const ss = kind === 'sa' ? await new SimulatedAnnealingSampler().sample(inst.bqm, params) : await new PathIntegralAnnealingSampler().sample(inst.bqm, params);
    const seconds = (performance.now() - t0) / 1000;
    if (ss.first.energy < energy) {
      energy = ss.first.energy;
      timeToBestS = seconds;
    }
    if (relGap(inst, inst.valueOf(energy)) === 0) return { energy, seconds, timeToTargetS: seconds, timeToBestS };
    if (seconds >= budget) return { energy, seconds, timeToTargetS: null, timeToBestS };
  }
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** One row from a sampler's runs on an instance. */
export function summariseRuns(inst: BenchInstance, sampler: string, budget: number, results: RunResult[]): TimeToTargetRow {
  const runs = results.length;
  const values = results.map((r) => inst.valueOf(r.energy));
  const bestValue = inst.sense === 'max' ? Math.max(...values) : Math.min(...values);
  const hits = results.filter((r) => r.timeToTargetS !== null);
  return {
    instance: inst.name,
    family: inst.family,
    n: inst.bqm.numVariables,
    extra: Boolean(inst.extra),
    sampler,
    budgetS: budget,
    runs,
    best: inst.best,
    found: bestValue,
    gapPct: 100 * relGap(inst, bestValue),
    successProbability: hits.length / runs,
    within01Pct: values.filter((v) => relGap(inst, v) <= 0.001).length / runs,
    medianTimeToTargetS: median(hits.map((r) => r.timeToTargetS as number)),
    medianTimeToBestS: median(results.map((r) => r.timeToBestS)) as number,
    meanSecondsPerRun: results.reduce((a, r) => a + r.seconds, 0) / runs,
  };
}

export async function timeToTargetBenchmark(log: (s: string) => void = () => {}): Promise<TimeToTargetRow[]> {
  const runs = Number(process.env.QAHAN_BENCH_TTT_RUNS ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`QAHAN_BENCH_TTT_RUNS must be a positive integer, got ${process.env.QAHAN_BENCH_TTT_RUNS}`);
  const filter = process.env.QAHAN_BENCH_TTT_FILTER ? new RegExp(process.env.QAHAN_BENCH_TTT_FILTER) : undefined;
  const samplers = (process.env.QAHAN_BENCH_TTT_SAMPLERS ?? 'sa,sqa,pt,tabu').split(',').map((s) => s.trim()) as TttSampler[];
  for (const s of samplers) if (!['sa', 'sqa', 'pt', 'tabu'].includes(s)) throw new RangeError(`QAHAN_BENCH_TTT_SAMPLERS: unknown sampler '${s}' (sa, sqa, pt, tabu)`);
  const instances = loadBenchInstances((name) => !filter || filter.test(name), log);
  const rows: TimeToTargetRow[] = [];
  for (const inst of instances) {
    const budget = budgetFor(inst);
    for (const sampler of samplers) {
      const results: RunResult[] = [];
      for (let k = 0; k < runs; k++) {
        results.push(sampler === 'pt' || sampler === 'tabu' ? await runNative(sampler, inst, budget, k + 1) : await runAnnealer(sampler, inst, budget, k + 1));
      }
      const row = summariseRuns(inst, sampler, budget, results);
      rows.push(row);
      log(
        `ttt ${inst.name} ${sampler}: p=${row.successProbability.toFixed(2)} ttt=${row.medianTimeToTargetS?.toFixed(3) ?? '-'} s ` +
          `gap=${row.gapPct.toFixed(3)}% within0.1%=${row.within01Pct.toFixed(2)} ttb=${row.medianTimeToBestS.toFixed(2)} s`,
      );
    }
  }
  return rows;
}

const fmtS = (s: number | null) => (s === null ? '-' : s < 0.01 ? s.toExponential(1) : s.toPrecision(2));

/**
 * One line per instance, one column group per sampler: successes at the best-known value (of runs), the
 * median time to target, and the best value's gap; Gset adds the runs within 0.1%.
 */
export function pivotTable(rows: TimeToTargetRow[]): string {
  const samplers = [...new Set(rows.map((r) => r.sampler))];
  const names = [...new Set(rows.map((r) => r.instance))];
  const head = ['instance', 'n', 'target (budget)', ...samplers.map((s) => `${s}: hits / TTT s / gap %`)];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const name of names) {
    const rs = rows.filter((r) => r.instance === name);
    const r0 = rs[0];
    const target =
      r0.family === 'gset'
        ? `cut ${r0.best} (0.1%: ${Math.ceil(r0.best * 0.999)}), ${r0.budgetS} s`
        : r0.family === 'chimera'
          ? `E ${r0.best} (ground state), ${r0.budgetS} s`
          : `${r0.best} (best known), ${r0.budgetS} s`;
    const cells = samplers.map((s) => {
      const r = rs.find((x) => x.sampler === s);
      if (!r) return '';
      const hits = `${Math.round(r.successProbability * r.runs)}/${r.runs}`;
      const within = r.family === 'gset' ? ` (${Math.round(r.within01Pct * r.runs)}/${r.runs} in 0.1%)` : '';
      return `${hits} / ${fmtS(r.medianTimeToTargetS)} / ${Number(r.gapPct.toPrecision(2))}${within}`;
    });
    lines.push(`| ${[name, r0.n, target, ...cells].join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** Per family (C8 and C16 apart) and sampler: instances, how many hit their target in every run, worst gap and TTT. */
export function familySummary(rows: TimeToTargetRow[]): Record<string, unknown>[] {
  const group = (r: TimeToTargetRow) => (r.family === 'chimera' ? `chimera n=${r.n}` : r.family === 'gset' ? `gset${r.extra ? ' (extra)' : ''}` : r.family);
  const out: Record<string, unknown>[] = [];
  for (const g of [...new Set(rows.map(group))])
    for (const sampler of [...new Set(rows.map((r) => r.sampler))]) {
      const rs = rows.filter((r) => group(r) === g && r.sampler === sampler);
      if (!rs.length) continue;
      out.push({
        group: g,
        sampler,
        instances: rs.length,
        allRunsAtBest: rs.filter((r) => r.successProbability === 1).length,
        anyRunAtBest: rs.filter((r) => r.successProbability > 0).length,
        meanSuccessProbability: rs.reduce((a, r) => a + r.successProbability, 0) / rs.length,
        allRunsWithin01Pct: rs.filter((r) => r.within01Pct === 1).length,
        worstGapPct: Math.max(...rs.map((r) => r.gapPct)),
        worstMedianTttS: Math.max(...rs.map((r) => r.medianTimeToTargetS ?? Infinity)),
      });
    }
  return out;
}

/** The Markdown section for bench/results: the per-family summary, then the per-instance pivot. */
export function timeToTargetSection(rows: TimeToTargetRow[], table: (rows: Record<string, unknown>[], columns?: string[]) => string = markdownTable): string {
  const runs = [...new Set(rows.map((r) => r.runs))].join('/');
  return (
    '## Time to target (issue 12)\n\n' +
    `2 threads; ${runs} runs per instance and sampler; budget per run: Chimera C8 2 s, Chimera C16 10 s, Gset 10 s, bqp 2 s. ` +
    'PT and tabu run 2 reads with timeLimit and targetEnergy (the best-known energy), defaults otherwise; SA (10,000 sweeps; bqp 1,000) ' +
    'and SQA (a tenth of that, 16 slices) repeat 2-read calls until the target or the budget. Hits: runs at the best-known value (Chimera: ' +
    'the ground state); TTT: median time to target over the runs that hit it; gap: the best run\'s relative gap.\n\n' +
    table(familySummary(rows)) +
    '\n' +
    pivotTable(rows)
  );
}

function resultsDir(): string {
  return path.resolve(__dirname, '..', '..', 'bench', 'results');
}

async function main(argv: string[]): Promise<void> {
  const [cmd, part] = argv;
  const partsDir = path.join(resultsDir(), 'issue12-parts');
  if (cmd === 'run' && part && /^[\w.-]+$/.test(part)) {
    const started = new Date().toISOString();
    const rows = await timeToTargetBenchmark((s) => console.error(s));
    fs.mkdirSync(partsDir, { recursive: true });
    const machine = `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}`;
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('QAHAN_BENCH_TTT_')));
    fs.writeFileSync(path.join(partsDir, `${part}.json`), JSON.stringify({ part, started, finished: new Date().toISOString(), machine, env, rows }, null, 2) + '\n');
    console.error(`wrote ${path.join(partsDir, `${part}.json`)}`);
  } else if (cmd === 'merge') {
    const files = fs.existsSync(partsDir) ? fs.readdirSync(partsDir).filter((f) => f.endsWith('.json')).sort() : [];
    if (!files.length) throw new Error(`no parts in ${partsDir}: run 'node dist/bench/time-to-target.js run PART' first`);
    const parts = files.map((f) => JSON.parse(fs.readFileSync(path.join(partsDir, f), 'utf8')) as { part: string; started: string; finished: string; machine: string; env: Record<string, string>; rows: TimeToTargetRow[] });
    // A later part (file names sort in run order) replaces an earlier part's row for the same instance and
    // sampler: a sampler re-measured after a change replaces its old rows, and the header says which part did.
    const byKey = new Map<string, TimeToTargetRow>();
    for (const p of parts) for (const r of p.rows) byKey.set(`${r.instance}\u0000${r.sampler}`, r);
    const rows = [...byKey.values()];
    const head =
      '# Issue 12: time to target per sampler\n\n' +
      `Generated by \`node dist/bench/time-to-target.js merge\` from ${parts.length} part(s) (bench/results/issue12-parts):\n\n` +
      parts.map((p) => `- ${p.part}: ${p.started} to ${p.finished}, ${p.machine}, ${JSON.stringify(p.env)}`).join('\n') +
      '\n\n';
    // Hand-written findings (bench/results/issue12-notes.md) go between the header and the generated tables.
    const notesFile = path.join(resultsDir(), 'issue12-notes.md');
    const notes = fs.existsSync(notesFile) ? fs.readFileSync(notesFile, 'utf8').trim() + '\n\n' : '';
    fs.writeFileSync(path.join(resultsDir(), 'issue12.md'), head + notes + timeToTargetSection(rows));
    console.error(`wrote ${path.join(resultsDir(), 'issue12.md')}`);
  } else {
    throw new Error('usage: node dist/bench/time-to-target.js run PART | merge');
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
