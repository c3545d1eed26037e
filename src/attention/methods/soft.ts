/** soft (reference): p = sum_i a_i F_i / N, sigmoid gates without a hard choice. */
import type { AttentionMethod } from './method';

export const soft: AttentionMethod = {
  name: 'soft',
  role: 'reference',
  hard: false,
  usesQubo: false,
  usesSampler: false,
  head: ({ net }, { F, a }) => ({ logits: net.classify(net.pool(F, a, net.positions)) }),
};
