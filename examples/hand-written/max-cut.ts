// The max-cut of ../max-cut.ts written against BinaryQuadraticModel alone, with integer variables only
// (as before labels): the city <-> index tables and the decoding by hand (see ./knapsack.ts).
import { BinaryQuadraticModel, SimulatedAnnealingSampler } from '../../src';
import { roads } from '../max-cut';

export async function solve(seed = 1) {
  const index = new Map<string, number>();
  const names: string[] = [];
  for (const city of roads.flatMap(([u, v]) => [u, v])) {
    if (!index.has(city)) {
      index.set(city, names.length);
      names.push(city);
    }
  }
  // Minimise -cut: -w (x_u + x_v - 2 x_u x_v) per road.
  const bqm = new BinaryQuadraticModel('BINARY', names.length);
  for (const [u, v, w] of roads) {
    const i = index.get(u)!;
    const j = index.get(v)!;
    bqm.addLinear(i, -w).addLinear(j, -w).addQuadratic(i, j, 2 * w);
  }
  const ss = await new SimulatedAnnealingSampler().sample(bqm, { numReads: 20, seed });
  const groups: Record<string, number> = {};
  names.forEach((name, i) => (groups[name] = ss.first.sample[i]));
  return { cut: -ss.first.energy, groups };
}

// Run directly (node scripts/ts-run.js examples/hand-written/max-cut.ts), not when a test imports it.
if (require.main === module || process.argv[1]?.endsWith('hand-written/max-cut.ts')) solve().then(({ cut, groups }) => console.log(`cut weight ${cut}:`, groups));
