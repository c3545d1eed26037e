/**
 * Paired statistics for comparing methods over seeds (docs/protocol.md): bootstrap intervals, paired t,
 * Wilcoxon signed-rank, a paired sign-flip permutation test, Holm's correction, Cohen's d_z and the
 * smallest difference a planned number of seeds can detect. Plain functions of number arrays, so they
 * can be checked against textbook values.
 */
import { Random } from '../data/random';

export function mean(v: readonly number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** Sample standard deviation (n - 1). */
export function sd(v: readonly number[]): number {
  if (v.length < 2) return NaN;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
}

export interface BootstrapOptions {
  /** Resamples. Default 10000. */
  resamples?: number;
  /** Seeds the resampling, so a report is reproducible. Default 0. */
  seed?: number;
  /** Coverage. Default 0.95. */
  level?: number;
}

/** Percentile bootstrap interval of the mean. [NaN, NaN] without data. */
export function bootstrapCI(values: readonly number[], o: BootstrapOptions = {}): [number, number] {
  const n = values.length;
  if (!n) return [NaN, NaN];
  const B = o.resamples ?? 10000;
  const level = o.level ?? 0.95;
  const rng = new Random(o.seed ?? 0);
  const means = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(n)];
    means[b] = s / n;
  }
  means.sort();
  const q = (p: number) => {
    // Linear interpolation between order statistics (type 7, R's default).
    const h = (B - 1) * p;
    const lo = Math.floor(h);
    return means[lo] + (h - lo) * ((means[Math.min(B - 1, lo + 1)] ?? means[lo]) - means[lo]);
  };
  return [q((1 - level) / 2), q(1 - (1 - level) / 2)];
}

// --- Student's t distribution (through the regularized incomplete beta function) ---

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with df degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t (bisection on the CDF). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) return p <= 0 ? -Infinity : Infinity;
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface TestResult {
  statistic: number;
  /** Two-sided p-value. */
  p: number;
}

/** Paired t test of differences d against 0 (two-sided): t = mean / (sd / sqrt(n)), n - 1 degrees of freedom. */
export function pairedT(d: readonly number[]): TestResult & { df: number } {
  const n = d.length;
  const s = sd(d);
  if (n < 2) return { statistic: NaN, df: n - 1, p: NaN };
  if (s === 0) return { statistic: mean(d) === 0 ? 0 : Math.sign(mean(d)) * Infinity, df: n - 1, p: mean(d) === 0 ? 1 : 0 };
  const t = mean(d) / (s / Math.sqrt(n));
  return { statistic: t, df: n - 1, p: Math.min(1, 2 * (1 - studentTCdf(Math.abs(t), n - 1))) };
}

/**
 * Wilcoxon signed-rank test (two-sided), exact: zeros are dropped (Wilcoxon's convention), ties get
 * average ranks, and the null distribution of W+ is counted over all 2^n sign patterns of those ranks
 * (dynamic programming on doubled ranks, so ties stay exact). statistic = W+ (R's V).
 */
export function wilcoxonSignedRank(d: readonly number[]): TestResult {
  // Ranks use |d| to 12 significant digits (R's digits.rank = 12): differences equal as rationals, such as
  // 1630/1667 - 1620/1667 and 1631/1667 - 1621/1667 (accuracies on 1,667 images), can differ in their last
  // bits, and a tie broken by rounding error changes the exact p.
  const nz = d.filter((x) => x !== 0 && Number.isFinite(x));
  const n = nz.length;
  if (!n) return { statistic: 0, p: 1 };
  const order = nz.map((x, i) => ({ a: Number(Math.abs(x).toPrecision(12)), i })).sort((u, v) => u.a - v.a);
  const rank2 = new Array<number>(n); // doubled average ranks, integers
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && order[j + 1].a === order[i].a) j++;
    for (let k = i; k <= j; k++) rank2[order[k].i] = i + j + 2; // 2 * ((i+1 + j+1) / 2)
    i = j + 1;
  }
  const total2 = rank2.reduce((a, b) => a + b, 0);
  const w2 = nz.reduce((a, x, i) => a + (x > 0 ? rank2[i] : 0), 0);
  // counts[s]: sign patterns whose positive doubled ranks sum to s (as probabilities, to avoid overflow).
  let dist = new Float64Array(total2 + 1);
  dist[0] = 1;
  for (const r of rank2) {
    const next = new Float64Array(total2 + 1);
    for (let s = 0; s <= total2; s++) {
      if (!dist[s]) continue;
      next[s] += dist[s] / 2;
      next[s + r] += dist[s] / 2;
    }
    dist = next;
  }
  let lower = 0;
  let upper = 0;
  for (let s = 0; s <= total2; s++) {
    if (s <= w2) lower += dist[s];
    if (s >= w2) upper += dist[s];
  }
  return { statistic: w2 / 2, p: Math.min(1, 2 * Math.min(lower, upper)) };
}

