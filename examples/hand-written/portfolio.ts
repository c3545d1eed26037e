// The portfolio of ../portfolio.ts written against BinaryQuadraticModel alone (see ./knapsack.ts).
import { BinaryQuadraticModel, SimulatedAnnealingSampler } from '../../src';
import { assets, covariance, expectedReturn, k, riskAversion } from '../portfolio';

export async function solve(seed = 1) {
  const n = assets.length;
  // Objective: riskAversion * x' C x - r' x (x_i^2 = x_i puts the diagonal on the linear terms).
  const bqm = new BinaryQuadraticModel('BINARY', n);
  for (let i = 0; i < n; i++) {
    bqm.addLinear(i, riskAversion * covariance[i][i] - expectedReturn[i]);
    for (let j = i + 1; j < n; j++) bqm.addQuadratic(i, j, riskAversion * (covariance[i][j] + covariance[j][i]));
  }
  // Cardinality: P (sum x - k)^2 = P [(1 - 2k) sum x + 2 sum_{i<j} x_i x_j + k^2], P above any one move's gain.
  let move = 0;
  for (let i = 0; i < n; i++) move = Math.max(move, Math.abs(bqm.getLinear(i)) + covariance[i].reduce((a, c, j) => a + (j === i ? 0 : 2 * Math.abs(c)), 0));
  const strength = 2 * move;
  bqm.offset += strength * k * k;
  for (let i = 0; i < n; i++) {
    bqm.addLinear(i, strength * (1 - 2 * k));
    for (let j = i + 1; j < n; j++) bqm.addQuadratic(i, j, 2 * strength);
  }
  const ss = await new SimulatedAnnealingSampler().sample(bqm, { numReads: 50, seed });
  let best: { score: number; chosen: string[] } | undefined;
  for (const row of ss.samples) {
    if (row.reduce((a, x) => a + x, 0) !== k) continue;
    let score = 0;
    for (let i = 0; i < n; i++) {
      score -= expectedReturn[i] * row[i];
      for (let j = 0; j < n; j++) score += riskAversion * covariance[i][j] * row[i] * row[j];
    }
    if (!best || score < best.score) best = { score, chosen: assets.filter((_, i) => row[i] === 1) };
  }
  return best;
}

// Run directly (node scripts/ts-run.js examples/hand-written/portfolio.ts), not when a test imports it.
if (require.main === module || process.argv[1]?.endsWith('hand-written/portfolio.ts')) solve().then((r) => console.log(r));
