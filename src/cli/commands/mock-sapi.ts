import { MockSapiServer } from '../../dwave/mock/server';
import { Command, flagSpec, intOption, OptionSpecs, parseCommandArgs, stringSpec } from '../command';

const OPTIONS = {
  port: stringSpec('N', 'port to listen on (0: any free port)', '0'),
  host: stringSpec('ADDR', 'address to listen on', '127.0.0.1'),
  token: stringSpec('T', 'the API token the mock accepts', 'a random token, printed'),
  sweeps: stringSpec('N', "sweeps of the simulated annealing behind the mock solvers", '1000'),
  verbose: flagSpec('log each request on stderr'),
} as const satisfies OptionSpecs;

export interface MockSapiCliOptions {
  port?: number;
  host?: string;
  token?: string;
  numSweeps?: number;
  verbose?: boolean;
  /** Where the two lines go (default stdout). */
  write?: (line: string) => void;
}

/**
 * Starts the mock and prints, on stdout, its SAPI base URL on the first line (the value for
 * DWAVE_API_ENDPOINT) and the token on the second (for DWAVE_API_TOKEN).
 */
export async function startMockSapi(o: MockSapiCliOptions = {}): Promise<MockSapiServer> {
  const server = new MockSapiServer({
    port: o.port ?? 0,
    host: o.host,
    tokens: o.token ? [o.token] : undefined,
    numSweeps: o.numSweeps,
    log: o.verbose ? (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`) : undefined,
  });
  const url = await server.start();
  const write = o.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  write(url);
  write(server.token);
  return server;
}

export const command: Command = {
  name: 'mock-sapi',
  options: OPTIONS,
  summary: 'Serve a local mock of the D-Wave Solver API (prints its URL, then the token)',
  usage: 'qahan mock-sapi [--port N] [--host 127.0.0.1] [--token T] [--sweeps N] [--verbose]',
  async run(argv) {
    const { values } = parseCommandArgs(argv, OPTIONS, false);
    const server = await startMockSapi({
      port: intOption(values.port as string | undefined, 'port', 0, 0),
      host: values.host as string | undefined,
      token: values.token as string | undefined,
      numSweeps: intOption(values.sweeps as string | undefined, 'sweeps'),
      verbose: !!values.verbose,
    });
    process.stderr.write(
      `mock SAPI listening; solvers: ${server.solvers.map((s) => s.identity.name).join(', ')}\n` +
        `  export DWAVE_API_ENDPOINT=${server.url} DWAVE_API_TOKEN=${server.token}\n` +
        '  Ctrl-C to stop\n',
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
