// The assignment of ../assignment.ts written against BinaryQuadraticModel alone (see ./knapsack.ts).
import { BinaryQuadraticModel, SimulatedAnnealingSampler } from '../../src';
import { cost, tasks, workers } from '../assignment';

export async function solve(seed = 1) {
  const n = workers.length;
  const at = (i: number, j: number) => i * n + j; // variable index of "worker i does task j"
  const strength = 2 * Math.max(...cost.flat());
  // Each row and each column: P (sum x - 1)^2 = P [1 - sum x + 2 sum_{a<b} x_a x_b].
  const bqm = new BinaryQuadraticModel('BINARY', n * n, 2 * n * strength);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) bqm.addLinear(at(i, j), cost[i][j] - 2 * strength);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        bqm.addQuadratic(at(i, a), at(i, b), 2 * strength); // worker i: one task
        bqm.addQuadratic(at(a, i), at(b, i), 2 * strength); // task i: one worker
      }
    }
  }
  const ss = await new SimulatedAnnealingSampler().sample(bqm, { numReads: 50, seed });
  let best: { cost: number; plan: Record<string, string> } | undefined;
  for (const row of ss.samples) {
    const rowsOk = workers.every((_, i) => tasks.reduce((a, __, j) => a + row[at(i, j)], 0) === 1);
    const colsOk = tasks.every((_, j) => workers.reduce((a, __, i) => a + row[at(i, j)], 0) === 1);
    if (!rowsOk || !colsOk) continue;
    const total = cost.reduce((a, r, i) => a + r.reduce((b, c, j) => b + c * row[at(i, j)], 0), 0);
    if (!best || total < best.cost) {
      best = { cost: total, plan: Object.fromEntries(workers.map((w, i) => [w, tasks[tasks.findIndex((_, j) => row[at(i, j)] === 1)]])) };
    }
  }
  return best;
}

// Run directly (node scripts/ts-run.js examples/hand-written/assignment.ts), not when a test imports it.
if (require.main === module || process.argv[1]?.endsWith('hand-written/assignment.ts')) solve().then((r) => console.log(r));
