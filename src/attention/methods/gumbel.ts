/**
 * gumbel (baseline): straight-through Gumbel top-k (Jang et al. 2017; Bengio et al. 2013). Forward: the
 * hard top-k of log a + g, g ~ Gumbel. Backward: the relaxed top-k's gradient (Xie & Ermon 2019), k
 * successive softmaxes at temperature tau = max(tauMin, tau0 exp(-tauDecay step)). Test time keeps the
 * top-k scores.
 */
import * as tf from '@tensorflow/tfjs';
import { logSigmoid } from '../backbone';
import { topKMask } from '../top-k';
import { AttentionMethod, headRng, MethodContext } from './method';
import { topKPredictMask } from './topk';

/** The temperature at the context's step. */
export function gumbelTau({ net, step }: MethodContext): number {
  const o = net.options;
  return Math.max(o.tauMin, o.tau0 * Math.exp(-o.tauDecay * step));
}

export const gumbel: AttentionMethod = {
  name: 'gumbel',
  role: 'baseline',
  hard: true,
  usesQubo: false,
  usesSampler: false,
  head(ctx, { F, s, a, batch: B }) {
    const { net } = ctx;
    const N = net.positions;
    const k = net.k;
    const tau = gumbelTau(ctx);
    const rng = headRng(ctx);
    const g = new Float32Array(B * N);
    for (let i = 0; i < B * N; i++) g[i] = rng.gumbel();
    const alpha0 = tf.add(logSigmoid(s), tf.tensor2d(g, [B, N])) as tf.Tensor2D;
    const hard = topKMask(alpha0.dataSync(), B, N, k);
    let alpha = alpha0;
    let relaxed: tf.Tensor2D = tf.zeros([B, N]);
    for (let t = 0; t < k; t++) {
      const p = tf.softmax(tf.div(alpha, tau)) as tf.Tensor2D;
      relaxed = tf.add(relaxed, p);
      if (t < k - 1) alpha = tf.add(alpha, tf.log(tf.maximum(tf.sub(1, p), 1e-20))) as tf.Tensor2D;
    }
    const rv = relaxed.dataSync();
    const shift = new Float32Array(B * N);
    for (let i = 0; i < B * N; i++) shift[i] = hard[i] - rv[i];
    const straightThrough = tf.add(relaxed, tf.tensor2d(shift, [B, N])) as tf.Tensor2D; // value: hard; gradient: relaxed's
    return { logits: net.headFromMask(F, a, straightThrough) };
  },
  predictMask: topKPredictMask,
};
