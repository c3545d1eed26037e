import { claimPower, claimPowerMarkdown } from '../../src/train/claim-power';
import { claimVerdicts, type PairedComparison } from '../../src/train/claim-verdicts';
import { minimumDetectableDifference, seedsToDetect } from '../../src/train/statistics';

const methods: Record<string, string> = { 'qahan@sqa': 'qahan', 'qahan@sa': 'qahan', gumbel: 'gumbel', reinforce: 'reinforce', topk: 'topk' };
const METRICS = ['aucSteps', 'aucSeconds', 'smoothness', 'noiseAuc.gaussian', 'noiseAuc.saltPepper'];

/** qahan@sqa and qahan@sa against three other variants, every claim metric, 5 seeds. */
function comparisons(): (PairedComparison & { sdDiff: number })[] {
  return ['qahan@sqa', 'qahan@sa'].flatMap((a) =>
    ['gumbel', 'reinforce', 'topk'].flatMap((b) =>
      METRICS.map((metric, i) => ({ a, b, metric, n: 5, meanDiff: 0.01 * (i + 1), sdDiff: 0.02, ci95: [0, 0.1] as [number, number], pHolm: 0.5, better: metric === 'smoothness' ? ('lower' as const) : ('higher' as const) })),
    ),
  );
}

describe('claimPower', () => {
  const cs = comparisons();
  const rows = claimPower(claimVerdicts(cs, (v) => methods[v]), cs);

  it('has one row per comparison a verdict rests on: both baselines, every claim metric, each annealed variant', () => {
    // 2 variants x 2 baselines x 5 metrics; topk is no baseline of the claims.
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.b === 'gumbel' || r.b === 'reinforce')).toBe(true);
    expect(new Set(rows.map((r) => r.variant))).toEqual(new Set(['qahan@sqa', 'qahan@sa']));
  });

  it("tests at Holm's first-step level over the variant's comparisons on the metric (m = 3 here)", () => {
    const r = rows.find((x) => x.variant === 'qahan@sqa' && x.b === 'gumbel' && x.metric === 'noiseAuc.gaussian')!;
    expect(r.meanDiff).toBeCloseTo(0.04, 12);
    expect(r.detectableNow).toBeCloseTo(minimumDetectableDifference(0.02, 5, 0.05 / 3, 0.8), 12);
    expect(r.seedsForObserved).toBe(seedsToDetect(0.04, 0.02, 0.05 / 3, 0.8));
    // A larger difference with the same spread needs fewer seeds; the smallest one here needs the most.
    const seeds = METRICS.map((m) => rows.find((x) => x.variant === 'qahan@sqa' && x.b === 'gumbel' && x.metric === m)!.seedsForObserved!);
    for (let i = 1; i < seeds.length; i++) expect(seeds[i]).toBeLessThanOrEqual(seeds[i - 1]);
    expect(seeds[0]).toBeGreaterThan(seeds[4]);
  });

  it('writes the paper method rows as a table, and nothing for a variant that is absent', () => {
    const md = claimPowerMarkdown(rows).join('\n');
    expect(md).toContain("## Power on the claims' metrics (qahan@sqa)");
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| claim')).length).toBe(10);
    expect(claimPowerMarkdown(rows, 'qahan-free@sqa')).toEqual([]);
  });
});
