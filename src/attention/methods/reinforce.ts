/**
 * reinforce (baseline; Mnih et al. 2014, Xu et al. 2015): k positions sampled without replacement with
 * probabilities proportional to a (Gumbel-top-k, a Plackett-Luce ordered sample); reward = -cross-entropy
 * per image; loss = CE + mean((CE - b) log p(order)) - beta mean H(first pick) with b a moving average of
 * the batch-mean CE and beta the entropy bonus (default 0), H the entropy of the first pick's categorical
 * w / sum w (the sampling distribution itself; the ordered k-sample's entropy has no closed form).
 * The classifier and the scorer also get the ordinary gradient through F * m * a. Test time keeps the
 * top-k scores (the policy's mode).
 */
import * as tf from '@tensorflow/tfjs';
import { logSigmoid } from '../backbone';
import { maskFromIndices, topKIndices } from '../top-k';
import { AttentionMethod, headRng } from './method';
import { topKPredictMask } from './topk';

export const reinforce: AttentionMethod = {
  name: 'reinforce',
  role: 'baseline',
  hard: true,
  usesQubo: false,
  usesSampler: false,
  head(ctx, { F, s, a, batch: B }) {
    const { net, state } = ctx;
    const N = net.positions;
    const k = net.k;
    const rng = headRng(ctx);
    // The sample is drawn on the host, so it is a constant of the graph.
    const logw = logSigmoid(s);
    const lw = logw.dataSync();
    const keys = new Float32Array(B * N);
    for (let i = 0; i < B * N; i++) keys[i] = lw[i] + rng.gumbel();
    const order = topKIndices(keys, B, N, k);
    const logits = net.headFromConstantMask(F, a, maskFromIndices(order, B, N, k));
    // log p(order) = sum_t [log w_{i_t} - logsumexp_{j not chosen before t} log w_j]
    const chosen = new Float32Array(B * N);
    const before = new Float32Array(B * N);
    let logProb: tf.Tensor1D = tf.zeros([B]);
    for (let t = 0; t < k; t++) {
      chosen.fill(0);
      for (let b = 0; b < B; b++) chosen[b * N + order[b * k + t]] = 1;
      const pick = tf.sum(tf.mul(logw, tf.tensor2d(chosen, [B, N])), 1);
      const norm = tf.logSumExp(tf.add(logw, tf.tensor2d(before.map((v) => v * -1e9), [B, N])), 1);
      logProb = tf.add(logProb, tf.sub(pick, norm));
      for (let b = 0; b < B; b++) before[b * N + order[b * k + t]] = 1;
    }
    const surrogate = (ce: Float32Array) => {
      // Reward -ce per image against the baseline: minimise mean((ce - b) log p).
      const b0 = state.baseline ?? ce.reduce((u, v) => u + v, 0) / B;
      const advantage = tf.tensor1d(Array.from(ce, (v) => v - b0));
      const policy = tf.mean(tf.mul(advantage, logProb)) as tf.Scalar;
      const beta = net.options.entropyBonus;
      if (!beta) return policy;
      const logp = tf.sub(logw, tf.logSumExp(logw, 1, true));
      const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1));
      return tf.sub(policy, tf.mul(beta, tf.mean(entropy))) as tf.Scalar;
    };
    return { logits, surrogate };
  },
  afterStep({ net, state }, { loss }) {
    const m = net.options.baselineMomentum;
    state.baseline = state.baseline === undefined ? loss : m * state.baseline + (1 - m) * loss;
  },
  predictMask: topKPredictMask,
};
