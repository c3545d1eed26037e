import { resolveSamplerConfig } from '../../config/qahan-config';
import { loadDWaveConfig, maskToken, redactedSettings, resolveEndpoint } from '../../dwave/config';
import { maskUrlCredentials } from '../../dwave/redact';
import { Command, flagSpec, OptionSpecs, parseCommandArgs, stringSpec } from '../command';

/** Any key that looks secret in the qahan `dwave` options is masked too, and user:password in any URL. */
function maskSecrets(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [k, /token|secret|password/i.test(k) ? maskToken(v) : typeof v === 'string' ? maskUrlCredentials(v) : v]),
  );
}

export interface ConfigReport {
  sampler: string;
  params: Record<string, unknown>;
  dwaveOptions: Record<string, unknown>;
  sources: string[];
  dwave: {
    settings: Record<string, unknown>;
    sources: Record<string, string>;
    files: string[];
    profile?: string;
    endpoint?: string;
    endpointNote?: string;
    error?: string;
  };
}

/** The resolved qahan sampler configuration and D-Wave settings, token masked. */
export async function configReport(opts: { profile?: string; configFile?: string; resolve?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ConfigReport> {
  const env = opts.env ?? process.env;
  const q = resolveSamplerConfig({}, env, opts.cwd);
  const report: ConfigReport = {
    sampler: q.sampler,
    params: q.params,
    dwaveOptions: maskSecrets(q.dwave),
    sources: q.sources,
    dwave: { settings: {}, sources: {}, files: [] },
  };
  try {
    const argument = { ...q.dwaveLayers.argument };
    if (opts.profile) argument.profile = opts.profile;
    if (opts.configFile) argument.configFile = opts.configFile;
    const d = loadDWaveConfig({ options: argument, projectOptions: q.dwaveLayers.file, projectSource: q.file, env, cwd: opts.cwd });
    report.dwave = { settings: redactedSettings(d), sources: d.sources, files: d.files, profile: d.profile };
    if (opts.resolve) {
      const { SapiClient } = await import('../../dwave/client/client');
      report.dwave.endpoint = maskUrlCredentials(
        await resolveEndpoint(d, { fetchRegions: (m) => SapiClient.getRegions(m, { requestTimeoutMs: 10_000, retryTotal: 3, proxy: d.proxy }), warn: () => undefined }),
      );
    } else {
      // No network: an explicit endpoint, or the default region on the default metadata API.
      try {
        report.dwave.endpoint = maskUrlCredentials(await resolveEndpoint(d));
      } catch {
        report.dwave.endpointNote = `region ${d.region ?? 'na-west-1'}: resolved through the metadata API when used (--resolve to look it up now)`;
      }
    }
  } catch (err) {
    report.dwave.error = maskUrlCredentials(`${(err as Error).name}: ${(err as Error).message}`);
  }
  return report;
}

const OPTIONS = {
  json: flagSpec('print the report as JSON'),
  profile: stringSpec('NAME', 'D-Wave profile (section of dwave.conf) to read', 'DWAVE_PROFILE, else the file\'s default profile'),
  'config-file': stringSpec('FILE', 'dwave.conf to read', 'DWAVE_CONFIG_FILE, else the usual places'),
  resolve: flagSpec('look the SAPI endpoint up through the metadata API now (network)'),
} as const satisfies OptionSpecs;

export const command: Command = {
  name: 'config',
  options: OPTIONS,
  summary: 'Print the resolved sampler configuration and D-Wave settings (token masked)',
  usage: 'qahan config [--json] [--profile NAME] [--config-file FILE] [--resolve]',
  async run(argv) {
    const { values } = parseCommandArgs(argv, OPTIONS, false);
    const r = await configReport({ profile: values.profile as string | undefined, configFile: values['config-file'] as string | undefined, resolve: !!values.resolve });
    // A configuration that cannot be used (missing profile or file, bad setting) fails the command.
    const exitCode = r.dwave.error ? 1 : 0;
    if (values.json) {
      console.log(JSON.stringify(r, null, 2));
      return exitCode;
    }
    const lines = [`sampler: ${r.sampler}`, `params: ${JSON.stringify(r.params)}`];
    if (Object.keys(r.dwaveOptions).length) lines.push(`dwave options: ${JSON.stringify(r.dwaveOptions)}`);
    lines.push(`sources: ${r.sources.length ? r.sources.join('; ') : '(defaults)'}`, '', 'D-Wave:');
    if (r.dwave.error) lines.push(`  error: ${r.dwave.error}`);
    lines.push(`  config files: ${r.dwave.files.length ? r.dwave.files.join(', ') : '(none found)'}`);
    if (r.dwave.profile) lines.push(`  profile: ${r.dwave.profile}`);
    for (const [k, v] of Object.entries(r.dwave.settings)) {
      lines.push(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}  (${r.dwave.sources[k] ?? '?'})`);
    }
    if (!('token' in r.dwave.settings)) lines.push('  token: (not set: DWAVE_API_TOKEN or token = ... in dwave.conf)');
    if (r.dwave.endpoint) lines.push(`  SAPI endpoint: ${r.dwave.endpoint}`);
    if (r.dwave.endpointNote) lines.push(`  SAPI endpoint: ${r.dwave.endpointNote}`);
    console.log(lines.join('\n'));
    if (r.dwave.error) console.error(`qahan config: ${r.dwave.error}`);
    return exitCode;
  },
};
