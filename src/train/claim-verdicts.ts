/**
 * The verdict rule of docs/protocol.md, section 7, applied to a setting's seed-paired comparisons: a claim is
 * "supported" when an annealed variant beats both classical hard-attention baselines (reinforce and gumbel) on
 * every metric of the claim with Holm-adjusted p < 0.05, "refuted" when a baseline beats it on one of them with
 * pHolm < 0.05, and otherwise "not distinguishable" at this power. Written as a function of the report so the
 * words in the README come from the rule, not from reading tables.
 */
/** The parts of a report's seed-paired comparison the rule reads (experiment-report's Comparison has them). */
export interface PairedComparison {
  a: string;
  b: string;
  metric: string;
  n: number;
  meanDiff: number;
  ci95: [number, number];
  pHolm: number;
  better: 'higher' | 'lower';
}
type ComparisonMetric = string;

export type Verdict = 'supported' | 'refuted' | 'not distinguishable';

export interface ClaimVerdict {
  /** The annealed variant the claim is about (qahan@sqa is the paper's method; the rest are ablations). */
  variant: string;
  claim: 'convergence' | 'convergence (seconds)' | 'smoothness' | 'noise robustness';
  metrics: ComparisonMetric[];
  /** The baseline variants, e.g. ['reinforce', 'gumbel'] or the matched-count ['reinforce-k23', 'gumbel-k23']. */
  baselines: string[];
  verdict: Verdict;
  /** One line per baseline and metric: the comparison it rests on. */
  evidence: { b: string; metric: ComparisonMetric; meanDiff: number; ci95: [number, number]; pHolm: number; n: number }[];
}

/** Which metrics each claim is judged on (section 7). */
export const CLAIMS: { claim: ClaimVerdict['claim']; metrics: ComparisonMetric[] }[] = [
  { claim: 'convergence', metrics: ['aucSteps'] },
  { claim: 'convergence (seconds)', metrics: ['aucSeconds'] },
  { claim: 'smoothness', metrics: ['smoothness'] },
  { claim: 'noise robustness', metrics: ['noiseAuc.gaussian', 'noiseAuc.saltPepper'] },
];

const BASELINE_METHODS = ['reinforce', 'gumbel'] as const;
const ALPHA = 0.05;

/**
 * Verdicts for every annealed variant (a of the comparisons) against each set of baselines present: the plain
 * ones (variant = method) and any knob variant both baselines share (e.g. `-k23`, the matched count).
 * `methodOf` maps a variant to its method name.
 */
export function claimVerdicts(comparisons: readonly PairedComparison[], methodOf: (variant: string) => string | undefined): ClaimVerdict[] {
  // The paper's method first (QAHAN on SQA), then the ablations by name.
  const first = (v: string) => (v === 'qahan@sqa' ? 0 : 1);
  const annealed = [...new Set(comparisons.map((c) => c.a))].sort((x, y) => first(x) - first(y) || x.localeCompare(y));
  const others = [...new Set(comparisons.map((c) => c.b))];
  // Baseline sets by variant suffix: '' for `gumbel`, '-k23' for `gumbel-k23`; only sets that hold both methods.
  const sets = new Map<string, string[]>();
  for (const v of others) {
    const m = methodOf(v);
    if (!m || !(BASELINE_METHODS as readonly string[]).includes(m) || !v.startsWith(m)) continue;
    const suffix = v.slice(m.length);
    sets.set(suffix, [...(sets.get(suffix) ?? []), v]);
  }
  const out: ClaimVerdict[] = [];
  for (const variant of annealed) {
    for (const [, baselines] of [...sets].sort(([a], [b]) => a.localeCompare(b))) {
      if (baselines.length !== BASELINE_METHODS.length) continue;
      baselines.sort((x, y) => BASELINE_METHODS.indexOf(methodOf(x) as never) - BASELINE_METHODS.indexOf(methodOf(y) as never));
      for (const { claim, metrics } of CLAIMS) {
        const evidence: ClaimVerdict['evidence'] = [];
        let missing = false;
        let wins = 0;
        let losses = 0;
        for (const b of baselines) {
          for (const metric of metrics) {
            const c = comparisons.find((x) => x.a === variant && x.b === b && x.metric === metric);
            if (!c) {
              missing = true;
              continue;
            }
            evidence.push({ b, metric, meanDiff: c.meanDiff, ci95: c.ci95, pHolm: c.pHolm, n: c.n });
            const favoursA = c.better === 'higher' ? c.meanDiff > 0 : c.meanDiff < 0;
            if (c.pHolm < ALPHA) favoursA ? wins++ : losses++;
          }
        }
        if (missing) continue;
        const verdict: Verdict = losses > 0 ? 'refuted' : wins === baselines.length * metrics.length ? 'supported' : 'not distinguishable';
        out.push({ variant, claim, metrics, baselines, verdict, evidence });
      }
    }
  }
  return out;
}
