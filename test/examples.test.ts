import * as assignment from '../examples/assignment';
import * as knapsack from '../examples/knapsack';
import * as maxCut from '../examples/max-cut';
import * as portfolio from '../examples/portfolio';

/** All subsets of n items as bit masks. */
const subsets = (n: number) => Array.from({ length: 1 << n }, (_, s) => Array.from({ length: n }, (__, i) => (s >> i) & 1));

describe('examples reach the brute-force optimum', () => {
  test('max-cut of named cities', async () => {
    const { cut, groups } = await maxCut.solve();
    const cities = Object.keys(groups);
    let best = 0;
    for (const side of subsets(cities.length)) {
      const at = new Map(cities.map((c, i) => [c, side[i]]));
      best = Math.max(best, maxCut.roads.reduce((a, [u, v, w]) => a + (at.get(u) !== at.get(v) ? w : 0), 0));
    }
    expect(cut).toBe(best);
    expect(maxCut.roads.reduce((a, [u, v, w]) => a + (groups[u] !== groups[v] ? w : 0), 0)).toBe(cut);
  });

  test('knapsack', async () => {
    const { value, packed, violations } = await knapsack.solve();
    let best = 0;
    for (const take of subsets(knapsack.items.length)) {
      const weight = take.reduce((a, t, i) => a + t * knapsack.items[i].weight, 0);
      if (weight <= knapsack.capacity) best = Math.max(best, take.reduce((a, t, i) => a + t * knapsack.items[i].value, 0));
    }
    expect(value).toBe(best);
    expect(violations).toEqual({ capacity: 0 });
    expect(packed.reduce((a, name) => a + knapsack.items.find((it) => it.name === name)!.weight, 0)).toBeLessThanOrEqual(knapsack.capacity);
  });

  test('assignment', async () => {
    const { cost, plan } = await assignment.solve();
    const perms = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
    const best = Math.min(...perms([0, 1, 2, 3]).map((p) => p.reduce((a, j, i) => a + assignment.cost[i][j], 0)));
    expect(cost).toBe(best);
    expect(new Set(Object.values(plan)).size).toBe(4);
  });

  test('portfolio with a cardinality constraint', async () => {
    const { score, chosen } = await portfolio.solve();
    let best = Infinity;
    for (const take of subsets(portfolio.assets.length)) {
      if (take.reduce((a, t) => a + t, 0) !== portfolio.k) continue;
      let risk = 0;
      take.forEach((ti, i) => take.forEach((tj, j) => (risk += ti * tj * portfolio.covariance[i][j])));
      best = Math.min(best, portfolio.riskAversion * risk - take.reduce((a, t, i) => a + t * portfolio.expectedReturn[i], 0));
    }
    expect(chosen).toHaveLength(portfolio.k);
    expect(score).toBeCloseTo(best, 12);
  });
});