/**
 * Paired permutation (sign-flip) test of mean(d) = 0, two-sided: exact over all 2^n flips for n <= 16,
 * else `resamples` seeded random flips (p counts the observed pattern, so it is never 0).
 */
export function pairedPermutation(d: readonly number[], o: { resamples?: number; seed?: number } = {}): TestResult {
  const n = d.length;
  if (!n) return { statistic: NaN, p: NaN };
  const obs = Math.abs(d.reduce((a, b) => a + b, 0));
  const eps = 1e-12 * Math.max(1, obs);
  if (n <= 16) {
    let hits = 0;
    const total = 2 ** n;
    for (let m = 0; m < total; m++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += m & (1 << i) ? -d[i] : d[i];
      if (Math.abs(s) >= obs - eps) hits++;
    }
    return { statistic: obs / n, p: hits / total };
  }
  const B = o.resamples ?? 20000;
  const rng = new Random(o.seed ?? 0);
  let hits = 1;
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rng.next() < 0.5 ? -d[i] : d[i];
    if (Math.abs(s) >= obs - eps) hits++;
  }
  return { statistic: obs / n, p: hits / (B + 1) };
}

/** Holm's step-down adjustment of a family of p-values (same order as given; NaN stays NaN and is not counted). */
export function holm(ps: readonly number[]): number[] {
  const idx = ps.map((p, i) => ({ p, i })).filter((x) => Number.isFinite(x.p)).sort((a, b) => a.p - b.p);
  const m = idx.length;
  const out = ps.map(() => NaN);
  let running = 0;
  idx.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/** Cohen's d_z: mean of the paired differences over their standard deviation. */
export function cohensDz(d: readonly number[]): number {
  const s = sd(d);
  return s > 0 ? mean(d) / s : NaN;
}

/**
 * The smallest true mean difference a paired t test over n seeds detects with the given power at
 * two-sided level alpha, given the paired differences' standard deviation (from a pilot):
 * delta = (t_{1 - alpha/2, n-1} + t_{power, n-1}) * sd / sqrt(n).
 */
export function minimumDetectableDifference(pairedSd: number, n: number, alpha = 0.05, power = 0.8): number {
  if (n < 2) return NaN;
  return ((studentTQuantile(1 - alpha / 2, n - 1) + studentTQuantile(power, n - 1)) * pairedSd) / Math.sqrt(n);
}

/**
 * The fewest seeds (2..maxN) at which a paired t test detects a true mean difference `diff` with the given
 * power at two-sided level alpha, the differences' standard deviation being `pairedSd`; undefined when even
 * maxN seeds do not, or the inputs give no answer (a zero difference, a non-finite spread).
 */
export function seedsToDetect(diff: number, pairedSd: number, alpha = 0.05, power = 0.8, maxN = 200): number | undefined {
  const d = Math.abs(diff);
  if (!(d > 0) || !Number.isFinite(d) || !(pairedSd >= 0) || !Number.isFinite(pairedSd)) return undefined;
  if (pairedSd === 0) return 2;
  for (let n = 2; n <= maxN; n++) if (minimumDetectableDifference(pairedSd, n, alpha, power) <= d) return n;
  return undefined;
}
