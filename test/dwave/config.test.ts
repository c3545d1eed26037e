import fs from 'fs';
import os from 'os';
import path from 'path';
import { command as configCommand } from '../../src/cli/commands/config';
import { startMockSapi } from '../../src/cli/commands/mock-sapi';
import {
  configFilePaths,
  DEFAULT_SOLVER_API_ENDPOINT,
  loadDWaveConfig,
  maskToken,
  parseIni,
  parseSolverOption,
  resolveEndpoint,
  SapiClient,
} from '../../src/dwave';

const FIXTURES = path.resolve(__dirname, '../../../shared/dwave/fixtures/config');
const DWAVE_CONF = path.join(FIXTURES, 'dwave.conf');
const EXAMPLE_CONF = path.join(FIXTURES, 'example.conf');
const haveFixtures = fs.existsSync(DWAVE_CONF) && fs.existsSync(EXAMPLE_CONF);
if (!haveFixtures) console.warn(`skipping the dwave.conf fixture tests: ${FIXTURES} is absent`);
const withFixtures = haveFixtures ? test : test.skip;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qahan-dwave-config-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** An environment with nothing from the host: no stray dwave.conf or DWAVE_* variables. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { XDG_CONFIG_DIRS: path.join(tmp, 'none-etc'), XDG_CONFIG_HOME: path.join(tmp, 'none-home'), ...extra };
}
const load = (env: NodeJS.ProcessEnv, options?: Record<string, unknown>, cwd = path.join(tmp, 'no-cwd')) => loadDWaveConfig({ env, options, cwd, platform: 'linux', homedir: tmp });

describe('dwave.conf profiles', () => {
  withFixtures('first section is the default profile; DWAVE_PROFILE picks another', () => {
    const a = load(cleanEnv({ DWAVE_CONFIG_FILE: DWAVE_CONF }));
    expect(a.profile).toBe('qpu');
    expect(parseSolverOption(a.solver)).toEqual({ qpu: true });
    expect(a.sources.solver).toBe('file');
    const b = load(cleanEnv({ DWAVE_CONFIG_FILE: DWAVE_CONF, DWAVE_PROFILE: 'sw' }));
    expect(b.profile).toBe('sw');
    expect(parseSolverOption(b.solver)).toEqual({ software: true });
    // An explicit profile beats DWAVE_PROFILE.
    expect(load(cleanEnv({ DWAVE_CONFIG_FILE: DWAVE_CONF, DWAVE_PROFILE: 'sw' }), { profile: 'qpu' }).profile).toBe('qpu');
  });

  withFixtures('a missing profile or config file is an error', () => {
    expect(() => load(cleanEnv({ DWAVE_CONFIG_FILE: DWAVE_CONF, DWAVE_PROFILE: 'nope' }))).toThrow(/profile "nope" not found/);
    expect(() => load(cleanEnv({ DWAVE_CONFIG_FILE: path.join(tmp, 'missing.conf') }))).toThrow(/Config file not found/);
  });

  withFixtures('[defaults] are inherited; headers, proxy, identity strings', () => {
    const env = cleanEnv({ DWAVE_CONFIG_FILE: EXAMPLE_CONF });
    const first = load(env);
    expect(first.profile).toBe('default-solver');
    expect(first.token).toBe('ABC-123456789123456789123456789');
    expect(parseSolverOption(first.solver)).toEqual({ qpu: true, num_qubits__gt: 5000 });
    const alpha = load({ ...env, DWAVE_PROFILE: 'alpha' });
    expect(alpha.token).toBe('alpha-token');
    expect(alpha.endpoint).toBe('https://url.to.alpha/api');
    expect(alpha.proxy).toBe('http://user:pass@myproxy.com:8080/');
    expect(alpha.headers).toEqual({ 'key-1': 'value-1', 'key-2': 'value-2' });
    expect(alpha.poll_wait_time).toBe('30');
    const pinned = load({ ...env, DWAVE_PROFILE: 'pinned-qpu' });
    expect(parseSolverOption(pinned.solver)).toEqual({ identity__eq: { name: 'Advantage_system6.4', version: { graph_id: '01dae5a273' } } });
    expect(parseSolverOption('Advantage_system4.1')).toEqual({ name__eq: 'Advantage_system4.1' });
    const bqm = load({ ...env, DWAVE_PROFILE: 'bqm' });
    expect(bqm.client).toBe('hybrid');
  });

  test('`profile` under [defaults] selects the profile; INI continuation lines and comments', () => {
    const ini = parseIni('# c\n[defaults]\nprofile = b\ntoken = T0\n\n[a]\nregion = x\n\n[b]\n; c\nheaders = A: 1\n  B: 2\n');
    expect(ini.defaults.profile).toBe('b');
    expect(ini.sections.get('b')!.headers).toBe('A: 1\nB: 2');
    const file = path.join(tmp, 'p.conf');
    fs.writeFileSync(file, '[defaults]\nprofile = b\ntoken = T0\n\n[a]\nregion = x\n\n[b]\nendpoint = http://b/\n');
    const r = load(cleanEnv({ DWAVE_CONFIG_FILE: file }));
    expect(r.profile).toBe('b');
    expect(r.endpoint).toBe('http://b/');
    expect(r.token).toBe('T0');
  });

  test('search paths: system, user, then ./dwave.conf, later files override key by key', () => {
    const etc = path.join(tmp, 'etc');
    const home = path.join(tmp, 'home');
    const cwd = path.join(tmp, 'work');
    for (const [dir, text] of [
      [path.join(etc, 'dwave'), '[defaults]\ntoken = SYSTEM\nclient = qpu\n'],
      [path.join(home, 'dwave'), '[defaults]\ntoken = USER\n[prod]\nregion = eu-central-1\n'],
      [cwd, '[prod]\nsolver = Advantage_system4.1\n'],
    ] as const) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'dwave.conf'), text);
    }
    const env = { XDG_CONFIG_DIRS: etc, XDG_CONFIG_HOME: home };
    expect(configFilePaths({ env, cwd, platform: 'linux', homedir: tmp })).toEqual([
      path.join(etc, 'dwave', 'dwave.conf'),
      path.join(home, 'dwave', 'dwave.conf'),
      path.join(cwd, 'dwave.conf'),
    ]);
    const r = loadDWaveConfig({ env, cwd, platform: 'linux', homedir: tmp });
    expect(r.files).toHaveLength(3);
    expect(r.profile).toBe('prod');
    expect(r.token).toBe('USER');
    expect(r.client).toBe('qpu');
    expect(r.region).toBe('eu-central-1');
    expect(r.solver).toBe('Advantage_system4.1');
    expect(configFilePaths({ env: {}, cwd: 'C:\\w', platform: 'win32', homedir: 'C:\\Users\\u' })[0]).toBe('C:\\ProgramData\\dwavesystem\\dwave\\dwave.conf');
    expect(configFilePaths({ env: {}, cwd: '/w', platform: 'darwin', homedir: '/Users/u' })[1]).toBe('/Users/u/Library/Application Support/dwave/dwave.conf');
  });
});

