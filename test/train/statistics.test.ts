import { bootstrapCI, cohensDz, holm, mean, minimumDetectableDifference, pairedPermutation, pairedT, sd, seedsToDetect, studentTCdf, studentTQuantile, wilcoxonSignedRank } from '../../src/train/statistics';

// Student's sleep data (Cushny and Peebles 1905): extra sleep, drug 2 minus drug 1, ten patients.
const SLEEP = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4];

test('paired t matches R on the sleep data (t = 4.0621, df 9, p = 0.002833)', () => {
  const r = pairedT(SLEEP);
  expect(r.statistic).toBeCloseTo(4.0621, 4);
  expect(r.df).toBe(9);
  expect(r.p).toBeCloseTo(0.002833, 5);
  expect(pairedT([1, 1, 1]).p).toBe(0);
});

test('Student t distribution: CDF and quantiles against tables', () => {
  expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262157, 5);
  expect(studentTQuantile(0.8, 9)).toBeCloseTo(0.883, 3);
  expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
  expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 12);
  expect(studentTCdf(2.015048, 5)).toBeCloseTo(0.95, 5);
});

test("Wilcoxon signed-rank matches R's exact test (Hollander and Wolfe's depression data: V = 40, p = 0.03906)", () => {
  const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
  const r = wilcoxonSignedRank(x.map((v, i) => v - y[i]));
  expect(r.statistic).toBeCloseTo(40, 9);
  expect(r.p).toBeCloseTo(10 / 256, 9);
  // By hand: ranks 1..6, only rank 1 negative: W+ = 20; 2 of 64 patterns reach >= 20, so p = 4/64.
  expect(wilcoxonSignedRank([-1, 2, 3, 4, 5, 6])).toEqual({ statistic: 20, p: 0.0625 });
  // Zeros are dropped; all-positive n = 5 gives the smallest possible p, 2/32.
  expect(wilcoxonSignedRank([0, 1, 2, 3, 4, 5]).p).toBeCloseTo(0.0625, 12);
  // Ties: |d| = 1, 1, 2 get ranks 1.5, 1.5, 3; W+ = 4.5 (1.5 + 3); patterns with W+ <= 1.5: {}, {a}, {b} -> 3/8, upper 3/8 -> p = 0.75.
  expect(wilcoxonSignedRank([1, -1, 2])).toEqual({ statistic: 4.5, p: 0.75 });
  // Ties that rounding error hides: both differences are 10 images of 1,667, but as floats they differ in the
  // last bits (0.005998800239951918 and ...952029); they must still share a rank.
  const u = 1630 / 1667 - 1620 / 1667;
  const w = 1631 / 1667 - 1621 / 1667;
  expect(u).not.toBe(w);
  expect(wilcoxonSignedRank([u, -w, 2 * u])).toEqual({ statistic: 4.5, p: 0.75 });
});

test('paired permutation test: exact sign flips and a seeded Monte Carlo agree', () => {
  // All positive, n = 5: only the observed pattern and its mirror reach |sum| >= 15: 2/32.
  expect(pairedPermutation([1, 2, 3, 4, 5]).p).toBeCloseTo(0.0625, 12);
  const exact = pairedPermutation(SLEEP).p;
  // Flips of the sleep data reaching |sum| >= 15.8: counted by hand is tedious; the test checks exact vs MC.
  const many = [...SLEEP, ...SLEEP.map((v) => v - 1.58)]; // n = 20: Monte Carlo path
  const mc = pairedPermutation(many, { seed: 1, resamples: 20000 });
  expect(exact).toBeGreaterThan(0);
  expect(exact).toBeLessThan(0.01);
  expect(mc.p).toBeGreaterThan(0);
  expect(pairedPermutation(many, { seed: 1, resamples: 20000 }).p).toBe(mc.p);
});

test('Holm adjustment matches R p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")', () => {
  const adj = holm([0.01, 0.04, 0.03, 0.005]);
  [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 12));
  expect(holm([0.5, NaN, 0.9])).toEqual([1, NaN, 1]);
});

test("Cohen's d_z and the smallest detectable difference", () => {
  expect(mean(SLEEP)).toBeCloseTo(1.58, 12);
  expect(sd(SLEEP)).toBeCloseTo(1.229995, 6);
  expect(cohensDz(SLEEP)).toBeCloseTo(1.2846, 4);
  // (t_{0.975,9} + t_{0.8,9}) * sd / sqrt(10) = (2.262157 + 0.883404) * 1 / sqrt(10)
  expect(minimumDetectableDifference(1, 10)).toBeCloseTo((2.262157 + 0.883404) / Math.sqrt(10), 4);
});

test('seeds to detect a difference: the first n whose detectable difference reaches it', () => {
  // The detectable difference at 10 seeds is about 0.995 sd: a difference of 1.0 sd needs 10, 0.99 sd needs 11.
  expect(seedsToDetect(1.0, 1)).toBe(10);
  expect(seedsToDetect(0.99, 1)).toBe(11);
  expect(minimumDetectableDifference(1, 9)).toBeGreaterThan(1.0);
  // The sign does not matter; a stricter level needs more seeds.
  expect(seedsToDetect(-1.0, 1)).toBe(10);
  expect(seedsToDetect(1.0, 1, 0.05 / 12)!).toBeGreaterThan(10);
  // No answer for a zero difference, for one beyond maxN, or for a spread that is not a number.
  expect(seedsToDetect(0, 1)).toBeUndefined();
  expect(seedsToDetect(0.01, 1)).toBeUndefined();
  expect(seedsToDetect(1, NaN)).toBeUndefined();
  expect(seedsToDetect(1, 0)).toBe(2);
});

test('bootstrap interval: seeded, contains the mean, degenerate for constant data, close to the normal interval for large n', () => {
  expect(bootstrapCI([2, 2, 2])).toEqual([2, 2]);
  const a = bootstrapCI(SLEEP, { seed: 3 });
  expect(bootstrapCI(SLEEP, { seed: 3 })).toEqual(a);
  expect(a[0]).toBeLessThan(1.58);
  expect(a[1]).toBeGreaterThan(1.58);
  const v = Array.from({ length: 400 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
  const [lo, hi] = bootstrapCI(v, { seed: 1, resamples: 4000 });
  const half = (1.96 * sd(v)) / Math.sqrt(v.length);
  expect((hi - lo) / 2).toBeGreaterThan(0.85 * half);
  expect((hi - lo) / 2).toBeLessThan(1.15 * half);
});
