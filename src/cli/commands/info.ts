import { Command, flagSpec, OptionSpecs, parseCommandArgs, stringSpec, UsageError } from '../command';

const OPTIONS = {
  json: flagSpec('print one JSON object'),
  backend: stringSpec('tensorflow|wasm|cpu', 'TensorFlow.js backend to try', 'QAHAN_TFJS_BACKEND, else the fastest that loads'),
} as const satisfies OptionSpecs;

export const command: Command = {
  name: 'info',
  options: OPTIONS,
  summary: 'Versions, the tfjs backend, native threads, the configured sampler and the QUBO builder',
  usage: 'qahan info [--json] [--backend tensorflow|wasm|cpu]',
  async run(argv) {
    const { values: v, positionals } = parseCommandArgs(argv, OPTIONS, false);
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const out: Record<string, unknown> = { qahan: require('../../../package.json').version, node: process.versions.node, napi: process.versions.napi };
    try {
      const tf = await import('@tensorflow/tfjs');
      out.tfjs = tf.version.tfjs;
      const { initBackend } = await import('../../train/backend');
      const b = await initBackend(v.backend as 'tensorflow' | 'wasm' | 'cpu' | undefined);
      out.tfjsBackend = b.backend;
      if (b.reason) out.tfjsBackendNote = b.reason;
    } catch (err) {
      out.tfjsBackend = null;
      out.tfjsBackendError = (err as Error).message;
    }
    try {
      const { addon } = await import('../../native/addon');
      const info = addon().info();
      out.threads = info.threads;
      out.native = info.version ?? null;
    } catch (err) {
      out.threads = null;
      out.nativeError = (err as Error).message;
    }
    try {
      const { resolveSamplerConfig } = await import('../../config/qahan-config');
      const s = resolveSamplerConfig();
      out.sampler = s.sampler;
      out.samplerParams = s.params;
      if (s.sources.length) out.samplerSources = s.sources;
    } catch (err) {
      out.sampler = null;
      out.samplerError = (err as Error).message;
    }
    try {
      const { quboBuilderName } = await import('../../attention/qubo');
      out.quboBuilder = quboBuilderName();
    } catch {
      out.quboBuilder = null;
    }
    if (v.json) {
      console.log(JSON.stringify(out));
    } else {
      for (const [k, val] of Object.entries(out)) console.log(`${k.padEnd(16)} ${typeof val === 'object' ? JSON.stringify(val) : String(val)}`);
    }
    return 0;
  },
};
