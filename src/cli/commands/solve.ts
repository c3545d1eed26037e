import fs from 'fs';
import { createSampler } from '../../samplers/create-sampler';
import { resolveSamplerConfig, SamplerName } from '../../config/qahan-config';
import { readBqp } from '../../formats/bqp';
import { readBiqMac } from '../../formats/biqmac';
import { readGset } from '../../formats/gset';
import { FORMAT_NAMES, FormatName, guessFormat } from '../../formats/guess';
import { readIsing } from '../../formats/ising';
import type { BinaryQuadraticModel } from '../../model/bqm';
import { fromDimodJSON } from '../../model/dimod-json';
import { MAX_SAMPLE_VALUES, MAX_SLICE_VALUES } from '../../model/limits';
import { Command, choiceOption, flagSpec, intOption, numberOption, OptionSpecs, parseCommandArgs, stringSpec, UsageError } from '../command';
import { ProgressBar } from '../progress';

const SAMPLERS: SamplerName[] = ['sa', 'sqa', 'pt', 'tabu', 'exact', 'dwave-qpu', 'dwave-hybrid'];

const OPTIONS = {
  format: stringSpec(FORMAT_NAMES.join('|'), "the file's format", "guessed from the file's name and first line; *.json is dimod JSON"),
  instance: stringSpec('K', 'which instance of a bqp file (1-based)', '1'),
  sampler: stringSpec(SAMPLERS.join('|'), 'sampler to use', 'the configured one (qahan config), else sqa'),
  reads: stringSpec('N', 'reads (independent samples)', 'the configured numReads, else 10'),
  sweeps: stringSpec('N', 'sweeps per read (sa, sqa, pt)', 'the configured numSweeps, else 1000'),
  slices: stringSpec('P', 'Trotter slices (sqa)', 'the configured trotterSlices, else 16'),
  'time-limit': stringSpec('S', 'seconds to run (pt, tabu, dwave-hybrid)', "none: the sampler's own stopping rule"),
  seed: stringSpec('S', 'seed of the reads', 'random'),
  threads: stringSpec('T', 'native threads', 'all cores'),
  json: flagSpec('print one JSON object (energy, sample, timing, ...)'),
} as const satisfies OptionSpecs;

