/**
 * D-Wave credentials and endpoints, resolved the way the reference Python client (dwave-cloud-client)
 * does it (SAPI_SPEC.md §1):
 *
 *   explicit options  >  DWAVE_* environment  >  [qahan config file "dwave" section]  >  dwave.conf profile  >  defaults
 *
 * - Empty strings and null are "not set" at every level.
 * - `endpoint` and `region` are one mutually exclusive group: setting either at a level clears both
 *   from every lower level (so DWAVE_API_REGION beats an `endpoint =` line in dwave.conf).
 * - dwave.conf is INI with a `[defaults]` section inherited by every profile; the files are searched
 *   in the same places as the reference client (or only DWAVE_CONFIG_FILE when set).
 * - The `solver` option is a JSON feature filter, a plain name, or an identity string
 *   (`name;graph_id=...`).
 * - `region` resolves to an endpoint through the metadata API, with the reference fallbacks.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { ConfigFileError, RegionError, TokenMissingError } from '../errors';
import { maskUrlCredentials } from './redact';

export { ConfigFileError, RegionError, TokenMissingError };

export const DEFAULT_REGION = 'na-west-1';
export const DEFAULT_SOLVER_API_ENDPOINT = 'https://cloud.dwavesys.com/sapi/';
export const DEFAULT_METADATA_API_ENDPOINT = 'https://cloud.dwavesys.com/metadata/v1/';
export const DEFAULT_LEAP_API_ENDPOINT = 'https://cloud.dwavesys.com/leap/api/';

/** Environment variables and the option each sets (the reference client's ENV_OPTION_MAP). */
export const ENV_OPTION_MAP: Readonly<Record<string, string>> = {
  DWAVE_API_TOKEN: 'token',
  DWAVE_API_ENDPOINT: 'endpoint',
  DWAVE_API_REGION: 'region',
  DWAVE_API_SOLVER: 'solver',
  DWAVE_API_CLIENT: 'client',
  DWAVE_API_PROXY: 'proxy',
  DWAVE_API_HEADERS: 'headers',
  DWAVE_METADATA_API_ENDPOINT: 'metadata_api_endpoint',
  DWAVE_LEAP_API_ENDPOINT: 'leap_api_endpoint',
  DWAVE_LEAP_CLIENT_ID: 'leap_client_id',
};

/** A solver feature filter: Django-like `key__subkey__op` keys (see client/filters.ts), plus `order_by`. */
export type SolverFilter = Record<string, unknown>;

export type ConfigSource = 'argument' | 'env' | 'qahan-config' | 'file' | 'default';

export interface DWaveSettings {
  token?: string;
  endpoint?: string;
  region?: string;
  /** The raw `solver` option (string from a file/env, or an object from code). */
  solver?: string | SolverFilter;
  /** 'base' | 'qpu' | 'sw' | 'hybrid' */
  client?: string;
  proxy?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  metadata_api_endpoint?: string;
  leap_api_endpoint?: string;
  /** Any other key (poll_wait_time, request_timeout, ...) passes through as a string or value. */
  [key: string]: unknown;
}

export interface ResolvedDWaveConfig extends DWaveSettings {
  /** Where each set option came from. */
  sources: Record<string, ConfigSource>;
  /** The config files that were read, in load order. */
  files: string[];
  /** The dwave.conf profile (section) used, if any. */
  profile?: string;
}

export interface LoadConfigOptions {
  /** Where `projectOptions` came from (a qahan.config.json path), named in errors. */
  projectSource?: string;
  /** Explicit options (highest precedence). `config_file`/`configFile` and `profile` select the file and section. */
  options?: Record<string, unknown>;
  /** A lower layer between the environment and dwave.conf (qahan.config.json's "dwave" section). */
  projectOptions?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  platform?: NodeJS.Platform;
  homedir?: string;
}


// ---------------------------------------------------------------------------------------------
// INI (Python configparser, default_section="defaults")

export interface IniFile {
  defaults: Record<string, string>;
  /** Sections in file order (not including [defaults]). */
  sections: Map<string, Record<string, string>>;
  /** When present, filled with `file:line` of each key, by section ('defaults' for [defaults]). */
  origins?: Map<string, Record<string, string>>;
}

/**
 * Parses INI text as configparser does for these files: `key = value` or `key: value`, `#`/`;` comment
 * lines, indented continuation lines appended with a newline, keys lowercased, later duplicates win.
 */
