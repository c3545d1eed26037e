import os from 'os';
import { seededUniform as rng } from '../data/random';
import { BinaryQuadraticModel } from '../model/bqm';
import { addon } from '../native/addon';
import { PathIntegralAnnealingSampler } from '../samplers/path-integral-annealing';
import { SimulatedAnnealingSampler } from '../samplers/simulated-annealing';
import { BenchInstance, loadInstances } from './instances';

export function denseSpinGlass(n: number, seed = 1): BinaryQuadraticModel {
  const r = rng(seed);
  const linear = new Float64Array(n);
  const dense = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) dense[i * n + j] = r() < 0.5 ? -1 : 1;
  return BinaryQuadraticModel.fromDense('SPIN', linear, dense);
}

/** A random 3-regular graph (pairing model, retried until simple) with +-1 couplings. */
export function threeRegular(n: number, seed = 1): BinaryQuadraticModel {
  const r = rng(seed);
  for (;;) {
    const stubs = Array.from({ length: 3 * n }, (_, k) => Math.floor(k / 3));
    for (let k = stubs.length - 1; k > 0; k--) {
      const m = Math.floor(r() * (k + 1));
      [stubs[k], stubs[m]] = [stubs[m], stubs[k]];
    }
    const seen = new Set<number>();
    let ok = true;
    const bqm = new BinaryQuadraticModel('SPIN', n);
    for (let k = 0; k < stubs.length && ok; k += 2) {
      const [a, b] = [Math.min(stubs[k], stubs[k + 1]), Math.max(stubs[k], stubs[k + 1])];
      if (a === b || seen.has(a * n + b)) ok = false;
      else {
        seen.add(a * n + b);
        bqm.addQuadratic(a, b, r() < 0.5 ? -1 : 1);
      }
    }
    if (ok) return bqm;
  }
}

/** A Chimera C(m) spin glass with +-1 couplings (m = 16 gives 2048 spins). */
export function chimeraSpinGlass(m: number, seed = 1): BinaryQuadraticModel {
  const r = rng(seed);
  const t = 4;
  const idx = (row: number, col: number, side: number, k: number) => ((row * m + col) * 2 + side) * t + k;
  const bqm = new BinaryQuadraticModel('SPIN', m * m * 2 * t);
  const J = () => (r() < 0.5 ? -1 : 1);
  for (let row = 0; row < m; row++) {
    for (let col = 0; col < m; col++) {
      for (let a = 0; a < t; a++) for (let b = 0; b < t; b++) bqm.addQuadratic(idx(row, col, 0, a), idx(row, col, 1, b), J());
      for (let k = 0; k < t; k++) {
        if (row + 1 < m) bqm.addQuadratic(idx(row, col, 0, k), idx(row + 1, col, 0, k), J());
        if (col + 1 < m) bqm.addQuadratic(idx(row, col, 1, k), idx(row, col + 1, 1, k), J());
      }
    }
  }
  return bqm;
}

export interface RateRow {
  sampler: 'sa' | 'sqa';
  model: string;
  n: number;
  threads: number;
  numReads: number;
  numSweeps: number;
  trotterSlices?: number;
  samplingMs: number;
  /** Nanoseconds per spin-flip attempt (per slice-attempt for SQA), per thread. */
  nsPerAttemptPerThread: number;
  attemptsPerSecond: number;
  speedupVsOneThread?: number;
}

async function rate(sampler: 'sa' | 'sqa', name: string, bqm: BinaryQuadraticModel, threads: number, numReads: number, numSweeps: number, slices = 16): Promise<RateRow> {
  const ss =
    sampler === 'sa'
      ? await new SimulatedAnnealingSampler().sample(bqm, { numReads, numSweeps, seed: 1, threads })
      : await new PathIntegralAnnealingSampler().sample(bqm, { numReads, numSweeps, seed: 1, threads, trotterSlices: slices });
  const ms = Number(ss.info.timing.samplingMs);
  const attempts = numReads * numSweeps * bqm.numVariables * (sampler === 'sqa' ? slices : 1);
  return {
    sampler, model: name, n: bqm.numVariables, threads, numReads, numSweeps,
    ...(sampler === 'sqa' ? { trotterSlices: slices } : {}),
    samplingMs: ms,
    nsPerAttemptPerThread: (ms * 1e6 * threads) / attempts,
    attemptsPerSecond: attempts / (ms / 1000),
  };
}

export async function spinFlipRates(log: (s: string) => void = () => {}): Promise<RateRow[]> {
  const cores = Math.max(1, Math.min(os.cpus().length, addon().info().threads));
  const models: [string, BinaryQuadraticModel][] = [
    ['dense', denseSpinGlass(100)],
    ['dense', denseSpinGlass(1000)],
    ['dense', denseSpinGlass(2000)],
    ['3-regular', threeRegular(2000)],
    ['chimera', chimeraSpinGlass(16)],
  ];
  const rows: RateRow[] = [];
  const slices = 16;
  for (const sampler of ['sa', 'sqa'] as const) {
    for (const [name, bqm] of models) {
      // Default schedules; enough sweeps for about 3e7 attempts (a few tenths of a second), so thread
      // start-up and timer noise do not count. The share of hot (high-acceptance, O(n) per accepted
      // flip on dense models) sweeps depends on the schedule's shape only, not on its length.
      const perSweep = 2 * bqm.numVariables * (sampler === 'sqa' ? slices : 1);
      const numSweeps = Math.max(100, Math.ceil(3e7 / perSweep));
      const one = await rate(sampler, name, bqm, 1, 2, numSweeps, slices);
      rows.push(one);
      log(`${sampler} ${name} n=${bqm.numVariables} 1 thread: ${one.nsPerAttemptPerThread.toFixed(2)} ns/attempt`);
      if (cores >= 2) {
        const two = await rate(sampler, name, bqm, 2, 2, numSweeps, slices);
        two.speedupVsOneThread = one.samplingMs / two.samplingMs;
        rows.push(two);
        log(`${sampler} ${name} n=${bqm.numVariables} 2 threads: speed-up ${two.speedupVsOneThread.toFixed(2)}x`);
      }
    }
  }
  return rows;
}

