import * as tf from '@tensorflow/tfjs';
import type { BinaryQuadraticModel } from '../../src/model/bqm';
import { NetworkSpec } from '../../src/attention/backbone';
import { attentionMethod, HARD_METHODS, METHOD_NAMES, MethodName, parseMethod } from '../../src/attention/methods';
import { annealMasks, samplerParams } from '../../src/attention/methods/qahan';
import { AttentionNetwork } from '../../src/attention/network';
import { resolveAttentionOptions } from '../../src/attention/settings';
import { Rng } from '../../src/attention/rng';
import { SampleSet } from '../../src/samplers/sample-set';
import type { SampleParams, Sampler } from '../../src/samplers/sampler';
import { SimulatedAnnealingSampler } from '../../src/samplers/simulated-annealing';

/**
 * An easy task for every method: 8 x 8 single-channel images of stripes, horizontal (class 0) or vertical
 * (class 1), with a random phase and pixel noise. One conv(4,3)-pool gives N = 16 positions, k = 4; every
 * position shows the orientation, so the test checks the training mechanics of each method, not its
 * search for the right positions (toy.test.ts does that for REINFORCE and Gumbel).
 */
const SPEC: NetworkSpec = { inputShape: [8, 8, 1], numClasses: 2, convs: [{ filters: 4, kernel: 3 }], hidden: 0 };
const K = 4;

function stripes(B: number, rng: Rng): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = new Float32Array(B * 64);
  const y = new Float32Array(B * 2);
  for (let b = 0; b < B; b++) {
    const vertical = rng.next() < 0.5;
    const phase = rng.next() < 0.5 ? 0 : 1;
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) x[b * 64 + r * 8 + c] = ((vertical ? c : r) + phase) % 2 + 0.3 * rng.next();
    y[b * 2 + (vertical ? 1 : 0)] = 1;
  }
  return { x: tf.tensor4d(x, [B, 8, 8, 1]), y: tf.tensor2d(y, [B, 2]) };
}

/** Records the parameters of every call and returns the first k positions of each model. */
class RecordingSampler implements Sampler {
  readonly name = 'recording';
  readonly calls: Record<string, unknown>[] = [];
  constructor(readonly parameters: readonly string[], private readonly k: number) {}
  async sample(bqm: BinaryQuadraticModel, params?: SampleParams): Promise<SampleSet> {
    return (await this.sampleBatch([bqm], params))[0];
  }
  async sampleBatch(bqms: readonly BinaryQuadraticModel[], params: SampleParams = {}): Promise<SampleSet[]> {
    this.calls.push({ ...params });
    return bqms.map((bqm) => {
      const n = bqm.numVariables;
      const samples = new Int8Array(n);
      for (let i = 0; i < this.k; i++) samples[i] = 1;
      return new SampleSet({ vartype: 'BINARY', numVariables: n, samples, energies: [0] });
    });
  }
}

function network(method: MethodName, sampler?: Sampler): AttentionNetwork {
  return new AttentionNetwork(SPEC, { method, seed: 2, sampler, attention: { k: K, numSweeps: 64, numReads: 2 } });
}