describe('precedence', () => {
  withFixtures('env beats the file; arguments beat env; empty values are unset', () => {
    const env = cleanEnv({ DWAVE_CONFIG_FILE: EXAMPLE_CONF, DWAVE_PROFILE: 'alpha', DWAVE_API_TOKEN: 'ENV-TOKEN', DWAVE_API_SOLVER: '', DWAVE_API_HEADERS: 'X-A: 1\nX-B: two' });
    const r = load(env);
    expect(r.token).toBe('ENV-TOKEN');
    expect(r.sources.token).toBe('env');
    expect(r.headers).toEqual({ 'X-A': '1', 'X-B': 'two' });
    expect(r.solver).toBeUndefined();
    expect(load(env, { token: 'ARG-TOKEN' }).token).toBe('ARG-TOKEN');
    expect(load(env, { token: '' }).token).toBe('ENV-TOKEN');
  });

  withFixtures('endpoint and region are exclusive: a higher level setting either clears both below', () => {
    const base = cleanEnv({ DWAVE_CONFIG_FILE: EXAMPLE_CONF, DWAVE_PROFILE: 'alpha' });
    const byRegion = load({ ...base, DWAVE_API_REGION: 'eu-central-1' });
    expect(byRegion.region).toBe('eu-central-1');
    expect(byRegion.endpoint).toBeUndefined();
    const eu = cleanEnv({ DWAVE_CONFIG_FILE: EXAMPLE_CONF, DWAVE_PROFILE: 'europe' });
    const byEndpoint = load({ ...eu, DWAVE_API_ENDPOINT: 'http://localhost:1/sapi/v2' });
    expect(byEndpoint.endpoint).toBe('http://localhost:1/sapi/v2');
    expect(byEndpoint.region).toBeUndefined();
    const arg = load({ ...base, DWAVE_API_REGION: 'eu-central-1' }, { endpoint: 'http://arg/' });
    expect(arg.endpoint).toBe('http://arg/');
    expect(arg.region).toBeUndefined();
  });

  test('qahan.config.json "dwave" sits between DWAVE_* env and dwave.conf', () => {
    const env = cleanEnv({ DWAVE_API_ENDPOINT: 'http://env/' });
    const r = loadDWaveConfig({ env, projectOptions: { region: 'eu-central-1', token: 'PROJ' }, cwd: tmp, platform: 'linux', homedir: tmp });
    expect(r.endpoint).toBe('http://env/');
    expect(r.region).toBeUndefined();
    expect(r.token).toBe('PROJ');
    expect(r.sources.token).toBe('qahan-config');
  });
});

