// The knapsack of ../knapsack.ts written against BinaryQuadraticModel alone, as before the modelling
// layer: index bookkeeping, the slack encoding, the squared penalty and the decoding by hand. Kept to
// compare line counts (README); run: node scripts/ts-run.js examples/hand-written/knapsack.ts
import { BinaryQuadraticModel, SimulatedAnnealingSampler } from '../../src';
import { capacity, items } from '../knapsack';

export async function solve(seed = 1) {
  const n = items.length;
  // Slack s = sum_k w_k y_k in 0..capacity, log-encoded: weights 1, 2, 4, ..., the last trimmed.
  const slack: number[] = [];
  for (let total = 0; total < capacity; ) {
    const w = Math.min(2 ** slack.length, capacity - total);
    slack.push(w);
    total += w;
  }
  // Coefficients of the linear form sum_i weight_i x_i + sum_k slack_k y_k - capacity over n + |slack| variables.
  const coef = [...items.map((it) => it.weight), ...slack];
  const strength = 2 * Math.max(...items.map((it) => it.value));
  const bqm = new BinaryQuadraticModel('BINARY', coef.length, strength * capacity * capacity);
  items.forEach((it, i) => bqm.addLinear(i, -it.value));
  // P (sum c_i z_i - C)^2 = P [sum c_i^2 z_i + 2 sum_{i<j} c_i c_j z_i z_j - 2 C sum c_i z_i + C^2], z binary.
  for (let i = 0; i < coef.length; i++) {
    bqm.addLinear(i, strength * (coef[i] * coef[i] - 2 * capacity * coef[i]));
    for (let j = i + 1; j < coef.length; j++) bqm.addQuadratic(i, j, 2 * strength * coef[i] * coef[j]);
  }
  const ss = await new SimulatedAnnealingSampler().sample(bqm, { numReads: 50, seed });
  let best: { value: number; packed: string[] } | undefined;
  for (const row of ss.samples) {
    const weight = items.reduce((a, it, i) => a + it.weight * row[i], 0);
    if (weight > capacity) continue;
    const value = items.reduce((a, it, i) => a + it.value * row[i], 0);
    if (!best || value > best.value) best = { value, packed: items.filter((_, i) => row[i] === 1).map((it) => it.name) };
  }
  return best;
}

// Run directly (node scripts/ts-run.js examples/hand-written/knapsack.ts), not when a test imports it.
if (require.main === module || process.argv[1]?.endsWith('hand-written/knapsack.ts')) solve().then((r) => console.log(r));
