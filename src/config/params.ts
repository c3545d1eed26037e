/**
 * The sampler parameters a configuration may set (`params` in qahan.config.json or package.json
 * "qahan", or `createSampler({params})`), checked where they are read, as the samplers check them at
 * call time: an unknown name is a TypeError, a bad value a RangeError, each naming where it came from.
 *
 * A configuration is shared by every sampler (the same file may serve 'sa' and 'dwave-qpu'), so a name
 * is known when any sampler takes it; the configured sampler ignores the others. The CPU samplers'
 * names come from the samplers themselves; the D-Wave samplers' are listed here (so that reading a
 * config does not load the D-Wave code; a test keeps the list in step). Values are checked here for
 * the parameters below; any other parameter a sampler takes is checked by the sampler at call time.
 */
import { ExactSolver } from '../samplers/exact';
import { PathIntegralAnnealingSampler } from '../samplers/path-integral-annealing';
import { ParallelTemperingSampler } from '../samplers/parallel-tempering';
import { SimulatedAnnealingSampler } from '../samplers/simulated-annealing';
import { TabuSampler } from '../samplers/tabu';

/** Parameters of DWaveQpuSampler and DWaveHybridSampler. */
export const DWAVE_SAMPLER_PARAMS: readonly string[] = ['annealingTime', 'chainStrength', 'chainStrengthPrefactor', 'answerMode', 'label', 'solverParams', 'timeLimit', 'embeddingMethod', 'embeddingOptions'];

/** Parameters every sampler takes. */
const COMMON = ['numReads', 'seed', 'threads'];

let known: Set<string> | undefined;

/** Every parameter name a configuration may set: what any sampler takes. */
export function knownConfigParams(): ReadonlySet<string> {
  known ??= new Set([
    ...COMMON,
    ...new SimulatedAnnealingSampler().parameters,
    ...new PathIntegralAnnealingSampler().parameters,
    ...new ExactSolver().parameters,
    ...new ParallelTemperingSampler().parameters,
    ...new TabuSampler().parameters,
    ...DWAVE_SAMPLER_PARAMS,
  ]);
  return known;
}

type Check = (value: unknown) => string | undefined;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const positiveInteger: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? undefined : 'must be a positive integer');
const positiveNumber: Check = (v) => (isNumber(v) && v > 0 ? undefined : 'must be a positive finite number');
const nonNegativeNumber: Check = (v) => (isNumber(v) && v >= 0 ? undefined : 'must be a finite number >= 0');
const oneOf =
  (...choices: string[]): Check =>
  (v) =>
    typeof v === 'string' && choices.includes(v) ? undefined : `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`;
const pair =
  (min: number): Check =>
  (v) =>
    Array.isArray(v) && v.length === 2 && v.every((x) => isNumber(x) && x >= min) ? undefined : `must be [start, end], two finite numbers >= ${min}`;
const schedule =
  (lo = -Infinity, hi = Infinity): Check =>
  (v) =>
    Array.isArray(v) && v.length > 0 && v.every((x) => isNumber(x) && x >= lo && x <= hi)
      ? undefined
      : `must be a non-empty array of finite numbers${Number.isFinite(lo) ? ` in [${lo}, ${hi}]` : ''}`;

/** The values checked when the configuration is read (the samplers check the rest when called). */
export const CONFIG_PARAM_CHECKS: Readonly<Record<string, Check>> = {
  // every sampler
  numReads: positiveInteger,
  seed: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER ? undefined : 'must be an integer in [0, 2^53)'),
  threads: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 256 ? undefined : 'must be an integer from 1 to 256'),
  // sa, sqa
  numSweeps: positiveInteger,
  initialStates: (v) =>
    Array.isArray(v) && v.length > 0 && v.every((row) => Array.isArray(row) && row.every((x) => x === -1 || x === 0 || x === 1))
      ? undefined
      : 'must be a non-empty array of rows of -1, 0 or 1',
  betaRange: (v) => pair(0)(v) ?? (Array.isArray(v) && v[0] > 0 && v[1] > 0 ? undefined : 'must be [hot, cold], two positive finite numbers'),
  betaScheduleType: oneOf('geometric', 'linear'),
  betaSchedule: schedule(0),
  // sqa
  beta: positiveNumber,
  gammaRange: pair(0),
  gammaScheduleType: oneOf('linear', 'geometric'),
  gammaSchedule: schedule(0),
  sSchedule: schedule(0, 1),
  trotterSlices: positiveInteger,
  globalMoves: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false'),
  returnSlice: (v) => (v === 'lowest' || v === 'random' || (typeof v === 'number' && Number.isInteger(v) && v >= 0) ? undefined : 'must be "lowest", "random" or a slice index >= 0'),
  // exact
  maxStates: positiveInteger,
  // dwave-qpu, dwave-hybrid
  annealingTime: positiveNumber,
  chainStrength: nonNegativeNumber,
  chainStrengthPrefactor: positiveNumber,
  answerMode: oneOf('histogram', 'raw'),
  label: (v) => (typeof v === 'string' ? undefined : 'must be a string'),
  solverParams: (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : 'must be an object of SAPI parameters'),
  timeLimit: positiveNumber,
};

/** Parameters that only make sense in code, at call time. */
const CALL_ONLY = ['signal', 'onProgress'];

/**
 * Checks configured sampler parameters. `origin` names where they came from (a file path, or
 * 'createSampler argument'); `fromCode` allows the call-time-only ones (signal, onProgress) and leaves
 * their values and those of parameters given in code as objects (typed arrays...) to the samplers.
 */
export function checkConfigParams(params: unknown, origin: string, fromCode = false): void {
  if (params === undefined) return;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new TypeError(`${origin}: params must be an object of sampler parameters, got ${JSON.stringify(params)}`);
  }
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (CALL_ONLY.includes(name)) {
      if (fromCode) continue;
      throw new TypeError(`${origin}: params.${name} can only be passed in code, at call time`);
    }
    if (!knownConfigParams().has(name)) {
      throw new TypeError(`${origin}: unknown parameter params.${name} (known: ${[...knownConfigParams()].join(', ')})`);
    }
    const check = CONFIG_PARAM_CHECKS[name];
    // From code, array-likes (typed arrays) and the like are the samplers' to check.
    if (!check || (fromCode && value !== null && typeof value === 'object')) continue;
    const problem = check(value);
    if (problem) throw new RangeError(`${origin}: params.${name} ${problem}, got ${JSON.stringify(value) ?? String(value)}`);
  }
}
