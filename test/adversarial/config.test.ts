/**
 * Careless configuration (issue 8, items 7, 9, 10): typos and bad values in qahan.config.json params,
 * unusable dwave.conf settings, a missing profile, a password in the endpoint URL. Files live in a
 * temporary folder; no network.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { command as configCommand } from '../../src/cli/commands/config';
import { CONFIG_PARAM_CHECKS, knownConfigParams } from '../../src/config/params';
import { resolveSamplerConfig } from '../../src/config/qahan-config';
import { ConfigFileError, DWaveHybridSampler, DWaveQpuSampler, loadDWaveConfig, SapiClient } from '../../src/dwave';
import { QahanError } from '../../src/errors';
import { createSampler } from '../../src/samplers/create-sampler';
import { ParallelTemperingSampler } from '../../src/samplers/parallel-tempering';
import { TabuSampler } from '../../src/samplers/tabu';
import { ExactSolver } from '../../src/samplers/exact';
import { PathIntegralAnnealingSampler } from '../../src/samplers/path-integral-annealing';
import { SimulatedAnnealingSampler } from '../../src/samplers/simulated-annealing';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-adversarial-config-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fresh folder holding `files` (name -> text). */
function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** An environment that sees no dwave.conf or DWAVE_* variable of the host. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { XDG_CONFIG_DIRS: path.join(tmp, 'none-etc'), XDG_CONFIG_HOME: path.join(tmp, 'none-home'), ...extra };
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

