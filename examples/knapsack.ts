// 0/1 knapsack: pick items of greatest total value within a weight capacity. The capacity is a `<=`
// constraint: compile adds a log-encoded slack for it. Run: node scripts/ts-run.js examples/knapsack.ts
import { Model, SimulatedAnnealingSampler, sum } from '../src';

export const items = [
  { name: 'tent', weight: 5, value: 10 }, { name: 'stove', weight: 4, value: 40 }, { name: 'rope', weight: 6, value: 30 },
  { name: 'lamp', weight: 3, value: 50 }, { name: 'map', weight: 1, value: 8 }, { name: 'water', weight: 7, value: 35 },
];
export const capacity = 15;

export async function solve(seed = 1) {
  const m = new Model();
  const take = items.map((it) => m.binary(it.name));
  m.minimize(sum(take.map((x, i) => x.mul(-items[i].value))));
  m.constrain(sum(take.map((x, i) => x.mul(items[i].weight))), '<=', capacity, { label: 'capacity' });
  const { bqm, decode } = m.compile();
  const best = decode(await new SimulatedAnnealingSampler().sample(bqm, { numReads: 50, seed })).bestFeasible!;
  return { value: -best.objective, packed: items.filter((it) => best.values[it.name] === 1).map((it) => it.name), violations: best.violations };
}

// Run directly (node scripts/ts-run.js examples/knapsack.ts), not when a test imports it.
if (require.main === module || process.argv[1]?.endsWith('examples/knapsack.ts')) solve().then((r) => console.log(r));