function keptCounts(mask: Float32Array, N: number): number[] {
  return Array.from({ length: mask.length / N }, (_, b) => mask.subarray(b * N, (b + 1) * N).reduce((u, v) => u + v, 0));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('registry', () => {
  test('every method has a module under its own name; lists derive from the registry', () => {
    expect([...METHOD_NAMES]).toEqual(['qahan', 'reinforce', 'gumbel', 'soft', 'none', 'topk', 'qubo-ls', 'qahan-energy', 'qahan-free']);
    for (const m of METHOD_NAMES) expect(attentionMethod(m).name).toBe(m);
    expect([...HARD_METHODS]).toEqual(['qahan', 'reinforce', 'gumbel', 'topk', 'qubo-ls', 'qahan-energy']);
    expect(METHOD_NAMES.filter((m) => attentionMethod(m).usesSampler)).toEqual(['qahan', 'qahan-energy', 'qahan-free']);
    expect(METHOD_NAMES.filter((m) => attentionMethod(m).usesQubo)).toEqual(['qahan', 'qubo-ls', 'qahan-energy', 'qahan-free']);
    expect(parseMethod('qubo-ls')).toBe('qubo-ls');
    expect(() => parseMethod('toString')).toThrow(RangeError);
    expect(() => parseMethod('topK')).toThrow(/one of qahan, reinforce, gumbel, soft, none, topk, qubo-ls, qahan-energy, qahan-free/);
  });

  test('a method that uses a sampler refuses to run without one', () => {
    expect(() => network('qahan')).toThrow(/needs a sampler/);
  });
});

describe('every method learns an easy task', () => {
  for (const method of METHOD_NAMES) {
    test(method, async () => {
      const sampler = attentionMethod(method).usesSampler ? new SimulatedAnnealingSampler({ threads: 1 }) : undefined;
      const net = network(method, sampler);
      const opt = tf.train.adam(0.03);
      const rng = new Rng(7);
      const losses: number[] = [];
      for (let step = 0; step < 40; step++) {
        const { x, y } = stripes(16, rng);
        losses.push((await net.trainStep(x, y, opt)).loss);
        x.dispose();
        y.dispose();
      }
      const { x, y } = stripes(128, new Rng(99));
      const { lossSum, correct } = await net.evaluateBatch(x, y);
      const first = losses.slice(0, 5).reduce((u, v) => u + v, 0) / 5;
      const last = losses.slice(-5).reduce((u, v) => u + v, 0) / 5;
      expect(last).toBeLessThan(first);
      expect(correct / 128).toBeGreaterThan(0.75);
      expect(Number.isFinite(lossSum)).toBe(true);
      if (attentionMethod(method).usesQubo) expect(net.lastTimings.buildMs + net.lastTimings.annealMs).toBeGreaterThan(0);
      [x, y].forEach((t) => t.dispose());
      net.dispose();
      opt.dispose();
    });
  }
});

describe('ablations', () => {
  test('topk and qubo-ls keep exactly k positions, in training and at test time', async () => {
    for (const method of ['topk', 'qubo-ls'] as const) {
      const net = network(method);
      const { x, y } = stripes(12, new Rng(3));
      const prepared = await attentionMethod(method).prepare?.({ net, sampler: undefined, step: 0, state: {} }, x);
      if (prepared) expect(keptCounts(prepared.mask, net.positions)).toEqual(new Array(12).fill(K));
      await net.trainStep(x, y, tf.train.sgd(0.01));
      const { logits, mask } = await net.predict(x);
      expect(keptCounts(mask!, net.positions)).toEqual(new Array(12).fill(K));
      [x, y, logits].forEach((t) => t.dispose());
      net.dispose();
    }
  });

  test("topk's mask is the top-k of the scores; qubo-ls keeps k under QUBO noise", async () => {
    const top = network('topk');
    const ls = network('qubo-ls');
    const { x } = stripes(8, new Rng(4));
    const { scores } = await top.scoresAndFeatures(x);
    const p = await top.predict(x);
    for (let b = 0; b < 8; b++) {
      const row = Array.from(scores.subarray(b * 16, (b + 1) * 16));
      const threshold = [...row].sort((u, v) => v - u)[K - 1];
      row.forEach((s, i) => expect(p.mask![b * 16 + i]).toBe(s >= threshold ? 1 : 0));
    }
    const q = await ls.predict(x, { quboNoise: 0.05 });
    expect(keptCounts(q.mask!, 16)).toEqual(new Array(8).fill(K));
    [x, p.logits, q.logits].forEach((t) => t.dispose());
    top.dispose();
    ls.dispose();
  });
});

describe('qahan asks the sampler only what it accepts', () => {
  test('cardinality, sweeps and slices only when listed; never a schedule range', async () => {
    const o = resolveAttentionOptions(16, { k: K, numSweeps: 50, trotterSlices: 6, numReads: 3 });
    const swapper = new RecordingSampler(['numSweeps', 'cardinality', 'betaRange', 'beta', 'gammaRange'], K);
    const qpu = new RecordingSampler([], K);
    const slices = new RecordingSampler(['numSweeps', 'trotterSlices', 'gammaScheduleType'], K);
    expect(samplerParams(swapper, o, 9)).toEqual({ numReads: 3, seed: 9, numSweeps: 50, cardinality: K });
    expect(samplerParams(qpu, o, 9)).toEqual({ numReads: 3, seed: 9 });
    expect(samplerParams(slices, o, 9)).toEqual({ numReads: 3, seed: 9, numSweeps: 50, trotterSlices: 6 });
    // An explicit schedule shape goes to samplers that take one.
    expect(samplerParams(slices, resolveAttentionOptions(16, { schedule: 'linear' }), 1).gammaScheduleType).toBe('linear');

    // The same through training and prediction.
    for (const s of [swapper, qpu]) {
      const net = network('qahan', s);
      const { x, y } = stripes(4, new Rng(1));
      await net.trainStep(x, y, tf.train.sgd(0.01));
      const { logits, mask } = await net.predict(x);
      expect(keptCounts(mask!, 16)).toEqual([K, K, K, K]);
      expect(s.calls).toHaveLength(2);
      for (const c of s.calls) {
        expect('cardinality' in c).toBe(s === swapper);
        for (const banned of ['betaRange', 'beta', 'gammaRange']) expect(c).not.toHaveProperty(banned);
      }
      // Training and test time draw different reads.
      expect(s.calls[0].seed).not.toBe(s.calls[1].seed);
      [x, y, logits].forEach((t) => t.dispose());
      net.dispose();
    }
  });

  test('annealMasks reports the QUBOs it solved and the energies of the masks', async () => {
    const s = new RecordingSampler(['cardinality'], K);
    const net = network('qahan', s);
    const { x } = stripes(3, new Rng(5));
    const host = await net.scoresAndFeatures(x);
    const r = await annealMasks(net, s, host, 3, { seed: 4 });
    expect(r.qubos!.batch).toBe(3);
    expect(r.gammas!.every((g) => g > 0)).toBe(true);
    expect(keptCounts(r.mask, 16)).toEqual([K, K, K]);
    x.dispose();
    net.dispose();
  });
});
