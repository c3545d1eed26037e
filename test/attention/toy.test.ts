import * as tf from '@tensorflow/tfjs';
import { AttentionNetwork, NetworkSpec } from '../../src/attention/network';
import { Rng } from '../../src/attention/rng';

/**
 * Toy task with a known best mask: 8 positions, each with a one-hot position code (8 channels) and a
 * signal channel of random sign; the label is the sign at position 3. Keeping k = 1 position, only
 * position 3 lets the classifier be right more than half of the time.
 */
const N = 8;
const C = N + 1;
const SPEC: NetworkSpec = { inputShape: [1, N, C], numClasses: 2, convs: [], hidden: 0 };

function batch(B: number, rng: Rng): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = new Float32Array(B * N * C);
  const y = new Float32Array(B * 2);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      x[(b * N + i) * C + i] = 1;
      x[(b * N + i) * C + N] = rng.next() < 0.5 ? -1 : 1;
    }
    y[b * 2 + (x[(b * N + 3) * C + N] > 0 ? 1 : 0)] = 1;
  }
  return { x: tf.tensor4d(x, [B, 1, N, C]), y: tf.tensor2d(y, [B, 2]) };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

for (const method of ['reinforce', 'gumbel'] as const) {
  test(`${method} learns to keep the informative position`, async () => {
    const net = new AttentionNetwork(SPEC, { method, seed: 11, attention: { k: 1, tauDecay: 0.01 } });
    const opt = tf.train.adam(0.05);
    const rng = new Rng(5);
    for (let step = 0; step < 300; step++) {
      const { x, y } = batch(32, rng);
      await net.trainStep(x, y, opt);
      x.dispose();
      y.dispose();
    }
    const { x, y } = batch(200, new Rng(99));
    const { logits, mask } = await net.predict(x);
    let kept3 = 0;
    for (let b = 0; b < 200; b++) kept3 += mask![b * N + 3];
    const acc = (await tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32')).data())[0];
    expect(kept3 / 200).toBeGreaterThan(0.95);
    expect(acc).toBeGreaterThan(0.95);
    [x, y, logits].forEach((t) => t.dispose());
    net.dispose();
    opt.dispose();
  });
}
