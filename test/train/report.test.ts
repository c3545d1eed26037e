import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lineChartSvg, niceTicks } from '../../src/train/plot';
import { convergenceReport, noiseReport, RunData, roughness } from '../../src/train/report';
import type { EpochMetrics, IterationRecord } from '../../src/train/trainer';

function fakeRun(method: string, seed: number, rate: number): RunData {
  const epochs: EpochMetrics[] = Array.from({ length: 4 }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 2 / (i + 1 + rate),
    trainAccuracy: 0.5 + 0.1 * i * rate,
    testLoss: 2 / (i + 1 + rate) + 0.01 * seed,
    testAccuracy: 0.5 + 0.03 * i * rate + 0.001 * seed,
    seconds: 10,
    evalSeconds: 1,
    buildSeconds: method === 'qahan' ? 1 : 0,
    annealSeconds: method === 'qahan' ? 1 : 0,
    elapsedSeconds: 10 * (i + 1),
    steps: 10 * (i + 1),
    method: method as EpochMetrics['method'],
    dataset: 'mnist',
    seed,
    backend: 'cpu',
  }));
  const iterations: IterationRecord[] = Array.from({ length: 40 }, (_, i) => ({
    epoch: Math.floor(i / 10) + 1,
    iteration: (i % 10) + 1,
    step: i + 1,
    loss: 2 / (1 + i * 0.1 * rate) + 0.05 * Math.sin(i * seed + 1),
    accuracy: 0.5,
    ms: 10,
    scoreMs: 0,
    buildMs: 0,
    annealMs: 0,
    gradMs: 10,
  }));
  return { method, seed, epochs, iterations };
}

const methods = ['qahan', 'reinforce', 'gumbel', 'soft', 'none'];

function checkSvg(svg: string, names: string[]) {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trim().endsWith('</svg>')).toBe(true);
  expect(svg).toContain('class="x-label"');
  expect(svg).toContain('class="y-label"');
  const series = [...svg.matchAll(/<g class="series" data-name="([^"]+)">/g)].map((m) => m[1]);
  expect(series).toEqual(names);
  expect(svg).not.toMatch(/NaN|undefined/);
  // Balanced tags (a rough well-formedness check).
  const opens = (svg.match(/<g[\s>]/g) ?? []).length;
  const closes = (svg.match(/<\/g>/g) ?? []).length;
  expect(opens).toBe(closes);
}

test('line charts: labelled axes, legend, one series per method', () => {
  const svg = lineChartSvg(
    methods.map((m, i) => ({ name: m, x: [1, 2, 3], y: [i, i + 1, i + 0.5], low: [i - 0.1, i + 0.9, i + 0.4], high: [i + 0.1, i + 1.1, i + 0.6] })),
    { title: 'T', xLabel: 'epoch', yLabel: 'accuracy' },
  );
  checkSvg(svg, methods);
  expect(svg).toContain('>epoch</text>');
  expect(svg).toContain('>accuracy</text>');
  expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  expect(roughness([1, 2, 3, 4])).toBe(0);
});

test('convergence and noise reports', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-report-'));
  try {
    const runs = methods.flatMap((m, k) => [0, 1, 2].map((s) => fakeRun(m, s, 1 + k * 0.5)));
    const r = convergenceReport({ dataset: 'mnist', target: 0.75, epochs: 4, runs, outDir: dir, png: false });
    expect(r.summaries.map((s) => s.method)).toEqual(methods);
    for (const c of r.charts) {
      checkSvg(fs.readFileSync(path.join(dir, c.file), 'utf8'), methods);
    }
    const md = fs.readFileSync(path.join(dir, 'convergence.md'), 'utf8');
    expect(md).toContain('| method | final test acc');
    expect(md).toContain('## Verdict');
    // The fastest learner here is 'none' (largest rate): the verdict must say so rather than favour qahan.
    expect(md).toMatch(/Highest final test accuracy: \*\*none\*\*/);
    expect(md).toMatch(/QAHAN does not have the higher final accuracy/);

    const results = methods.flatMap((m, k) =>
      [0, 1].flatMap((seed) => [
        { method: m, seed, kind: 'clean' as const, level: 0, accuracy: 0.9, loss: 0.3 },
        { method: m, seed, kind: 'gaussian' as const, level: 0.3, accuracy: 0.5 + 0.05 * k, loss: 1 },
        { method: m, seed, kind: 'salt-pepper' as const, level: 0.1, accuracy: 0.6, loss: 1 },
        ...(m === 'qahan' ? [{ method: m, seed, kind: 'qubo' as const, level: 0.2, accuracy: 0.85, loss: 0.4 }] : []),
      ]),
    );
    const n = noiseReport('mnist', results, dir, false);
    expect(n.charts).toHaveLength(3);
    checkSvg(fs.readFileSync(path.join(dir, 'noise-gaussian.svg'), 'utf8'), methods);
    checkSvg(fs.readFileSync(path.join(dir, 'noise-qubo.svg'), 'utf8'), ['qahan']);
    expect(n.markdown).toMatch(/gaussian: at the strongest level \(0.3\) \*\*none\*\* keeps the highest accuracy/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
