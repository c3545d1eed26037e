import { tuningChoices, tuningMarkdown, type VariantConfig } from '../../src/train/tuning-choice';

const score = (mean: number, seeds = 2) => ({ finalValidation: { mean }, seeds: Array.from({ length: seeds }, (_, i) => 100 + i) });

test('highest mean validation wins per family; ties go to the smaller learning rate; knobs are the differing options', () => {
  const methods = {
    'qahan@sqa-lambda0.04545-lr0.001': score(0.97),
    'qahan@sqa-lambda0.13636-lr0.001': score(0.975),
    'qahan@sqa-lambda0.04545-lr0.003': score(0.975),
    'qahan@sa-lambda0.04545-lr0.001': score(0.96),
    'qahan@sa-lambda0.04545-lr0.003': score(NaN),
    'none-lr0.001': score(0.98),
    'soft': score(0.9),
  };
  const cfg = (family: string, lr: number, lambda: number): VariantConfig => ({ family, lr, attention: { lambda, k: 12 } });
  const configs = new Map<string, VariantConfig>([
    ['qahan@sqa-lambda0.04545-lr0.001', cfg('qahan@sqa', 0.001, 0.04545)],
    ['qahan@sqa-lambda0.13636-lr0.001', cfg('qahan@sqa', 0.001, 0.13636)],
    ['qahan@sqa-lambda0.04545-lr0.003', cfg('qahan@sqa', 0.003, 0.04545)],
    ['qahan@sa-lambda0.04545-lr0.001', cfg('qahan@sa', 0.001, 0.04545)],
    ['qahan@sa-lambda0.04545-lr0.003', cfg('qahan@sa', 0.003, 0.04545)],
    ['none-lr0.001', cfg('none', 0.001, 0.04545)],
    ['soft', cfg('soft', 0.003, 0.04545)],
  ]);
  const c = tuningChoices(methods, configs);
  // Families with one configuration (none, soft) are not tuning choices.
  expect(c.map((x) => x.family)).toEqual(['qahan@sa', 'qahan@sqa']);
  const sqa = c[1];
  // 0.975 twice: the smaller learning rate wins.
  expect(sqa.variant).toBe('qahan@sqa-lambda0.13636-lr0.001');
  expect(sqa.lr).toBe(0.001);
  expect(sqa.knobs).toEqual({ lambda: 0.13636 });
  expect(sqa.ranking.map((r) => r.variant)).toEqual(['qahan@sqa-lambda0.13636-lr0.001', 'qahan@sqa-lambda0.04545-lr0.003', 'qahan@sqa-lambda0.04545-lr0.001']);
  // A configuration without a finite validation mean ranks last.
  expect(c[0].variant).toBe('qahan@sa-lambda0.04545-lr0.001');
  expect(c[0].knobs).toEqual({});
  const md = tuningMarkdown(c).join('\n');
  expect(md).toContain('| qahan@sqa | qahan@sqa-lambda0.13636-lr0.001 | 0.001 | lambda = 0.13636 | 97.50 |');
  expect(tuningMarkdown([])).toEqual([]);
});

test('variants that differ in the count k are different methods, not tuning rivals (a final setting with matched-count baselines)', () => {
  const score = (m: number) => ({ finalValidation: { mean: m }, seeds: [0, 1] });
  const methods = { topk: score(0.97), 'topk-k23': score(0.98), 'gumbel-lr0.001': score(0.96), 'gumbel-lr0.003': score(0.95) };
  const configs = new Map<string, VariantConfig>([
    ['topk', { family: 'topk', lr: 0.003, attention: { k: 12 } }],
    ['topk-k23', { family: 'topk', lr: 0.003, attention: { k: 23, lambda: 0.0227 } }],
    ['gumbel-lr0.001', { family: 'gumbel', lr: 0.001, attention: { k: 12 } }],
    ['gumbel-lr0.003', { family: 'gumbel', lr: 0.003, attention: { k: 12 } }],
  ]);
  const c = tuningChoices(methods, configs);
  expect(c.map((x) => [x.family, x.variant])).toEqual([['gumbel', 'gumbel-lr0.001']]);
});
