// Portfolio selection: choose exactly k assets trading expected return against risk (covariance), in
// the Markowitz form risk - lambda * return, with a cardinality constraint. Run:
//   node scripts/ts-run.js examples/portfolio.ts
import { Model, SimulatedAnnealingSampler, sum } from '../src';

export const assets = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF', 'GGG', 'HHH'];
export const expectedReturn = [0.12, 0.10, 0.07, 0.03, 0.15, 0.09, 0.05, 0.11];
/** Covariance: volatilities 0.10..0.30 with correlations 0.2 (0.6 inside groups {AAA, EEE, HHH}, {BBB, FFF}). */
export const covariance = assets.map((_, i) =>
  assets.map((__, j) => {
    const vol = [0.2, 0.15, 0.1, 0.05, 0.3, 0.14, 0.08, 0.2];
    const group = [0, 1, 2, 3, 0, 1, 4, 0];
    const rho = i === j ? 1 : group[i] === group[j] ? 0.6 : 0.2;
    return rho * vol[i] * vol[j];
  }),
);
export const k = 3;
export const riskAversion = 1;

export async function solve(seed = 1) {
  const m = new Model();
  const pick = m.binaryArray('pick', assets.length);
  const risk = sum(pick.map((xi, i) => pick.map((xj, j) => xi.mul(xj).mul(covariance[i][j]))));
  const ret = sum(pick.map((xi, i) => xi.mul(expectedReturn[i])));
  m.minimize(risk.mul(riskAversion).sub(ret));
  m.exactlyK(pick, k, { label: 'cardinality' });
  const { bqm, decode } = m.compile();
  const best = decode(await new SimulatedAnnealingSampler().sample(bqm, { numReads: 50, seed })).bestFeasible!;
  return { score: best.objective, chosen: assets.filter((_, i) => pick[i].evaluate(best.values) === 1) };
}

// Run directly (node scripts/ts-run.js examples/portfolio.ts), not when a test imports it.
if (require.main === module || process.argv[1]?.endsWith('examples/portfolio.ts')) solve().then((r) => console.log(r));
