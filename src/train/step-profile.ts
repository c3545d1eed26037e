/**
 * Bench support: how a training step's time splits per method, in particular the share QAHAN spends
 * building and annealing QUBOs. `npm run bench:attention` calls profileAttentionSteps.
 */
import * as tf from '@tensorflow/tfjs';
import { architecture } from '../attention/network';
import type { ArchName } from '../attention/backbone';
import { attentionMethod, METHOD_NAMES, MethodName } from '../attention/methods';
import type { AttentionOptions } from '../attention/settings';
import { quboBuilderName } from '../attention/qubo';
import type { SamplerName } from '../config/qahan-config';
import type { Sampler } from '../samplers/sampler';
import { buildNetwork, samplerFor } from './trainer';
import { adamOptimizer } from './fused-adam';

export interface StepProfileOptions {
  dataset?: 'mnist' | 'cifar10';
  methods?: readonly MethodName[];
  batchSize?: number;
  /** Timed steps per method (after `warmup` untimed ones). Default 10 and 2. */
  steps?: number;
  warmup?: number;
  sampler?: SamplerName | Sampler;
  attention?: AttentionOptions;
  seed?: number;
  /** Backbone family (default 'small'). */
  arch?: ArchName;
  /** Images (NHWC, normalised) to draw batches from; default standard-normal noise of the dataset's shape. */
  images?: Float32Array;
  labels?: ArrayLike<number>;
}

export interface StepProfile {
  method: MethodName;
  dataset: string;
  batchSize: number;
  positions: number;
  k: number;
  backend: string;
  sampler?: string;
  quboBuilder?: string;
  /** Means over the timed steps, milliseconds. */
  stepMs: number;
  scoreMs: number;
  buildMs: number;
  annealMs: number;
  gradMs: number;
  /** (build + anneal) / step. */
  annealShare: number;
  buildShare: number;
  /** Masks produced per second of building + solving QUBOs (methods that use them). */
  masksPerSecond?: number;
  /** Training throughput. */
  imagesPerSecond: number;
}

export async function profileAttentionSteps(o: StepProfileOptions = {}): Promise<StepProfile[]> {
  const dataset = o.dataset ?? 'mnist';
  const spec = architecture(dataset, o.arch);
  const B = o.batchSize ?? 32;
  const steps = o.steps ?? 10;
  const warmup = o.warmup ?? 2;
  const [H, W, C] = spec.inputShape;
  const per = H * W * C;
  const pool = o.images ? o.images.length / per : B * 4;
  let images = o.images;
  if (!images) {
    const t = tf.randomNormal([pool, H, W, C], 0, 1, 'float32', o.seed ?? 0);
    images = (await t.data()) as Float32Array;
    t.dispose();
  }
  const labels = o.labels ?? Array.from({ length: pool }, (_, i) => i % spec.numClasses);
  const out: StepProfile[] = [];
  for (const method of o.methods ?? METHOD_NAMES) {
    const usesQubo = attentionMethod(method).usesQubo;
    const sampler = samplerFor(method, o.sampler);
    const net = buildNetwork(dataset, method, o.seed ?? 0, sampler, o.attention, o.arch);
    const opt = adamOptimizer(1e-3);
    const sum = { stepMs: 0, scoreMs: 0, buildMs: 0, annealMs: 0, gradMs: 0 };
    try {
      for (let s = 0; s < warmup + steps; s++) {
        const start = ((s * B) % Math.max(1, pool - B + 1)) | 0;
        const x = tf.tensor4d(images.subarray(start * per, (start + B) * per), [B, H, W, C]);
        const y = tf.oneHot(tf.tensor1d(Array.from({ length: B }, (_, i) => labels[start + i]), 'int32'), spec.numClasses) as tf.Tensor2D;
        const r = await net.trainStep(x, y, opt);
        x.dispose();
        y.dispose();
        if (s < warmup) continue;
        sum.stepMs += r.timings.totalMs;
        sum.scoreMs += r.timings.scoreMs;
        sum.buildMs += r.timings.buildMs;
        sum.annealMs += r.timings.annealMs;
        sum.gradMs += r.timings.gradMs;
      }
    } finally {
      net.dispose();
      opt.dispose();
    }
    const m = (v: number) => v / steps;
    const p: StepProfile = {
      method,
      dataset,
      batchSize: B,
      positions: net.positions,
      k: net.k,
      backend: tf.getBackend(),
      sampler: sampler?.name,
      quboBuilder: usesQubo ? quboBuilderName() : undefined,
      stepMs: m(sum.stepMs),
      scoreMs: m(sum.scoreMs),
      buildMs: m(sum.buildMs),
      annealMs: m(sum.annealMs),
      gradMs: m(sum.gradMs),
      annealShare: (sum.buildMs + sum.annealMs) / Math.max(1e-9, sum.stepMs),
      buildShare: sum.buildMs / Math.max(1e-9, sum.stepMs),
      masksPerSecond: usesQubo ? (B * steps) / Math.max(1e-9, (sum.buildMs + sum.annealMs) / 1000) : undefined,
      imagesPerSecond: (B * steps) / Math.max(1e-9, sum.stepMs / 1000),
    };
    out.push(p);
  }
  return out;
}

