/**
 * topk (ablation of QAHAN without the QUBO): the mask keeps the k highest scores. Trained like qahan:
 * the mask is a constant and the scorer learns through the pooled F * m * a.
 */
import type { AttentionMethod, Forward, MethodContext } from './method';
import { topKMask } from '../top-k';

/** The k highest scores of each image: topk's mask, and REINFORCE's and Gumbel's at test time (the policy's mode). */
export async function topKPredictMask(ctx: MethodContext, fwd: Forward): Promise<Float32Array> {
  return topKMask(await fwd.a.data(), fwd.batch, ctx.net.positions, ctx.net.k);
}

export const topk: AttentionMethod = {
  name: 'topk',
  role: 'ablation',
  hard: true,
  usesQubo: false,
  usesSampler: false,
  head({ net }, { F, a, batch }) {
    // Reading a inside the tape is fine: the mask is a constant of the graph.
    return { logits: net.headFromConstantMask(F, a, topKMask(a.dataSync(), batch, net.positions, net.k)) };
  },
  predictMask: topKPredictMask,
};
