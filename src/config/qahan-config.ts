import fs from 'fs';
import path from 'path';
import { checkConfigParams } from './params';

export type SamplerName = 'sa' | 'sqa' | 'pt' | 'tabu' | 'exact' | 'dwave-qpu' | 'dwave-hybrid';
export const SAMPLER_NAMES: readonly SamplerName[] = ['sa', 'sqa', 'pt', 'tabu', 'exact', 'dwave-qpu', 'dwave-hybrid'];

/** What `createSampler` is configured with. Every field is optional; unset ones fall through to lower sources. */
export interface SamplerConfig {
  sampler?: SamplerName;
  /** Default parameters for every call (numReads, numSweeps, trotterSlices, ...). Per-call params win. */
  params?: Record<string, unknown>;
  /** D-Wave options (solver, profile, endpoint, region, chainStrength...). The token belongs in the environment or dwave.conf. */
  dwave?: Record<string, unknown>;
}

export interface ResolvedSamplerConfig extends Required<Pick<SamplerConfig, 'sampler'>> {
  params: Record<string, unknown>;
  dwave: Record<string, unknown>;
  /** Where each part came from, for `qahan config`. */
  sources: string[];
  /** The configuration file read, if any (a path; package.json files are marked `("qahan")`). */
  file?: string;
  /**
   * The `dwave` options split by layer: the argument ranks above the DWAVE_* environment, the config
   * file below it (so DWAVE_API_ENDPOINT overrides an endpoint in qahan.config.json).
   */
  dwaveLayers: { argument: Record<string, unknown>; file: Record<string, unknown> };
}

/** Environment variables and the parameter each sets. */
const ENV_PARAMS: Record<string, [string, 'int' | 'float' | 'bool']> = {
  QAHAN_NUM_READS: ['numReads', 'int'],
  QAHAN_NUM_SWEEPS: ['numSweeps', 'int'],
  QAHAN_THREADS: ['threads', 'int'],
  QAHAN_TROTTER_SLICES: ['trotterSlices', 'int'],
  QAHAN_BETA: ['beta', 'float'],
  QAHAN_GLOBAL_MOVES: ['globalMoves', 'bool'],
};

export function parseSamplerName(value: unknown, source: string): SamplerName {
  if (typeof value === 'string' && (SAMPLER_NAMES as readonly string[]).includes(value)) return value as SamplerName;
  throw new RangeError(`${source}: sampler must be one of ${SAMPLER_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
}

function parseEnvValue(name: string, raw: string, kind: 'int' | 'float' | 'bool'): number | boolean {
  if (kind === 'bool') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
  } else {
    const v = Number(raw);
    if (raw.trim() !== '' && Number.isFinite(v) && (kind === 'float' || Number.isInteger(v))) return v;
  }
  throw new RangeError(`${name}=${JSON.stringify(raw)} is not a valid ${kind === 'int' ? 'integer' : kind === 'float' ? 'number' : 'boolean'}`);
}

/** The first `qahan.config.json`, or package.json with a "qahan" key, from `cwd` up to the root. */
export function findConfigFile(cwd = process.cwd()): { file: string; config: SamplerConfig } | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    const own = path.join(dir, 'qahan.config.json');
    if (fs.existsSync(own)) return { file: own, config: readJson(own) as SamplerConfig };
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      const json = readJson(pkg) as { qahan?: SamplerConfig };
      if (json && typeof json.qahan === 'object') return { file: `${pkg} ("qahan")`, config: json.qahan };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SyntaxError(`could not read ${file}: ${(err as Error).message}`);
  }
}

/**
 * Resolves the sampler configuration; highest first: the argument, the environment (QAHAN_SAMPLER,
 * QAHAN_NUM_READS, ...; QAHAN_CONFIG names a file), then qahan.config.json or package.json "qahan"
 * found from the working folder up. Default sampler: sqa.
 */
export function resolveSamplerConfig(
  explicit: SamplerConfig | SamplerName = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ResolvedSamplerConfig {
  const arg: SamplerConfig = typeof explicit === 'string' ? { sampler: explicit } : explicit ?? {};
  const sources: string[] = [];
  const found = env.QAHAN_CONFIG
    ? { file: path.resolve(cwd, env.QAHAN_CONFIG), config: readJson(path.resolve(cwd, env.QAHAN_CONFIG)) as SamplerConfig }
    : findConfigFile(cwd);
  const file = found?.config ?? {};
  if (found) sources.push(`file: ${found.file}`);
  if (file === null || typeof file !== 'object' || Array.isArray(file)) throw new TypeError(`${found?.file}: the configuration must be a JSON object`);
  // The file's params are checked here, as a sampler checks its call's: typos and bad values name the file.
  checkConfigParams(file.params, found?.file ?? 'config file');
  checkConfigParams(arg.params, 'createSampler argument', true);

  const envParams: Record<string, unknown> = {};
  for (const [name, [param, kind]] of Object.entries(ENV_PARAMS)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') {
      envParams[param] = parseEnvValue(name, raw, kind);
      checkConfigParams({ [param]: envParams[param] }, name);
    }
  }
  if (Object.keys(envParams).length) sources.push(`env: ${Object.keys(envParams).join(', ')}`);

  let sampler: SamplerName = 'sqa';
  if (file.sampler !== undefined) sampler = parseSamplerName(file.sampler, found?.file ?? 'config file');
  if (env.QAHAN_SAMPLER) {
    sampler = parseSamplerName(env.QAHAN_SAMPLER, 'QAHAN_SAMPLER');
    sources.push('env: QAHAN_SAMPLER');
  }
  if (arg.sampler !== undefined) {
    sampler = parseSamplerName(arg.sampler, 'createSampler argument');
    sources.push('argument');
  }
  return {
    sampler,
    params: { ...(file.params ?? {}), ...envParams, ...(arg.params ?? {}) },
    dwave: { ...(file.dwave ?? {}), ...(arg.dwave ?? {}) },
    sources,
    file: found?.file,
    dwaveLayers: { argument: { ...(arg.dwave ?? {}) }, file: { ...(file.dwave ?? {}) } },
  };
}
