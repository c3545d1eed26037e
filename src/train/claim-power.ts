/**
 * Power on the claims' own metrics: for each comparison a claim's verdict rests on (claim-verdicts), how many
 * seeds a paired t test needs to detect the observed difference with 80% power at Holm's first-step level
 * (0.05 / m, m the comparisons of that variant on that metric), with this setting's runs as the pilot. The
 * final-accuracy power table cannot say this: the claims are judged on areas, smoothness and noise, whose
 * spreads differ. Protocol section 7 adds seeds where a difference that matters needs more than were run.
 */
import type { ClaimVerdict } from './claim-verdicts';
import { shortNumber as g } from './number-text';
import { minimumDetectableDifference, seedsToDetect } from './statistics';

/** The parts of a seed-paired comparison this needs (experiment-report's Comparison has them). */
export interface PowerComparison {
  a: string;
  b: string;
  metric: string;
  n: number;
  meanDiff: number;
  sdDiff: number;
}

export interface ClaimPower {
  variant: string;
  claim: ClaimVerdict['claim'];
  b: string;
  metric: string;
  /** Seeds the comparison has now. */
  n: number;
  meanDiff: number;
  sdDiff: number;
  /** Smallest difference detectable with 80% power at the current n. */
  detectableNow: number;
  /** Seeds needed to detect meanDiff (if it were the true difference) with 80% power; null beyond 200. */
  seedsForObserved: number | null;
}

const ALPHA = 0.05;
const POWER = 0.8;

export function claimPower(claims: readonly ClaimVerdict[], comparisons: readonly PowerComparison[]): ClaimPower[] {
  const familySize = (a: string, metric: string) => Math.max(1, comparisons.filter((c) => c.a === a && c.metric === metric).length);
  const out: ClaimPower[] = [];
  for (const v of claims) {
    for (const e of v.evidence) {
      const c = comparisons.find((x) => x.a === v.variant && x.b === e.b && x.metric === e.metric);
      if (!c) continue;
      const alpha = ALPHA / familySize(c.a, c.metric);
      out.push({
        variant: v.variant,
        claim: v.claim,
        b: c.b,
        metric: c.metric,
        n: c.n,
        meanDiff: c.meanDiff,
        sdDiff: c.sdDiff,
        detectableNow: minimumDetectableDifference(c.sdDiff, c.n, alpha, POWER),
        seedsForObserved: seedsToDetect(c.meanDiff, c.sdDiff, alpha, POWER) ?? null,
      });
    }
  }
  return out;
}

/** The report's section for one variant (the paper's method by default): one row per claim metric and baseline. */
export function claimPowerMarkdown(rows: readonly ClaimPower[], variant = 'qahan@sqa'): string[] {
  const mine = rows.filter((r) => r.variant === variant);
  if (!mine.length) return [];
  const L = [
    `## Power on the claims' metrics (${variant})`,
    '',
    "For each comparison a claim's verdict rests on: the difference a paired t test detects with 80% power at Holm's first-step level (0.05 / m) with the seeds run, and the seeds it would need to detect the observed difference were it the true one (these runs as the pilot; '> 200' when even 200 would not).",
    '',
    '| claim | against | metric | seeds | observed difference | sd of differences | detectable now | seeds for the observed |',
    '|---|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of mine) {
    L.push(`| ${r.claim} | ${r.b} | ${r.metric} | ${r.n} | ${g(r.meanDiff)} | ${g(r.sdDiff)} | ${g(r.detectableNow)} | ${r.seedsForObserved ?? '> 200'} |`);
  }
  L.push('');
  return L;
}
