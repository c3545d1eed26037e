/**
 * The protocol's tuning rule (docs/protocol.md, section 3), applied to a report's variants: per method
 * family (method, with its sampler when it uses one), the configuration with the highest mean final
 * validation accuracy wins; ties (within 1e-9) go to the smaller learning rate. Only validation decides.
 */
/** The parts of a report's variant summary the rule reads (experiment-report's VariantSummary has them). */
export interface VariantScore {
  finalValidation: { mean: number };
  seeds: readonly number[];
}

/** What a variant was trained with: its family, learning rate and attention options. */
export interface VariantConfig {
  family: string;
  lr: number;
  attention: Record<string, unknown>;
}

export interface TuningChoice {
  family: string;
  /** The winning variant and its configuration: the learning rate and the knobs the family's variants differ in. */
  variant: string;
  lr: number;
  knobs: Record<string, unknown>;
  finalValidation: number;
  seeds: number;
  /** Every configuration of the family, best first. */
  ranking: { variant: string; finalValidation: number; seeds: number }[];
}

export function tuningChoices(methods: Record<string, VariantScore>, configs: ReadonlyMap<string, VariantConfig>): TuningChoice[] {
  // Grouped by family and attention count k: k is never tuned (section 3), so variants that differ in it (a
  // final setting's matched-count baselines, `topk-k23` beside `topk`) are different methods, not rivals.
  const families = new Map<string, string[]>();
  for (const v of Object.keys(methods)) {
    const c = configs.get(v);
    if (!c) continue;
    const key = `${c.family}\u0000${JSON.stringify(c.attention.k ?? null)}`;
    families.set(key, [...(families.get(key) ?? []), v]);
  }
  const out: TuningChoice[] = [];
  for (const vs of families.values()) {
    if (vs.length < 2) continue;
    const family = configs.get(vs[0])!.family;
    const score = (v: string) => {
      const m = methods[v].finalValidation.mean;
      return Number.isFinite(m) ? m : -Infinity;
    };
    const ranked = [...vs].sort((a, b) => {
      const d = score(b) - score(a);
      return Math.abs(d) > 1e-9 ? d : configs.get(a)!.lr - configs.get(b)!.lr;
    });
    const win = ranked[0];
    const differing = new Set<string>();
    for (const v of vs)
      for (const [k, val] of Object.entries(configs.get(v)!.attention))
        if (vs.some((u) => JSON.stringify(configs.get(u)!.attention[k]) !== JSON.stringify(val))) differing.add(k);
    const winAttention = configs.get(win)!.attention;
    out.push({
      family,
      variant: win,
      lr: configs.get(win)!.lr,
      knobs: Object.fromEntries([...differing].sort().map((k) => [k, winAttention[k]])),
      finalValidation: score(win),
      seeds: methods[win].seeds.length,
      ranking: ranked.map((v) => ({ variant: v, finalValidation: score(v), seeds: methods[v].seeds.length })),
    });
  }
  return out.sort((a, b) => a.family.localeCompare(b.family));
}

/** The report's section, empty when no family has more than one configuration. */
export function tuningMarkdown(choices: readonly TuningChoice[]): string[] {
  if (!choices.length) return [];
  const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(2) : 'n/a');
  const L = [
    '## Tuning choice (validation only)',
    '',
    'Per method, the configuration with the highest mean final validation accuracy (ties: the smaller learning rate), as section 3 of docs/protocol.md says. Seeds per configuration in parentheses; a configuration with fewer seeds than the others is not yet comparable.',
    '',
    '| method | chosen | lr | knobs | mean final val acc % | ranking |',
    '|---|---|---:|---|---:|---|',
  ];
  for (const c of choices) {
    const knobs = Object.entries(c.knobs).map(([k, v]) => `${k} = ${v}`).join(', ') || '-';
    const ranking = c.ranking.map((r) => `${r.variant} ${pct(r.finalValidation)} (${r.seeds})`).join('; ');
    L.push(`| ${c.family} | ${c.variant} | ${c.lr} | ${knobs} | ${pct(c.finalValidation)} | ${ranking} |`);
  }
  L.push('');
  return L;
}
