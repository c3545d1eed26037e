import { claimVerdicts, type PairedComparison } from '../../src/train/claim-verdicts';

const methods: Record<string, string> = {
  'qahan@sqa': 'qahan',
  gumbel: 'gumbel',
  reinforce: 'reinforce',
  none: 'none',
  'gumbel-k23': 'gumbel',
  'reinforce-k23': 'reinforce',
  'topk-k23': 'topk',
};
const methodOf = (v: string) => methods[v];
const LOWER = new Set(['smoothness', 'stepsToTarget', 'secondsToTarget']);

/** A comparison of qahan@sqa against b on metric, with the given difference and Holm p. */
function cmp(b: string, metric: string, meanDiff: number, pHolm: number): PairedComparison {
  return { a: 'qahan@sqa', b, metric, n: 10, meanDiff, ci95: [meanDiff - 0.01, meanDiff + 0.01], pHolm, better: LOWER.has(metric) ? 'lower' : 'higher' };
}

const ALL = ['aucSteps', 'aucSeconds', 'smoothness', 'noiseAuc.gaussian', 'noiseAuc.saltPepper'];

function comparisons(over: Record<string, [number, number]>, baselines = ['gumbel', 'reinforce', 'none']): PairedComparison[] {
  return baselines.flatMap((b) => ALL.map((m) => cmp(b, m, ...(over[`${b}|${m}`] ?? [0.001, 0.5]))));
}

describe('claimVerdicts (protocol section 7)', () => {
  it('is supported only when both baselines lose on every metric of the claim at Holm p < 0.05', () => {
    const v = claimVerdicts(
      comparisons({
        'gumbel|aucSteps': [0.02, 0.001],
        'reinforce|aucSteps': [0.05, 0.0001],
        // Smoothness: lower is better, so a negative difference favours qahan.
        'gumbel|smoothness': [-0.2, 0.01],
        'reinforce|smoothness': [-0.3, 0.2],
        // Noise needs both AUCs against both baselines.
        'gumbel|noiseAuc.gaussian': [0.05, 0.001],
        'reinforce|noiseAuc.gaussian': [0.05, 0.001],
        'gumbel|noiseAuc.saltPepper': [0.05, 0.001],
        'reinforce|noiseAuc.saltPepper': [0.05, 0.001],
      }),
      methodOf,
    );
    const by = Object.fromEntries(v.map((c) => [c.claim, c]));
    expect(by.convergence.verdict).toBe('supported');
    expect(by.convergence.baselines).toEqual(['reinforce', 'gumbel']);
    expect(by.convergence.evidence.map((e) => e.b)).toEqual(['reinforce', 'gumbel']);
    expect(by.smoothness.verdict).toBe('not distinguishable');
    expect(by['noise robustness'].verdict).toBe('supported');
    expect(by['convergence (seconds)'].verdict).toBe('not distinguishable');
    // 'none' is no baseline of the claims.
    expect(v.every((c) => !c.baselines.includes('none'))).toBe(true);
  });

  it('is refuted when one baseline wins one metric at Holm p < 0.05, even if the other loses', () => {
    const v = claimVerdicts(
      comparisons({
        'gumbel|aucSeconds': [-0.03, 0.002],
        'reinforce|aucSeconds': [0.04, 0.001],
        'gumbel|smoothness': [0.1, 0.04],
        'reinforce|noiseAuc.saltPepper': [-0.02, 0.03],
        'gumbel|noiseAuc.gaussian': [0.05, 0.001],
      }),
      methodOf,
    );
    const by = Object.fromEntries(v.map((c) => [c.claim, c.verdict]));
    expect(by['convergence (seconds)']).toBe('refuted');
    expect(by.smoothness).toBe('refuted');
    expect(by['noise robustness']).toBe('refuted');
    expect(by.convergence).toBe('not distinguishable');
  });

  it('judges against every pair of baselines present (plain and matched count), and skips incomplete ones', () => {
    const cs = [...comparisons({}, ['gumbel', 'reinforce', 'gumbel-k23', 'reinforce-k23', 'topk-k23'])];
    const v = claimVerdicts(cs, methodOf);
    expect(new Set(v.map((c) => c.baselines.join(',')))).toEqual(new Set(['reinforce,gumbel', 'reinforce-k23,gumbel-k23']));
    expect(v).toHaveLength(8);
    // Without reinforce's comparisons there is no pair to judge against.
    expect(claimVerdicts(comparisons({}, ['gumbel', 'none']), methodOf)).toEqual([]);
    // A claim whose metric is missing for a baseline gets no verdict.
    const partial = comparisons({}).filter((c) => !(c.b === 'gumbel' && c.metric === 'noiseAuc.saltPepper'));
    expect(claimVerdicts(partial, methodOf).map((c) => c.claim)).toEqual(['convergence', 'convergence (seconds)', 'smoothness']);
  });
});

test('the paper\'s method comes first, then the ablations by name', () => {
  const base = comparisons({});
  const as = (a: string) => base.map((c) => ({ ...c, a }));
  const v = claimVerdicts([...as('qahan-free@sqa'), ...as('qahan@sa'), ...base], methodOf);
  expect([...new Set(v.map((c) => c.variant))]).toEqual(['qahan@sqa', 'qahan-free@sqa', 'qahan@sa']);
});
