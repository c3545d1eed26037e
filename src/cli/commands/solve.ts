import fs from 'fs';
import { createSampler } from '../../samplers/create-sampler';
import type { SamplerName } from '../../config/qahan-config';
import { readBqp } from '../../formats/bqp';
import { readGset } from '../../formats/gset';
import { readIsing } from '../../formats/ising';
import type { BinaryQuadraticModel } from '../../model/bqm';
import { Command, choiceOption, intOption, parseCommandArgs, UsageError } from '../command';
import { ProgressBar } from '../progress';

const FORMATS = ['bqp', 'gset', 'ising'] as const;
const SAMPLERS: SamplerName[] = ['sa', 'sqa', 'exact', 'dwave-qpu', 'dwave-hybrid'];

function guessFormat(file: string, text: string): (typeof FORMATS)[number] {
  if (/bqp/i.test(file)) return 'bqp';
  if (/(^|\/)G\d+(\.txt)?$/.test(file)) return 'gset';
  const first = text.split('\n').find((l) => l.trim() && !l.trim().startsWith('#'));
  if (first && first.trim().split(/\s+/).length === 1) return 'bqp';
  if (first && first.trim().split(/\s+/).length === 2) return 'gset';
  return 'ising';
}

export const command: Command = {
  name: 'solve',
  summary: 'Sample a bqp, Gset or Ising file and print the best sample (JSON with --json)',
  usage:
    'qahan solve FILE [--format bqp|gset|ising] [--instance K] [--sampler sa|sqa|exact|dwave-qpu|dwave-hybrid] ' +
    '[--reads N] [--sweeps N] [--seed S] [--threads T] [--json]',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      format: { type: 'string' },
      instance: { type: 'string' },
      sampler: { type: 'string' },
      reads: { type: 'string' },
      sweeps: { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      slices: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one FILE');
    const file = positionals[0];
    if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const text = fs.readFileSync(file, 'utf8');
    const format = choiceOption(values.format as string | undefined, 'format', FORMATS) ?? guessFormat(file, text);
    const samplerName = choiceOption(values.sampler as string | undefined, 'sampler', SAMPLERS);
    const numReads = intOption(values.reads as string | undefined, 'reads');
    const numSweeps = intOption(values.sweeps as string | undefined, 'sweeps');
    const seed = intOption(values.seed as string | undefined, 'seed', undefined, 0);
    const threads = intOption(values.threads as string | undefined, 'threads');
    const trotterSlices = intOption(values.slices as string | undefined, 'slices');

    let bqm: BinaryQuadraticModel;
    let describe: (energy: number) => Record<string, number> = () => ({});
    if (format === 'bqp') {
      const models = readBqp(text);
      const k = intOption(values.instance as string | undefined, 'instance', 1)!;
      if (k > models.length) throw new UsageError(`--instance ${k}: the file holds ${models.length} instances`);
      bqm = models[k - 1];
      describe = (e) => ({ objective: -e });
    } else if (format === 'gset') {
      const g = readGset(text);
      bqm = g.bqm;
      describe = (e) => ({ cut: g.cutFromEnergy(e) });
    } else {
      bqm = readIsing(text);
    }

    const sampler = createSampler(samplerName ? { sampler: samplerName } : undefined);
    const params: Record<string, unknown> = { numReads, seed, threads };
    if (sampler.parameters.includes('numSweeps')) params.numSweeps = numSweeps;
    if (sampler.parameters.includes('trotterSlices')) params.trotterSlices = trotterSlices;
    const bar = !values.json && process.stderr.isTTY ? new ProgressBar('annealing') : undefined;
    if (bar) params.onProgress = (p: { done: number; total: number }) => bar.update(p.done, p.total);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    let ss;
    try {
      ss = await sampler.sample(bqm, { ...params, signal: controller.signal });
    } finally {
      process.off('SIGINT', stop);
      bar?.done();
    }
    const best = ss.first;
    const out = {
      file,
      format,
      sampler: sampler.name,
      numVariables: bqm.numVariables,
      energy: best.energy,
      ...describe(best.energy),
      sample: Array.from(best.sample),
      numOccurrences: best.numOccurrences,
      reads: ss.length,
      timing: ss.info.timing,
      parameters: ss.info.parameters,
    };
    if (values.json) {
      console.log(JSON.stringify(out));
    } else {
      const extra = Object.entries(describe(best.energy)).map(([k, v]) => `  ${k}: ${v}`);
      console.log(
        [`${file} (${format}, ${bqm.numVariables} variables) with ${sampler.name}`, `  energy: ${best.energy}`, ...extra,
          `  sample: ${Array.from(best.sample).join(' ')}`, `  time: ${(ss.info.timing.totalMs ?? 0).toFixed(1)} ms`].join('\n'),
      );
    }
    return 0;
  },
};
