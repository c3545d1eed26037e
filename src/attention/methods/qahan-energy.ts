/**
 * qahan-energy: the same QUBO and annealed mask as qahan, but the pooled feature is weighted by each kept
 * position's energy contribution, recomputed inside the gradient tape:
 *
 *   u_i = m_i (a_i - lambda sum_{j != i} S_ij m_j),   S_ij = cos(F_i, F_j),   p = sum_i u_i F_i / k
 *
 * u_i is minus the QUBO's local field at the mask (E(m - e_i) - E(m) without the cardinality term): what
 * dropping i would cost. The mask is held fixed, which is exact for the gradient of the energy at the
 * optimum (Danskin / envelope: away from ties z* is locally constant, so dE* / dtheta = dE(z*; theta) / dtheta,
 * i.e. dE* / da_i = -z*_i and dE* / dS_ij = lambda z*_i z*_j), so the backbone now also learns through the
 * redundancy S, which qahan computes on the host. Negative u_i are kept as signed weights: see
 * docs/method.md ("qahan-energy") for why not clamp.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../backbone';
import { annealedSteps, annealMasks } from './qahan';
import { AttentionMethod, Forward } from './method';


/** Unit feature vectors (a zero vector stays zero, so its similarity with everything is 0, as on the host). */
function unitRows(F: tf.Tensor3D): tf.Tensor3D {
  return tf.div(F, tf.sqrt(tf.add(tf.sum(tf.square(F), 2, true), 1e-12))) as tf.Tensor3D;
}

/**
 * u_i = m_i (a_i - lambda sum_{j != i} S_ij m_j) with S the cosine similarity of F, differentiable in F
 * and a. Computed as Fn_i . (sum_j m_j Fn_j) - m_i |Fn_i|^2: O(B N C), no N x N matrix.
 */
export function energyContributions(F: tf.Tensor3D, a: tf.Tensor2D, m: tf.Tensor2D, lambda: number): tf.Tensor2D {
  return tf.tidy(() => {
    const Fn = unitRows(F);
    const kept = tf.matMul(tf.expandDims(m, 1), Fn) as tf.Tensor3D; // [B, 1, C]
    const all = tf.sum(tf.mul(Fn, kept), 2); // sum_j S_ij m_j, j = i included
    const self = tf.mul(m, tf.sum(tf.square(Fn), 2)); // S_ii m_i
    return tf.mul(m, tf.sub(a, tf.mul(lambda, tf.sub(all, self)))) as tf.Tensor2D;
  });
}

/** The same u from an explicit similarity S [B, N, N] (symmetric; the diagonal is ignored): the tests' form. */
export function energyContributionsFromSimilarity(S: tf.Tensor3D, a: tf.Tensor2D, m: tf.Tensor2D, lambda: number): tf.Tensor2D {
  return tf.tidy(() => {
    const N = a.shape[1];
    const offDiagonal = tf.sub(tf.onesLike(S), tf.expandDims(tf.eye(N), 0));
    const r = tf.squeeze(tf.matMul(tf.mul(S, offDiagonal), tf.expandDims(m, 2)), [2]);
    return tf.mul(m, tf.sub(a, tf.mul(lambda, r))) as tf.Tensor2D;
  });
}

/**
 * The QUBO energy of mask m without the cardinality term, -sum_i m_i a_i + lambda sum_{i<j} S_ij m_i m_j,
 * from the contributions: each pair appears in two u's, so E = -(sum_i u_i + sum_i m_i a_i) / 2. [B]
 */
export function maskEnergy(u: tf.Tensor2D, a: tf.Tensor2D, m: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.div(tf.neg(tf.add(tf.sum(u, 1), tf.sum(tf.mul(m, a), 1))), 2) as tf.Tensor1D);
}

/** Logits from a host mask: pooled sum_i u_i F_i / k. */
function energyHead(net: Backbone, fwd: Forward, mask: Float32Array): tf.Tensor2D {
  return tf.tidy(() => {
    const m = tf.tensor2d(mask, [fwd.batch, net.positions]);
    const u = energyContributions(fwd.F, fwd.a, m, net.options.lambda);
    return net.classify(net.pool(fwd.F, u, net.k));
  });
}

export const qahanEnergy: AttentionMethod = {
  name: 'qahan-energy',
  role: 'annealed',
  hard: true,
  usesQubo: true,
  usesSampler: true,
  ...annealedSteps(annealMasks),
  head: ({ net }, fwd, prepared) => ({ logits: energyHead(net, fwd, prepared!.mask) }),
  maskedHead: energyHead,
};
