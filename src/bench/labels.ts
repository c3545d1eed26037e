/**
 * Issue 11's "integer labels 0..n-1 stay the fast path": building and sampling one model three ways in
 * the same run, interleaved, medians of many repetitions.
 *
 * - raw (the yardstick): typed arrays filled by a plain loop over index terms and handed to the addon's
 *   simulatedAnnealing directly, no BinaryQuadraticModel and no SampleSet: what the labels cannot touch.
 * - int: BinaryQuadraticModel.fromIsing from the same index terms, SimulatedAnnealingSampler.sample,
 *   reading ss.first.sample.
 * - string: the same model with labels 'v0'..'v{n-1}' (h as an object, J as label triples), reading
 *   ss.first.assignment.
 *
 * Ratios are medians against raw in the same run, so a loaded machine moves all three together.
 */
import { BinaryQuadraticModel } from '../model/bqm';
import { addon, NativeModel } from '../native/addon';
import { SimulatedAnnealingSampler } from '../samplers/simulated-annealing';
import { markdownTable } from './report';

export interface LabelsWorkload {
  name: string;
  n: number;
  /** Chords per variable beyond the ring (3-regular-ish: 1 + 1/2). */
  numReads: number;
  numSweeps: number;
  repetitions: number;
}

export const LABELS_WORKLOADS: readonly LabelsWorkload[] = [
  { name: 'sample-heavy: n 2000, 3000 couplers, 8 reads x 200 sweeps', n: 2000, numReads: 8, numSweeps: 200, repetitions: 31 },
  { name: 'build-heavy: n 20000, 30000 couplers, 1 read x 10 sweeps', n: 20000, numReads: 1, numSweeps: 10, repetitions: 31 },
];

export interface LabelsRow {
  workload: string;
  path: 'raw' | 'int' | 'string';
  buildMs: number;
  sampleMs: number;
  totalMs: number;
  /** totalMs / raw totalMs (medians). */
  vsRaw: number;
  /** buildMs / raw buildMs. */
  buildVsRaw: number;
  meanBestEnergy: number;
}

/** A ring with a chord from every even i to i + n/2 + 1: 1.5 n couplers, deterministic biases. */
export function labelsTerms(n: number): { h: Float64Array; J: [number, number, number][] } {
  const h = new Float64Array(n);
  const J: [number, number, number][] = [];
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  for (let i = 0; i < n; i++) h[i] = rnd() * 0.5;
  for (let i = 0; i < n; i++) J.push([i, (i + 1) % n, rnd()]);
  for (let i = 0; i < n; i += 2) J.push([i, (i + n / 2 + 1) % n, rnd()]);
  return { h, J };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function labelsBenchmark(log: (s: string) => void = () => undefined, workloads: readonly LabelsWorkload[] = LABELS_WORKLOADS): Promise<{ rows: LabelsRow[]; markdown: string }> {
  const rows: LabelsRow[] = [];
  const sampler = new SimulatedAnnealingSampler();
  for (const w of workloads) {
    const { h, J } = labelsTerms(w.n);
    const names = Array.from({ length: w.n }, (_, i) => `v${i}`);
    const hByName: Record<string, number> = {};
    for (let i = 0; i < w.n; i++) hByName[names[i]] = h[i];
    const JByName = J.map(([i, j, b]) => [names[i], names[j], b] as const);
    const params = { numReads: w.numReads, numSweeps: w.numSweeps, seed: 7, threads: 1 };
    const paths = {
      raw: async () => {
        const t0 = performance.now();
        const m = J.length;
        const model: NativeModel = { numVariables: w.n, vartype: 'SPIN', linear: Float64Array.from(h), offset: 0, quadRow: new Uint32Array(m), quadCol: new Uint32Array(m), quadBias: new Float64Array(m) };
        for (let t = 0; t < m; t++) {
          const [i, j, b] = J[t];
          model.quadRow![t] = Math.min(i, j);
          model.quadCol![t] = Math.max(i, j);
          model.quadBias![t] = b;
        }
        const t1 = performance.now();
        const [r] = await addon().simulatedAnnealing([model], params);
        const best = Math.min(...r.energies);
        return { build: t1 - t0, sample: performance.now() - t1, best };
      },
      int: async () => {
        const t0 = performance.now();
        const bqm = BinaryQuadraticModel.fromIsing(h, J);
        const t1 = performance.now();
        const ss = await sampler.sample(bqm, params);
        if (ss.first.sample.length !== w.n) throw new Error('int: wrong sample length');
        return { build: t1 - t0, sample: performance.now() - t1, best: ss.first.energy };
      },
      string: async () => {
        const t0 = performance.now();
        const bqm = BinaryQuadraticModel.fromIsing(hByName, JByName);
        const t1 = performance.now();
        const ss = await sampler.sample(bqm, params);
        if (ss.first.assignment[names[w.n - 1]] === undefined) throw new Error('string: label missing from the assignment');
        return { build: t1 - t0, sample: performance.now() - t1, best: ss.first.energy };
      },
    };
    const keys = Object.keys(paths) as (keyof typeof paths)[];
    const times: Record<string, { build: number[]; sample: number[]; total: number[]; best: number[] }> = {};
    for (const k of keys) times[k] = { build: [], sample: [], total: [], best: [] };
    for (const k of keys) await paths[k](); // warm-up: JIT, addon load
    for (let r = 0; r < w.repetitions; r++) {
      // Rotate the order so no path always runs first (or right after the garbage of another).
      for (let q = 0; q < keys.length; q++) {
        const k = keys[(r + q) % keys.length];
        const x = await paths[k]();
        times[k].build.push(x.build);
        times[k].sample.push(x.sample);
        times[k].total.push(x.build + x.sample);
        times[k].best.push(x.best);
      }
    }
    const raw = { build: median(times.raw.build), total: median(times.raw.total) };
    for (const k of keys) {
      const t = times[k];
      const row: LabelsRow = {
        workload: w.name,
        path: k,
        buildMs: median(t.build),
        sampleMs: median(t.sample),
        totalMs: median(t.total),
        vsRaw: median(t.total) / raw.total,
        buildVsRaw: median(t.build) / raw.build,
        meanBestEnergy: t.best.reduce((a, b) => a + b, 0) / t.best.length,
      };
      rows.push(row);
      log(`${w.name} ${k}: build ${row.buildMs.toFixed(2)} ms, sample ${row.sampleMs.toFixed(2)} ms, total ${row.vsRaw.toFixed(3)}x raw`);
    }
  }
  const markdown =
    '## Labels: integer vs string labels vs the raw index path (issue 11)\n\n' +
    'SA, one thread, same seed; medians of the repetitions, the three paths interleaved. raw = typed arrays handed to the addon (no model object, no SampleSet), the yardstick; ' +
    '`vsRaw` = total time / raw total time, `buildVsRaw` the same for building alone.\n\n' +
    markdownTable(rows as unknown as Record<string, unknown>[], ['workload', 'path', 'buildMs', 'sampleMs', 'totalMs', 'vsRaw', 'buildVsRaw', 'meanBestEnergy']);
  return { rows, markdown };
}