export function parseIni(text: string, into: IniFile = { defaults: {}, sections: new Map() }, file = '<string>'): IniFile {
  let current: Record<string, string> | undefined;
  let currentName = '';
  let lastKey: string | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, n) => {
    if (/^\s*[#;]/.test(raw)) return;
    if (raw.trim() === '') {
      lastKey = undefined;
      return;
    }
    if (/^\s/.test(raw) && current && lastKey !== undefined) {
      current[lastKey] = current[lastKey] === '' ? raw.trim() : `${current[lastKey]}\n${raw.trim()}`;
      return;
    }
    const section = /^\[([^\]]+)\]\s*$/.exec(raw.trim());
    if (section) {
      const name = section[1].trim();
      currentName = name;
      if (name === 'defaults') current = into.defaults;
      else {
        if (!into.sections.has(name)) into.sections.set(name, {});
        current = into.sections.get(name);
      }
      lastKey = undefined;
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!kv || !current) throw new ConfigFileError(`${file}:${n + 1}: cannot parse ${JSON.stringify(raw.trim())}`);
    lastKey = kv[1].trim().toLowerCase();
    current[lastKey] = kv[2].trim();
    if (into.origins) {
      if (!into.origins.has(currentName)) into.origins.set(currentName, {});
      into.origins.get(currentName)![lastKey] = `${file}:${n + 1}`;
    }
  });
  return into;
}

/** The dwave.conf search paths of the reference client, lowest precedence first. */
export function configFilePaths(opts: { env?: NodeJS.ProcessEnv; cwd?: string; platform?: NodeJS.Platform; homedir?: string } = {}): string[] {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const platform = opts.platform ?? process.platform;
  const home = opts.homedir ?? os.homedir();
  const name = 'dwave.conf';
  if (platform === 'win32') {
    const programData = env.PROGRAMDATA || 'C:\\ProgramData';
    const local = env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local');
    return [
      path.win32.join(programData, 'dwavesystem', 'dwave', name),
      path.win32.join(local, 'dwavesystem', 'dwave', name),
      path.win32.join(cwd, name),
    ];
  }
  if (platform === 'darwin') {
    return [
      path.posix.join('/Library/Application Support/dwave', name),
      path.posix.join(home, 'Library/Application Support/dwave', name),
      path.posix.join(cwd, name),
    ];
  }
  const xdgDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean);
  const xdgHome = env.XDG_CONFIG_HOME || path.posix.join(home, '.config');
  return [...xdgDirs.map((d) => path.posix.join(d, 'dwave', name)), path.posix.join(xdgHome, 'dwave', name), path.posix.join(cwd, name)];
}

/** Reads the config file(s): only `explicitFile` when given (it must exist), else every existing search path. */
export function loadConfigFiles(explicitFile: string | undefined, opts: Parameters<typeof configFilePaths>[0] = {}): { ini: IniFile; files: string[] } {
  const ini: IniFile = { defaults: {}, sections: new Map(), origins: new Map() };
  const files: string[] = [];
  if (explicitFile) {
    const file = path.resolve(opts.cwd ?? process.cwd(), expandHome(explicitFile, opts.homedir));
    if (!fs.existsSync(file)) throw new ConfigFileError(`Config file not found: ${file}`);
    parseIni(fs.readFileSync(file, 'utf8'), ini, file);
    files.push(file);
    return { ini, files };
  }
  for (const file of configFilePaths(opts)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    parseIni(text, ini, file);
    files.push(file);
  }
  return { ini, files };
}

function expandHome(p: string, home?: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(home ?? os.homedir(), p.slice(1)) : p;
}

/** The profile rule of the reference client: explicit (must exist), `profile` in [defaults], first section, [defaults]. */
export function selectProfile(ini: IniFile, explicit?: string): { name?: string; values: Record<string, string>; origins: Record<string, string> } {
  const chosen = pickProfile(ini, explicit);
  const origins = { ...(ini.origins?.get('defaults') ?? {}), ...(chosen.name !== undefined ? (ini.origins?.get(chosen.name) ?? {}) : {}) };
  return { ...chosen, origins };
}

