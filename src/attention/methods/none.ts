/** none (reference): global average pooling of the feature map; the scorer is unused. */
import type { AttentionMethod } from './method';

export const none: AttentionMethod = {
  name: 'none',
  role: 'reference',
  hard: false,
  usesQubo: false,
  usesSampler: false,
  head: ({ net }, { F }) => ({ logits: net.classify(net.pool(F, undefined, net.positions)) }),
};
