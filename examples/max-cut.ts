// Max-cut of a small road graph with named nodes: split the cities into two groups so that the roads
// between the groups weigh as much as possible. Run: node scripts/ts-run.js examples/max-cut.ts
// (in your own project, import from 'qahan' instead of '../src').
import { Model, SimulatedAnnealingSampler, sum } from '../src';

export const roads: [string, string, number][] = [
  ['paris', 'lyon', 4], ['paris', 'lille', 2], ['paris', 'nantes', 3], ['lyon', 'marseille', 3],
  ['lyon', 'nice', 1], ['marseille', 'nice', 2], ['nantes', 'bordeaux', 3], ['bordeaux', 'toulouse', 2],
  ['toulouse', 'marseille', 3], ['lille', 'nantes', 1],
];

export async function solve(seed = 1) {
  const m = new Model();
  const side = new Map<string, ReturnType<Model['binary']>>();
  for (const city of roads.flatMap(([u, v]) => [u, v])) if (!side.has(city)) side.set(city, m.binary(city));
  // A road is cut when its ends differ: x_u + x_v - 2 x_u x_v.
  const cut = sum(roads.map(([u, v, w]) => side.get(u)!.add(side.get(v)!).sub(side.get(u)!.mul(side.get(v)!).mul(2)).mul(w)));
  m.minimize(cut.mul(-1));
  const { bqm, decode } = m.compile();
  const best = decode(await new SimulatedAnnealingSampler().sample(bqm, { numReads: 20, seed })).bestFeasible!;
  return { cut: -best.objective, groups: best.values };
}

// Run directly (node scripts/ts-run.js examples/max-cut.ts), not when a test imports it.
if (require.main === module || process.argv[1]?.endsWith('examples/max-cut.ts')) solve().then(({ cut, groups }) => console.log(`cut weight ${cut}:`, groups));