function pickProfile(ini: IniFile, explicit?: string): { name?: string; values: Record<string, string> } {
  if (explicit) {
    const section = ini.sections.get(explicit);
    if (!section && explicit !== 'defaults') throw new ConfigFileError(`Config profile ${JSON.stringify(explicit)} not found`);
    return { name: explicit, values: { ...ini.defaults, ...(section ?? {}) } };
  }
  const fromDefaults = ini.defaults.profile;
  if (fromDefaults) {
    const section = ini.sections.get(fromDefaults);
    if (!section) throw new ConfigFileError(`Config profile ${JSON.stringify(fromDefaults)} (named in [defaults]) not found`);
    return { name: fromDefaults, values: { ...ini.defaults, ...section } };
  }
  const first = ini.sections.keys().next();
  if (!first.done) return { name: first.value, values: { ...ini.defaults, ...ini.sections.get(first.value) } };
  return { name: undefined, values: { ...ini.defaults } };
}

// ---------------------------------------------------------------------------------------------
// Layered resolution

const CAMEL_TO_SNAKE: Record<string, string> = {
  metadataApiEndpoint: 'metadata_api_endpoint',
  leapApiEndpoint: 'leap_api_endpoint',
  leapClientId: 'leap_client_id',
  configFile: 'config_file',
  pollWaitTime: 'poll_wait_time',
  requestTimeout: 'request_timeout',
  pollingTimeout: 'polling_timeout',
};

/** Option names in snake_case (the reference spelling); camelCase keys from qahan configs are accepted. */
function normalizeKeys(obj: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!obj) return out;
  for (const [k, v] of Object.entries(obj)) out[CAMEL_TO_SNAKE[k] ?? k] = v;
  return out;
}

const isSet = (v: unknown) => v !== undefined && v !== null && v !== '';

