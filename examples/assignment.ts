// Assignment: each worker does one task and each task gets one worker, at least total cost. Rows and
// columns are one-hot constraints. Run: node scripts/ts-run.js examples/assignment.ts
import { Model, SimulatedAnnealingSampler, sum } from '../src';

export const workers = ['ana', 'ben', 'cat', 'dan'];
export const tasks = ['build', 'test', 'ship', 'docs'];
export const cost = [
  [9, 2, 7, 8],
  [6, 4, 3, 7],
  [5, 8, 1, 8],
  [7, 6, 9, 4],
];

export async function solve(seed = 1) {
  const m = new Model();
  const x = m.binaryArray('x', [workers.length, tasks.length]);
  m.minimize(sum(x.map((row, i) => row.map((xij, j) => xij.mul(cost[i][j])))));
  x.forEach((row, i) => m.oneHot(row, { label: `one task for ${workers[i]}` }));
  tasks.forEach((t, j) => m.oneHot(x.map((row) => row[j]), { label: `one worker for ${t}` }));
  const { bqm, decode } = m.compile();
  const best = decode(await new SimulatedAnnealingSampler().sample(bqm, { numReads: 50, seed })).bestFeasible!;
  const plan = Object.fromEntries(workers.map((w, i) => [w, tasks[x[i].findIndex((xij) => xij.evaluate(best.values) === 1)]]));
  return { cost: best.objective, plan };
}

// Run directly (node scripts/ts-run.js examples/assignment.ts), not when a test imports it.
if (require.main === module || process.argv[1]?.endsWith('examples/assignment.ts')) solve().then((r) => console.log(r));