/** Runs `qahan config` with `env` as the whole environment (restored afterwards); returns exit code and output. */
async function runConfigCommand(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; out: string; err: string }> {
  const saved = process.env;
  const savedCwd = process.cwd();
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  process.env = { ...env };
  process.chdir(cwd);
  try {
    const code = await configCommand.run(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.env = saved;
    process.chdir(savedCwd);
    log.mockRestore();
    error.mockRestore();
  }
}

// -------------------------------------------------------------------------------------------------
// Item 9: params in qahan.config.json / package.json "qahan"

describe('item 9: configured params are checked like call-time parameters', () => {
  test('an unknown name in qahan.config.json is a TypeError naming the file and the name', () => {
    const dir = folder({ 'qahan.config.json': JSON.stringify({ sampler: 'sa', params: { numReadz: 5 } }) });
    const err = thrown(() => resolveSamplerConfig({}, {}, dir));
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toContain(path.join(dir, 'qahan.config.json'));
    expect(err.message).toContain('numReadz');
  });

  test.each([
    ['numReads', -5],
    ['numReads', 2.5],
    ['numSweeps', 0],
    ['threads', 1000],
    ['seed', -1],
    ['beta', 'hot'],
    ['betaRange', [1]],
    ['sSchedule', [0, 2]],
    ['returnSlice', 'middle'],
    ['answerMode', 'everything'],
    ['timeLimit', -3],
    ['solverParams', 'x'],
  ])('params.%s = %j is a RangeError naming the file', (name, value) => {
    const dir = folder({ 'qahan.config.json': JSON.stringify({ sampler: 'sqa', params: { [name]: value } }) });
    const err = thrown(() => resolveSamplerConfig({}, {}, dir));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toContain(path.join(dir, 'qahan.config.json'));
    expect(err.message).toContain(`params.${name}`);
  });

  test('package.json "qahan" is checked the same way', () => {
    const dir = folder({ 'package.json': JSON.stringify({ name: 'x', qahan: { params: { numReads: -5 } } }) });
    const err = thrown(() => resolveSamplerConfig({}, {}, dir));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toContain(`${path.join(dir, 'package.json')} ("qahan")`);
  });

  test('signal and onProgress cannot come from a file; QAHAN_NUM_READS=-5 is refused too', () => {
    const dir = folder({ 'qahan.config.json': JSON.stringify({ params: { signal: true } }) });
    expect(() => resolveSamplerConfig({}, {}, dir)).toThrow(TypeError);
    const empty = folder({ 'qahan.config.json': '{}' });
    const err = thrown(() => resolveSamplerConfig({}, { QAHAN_NUM_READS: '-5' }, empty));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toContain('QAHAN_NUM_READS');
  });

  test('createSampler params with a typo are a TypeError (they used to be dropped silently)', () => {
    expect(() => createSampler({ sampler: 'sa', params: { numReadz: 3 } as never })).toThrow(TypeError);
  });

  test('valid shared params still pass: one file serving several samplers', () => {
    const params = { numReads: 4, numSweeps: 50, trotterSlices: 8, beta: 2, seed: 3, threads: 1, globalMoves: true, chainStrengthPrefactor: 1.5, timeLimit: 5, returnSlice: 0 };
    const dir = folder({ 'qahan.config.json': JSON.stringify({ sampler: 'sa', params }) });
    expect(resolveSamplerConfig({}, {}, dir).params).toEqual(params);
    expect(resolveSamplerConfig({}, { QAHAN_SAMPLER: 'exact' }, dir).sampler).toBe('exact');
  });

  test("the accepted names are exactly the samplers' own parameters", () => {
    const client = new SapiClient({ endpoint: 'http://127.0.0.1:9/sapi/v2/', token: 'T' });
    const samplers = [new SimulatedAnnealingSampler(), new PathIntegralAnnealingSampler(), new ExactSolver(), new ParallelTemperingSampler(), new TabuSampler(), new DWaveQpuSampler({ client }), new DWaveHybridSampler({ client })];
    const names = new Set(['numReads', 'seed', 'threads', ...samplers.flatMap((s) => s.parameters)]);
    expect([...knownConfigParams()].sort()).toEqual([...names].sort());
    // Every value check is for a real parameter.
    for (const name of Object.keys(CONFIG_PARAM_CHECKS)) expect(names.has(name)).toBe(true);
    // Every real parameter is accepted by name in a file (a wrong value may still be a RangeError).
    for (const name of names) {
      const dir = folder({ 'qahan.config.json': JSON.stringify({ params: { [name]: 1 } }) });
      try {
        resolveSamplerConfig({}, {}, dir);
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
      }
    }
  });

  test('qahan config fails (non-zero) on such a file', async () => {
    const dir = folder({ 'qahan.config.json': JSON.stringify({ params: { numReadz: 5 } }) });
    await expect(runConfigCommand(['--json'], cleanEnv(), dir)).rejects.toThrow(/numReadz/);
  });
});

// -------------------------------------------------------------------------------------------------
// Item 10: dwave.conf values, endpoints, missing profiles

describe('item 10: unusable D-Wave settings are refused where they are resolved', () => {
  test('request_timeout = abc: ConfigFileError naming the setting, the file, the line and the profile', async () => {
    const dir = folder({ 'dwave.conf': '[prod]\ntoken = T-123456\nrequest_timeout = abc\n' });
    const file = path.join(dir, 'dwave.conf');
    const env = cleanEnv({ DWAVE_CONFIG_FILE: file });
    const err = thrown(() => loadDWaveConfig({ env, cwd: dir }));
    expect(err).toBeInstanceOf(ConfigFileError);
    expect(err).toBeInstanceOf(QahanError);
    expect(err.message).toBe(`request_timeout = "abc" in ${file}:3 (profile "prod"): must be a positive number of seconds`);
    // The client never gets to "timed out after NaN ms".
    await expect(SapiClient.fromConfig({ env, cwd: dir })).rejects.toThrow(/request_timeout = "abc"/);
  });

  test.each([
    ['polling_timeout = -1', 'polling_timeout'],
    ['poll_wait_time = soon', 'poll_wait_time'],
    ['compress_qpu_problem_data = perhaps', 'compress_qpu_problem_data'],
    ['client = quantum', 'client'],
    ['solver = {"qpu": tru', 'solver'],
    ['proxy = myproxy:8080', 'proxy'],
    ['headers = no colon here', 'headers'],
  ])('%s is refused, naming %s and the file', (line, key) => {
    const dir = folder({ 'dwave.conf': `[defaults]\ntoken = T-123456\n${line}\n` });
    const err = thrown(() => loadDWaveConfig({ env: cleanEnv({ DWAVE_CONFIG_FILE: path.join(dir, 'dwave.conf') }), cwd: dir }));
    expect(err).toBeInstanceOf(ConfigFileError);
    expect(err.message).toMatch(new RegExp(`^${key} = .* in ${path.join(dir, 'dwave.conf').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: `));
  });

  test('valid values still load (the fixture-style profile)', () => {
    const dir = folder({
      'dwave.conf': '[defaults]\ntoken = T-123456\n[alpha]\nendpoint = https://url.to.alpha/api\nproxy = http://user:pass@myproxy.com:8080/\npoll_wait_time = 30\nrequest_timeout = 12.5\ncompress_qpu_problem_data = false\nclient = hybrid\nsolver = {"qpu": true}\n',
    });
    const r = loadDWaveConfig({ env: cleanEnv({ DWAVE_CONFIG_FILE: path.join(dir, 'dwave.conf') }), cwd: dir });
    expect(r.request_timeout).toBe('12.5');
    expect(r.endpoint).toBe('https://url.to.alpha/api');
  });

  test('an invalid endpoint names the setting and where it came from, never "TypeError: Invalid URL"', () => {
    const dir = folder({ 'dwave.conf': '[defaults]\ntoken = T-123456\nendpoint = not a url\n' });
    const fromFile = thrown(() => loadDWaveConfig({ env: cleanEnv({ DWAVE_CONFIG_FILE: path.join(dir, 'dwave.conf') }), cwd: dir }));
    expect(fromFile).toBeInstanceOf(ConfigFileError);
    expect(fromFile.message).toBe(`endpoint = "not a url" in ${path.join(dir, 'dwave.conf')}:3: must be an http:// or https:// URL`);

    const fromEnv = thrown(() => loadDWaveConfig({ env: cleanEnv({ DWAVE_API_ENDPOINT: 'http://u:pw-Secret9@bad host/' }), cwd: dir }));
    expect(fromEnv).toBeInstanceOf(ConfigFileError);
    expect(fromEnv.message).toMatch(/^endpoint = "http:\/\/\*\*\*@bad host\/" in DWAVE_API_ENDPOINT: /);
    expect(fromEnv.message).not.toContain('pw-Secret9');

    const cfg = folder({ 'qahan.config.json': JSON.stringify({ dwave: { endpoint: 'ftp://x/' } }) });
    const q = resolveSamplerConfig({}, {}, cfg);
    const err = thrown(() => loadDWaveConfig({ projectOptions: q.dwaveLayers.file, projectSource: q.file, env: cleanEnv(), cwd: cfg }));
    expect(err.message).toBe(`endpoint = "ftp://x/" in the "dwave" options of ${path.join(cfg, 'qahan.config.json')}: must be an http:// or https:// URL`);

    const fromCode = thrown(() => loadDWaveConfig({ options: { endpoint: '::' }, env: cleanEnv(), cwd: dir }));
    expect(fromCode).toBeInstanceOf(TypeError);
    expect(fromCode.message).toMatch(/^endpoint = "::" in the dwave options passed in code/);
  });

  test('a missing profile: qahan config prints the error and exits 1 (0 when the profile exists)', async () => {
    const dir = folder({ 'dwave.conf': '[prod]\ntoken = T-123456\n' });
    const env = cleanEnv({ DWAVE_CONFIG_FILE: path.join(dir, 'dwave.conf') });
    const ok = await runConfigCommand([], { ...env, DWAVE_PROFILE: 'prod' }, dir);
    expect(ok.code).toBe(0);
    const bad = await runConfigCommand([], { ...env, DWAVE_PROFILE: 'nope' }, dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/profile "nope" not found/);
    const json = await runConfigCommand(['--json'], { ...env, DWAVE_PROFILE: 'nope' }, dir);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).dwave.error).toMatch(/ConfigFileError: Config profile "nope" not found/);
  });
});