/** Parses `Name: value` lines (DWAVE_API_HEADERS / `headers =`) or passes an object through. */
export function parseHeaders(value: unknown): Record<string, string> {
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  const out: Record<string, string> = {};
  for (const line of String(value ?? '').split(/\r?\n/)) {
    const t = line.trim();
    if (!t) continue;
    const at = t.indexOf(':');
    if (at <= 0) throw new ConfigFileError(`invalid header line ${JSON.stringify(t)}: expected "Name: value"`);
    out[t.slice(0, at).trim()] = t.slice(at + 1).trim();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking the settings where they are resolved, so a bad value names its setting and its origin

/** Where a setting came from, in words: `/path/dwave.conf:4 (profile "prod")`, `DWAVE_API_ENDPOINT`, ... */
function describeOrigin(
  key: string,
  source: ConfigSource | undefined,
  ctx: { env: NodeJS.ProcessEnv; fileOrigins: Record<string, string>; profile?: string; projectSource?: string },
): string {
  switch (source) {
    case 'file':
      return `${ctx.fileOrigins[key] ?? 'dwave.conf'}${ctx.profile ? ` (profile ${JSON.stringify(ctx.profile)})` : ''}`;
    case 'env': {
      const name = Object.keys(ENV_OPTION_MAP).find((n) => ENV_OPTION_MAP[n] === key && isSet(ctx.env[n]));
      return name ?? 'the environment';
    }
    case 'qahan-config':
      return `the "dwave" options of ${ctx.projectSource ?? 'the qahan config file'}`;
    case 'argument':
      return 'the dwave options passed in code';
    default:
      return 'the defaults';
  }
}

/**
 * The error for a bad setting: a ConfigFileError naming the setting, its value (credentials masked)
 * and where it came from; from code (the 'argument' layer) a TypeError as for any bad argument.
 */
function settingError(key: string, value: unknown, source: ConfigSource | undefined, origin: string, problem: string): Error {
  const shown = maskUrlCredentials(typeof value === 'string' ? JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}...` : value) : JSON.stringify(value) ?? String(value));
  const message = `${key} = ${shown} in ${origin}: ${maskUrlCredentials(problem)}`;
  return source === 'argument' ? new TypeError(message) : new ConfigFileError(message);
}

const SECONDS = ['request_timeout', 'polling_timeout'];
const URLS = ['endpoint', 'leap_api_endpoint', 'metadata_api_endpoint', 'proxy'];
const CLIENTS = ['base', 'qpu', 'hybrid', 'sw'];

function checkSettings(values: Record<string, unknown>, sources: Record<string, ConfigSource>, where: (key: string) => string): void {
  const fail = (key: string, problem: string) => {
    throw settingError(key, values[key], sources[key], where(key), problem);
  };
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
  for (const key of SECONDS) {
    if (!isSet(values[key])) continue;
    const v = num(values[key]);
    if (!(v > 0) || !Number.isFinite(v)) fail(key, 'must be a positive number of seconds');
  }
  if (isSet(values.poll_wait_time)) {
    const v = num(values.poll_wait_time);
    if (!(v >= 0) || !Number.isFinite(v)) fail('poll_wait_time', 'must be a number of seconds >= 0');
  }
  const compress = values.compress_qpu_problem_data;
  if (isSet(compress) && typeof compress !== 'boolean' && !/^(true|false|on|off|yes|no|1|0)$/i.test(String(compress).trim())) {
    fail('compress_qpu_problem_data', 'must be true or false');
  }
  for (const key of URLS) {
    if (!isSet(values[key])) continue;
    let u: URL | undefined;
    try {
      u = new URL(String(values[key]));
    } catch {
      /* reported below */
    }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) fail(key, 'must be an http:// or https:// URL');
  }
  if (isSet(values.client) && !CLIENTS.includes(String(values.client).toLowerCase())) fail('client', `must be one of ${CLIENTS.join(', ')}`);
  if (isSet(values.solver)) {
    try {
      parseSolverOption(values.solver);
    } catch (err) {
      fail('solver', (err as Error).message);
    }
  }
}

/**
 * Resolves the D-Wave settings from every layer. Does no network I/O: `resolveEndpoint` turns the
 * result into a SAPI base URL. Throws ConfigFileError for a missing DWAVE_CONFIG_FILE or profile, and
 * for a setting that cannot work (a timeout that is not a positive number, an endpoint or proxy that is
 * not an http(s) URL, an unknown client, an unreadable solver filter), naming the setting and where it
 * came from (file and line, environment variable, qahan config); from code such a setting is a TypeError.
 */
export function loadDWaveConfig(opts: LoadConfigOptions = {}): ResolvedDWaveConfig {
  const env = opts.env ?? process.env;
  const explicit = normalizeKeys(opts.options);
  const project = normalizeKeys(opts.projectOptions);
  const configFile = firstSet(explicit.config_file, env.DWAVE_CONFIG_FILE, project.config_file) as string | undefined;
  const profileName = firstSet(explicit.profile, env.DWAVE_PROFILE, project.profile) as string | undefined;
  const { ini, files } = loadConfigFiles(configFile, { env, cwd: opts.cwd, platform: opts.platform, homedir: opts.homedir });
  const profile = selectProfile(ini, profileName);

  const envLayer: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_OPTION_MAP)) if (isSet(env[name])) envLayer[key] = env[name];

  const fileLayer: Record<string, unknown> = { ...profile.values };
  delete fileLayer.profile;
  const layers: [ConfigSource, Record<string, unknown>][] = [
    ['default', { metadata_api_endpoint: DEFAULT_METADATA_API_ENDPOINT, leap_api_endpoint: DEFAULT_LEAP_API_ENDPOINT }],
    ['file', fileLayer],
    ['qahan-config', project],
    ['env', envLayer],
    ['argument', explicit],
  ];
  const values: Record<string, unknown> = {};
  const sources: Record<string, ConfigSource> = {};
  for (const [source, layer] of layers) {
    // The {endpoint, region} group: a level that sets either clears both below it.
    if (isSet(layer.endpoint) || isSet(layer.region)) {
      delete values.endpoint;
      delete values.region;
      delete sources.endpoint;
      delete sources.region;
    }
    for (const [k, v] of Object.entries(layer)) {
      if (!isSet(v) || k === 'config_file' || k === 'profile') continue;
      values[k] = v;
      sources[k] = source;
    }
  }
  const where = (key: string) => describeOrigin(key, sources[key], { env, fileOrigins: profile.origins, profile: profile.name, projectSource: opts.projectSource });
  if (isSet(values.headers)) {
    try {
      values.headers = parseHeaders(values.headers);
    } catch (err) {
      throw settingError('headers', values.headers, sources.headers, where('headers'), (err as Error).message);
    }
  }
  checkSettings(values, sources, where);
  // A leap_api_endpoint that came only from the defaults must not change endpoint resolution.
  return { ...(values as DWaveSettings), sources, files, profile: profile.name };
}

function firstSet(...vals: unknown[]): unknown {
  return vals.find(isSet);
}

// ---------------------------------------------------------------------------------------------
// The `solver` option

/**
 * The solver option as a feature filter (§1.4): JSON object text -> that object; an identity string
 * `name;graph_id=...` -> `{identity__eq: {name, version: {...}}}`; a plain name -> `{name__eq: name}`.
 */
export function parseSolverOption(value: unknown): SolverFilter | undefined {
  if (!isSet(value)) return undefined;
  if (typeof value === 'object') return { ...(value as SolverFilter) };
  const text = String(value).trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new ConfigFileError(`solver option is not valid JSON: ${(err as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigFileError('solver option JSON must be an object');
    return parsed as SolverFilter;
  }
  if (text.includes(';')) {
    const [name, ...pairs] = text.split(';');
    const version: Record<string, string> = {};
    for (const p of pairs) {
      const at = p.indexOf('=');
      if (at <= 0) throw new ConfigFileError(`invalid solver identity ${JSON.stringify(text)}`);
      version[decodeURIComponent(p.slice(0, at))] = decodeURIComponent(p.slice(at + 1));
    }
    return { identity__eq: { name: decodeURIComponent(name), version } };
  }
  return { name__eq: text };
}

// ---------------------------------------------------------------------------------------------
// Token masking and endpoint resolution

/** `ABC-1234567890abcdef` -> `ABC-12...***`: enough to tell tokens apart, never the secret. */
export function maskToken(token: unknown): string | undefined {
  if (!isSet(token)) return undefined;
  const t = String(token);
  const keep = Math.min(6, Math.floor(t.length / 3));
  return `${t.slice(0, keep)}...***`;
}

export interface Region {
  code: string;
  name?: string;
  endpoint: string;
}


export function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export interface ResolveEndpointOptions {
  /** Fetches the metadata API's region list; the client's `getRegions` by default (set by index.ts). */
  fetchRegions?: (metadataEndpoint: string) => Promise<Region[]>;
  /** Called with a warning when the metadata API fails and the defaults are used. */
  warn?: (message: string) => void;
}

/**
 * The SAPI base URL (§1.5): an explicit endpoint as is (with a trailing "/"); else a configured
 * leap_api_endpoint's host with path /sapi/; else the region (default na-west-1) through the metadata
 * API, except that the default region on the default metadata endpoint needs no network call. On a
 * metadata network failure the defaults are used with a warning; an unknown region is an error.
 */
export async function resolveEndpoint(config: DWaveSettings & { sources?: Record<string, ConfigSource> }, opts: ResolveEndpointOptions = {}): Promise<string> {
  if (isSet(config.endpoint)) return withTrailingSlash(String(config.endpoint));
  const leapSet = isSet(config.leap_api_endpoint) && config.sources?.leap_api_endpoint !== 'default' && config.leap_api_endpoint !== DEFAULT_LEAP_API_ENDPOINT;
  if (leapSet) {
    const u = new URL(String(config.leap_api_endpoint));
    return `${u.protocol}//${u.host}/sapi/`;
  }
  const region = isSet(config.region) ? String(config.region) : DEFAULT_REGION;
  const metadata = withTrailingSlash(String(config.metadata_api_endpoint || DEFAULT_METADATA_API_ENDPOINT));
  if (region === DEFAULT_REGION && metadata === DEFAULT_METADATA_API_ENDPOINT) return DEFAULT_SOLVER_API_ENDPOINT;
  if (!opts.fetchRegions) throw new RegionError('cannot resolve a region without a metadata client');
  let regions: Region[];
  try {
    regions = await opts.fetchRegions(metadata);
  } catch (err) {
    if ((err as { name?: string }).name === 'RegionError') throw err;
    (opts.warn ?? ((m: string) => process.emitWarning(m)))(
      maskUrlCredentials(`Failed to fetch available regions from ${metadata} (${(err as Error).message}); using the default endpoint`),
    );
    return DEFAULT_SOLVER_API_ENDPOINT;
  }
  const found = regions.find((r) => r.code === region);
  if (!found) throw new RegionError(`Region ${JSON.stringify(region)} unknown. Try one of [${regions.map((r) => JSON.stringify(r.code)).join(', ')}]`);
  return withTrailingSlash(found.endpoint);
}

/** The settings with the token masked, for printing. */
export function redactedSettings(config: ResolvedDWaveConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'sources' || k === 'files' || k === 'profile') continue;
    // user:password in any URL (proxy, endpoint, ...) is shown as ***@, as the token is masked.
    out[k] = k === 'token' ? maskToken(v) : typeof v === 'string' ? maskUrlCredentials(v) : v;
  }
  if (out.headers && typeof out.headers === 'object') {
    out.headers = Object.fromEntries(
      Object.entries(out.headers as Record<string, string>).map(([k, v]) => [k, /token|auth|key|secret/i.test(k) ? maskToken(v) : v]),
    );
  }
  return out;
}