export interface QualityRow {
  instance: string;
  family: string;
  n: number;
  best: number;
  found: number;
  /** Relative gap to the best known value, >= 0 (0 = reached). */
  gap: number;
  reached: boolean;
  /** Share of reads at the best-known value. */
  successProbability: number;
  /**
   * Time to target with 99% confidence: (wall seconds per read) * ln(0.01) / ln(1 - p); the wall time
   * per read is the call's time over its reads (all threads busy). null when no read reached it.
   */
  tts99S: number | null;
  seconds: number;
  sampler: string;
  numReads: number;
  numSweeps: number;
}

/** SA on each instance; effort grows with size. Quality = best-known reached, gap, time to target. */
/**
 * SA on each instance with a size-based budget; an instance that misses its best-known value is
 * retried with 4x and then 16x the work (more sweeps and reads), and the row reports the budget
 * that was used last. Quality = best-known reached, relative gap, success probability, TTS99.
 */
export async function quality(instances: BenchInstance[], log: (s: string) => void = () => {}, threads = 0): Promise<QualityRow[]> {
  const rows: QualityRow[] = [];
  const sampler = new SimulatedAnnealingSampler();
  for (const inst of instances) {
    const n = inst.bqm.numVariables;
    const baseSweeps = n <= 100 ? 1000 : n <= 500 ? 4000 : 10000;
    const baseReads = n <= 250 ? 16 : 8;
    let row: QualityRow | undefined;
    for (const [sweepFactor, readFactor] of [[1, 1], [2, 2], [4, 4]]) {
      const numSweeps = baseSweeps * sweepFactor;
      const numReads = baseReads * readFactor;
      const t0 = performance.now();
      const ss = await sampler.sample(inst.bqm, { numReads, numSweeps, seed: 2024, threads: threads || undefined });
      const seconds = (performance.now() - t0) / 1000;
      const found = inst.valueOf(ss.first.energy);
      const gap = inst.sense === 'max' ? (inst.best - found) / Math.abs(inst.best) : (found - inst.best) / Math.abs(inst.best);
      const target = inst.energyFor(inst.best);
      let hits = 0;
      for (let r = 0; r < ss.length; r++) if (ss.energies[r] <= target + 1e-6) hits++;
      const p = hits / ss.length;
      const perRead = seconds / ss.length;
      row = {
        instance: inst.name, family: inst.family, n, best: inst.best, found, gap: Math.max(0, gap), reached: gap <= 1e-12,
        successProbability: p,
        tts99S: p === 0 ? null : p === 1 ? perRead : (perRead * Math.log(0.01)) / Math.log(1 - p),
        seconds, sampler: 'sa', numReads, numSweeps,
      };
      if (row.reached) break;
    }
    rows.push(row!);
    log(`${inst.name}: found ${row!.found}, best ${inst.best}, gap ${(row!.gap * 100).toFixed(3)}%, ${row!.seconds.toFixed(2)} s`);
  }
  return rows;
}

export interface BatchRow {
  batch: number;
  positions: number;
  sampler: string;
  numReads: number;
  numSweeps: number;
  seconds: number;
  modelsPerSecond: number;
}

/** Batched attention-sized dense models through one sampleBatch call. */
export async function batchedAttention(log: (s: string) => void = () => {}): Promise<BatchRow[]> {
  const rows: BatchRow[] = [];
  for (const N of [16, 49]) {
    const B = 256;
    const r = rng(N);
    const bqms = Array.from({ length: B }, () => {
      const lin = Float64Array.from({ length: N }, () => -r());
      const dense = new Float64Array(N * N);
      for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) dense[i * N + j] = 0.2 * r() + 0.5;
      return BinaryQuadraticModel.fromDense('BINARY', lin, dense);
    });
    for (const [name, sampler, params] of [
      ['sa', new SimulatedAnnealingSampler(), { numReads: 4, numSweeps: 100 }],
      ['sqa', new PathIntegralAnnealingSampler(), { numReads: 2, numSweeps: 50, trotterSlices: 8 }],
    ] as const) {
      const t0 = performance.now();
      await sampler.sampleBatch(bqms, { ...params, seed: 3 });
      const seconds = (performance.now() - t0) / 1000;
      rows.push({ batch: B, positions: N, sampler: name, numReads: params.numReads, numSweeps: params.numSweeps, seconds, modelsPerSecond: B / seconds });
      log(`batched ${name} B=${B} N=${N}: ${(B / seconds).toFixed(0)} models/s`);
    }
  }
  return rows;
}

export async function solverBenchmarks(log: (s: string) => void): Promise<{ rates: RateRow[]; quality: QualityRow[]; batched: BatchRow[] }> {
  const rates = await spinFlipRates(log);
  const batched = await batchedAttention(log);
  let q: QualityRow[] = [];
  try {
    q = await quality(loadInstances(), log);
  } catch (err) {
    log(`quality benchmark skipped: ${(err as Error).message}`);
  }
  return { rates, quality: q, batched };
}