describe('endpoint resolution', () => {
  test('explicit endpoint, default region without a network call, regions through the metadata API', async () => {
    expect(await resolveEndpoint({ endpoint: 'http://x/sapi' })).toBe('http://x/sapi/');
    expect(await resolveEndpoint({})).toBe(DEFAULT_SOLVER_API_ENDPOINT);
    expect(await resolveEndpoint({ leap_api_endpoint: 'https://leap.example.com/leap/api/' })).toBe('https://leap.example.com/sapi/');
    const mock = await startMockSapi({ write: () => undefined });
    try {
      const fetchRegions = (m: string) => SapiClient.getRegions(m, { requestTimeoutMs: 3000, retryTotal: 1 });
      expect(await resolveEndpoint({ region: 'eu-central-1', metadata_api_endpoint: mock.metadataUrl }, { fetchRegions })).toBe(mock.url);
      await expect(resolveEndpoint({ region: 'mars-1', metadata_api_endpoint: mock.metadataUrl }, { fetchRegions })).rejects.toThrow(/Region "mars-1" unknown. Try one of/);
      const warnings: string[] = [];
      const dead = await resolveEndpoint({ region: 'eu-central-1', metadata_api_endpoint: 'http://127.0.0.1:9/metadata/v1/' }, { fetchRegions, warn: (w) => warnings.push(w) });
      expect(dead).toBe(DEFAULT_SOLVER_API_ENDPOINT);
      expect(warnings).toHaveLength(1);
    } finally {
      await mock.close();
    }
  });
});

describe('qahan config', () => {
  test('masks the token', () => {
    expect(maskToken('ABC-1234567890abcdef')).toBe('ABC-12...***');
    expect(maskToken('abc')).toBe('a...***');
    expect(maskToken(undefined)).toBeUndefined();
  });

  withFixtures('--json: the resolved sampler and D-Wave settings, token masked everywhere', async () => {
    const TOKEN = 'DEV-9f8e7d6c5b4a39281706';
    const saved = { ...process.env };
    const out: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      Object.assign(process.env, {
        QAHAN_SAMPLER: 'dwave-qpu',
        QAHAN_NUM_READS: '50',
        DWAVE_CONFIG_FILE: EXAMPLE_CONF,
        DWAVE_PROFILE: 'alpha',
        DWAVE_API_TOKEN: TOKEN,
        DWAVE_API_HEADERS: `X-Api-Key: ${TOKEN}`,
      });
      expect(await configCommand.run(['--json'])).toBe(0);
      const text = out.join('\n');
      expect(text).not.toContain(TOKEN);
      const r = JSON.parse(text);
      expect(r.sampler).toBe('dwave-qpu');
      expect(r.params.numReads).toBe(50);
      expect(r.dwave.settings.token).toBe('DEV-9f...***');
      expect(r.dwave.sources.token).toBe('env');
      expect(r.dwave.profile).toBe('alpha');
      expect(r.dwave.settings.proxy).toBe('http://***@myproxy.com:8080/');
      expect(r.dwave.endpoint).toBe('https://url.to.alpha/api/');
      out.length = 0;
      expect(await configCommand.run([])).toBe(0);
      expect(out.join('\n')).not.toContain(TOKEN);
      expect(out.join('\n')).toContain('token: DEV-9f...***');
    } finally {
      spy.mockRestore();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  test('qahan mock-sapi prints the base URL first, then the token', async () => {
    const lines: string[] = [];
    const server = await startMockSapi({ token: 'T-cli', write: (l) => lines.push(l) });
    try {
      expect(lines[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sapi\/v2\/$/);
      expect(lines[1]).toBe('T-cli');
      const solvers = await new SapiClient({ endpoint: lines[0], token: lines[1] }).listSolvers();
      expect(solvers.map((s) => s.identity.name)).toContain('Advantage_system_mock');
    } finally {
      await server.close();
    }
  });
});
