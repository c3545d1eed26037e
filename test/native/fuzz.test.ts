import { addon } from '../../src/native/addon';
import { rng } from './helpers';

const native = addon();

type Obj = Record<string, unknown>;

/** Malformed inputs never crash the process: each call throws a TypeError/RangeError or works. */
describe('fuzz', () => {
  const r = rng(31337);
  const int = (m: number) => Math.floor(r() * m);
  const pick = <T>(xs: T[]): T => xs[int(xs.length)];

  function junk(): unknown {
    const len = pick([0, 1, 2, 3, 5, 9, 16, 100]);
    const gens: Array<() => unknown> = [
      () => undefined,
      () => null,
      () => pick([true, false]),
      () => pick([0, -0, -1, 1, 2, 1.5, -3.7, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32 + 1, 2 ** 53, 1e308, -1e308, 31, 30]),
      () => pick(['', 'SPIN', 'BINARY', 'spin', 'geometric', 'linear', 'random', 'lowest', 'x'.repeat(1000)]),
      () => [],
      () => [1, 2],
      () => [NaN, 1],
      () => [0.1, 'a'],
      () => ({}),
      () => ({ numVariables: 2 }),
      () => () => 1,
      () => Symbol('s'),
      () => BigInt(7),
      () => new Float64Array(len).map(() => pick([0, 1, -2.5, NaN, Infinity, 1e300])),
      () => new Float32Array(len).map(() => pick([0, 1, NaN, -Infinity])),
      () => new Int8Array(len).map(() => pick([-1, 0, 1, 2, 127, -128])),
      () => new Uint32Array(len).map(() => pick([0, 1, 2, 5, 2 ** 32 - 1])),
      () => new Int32Array(len),
      () => new Uint8Array(len),
      () => new ArrayBuffer(8),
      () => new native.CancelToken(),
    ];
    return pick(gens)();
  }

  function validModel(): Obj {
    const n = int(6);
    const vartype = pick(['SPIN', 'BINARY']);
    const m: Obj = { numVariables: n, vartype, linear: new Float64Array(n).map(() => r() - 0.5), offset: r() };
    if (n >= 2 && r() < 0.5) {
      m.quadRow = Uint32Array.from([0, 1]);
      m.quadCol = Uint32Array.from([1, 0]);
      m.quadBias = Float64Array.from([0.5, -1]);
    } else if (r() < 0.5) {
      m.dense = new Float64Array(n * n).map(() => r() - 0.5);
    }
    return m;
  }

  function mutate(o: Obj, keys: string[]): void {
    const k = pick(keys);
    const roll = r();
    if (roll < 0.15) delete o[k];
    else if (roll < 0.3 && typeof o[k] === 'number') o[k] = (o[k] as number) + pick([-1, 1, 0.5, -100, 1e9]);
    else if (roll < 0.45 && ArrayBuffer.isView(o[k]) && (o[k] as Float64Array).length > 0) {
      const a = (o[k] as Float64Array).slice();
      a[int(a.length)] = pick([NaN, Infinity, -1, 7, 2 ** 31, 3]);
      o[k] = a;
    } else o[k] = junk();
  }

  const modelKeys = ['numVariables', 'vartype', 'linear', 'offset', 'quadRow', 'quadCol', 'quadBias', 'dense'];
  const common = ['numReads', 'seed', 'threads', 'initialStates', 'cancelToken', 'onProgress'];
  const saKeys = [...common, 'numSweeps', 'betaRange', 'betaScheduleType', 'betaSchedule'];
  const sqaKeys = [...common, 'numSweeps', 'beta', 'trotterSlices', 'gammaRange', 'gammaScheduleType', 'gammaSchedule',
    'sSchedule', 'globalMoves', 'returnSlice'];

  async function settle(p: Promise<unknown>, token?: unknown): Promise<void> {
    // Objects from the addon live in another realm than jest's sandbox: no instanceof checks here.
    // Cancel at once, or a little later (small jobs finish first; runaway valid ones, e.g. 1e9 sweeps, stop).
    let late: NodeJS.Timeout | undefined;
    if (token && typeof (token as { cancel?: unknown }).cancel === 'function') {
      if (r() < 0.5) (token as { cancel(): void }).cancel();
      else late = setTimeout(() => (token as { cancel(): void }).cancel(), 20);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((_, rej) => (timer = setTimeout(() => rej(new Error('job did not settle')), 20000)));
    try {
      await Promise.race([p, timeout]);
    } catch (e) {
      expect((e as { code?: string }).code).toBe('ERR_QAHAN_CANCELLED');
    } finally {
      clearTimeout(timer);
      clearTimeout(late);
    }
  }

  function initialFor(models: Obj[], reads: number): Int8Array {
    const parts: number[] = [];
    for (const m of models)
      for (let k = 0; k < reads * (m.numVariables as number); k++) parts.push(m.vartype === 'SPIN' ? pick([-1, 1]) : pick([0, 1]));
    return Int8Array.from(parts);
  }

  test('thousands of malformed calls', async () => {
    const outcomes: Record<string, number> = {};
    for (let it = 0; it < 6000; it++) {
      const which = int(7);
      const models = Array.from({ length: 1 + int(2) }, validModel);
      const mutations = 1 + int(3);
      for (let t = 0; t < mutations; t++) {
        const target = int(3);
        if (target === 0) mutate(pick(models), modelKeys);
      }
      const token = new native.CancelToken();
      const base: Obj = { numReads: 1 + int(3), seed: int(100), threads: int(3), cancelToken: token, numSweeps: 1 + int(20) };
      if (r() < 0.3 && models.every((m) => typeof m.numVariables === 'number' && m.numVariables >= 0 && m.numVariables < 10))
        base.initialStates = initialFor(models, base.numReads as number);
      if (r() < 0.2) base.onProgress = () => undefined;
      let call: () => unknown;
      let params: Obj;
      switch (which) {
        case 0:
          params = { ...base };
          for (let t = 0; t < mutations; t++) if (r() < 0.6) mutate(params, saKeys);
          call = () => native.simulatedAnnealing(r() < 0.05 ? (junk() as never) : (models as never), params as never);
          break;
        case 1:
          params = { ...base, beta: 1 + r(), trotterSlices: 1 + int(4), gammaRange: [1, 0.1] };
          for (let t = 0; t < mutations; t++) if (r() < 0.6) mutate(params, sqaKeys);
          call = () => native.pathIntegralAnnealing(models as never, params as never);
          break;
        case 2:
          params = { threads: int(3), cancelToken: token, maxStates: pick([undefined, 1, 3, 0, -1, 2 ** 60, NaN]) };
          if (r() < 0.3) mutate(params, ['threads', 'cancelToken', 'maxStates']);
          call = () => native.exactSolve(models[0] as never, params as never);
          break;
        case 3: {
          const m = models[0];
          // A mutated numVariables may be huge: keep the test's own arrays small.
          const n = typeof m.numVariables === 'number' && m.numVariables >= 0 && m.numVariables <= 16 ? m.numVariables : 3;
          const count = int(3);
          let samples: unknown = new Int8Array(Math.max(0, count * n)).map(() => (m.vartype === 'SPIN' ? -1 : 1));
          let cnt: unknown = count;
          if (r() < 0.5) samples = junk();
          if (r() < 0.3) cnt = junk();
          call = () => native.energies(m as never, samples as never, cnt as never);
          break;
        }
        case 4: {
          const B = 1 + int(2);
          const N = 1 + int(4);
          const input: Obj = { batch: B, positions: N, scores: new Float64Array(B * N), lambda: 1, gamma: 1, k: 1 };
          if (r() < 0.5) input.similarity = new Float32Array(B * N * N);
          else {
            input.features = new Float64Array(B * N * 2);
            input.channels = 2;
          }
          for (let t = 0; t < mutations; t++)
            mutate(input, ['batch', 'positions', 'scores', 'similarity', 'features', 'channels', 'lambda', 'gamma', 'k']);
          call = () => native.buildAttentionQubos(input as never);
          params = input;
          break;
        }
        case 5:
          call = () => native.defaultBetaRange(models[0] as never);
          break;
        default: {
          const fns = [native.simulatedAnnealing, native.pathIntegralAnnealing, native.exactSolve, native.energies,
            native.buildAttentionQubos, native.defaultBetaRange] as Array<(...a: unknown[]) => unknown>;
          const f = pick(fns);
          const args = Array.from({ length: int(4) }, junk);
          call = () => f(...args);
        }
      }
      let result: unknown;
      try {
        result = call();
      } catch (e) {
        const name = (e as Error).name;
        if (name !== 'TypeError' && name !== 'RangeError') throw e;
        expect((e as Error).message.length).toBeGreaterThan(5);
        outcomes[name] = (outcomes[name] ?? 0) + 1;
        continue;
      }
      outcomes.ok = (outcomes.ok ?? 0) + 1;
      if (result && typeof (result as Promise<unknown>).then === 'function')
        await settle(result as Promise<unknown>, (params! as Obj | undefined)?.cancelToken);
    }
    // The fuzzer exercised both paths.
    expect(outcomes.ok).toBeGreaterThan(100);
    expect((outcomes.TypeError ?? 0) + (outcomes.RangeError ?? 0)).toBeGreaterThan(2000);
  });

  test('argument names appear in messages', () => {
    const m = { numVariables: 4, vartype: 'SPIN', linear: Float64Array.from([0, 0, 0, NaN]), offset: 0 };
    expect(() => native.defaultBetaRange(m as never)).toThrow('model.linear[3] must be finite');
    const m2 = { ...m, linear: new Float64Array(4), quadRow: Uint32Array.from([1]), quadCol: Uint32Array.from([1]), quadBias: Float64Array.from([1]) };
    expect(() => native.defaultBetaRange(m2 as never)).toThrow(/i == j/);
    const m3 = { ...m2, quadCol: Uint32Array.from([4]) };
    expect(() => native.defaultBetaRange(m3 as never)).toThrow(/model.quadCol\[0\] is out of range/);
    const m4 = { ...m, linear: new Float64Array(4) };
    const p = { numReads: 1, seed: 0, threads: 1, numSweeps: 1 };
    expect(() => native.simulatedAnnealing([m4 as never], { ...p, numReads: 0 })).toThrow(/params.numReads/);
    expect(() => native.simulatedAnnealing([m4 as never], { ...p, numSweeps: 2.5 })).toThrow(/params.numSweeps must be an integer/);
    expect(() => native.simulatedAnnealing([m4 as never], { ...p, betaRange: [0, 1] })).toThrow(/params.betaRange\[0\] must be > 0/);
    expect(() => native.simulatedAnnealing([m4 as never], { ...p, initialStates: Int8Array.from([1, 1, 0, 1]) })).toThrow(
      /params.initialStates\[2\]/,
    );
    expect(() =>
      native.pathIntegralAnnealing([m4 as never], { ...p, beta: 1, trotterSlices: 0, gammaRange: [1, 0] }),
    ).toThrow(/params.trotterSlices/);
    expect(() =>
      native.pathIntegralAnnealing([m4 as never], { ...p, beta: -1, trotterSlices: 2, gammaRange: [1, 0] }),
    ).toThrow(/params.beta must be > 0/);
    const huge = { numVariables: 20000, vartype: 'SPIN', linear: new Float64Array(20000), offset: 0, dense: new Float64Array(8) };
    expect(() => native.defaultBetaRange(huge as never)).toThrow(/too large/);
    expect(() => native.simulatedAnnealing([m4 as never], { ...p, cancelToken: { cancel() {}, cancelled: false } })).toThrow(
      /params.cancelToken/,
    );
  });
});
