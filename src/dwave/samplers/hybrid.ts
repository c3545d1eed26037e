/**
 * DWaveHybridSampler ('dwave-hybrid'): Leap's hybrid BQM solvers. The model is written as DIMODBQM v2,
 * uploaded in 5 MiB parts (Content-MD5 per part, then the combine checksum), submitted by reference
 * with `time_limit` (seconds; default the solver's minimum_time_limit at this size, else 3 s), and the
 * `bq` answer is decoded into a SampleSet over the original variables (energies include the offset).
 */
import type { BinaryQuadraticModel } from '../../model/bqm';
import { SampleSet } from '../../samplers/sample-set';
import { abortError, checkParameterNames, SampleParams, Sampler } from '../../samplers/sampler';
import type { ProblemJob, SolverDescription } from '../client/types';
import { decodeBqAnswer } from '../encoding/bq';
import { writeDimodBqm } from '../encoding/dimodbqm';
import { minimumTimeLimit } from '../mock/solvers';
import { DWaveContext, DWaveSamplerOptions } from './common';

export interface DWaveHybridParams extends SampleParams {
  /** Seconds of solver time (SAPI time_limit). Default: the solver's minimum for the model's size, or 3. */
  timeLimit?: number;
  label?: string;
  /** Further SAPI parameters, sent as they are. */
  solverParams?: Record<string, unknown>;
}

const PARAMS = ['timeLimit', 'label', 'solverParams'];

/** The default time_limit of a hybrid BQM solver for a model of `numVariables` (seconds). */
export function defaultTimeLimit(solver: SolverDescription, numVariables: number): number {
  return minimumTimeLimit(solver.properties.minimum_time_limit, numVariables) ?? 3;
}

export class DWaveHybridSampler implements Sampler<DWaveHybridParams> {
  readonly name = 'dwave-hybrid';
  readonly parameters = PARAMS;
  private readonly ctx: DWaveContext;

  constructor(options: DWaveSamplerOptions = {}) {
    this.ctx = new DWaveContext(options);
  }

  /** The hybrid BQM solver: the configured filter if it names one, else the newest hybrid BQM solver. */
  solver(signal?: AbortSignal): Promise<SolverDescription> {
    return this.ctx.selectSolver({ hybrid: true, supported_problem_types__contains: 'bqm' }, '-properties.version', { signal, fallback: true });
  }

  async sample(bqm: BinaryQuadraticModel, params: DWaveHybridParams = {}): Promise<SampleSet> {
    return (await this.sampleBatch([bqm], params))[0];
  }

  async sampleBatch(models: readonly BinaryQuadraticModel[], params: DWaveHybridParams = {}): Promise<SampleSet[]> {
    // DIMODBQM uploads and answers are by index: labels are set aside here and put back on the results.
    const sets = await this.sampleIndexed(models.map((m) => m.unlabelled()), params);
    return sets.map((ss, b) => (models[b].isLabelled ? ss.withVariables(models[b].variables) : ss));
  }

  private async sampleIndexed(bqms: readonly BinaryQuadraticModel[], params: DWaveHybridParams): Promise<SampleSet[]> {
    checkParameterNames(this.name, PARAMS, params);
    const started = performance.now();
    if (params.signal?.aborted) throw abortError(params.signal);
    if (bqms.length === 0) return [];
    const client = await this.ctx.client();
    const solver = await this.solver(params.signal);
    const jobs: ProblemJob[] = [];
    const limits: number[] = [];
    params.onProgress?.({ done: 0, total: bqms.length });
    for (let b = 0; b < bqms.length; b++) {
      const bqm = bqms[b];
      const timeLimit = params.timeLimit ?? this.ctx.option<number>('timeLimit') ?? defaultTimeLimit(solver, bqm.numVariables);
      if (typeof timeLimit !== 'number' || !(timeLimit > 0)) throw new RangeError(`timeLimit must be a positive number of seconds, got ${String(timeLimit)}`);
      limits.push(timeLimit);
      let id: string;
      try {
        id = await client.uploadProblem(writeDimodBqm(bqm), { signal: params.signal });
      } catch (err) {
        if (params.signal?.aborted) throw abortError(params.signal);
        throw err;
      }
      jobs.push({
        solver: solver.identity,
        type: 'bqm',
        data: { format: 'ref', data: id },
        params: { time_limit: timeLimit, ...(params.solverParams ?? {}) },
        label: params.label ?? `qahan ${bqm.numVariables}-variable ${bqm.vartype} model${b ? ` #${b}` : ''}`,
      });
    }
    const afterUpload = performance.now();
    let completed;
    try {
      completed = await client.solve(jobs, { signal: params.signal });
    } catch (err) {
      if (params.signal?.aborted) throw abortError(params.signal);
      throw err;
    }
    const afterSampling = performance.now();
    params.onProgress?.({ done: bqms.length, total: bqms.length });
    return completed.map((done, b) => {
      const bqm = bqms[b];
      let ss = decodeBqAnswer(done.answer);
      if (ss.vartype !== bqm.vartype) ss = convertVartype(ss, bqm);
      if (ss.numVariables !== bqm.numVariables) throw new RangeError(`the answer has ${ss.numVariables} variables; the model has ${bqm.numVariables}`);
      const solverInfo = { ...ss.info };
      delete (solverInfo as Record<string, unknown>).timing;
      Object.assign(ss.info, {
        sampler: this.name,
        parameters: { timeLimit: limits[b], ...(params.solverParams ? { solverParams: params.solverParams } : {}) },
        problemId: done.id,
        problemLabel: done.status.label,
        problemDataId: (jobs[b].data as { data: string }).data,
        solver: solver.identity.name,
        solverInfo,
      });
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      ss.info.timing = {
        ...ss.info.timing,
        qpu: Object.fromEntries(
          Object.entries({ qpu_access_time: num(solverInfo.qpu_access_time), run_time: num(solverInfo.run_time), charge_time: num(solverInfo.charge_time) }).filter(
            ([, v]) => v !== undefined,
          ),
        ) as Record<string, number>,
        preprocessMs: afterUpload - started,
        samplingMs: afterSampling - afterUpload,
        totalMs: performance.now() - started,
      };
      return ss;
    });
  }
}

/** Answer rows in the other vartype: values converted, energies recomputed on the model. */
function convertVartype(ss: SampleSet, bqm: BinaryQuadraticModel): SampleSet {
  const data = new Int8Array(ss.data.length);
  for (let i = 0; i < data.length; i++) data[i] = bqm.vartype === 'SPIN' ? 2 * ss.data[i] - 1 : (ss.data[i] + 1) / 2;
  const n = ss.numVariables;
  const energies = Array.from({ length: ss.length }, (_, r) => bqm.energy(data.subarray(r * n, (r + 1) * n)));
  return new SampleSet({ vartype: bqm.vartype, numVariables: n, samples: data, energies, numOccurrences: ss.numOccurrences, info: ss.info });
}