/** A Markdown table of profiles. */
export function formatStepProfiles(ps: readonly StepProfile[]): string {
  const rows = ps.map(
    (p) =>
      `| ${p.method} | ${p.stepMs.toFixed(1)} | ${p.scoreMs.toFixed(1)} | ${p.buildMs.toFixed(1)} | ${p.annealMs.toFixed(1)} | ${p.gradMs.toFixed(1)} | ${(100 * p.annealShare).toFixed(1)}% | ${p.masksPerSecond ? p.masksPerSecond.toFixed(0) : '-'} | ${p.imagesPerSecond.toFixed(0)} |`,
  );
  return [
    '| method | step ms | score pass ms | QUBO build ms | anneal ms | forward+backward ms | build+anneal share | masks/s | images/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/**
 * `npm run bench:attention`: profiles every method on MNIST- and CIFAR-shaped batches with the configured
 * backend and sampler (SA and SQA for QAHAN), as JSON and a Markdown section.
 */
export async function runAttentionBenchmark(log: (s: string) => void): Promise<{ json: unknown; markdown: string }> {
  const { initBackend } = await import('./backend');
  const backend = await initBackend();
  log(`attention benchmark on tfjs backend ${backend.backend}`);
  const profiles: StepProfile[] = [];
  for (const dataset of ['mnist', 'cifar10'] as const) {
    for (const sampler of ['sqa', 'sa'] as const) {
      // Every method once (with SQA where a sampler is used), then the sampler methods again with SA.
      const methods: readonly MethodName[] = sampler === 'sqa' ? METHOD_NAMES : METHOD_NAMES.filter((m) => attentionMethod(m).usesSampler);
      const ps = await profileAttentionSteps({ dataset, sampler, methods, steps: 8, warmup: 2 });
      for (const p of ps) log(`${dataset} ${p.method} (${p.sampler ?? '-'}): ${p.stepMs.toFixed(1)} ms/step, anneal share ${(100 * p.annealShare).toFixed(1)}%`);
      profiles.push(...ps);
    }
  }
  const sections = (['mnist', 'cifar10'] as const).map((d) => {
    const ps = profiles.filter((p) => p.dataset === d);
    return `### ${d}\n\nBatch ${ps[0]?.batchSize}, N = ${ps[0]?.positions} positions, k = ${ps[0]?.k}; QAHAN rows: sampler ${ps
      .filter((p) => attentionMethod(p.method).usesSampler)
      .map((p) => p.sampler)
      .join(' then ')}.\n\n${formatStepProfiles(ps)}\n`;
  });
  const kernels = await trainingKernelBenchmark(log);
  const masks = await maskQualityBenchmark(log);
  return {
    json: { backend: backend.backend, profiles, trainingKernels: kernels.rows, masks: masks.rows },
    markdown:
      `## Attention: share of a training step spent building and annealing QUBOs\n\ntfjs backend: ${backend.backend}. Target: at most 20% on MNIST with the defaults.\n\n${sections.join('\n')}\n` +
      kernels.markdown +
      masks.markdown,
  };
}

/**
 * The native training kernels (./native-kernels, ./fused-adam) against the wasm ones, in the same run:
 * `none` on the protocol's `deep` backbone, batch 32, the two alternating so that drift hits both.
 */
async function trainingKernelBenchmark(log: (s: string) => void): Promise<{ rows: unknown[]; markdown: string }> {
  const { nativeTrainingIsa, setNativeTraining } = await import('./native-kernels');
  const head = '## Training kernels: native against wasm\n\n';
  const isa = nativeTrainingIsa();
  if (tf.getBackend() !== 'wasm' || isa == null) return { rows: [], markdown: `${head}Not measured: needs the wasm backend and the native addon.\n\n` };
  const rows: { dataset: string; nativeMs: number; wasmMs: number; ratio: number }[] = [];
  for (const dataset of ['mnist', 'cifar10'] as const) {
    const ms = { native: [] as number[], wasm: [] as number[] };
    for (let round = 0; round < 3; round++) {
      for (const on of [true, false]) {
        setNativeTraining(on);
        try {
          const [p] = await profileAttentionSteps({ dataset, methods: ['none'], arch: 'deep', steps: 5, warmup: 2 });
          ms[on ? 'native' : 'wasm'].push(p.stepMs);
        } finally {
          setNativeTraining(true);
        }
      }
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const row = { dataset, nativeMs: median(ms.native), wasmMs: median(ms.wasm), ratio: median(ms.wasm) / median(ms.native) };
    log(`${dataset} deep none: native ${row.nativeMs.toFixed(1)} ms/step, wasm ${row.wasmMs.toFixed(1)} ms/step (${row.ratio.toFixed(2)}x)`);
    rows.push(row);
  }
  const table = ['| dataset | native ms / step | wasm ms / step | wasm / native |', '|---|---:|---:|---:|', ...rows.map((r) => `| ${r.dataset} | ${r.nativeMs.toFixed(1)} | ${r.wasmMs.toFixed(1)} | ${r.ratio.toFixed(2)}x |`)].join('\n');
  return { rows, markdown: `${head}Method \`none\`, backbone \`deep\`, batch 32, one thread, instruction set ${isa}; medians of 3 alternating rounds of 5 steps.\n\n${table}\n\n` };
}

/**
 * The masks' quality, as `qahan masks` reports it, for every trained run listed in QAHAN_BENCH_RUNS
 * (comma-separated run folders; data from QAHAN_DATA_DIR): each solver at the defaults, then the QPU
 * control-error levels on the single-flip threshold form. Without runs the section says how to get it.
 */
async function maskQualityBenchmark(log: (s: string) => void): Promise<{ rows: unknown[]; markdown: string }> {
  const runs = (process.env.QAHAN_BENCH_RUNS ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  const head = '## Attention masks against the QUBO optimum\n\n';
  if (!runs.length) return { rows: [], markdown: `${head}Set QAHAN_BENCH_RUNS to trained run folders (qahan train --out) to measure the masks (as qahan masks --json does).\n` };
  const { evaluateMasks } = await import('./mask-evaluation');
  const rows: Record<string, unknown>[] = [];
  for (const run of runs) {
    const settings: { sampler: 'sqa' | 'sa' | 'topk' | 'qubo-ls'; controlError?: number }[] = [
      { sampler: 'sqa' },
      { sampler: 'sa' },
      { sampler: 'topk' },
      { sampler: 'qubo-ls' },
      ...[0.005, 0.01, 0.02, 0.05].map((controlError) => ({ sampler: 'sqa' as const, controlError })),
    ];
    for (const st of settings) {
      const { result } = await evaluateMasks({ run, limit: 1000, sampler: st.sampler, controlError: st.controlError });
      log(`${result.dataset} ${result.solver}${st.controlError ? ` +${100 * st.controlError}% control error` : ''}: at reference ${(100 * result.atReference).toFixed(1)}%, accuracy ${(100 * result.accuracy).toFixed(2)}%`);
      rows.push({ ...result });
    }
  }
  const pct = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(1)}%` : '-');
  const table = [
    '| run | solver (path) | control error | images | accuracy | noiseless accuracy | overlap with noiseless | at reference | >= top-k | >= top-k + 1-swap | raw cardinality broken | ms / image |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.dataset} ${r.method} | ${r.solver} (${r.path}) | ${r.controlError === undefined ? '-' : pct(r.controlError)} | ${r.images} | ${pct(r.accuracy)} | ${pct(r.accuracyNoiseless)} | ${typeof r.overlapWithNoiseless === 'number' ? (r.overlapWithNoiseless as number).toFixed(4) : '-'} | ${pct(r.atReference)} | ${pct(r.atLeastTopk)} | ${pct(r.atLeastTopkSwap)} | ${pct(r.rawCardinalityViolations)} | ${(r.msPerImage as number).toFixed(2)} |`,
    ),
  ].join('\n');
  return { rows, markdown: `${head}${table}\n` };
}