/** Reads the file in its format; a reader's error names the file and, when guessed, how the format was chosen. */
function readModel(file: string, text: string, format: FormatName, guessed: boolean, instance: number | undefined) {
  try {
    if (format === 'bqp') {
      const models = readBqp(text);
      const k = instance ?? 1;
      if (k > models.length) throw new UsageError(`--instance ${k}: the file holds ${models.length} instances`);
      return { bqm: models[k - 1], describe: (e: number) => ({ objective: -e }) };
    }
    if (instance !== undefined) throw new UsageError(`--instance is for bqp files, which hold several instances; this one is ${format}`);
    if (format === 'gset') {
      const g = readGset(text);
      return { bqm: g.bqm, describe: (e: number) => ({ cut: g.cutFromEnergy(e) }) };
    }
    // BiqMac states a minimisation of x'Qx: the objective is the energy.
    if (format === 'biqmac') return { bqm: readBiqMac(text), describe: (e: number) => ({ objective: e }) };
    return { bqm: readIsing(text), describe: () => ({}) };
  } catch (err) {
    if (err instanceof Error && !(err instanceof UsageError)) {
      err.message = `${file}: ${err.message}${guessed ? ` (read as ${format}, guessed from the file's name and first line; choose with --format ${FORMAT_NAMES.join('|')})` : ''}`;
    }
    throw err;
  }
}

function readDimod(file: string, text: string) {
  try {
    return { bqm: fromDimodJSON(text).bqm, describe: () => ({}) };
  } catch (err) {
    if (err instanceof Error) err.message = `${file}: ${err.message} (a .json file is read as a dimod-serialised BinaryQuadraticModel)`;
    throw err;
  }
}

/**
 * The native samplers' size limits, checked before sampling: the sampler would otherwise spend seconds
 * on defaults for a model it then refuses with an error about a parameter the user never set.
 */
function checkCapacity(file: string, bqm: BinaryQuadraticModel, sampler: string, numReads: number, trotterSlices: number): void {
  const n = bqm.numVariables;
  const size = `${file}: the model has ${n} variables (every label up to the largest in the file counts)`;
  if ((sampler === 'sa' || sampler === 'sqa' || sampler === 'pt' || sampler === 'tabu') && numReads * n > MAX_SAMPLE_VALUES) {
    throw new RangeError(`${size}; ${numReads} reads of it are more than the ${MAX_SAMPLE_VALUES} sample values one call returns: use fewer --reads (at most ${Math.floor(MAX_SAMPLE_VALUES / n)})`);
  }
  const maxSlices = Math.floor(MAX_SLICE_VALUES / n);
  if (sampler === 'sqa' && trotterSlices * n > MAX_SLICE_VALUES) {
    throw new RangeError(
      `${size}; sqa with ${trotterSlices} Trotter slices takes at most ${Math.floor(MAX_SLICE_VALUES / trotterSlices)} (slices x variables <= ${MAX_SLICE_VALUES}): ` +
        `use --sampler sa${maxSlices > 1 ? ` or --slices ${maxSlices} or fewer` : maxSlices === 1 ? ' (or --slices 1, classical)' : ''}`,
    );
  }
}

export const command: Command = {
  name: 'solve',
  options: OPTIONS,
  summary: 'Sample a bqp, Gset, Ising, BiqMac or dimod JSON (labelled) file and print the best sample (JSON with --json)',
  usage: 'qahan solve FILE [--sampler NAME] [--reads N] [--json] [options]',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    if (positionals.length !== 1) throw new UsageError('give exactly one FILE');
    const file = positionals[0];
    if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
    if (!fs.statSync(file).isFile()) throw new UsageError(`not a file: ${file}`);
    const chosenFormat = choiceOption(values.format as string | undefined, 'format', FORMAT_NAMES);
    const samplerName = choiceOption(values.sampler as string | undefined, 'sampler', SAMPLERS);
    const numReads = intOption(values.reads as string | undefined, 'reads');
    const numSweeps = intOption(values.sweeps as string | undefined, 'sweeps');
    const seed = intOption(values.seed as string | undefined, 'seed', undefined, 0);
    const threads = intOption(values.threads as string | undefined, 'threads');
    const trotterSlices = intOption(values.slices as string | undefined, 'slices');
    const instance = intOption(values.instance as string | undefined, 'instance');
    const timeLimit = numberOption(values['time-limit'] as string | undefined, 'time-limit');
    if (timeLimit !== undefined && !(timeLimit > 0)) throw new UsageError(`--time-limit must be a number of seconds > 0, got ${timeLimit}`);

    const text = fs.readFileSync(file, 'utf8');
    // A dimod-serialised BQM (bqm.to_serializable(), toDimodJSON): labels kept, any variable names.
    const dimod = !chosenFormat && /\.json$/i.test(file);
    const format = dimod ? 'dimod-json' : chosenFormat ?? guessFormat(file, text);
    const { bqm, describe } = dimod ? readDimod(file, text) : readModel(file, text, format as FormatName, !chosenFormat, instance);

    const resolved = resolveSamplerConfig(samplerName ? { sampler: samplerName } : undefined);
    const configured = (name: string, fallback: number) => (typeof resolved.params[name] === 'number' ? (resolved.params[name] as number) : fallback);
    checkCapacity(file, bqm, resolved.sampler, numReads ?? configured('numReads', 10), trotterSlices ?? configured('trotterSlices', 16));
    const sampler = createSampler(samplerName ? { sampler: samplerName } : undefined);
    const params: Record<string, unknown> = { numReads, seed, threads };
    if (sampler.parameters.includes('numSweeps')) params.numSweeps = numSweeps;
    if (sampler.parameters.includes('trotterSlices')) params.trotterSlices = trotterSlices;
    if (timeLimit !== undefined) {
      if (!sampler.parameters.includes('timeLimit')) throw new UsageError(`--time-limit is for --sampler pt, tabu or dwave-hybrid, not ${sampler.name}`);
      params.timeLimit = timeLimit;
    }
    const bar = !values.json && process.stderr.isTTY ? new ProgressBar(sampler.name, 0) : undefined;
    if (bar) params.onProgress = (p: { done: number; total: number }) => bar.update(p.done, '', p.total);
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
      ...(bqm.isLabelled ? { assignment: best.assignment } : {}),
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
          bqm.isLabelled ? `  sample: ${Object.entries(best.assignment).map(([v, x]) => `${v}=${x}`).join(' ')}` : `  sample: ${Array.from(best.sample).join(' ')}`, `  time: ${(ss.info.timing.totalMs ?? 0).toFixed(1)} ms`].join('\n'),
      );
    }
    return 0;
  },
};
