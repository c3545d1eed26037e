/**
 * Time-to-target and success probability per sampler on ../shared/bench (issue 12): parallel tempering
 * and tabu search beside SA and SQA in the same run, each on 2 threads under a wall-clock budget per
 * instance family. PT and tabu run with `timeLimit` and `targetEnergy` (every read stops once one reaches
 * the best-known energy); SA and SQA repeat calls of a fixed schedule until the target or the budget.
 * A run succeeds when it reaches the best-known value; the time to target is the wall time from the
 * start of the run until the target was first found (PT/tabu: the native time stamp of the best state).
 *
 * Knobs: QAHAN_BENCH_TTT_RUNS (runs per instance and sampler, default 3), QAHAN_BENCH_TTT_FILTER (a
 * regular expression on instance names), QAHAN_BENCH_TTT_SAMPLERS (comma list, default sa,sqa,pt,tabu).
 */
import { ParallelTemperingSampler } from '../samplers/parallel-tempering';
import { PathIntegralAnnealingSampler } from '../samplers/path-integral-annealing';
import type { SampleSet } from '../samplers/sample-set';
import { SimulatedAnnealingSampler } from '../samplers/simulated-annealing';
import { TabuSampler } from '../samplers/tabu';
import { BenchInstance, loadInstances } from './instances';

export interface TimeToTargetRow {
  instance: string;
  family: string;
  n: number;
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
  meanSecondsPerRun: number;
}

const THREADS = 2;
const BUDGET_S: Record<BenchInstance['family'], number> = { chimera: 2, gset: 10, bqp: 2 };

function relGap(inst: BenchInstance, value: number): number {
  const d = inst.sense === 'max' ? inst.best - value : value - inst.best;
  return Math.max(0, d) / Math.abs(inst.best || 1);
}

interface RunResult {
  energy: number;
  seconds: number;
  timeToTargetS: number | null;
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
  if (relGap(inst, inst.valueOf(energy)) === 0) {
    for (let r = 0; r < ss.length; r++) {
      if (relGap(inst, inst.valueOf(ss.energies[r])) === 0) {
        const t = ttb[r] / 1000;
        timeToTargetS = timeToTargetS === null ? t : Math.min(timeToTargetS, t);
      }
    }
  }
  return { energy, seconds, timeToTargetS };
}

async function runAnnealer(kind: 'sa' | 'sqa', inst: BenchInstance, budget: number, seed: number): Promise<RunResult> {
  const t0 = performance.now();
  let energy = Infinity;
  let call = 0;
  const numSweeps = inst.family === 'bqp' ? 1000 : 10000;
  for (;;) {
    const params = { numReads: THREADS, threads: THREADS, numSweeps: kind === 'sqa' ? numSweeps / 10 : numSweeps, seed: seed * 1000 + call++ };
    const ss = kind === 'sa' ? await new SimulatedAnnealingSampler().sample(inst.bqm, params) : await new PathIntegralAnnealingSampler().sample(inst.bqm, params);
    energy = Math.min(energy, ss.first.energy);
    const seconds = (performance.now() - t0) / 1000;
    if (relGap(inst, inst.valueOf(energy)) === 0) return { energy, seconds, timeToTargetS: seconds };
    if (seconds >= budget) return { energy, seconds, timeToTargetS: null };
  }
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function timeToTargetBenchmark(log: (s: string) => void = () => {}): Promise<TimeToTargetRow[]> {
  const runs = Number(process.env.QAHAN_BENCH_TTT_RUNS ?? 3);
  const filter = process.env.QAHAN_BENCH_TTT_FILTER ? new RegExp(process.env.QAHAN_BENCH_TTT_FILTER) : undefined;
  const samplers = (process.env.QAHAN_BENCH_TTT_SAMPLERS ?? 'sa,sqa,pt,tabu').split(',') as ('sa' | 'sqa' | 'pt' | 'tabu')[];
  const instances = loadInstances(undefined, (name) => !filter || filter.test(name));
  const rows: TimeToTargetRow[] = [];
  for (const inst of instances) {
    const budget = BUDGET_S[inst.family];
    for (const sampler of samplers) {
      const results: RunResult[] = [];
      for (let k = 0; k < runs; k++) {
        results.push(sampler === 'pt' || sampler === 'tabu' ? await runNative(sampler, inst, budget, k + 1) : await runAnnealer(sampler, inst, budget, k + 1));
      }
      const values = results.map((r) => inst.valueOf(r.energy));
      const bestValue = inst.sense === 'max' ? Math.max(...values) : Math.min(...values);
      const hits = results.filter((r) => r.timeToTargetS !== null);
      const row: TimeToTargetRow = {
        instance: inst.name,
        family: inst.family,
        n: inst.bqm.numVariables,
        sampler,
        budgetS: budget,
        runs,
        best: inst.best,
        found: bestValue,
        gapPct: 100 * relGap(inst, bestValue),
        successProbability: hits.length / runs,
        within01Pct: values.filter((v) => relGap(inst, v) <= 0.001).length / runs,
        medianTimeToTargetS: median(hits.map((r) => r.timeToTargetS as number)),
        meanSecondsPerRun: results.reduce((a, r) => a + r.seconds, 0) / runs,
      };
      rows.push(row);
      log(`ttt ${inst.name} ${sampler}: p=${row.successProbability.toFixed(2)} ttt=${row.medianTimeToTargetS?.toFixed(3) ?? '-'} s gap=${row.gapPct.toFixed(3)}%`);
    }
  }
  return rows;
}

/** The Markdown section for bench/results: one row per instance and sampler, then a per-family summary. */
export function timeToTargetSection(rows: TimeToTargetRow[], table: (rows: Record<string, unknown>[], columns?: string[]) => string): string {
  const summary: Record<string, unknown>[] = [];
  for (const family of [...new Set(rows.map((r) => r.family))])
    for (const sampler of [...new Set(rows.map((r) => r.sampler))]) {
      const rs = rows.filter((r) => r.family === family && r.sampler === sampler);
      if (!rs.length) continue;
      summary.push({
        family,
        sampler,
        instances: rs.length,
        allRunsAtBest: rs.filter((r) => r.successProbability === 1).length,
        meanSuccessProbability: rs.reduce((a, r) => a + r.successProbability, 0) / rs.length,
        allRunsWithin01Pct: rs.filter((r) => r.within01Pct === 1).length,
        worstGapPct: Math.max(...rs.map((r) => r.gapPct)),
        worstMedianTttS: Math.max(...rs.map((r) => r.medianTimeToTargetS ?? Infinity)),
      });
    }
  return (
    '## Time to target (issue 12)\n\n2 threads; budget per run: Chimera 2 s, Gset 10 s, bqp 2 s. PT and tabu run 2 reads with timeLimit and targetEnergy (the best-known energy); SA (10,000 sweeps; bqp 1,000) and SQA (a tenth of that, 16 slices) repeat 2-read calls until the target or the budget. Success: the best-known value reached.\n\n' +
    table(summary) +
    '\n' +
    table(rows as unknown as Record<string, unknown>[], ['instance', 'n', 'sampler', 'runs', 'best', 'found', 'gapPct', 'successProbability', 'within01Pct', 'medianTimeToTargetS', 'meanSecondsPerRun'])
  );
}