// -------------------------------------------------------------------------------------------------
// Item 7: qahan config shows no password from an endpoint URL

describe('item 7: qahan config masks user:password in URLs', () => {
  test('--json and the text report show ***@ for the endpoint, wherever it was set', async () => {
    const dir = folder({
      'qahan.config.json': JSON.stringify({ dwave: { leap_api_endpoint: 'https://leapuser:LeapPw-77@leap.example/api/' } }),
      'dwave.conf': '[defaults]\ntoken = T-123456\nmetadata_api_endpoint = http://meta:MetaPw-55@127.0.0.1:9/metadata/v1/\n',
    });
    const env = cleanEnv({ DWAVE_CONFIG_FILE: path.join(dir, 'dwave.conf'), DWAVE_API_ENDPOINT: 'http://alice:EndPw-99@127.0.0.1:9/sapi/v2/' });
    for (const argv of [['--json'], []]) {
      const r = await runConfigCommand(argv, env, dir);
      expect(r.code).toBe(0);
      for (const secret of ['EndPw-99', 'LeapPw-77', 'MetaPw-55', 'alice']) expect(r.out).not.toContain(secret);
      expect(r.out).toContain('http://***@127.0.0.1:9/sapi/v2/');
    }
    const json = JSON.parse((await runConfigCommand(['--json'], env, dir)).out);
    expect(json.dwave.settings.endpoint).toBe('http://***@127.0.0.1:9/sapi/v2/');
    expect(json.dwave.endpoint).toBe('http://***@127.0.0.1:9/sapi/v2/');
    expect(json.dwaveOptions.leap_api_endpoint).toBe('https://***@leap.example/api/');
  });
});
