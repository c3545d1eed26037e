import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../../src/train/backend';
import { convergenceReport, RunData } from '../../src/train/report';
import { profileAttentionSteps } from '../../src/train/step-profile';
import type { EpochMetrics } from '../../src/train/trainer';

/** Reports and profiles decide by a method's properties (usesQubo, role), not by its name. */

function run(method: string, seed: number, accuracy: number, qubo: boolean): RunData {
  const epochs = Array.from({ length: 3 }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 1 / (i + 1),
    trainAccuracy: accuracy,
    testLoss: 1 / (i + 1) + 0.01 * seed,
    testAccuracy: accuracy - 0.1 * (2 - i) + 0.001 * seed,
    seconds: 10,
    evalSeconds: 1,
    buildSeconds: qubo ? 1 : 0,
    annealSeconds: qubo ? 1 : 0,
    elapsedSeconds: 10 * (i + 1),
    steps: 10 * (i + 1),
    method: method as EpochMetrics['method'],
    dataset: 'mnist' as const,
    seed,
    backend: 'cpu',
  }));
  return { method, seed, epochs, iterations: [] };
}


test('convergence report: QUBO share for qahan and qubo-ls, a verdict against the baselines and against the ablations', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-methods-report-'));
  try {
    const acc: Record<string, number> = { qahan: 0.95, reinforce: 0.9, gumbel: 0.91, topk: 0.96, 'qubo-ls': 0.94 };
    const runs = Object.entries(acc).flatMap(([m, a]) => [0, 1].map((s) => run(m, s, a, m === 'qahan' || m === 'qubo-ls')));
    const { markdown } = convergenceReport({ dataset: 'mnist', target: 0.8, epochs: 3, runs, outDir: dir, png: false });
    const row = (m: string) => markdown.split('\n').find((l) => l.startsWith(`| ${m} |`))!;
    expect(row('qahan').endsWith('| 20.00 ± 0.00% |')).toBe(true);
    expect(row('qubo-ls').endsWith('| 20.00 ± 0.00% |')).toBe(true);
    expect(row('topk').endsWith('| - |')).toBe(true);
    expect(markdown).toContain('Against the classical hard-attention baselines (reinforce, gumbel), QAHAN has the higher final accuracy');
    expect(markdown).toMatch(/Against its ablations in the same slot, QAHAN's final accuracy is not higher than \*\*topk\*\*'s .*; higher than \*\*qubo-ls\*\*'s/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('step profile: the ablations run, and only qubo-ls reports QUBO build and search time', async () => {
  // The MNIST backbone: tfjs's pure-JS backend takes seconds per step, the wasm one milliseconds.
  await initBackend('wasm');
  const ps = await profileAttentionSteps({ dataset: 'mnist', methods: ['topk', 'qubo-ls'], batchSize: 4, steps: 1, warmup: 0 });
  expect(ps.map((p) => p.method)).toEqual(['topk', 'qubo-ls']);
  const [top, ls] = ps;
  expect(top.sampler).toBeUndefined();
  expect(top.buildMs + top.annealMs).toBe(0);
  expect(top.masksPerSecond).toBeUndefined();
  expect(ls.sampler).toBeUndefined();
  expect(ls.buildMs).toBeGreaterThan(0);
  expect(ls.annealMs).toBeGreaterThan(0);
  expect(ls.masksPerSecond).toBeGreaterThan(0);
  expect(ls.k).toBe(12);
});
