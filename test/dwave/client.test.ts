import net from 'net';
import util from 'util';
import { BinaryQuadraticModel } from '../../src/model/bqm';
import {
  AuthenticationError,
  ConnectionError,
  DWaveQpuSampler,
  InvalidAPIResponseError,
  matchesFilters,
  MockSapiServer,
  NotFoundError,
  parseRetryAfter,
  PollingTimeoutError,
  ProblemFailedError,
  RateLimitError,
  RequestTimeoutError,
  SapiClient,
  SapiClientOptions,
  selectSolvers,
  SolverNotFoundError,
  SolverOfflineError,
  SolverDescription,
} from '../../src/dwave';

const TOKEN = 'SECRET-TOKEN-1234567890abcdef';
let mock: MockSapiServer;
/** Every error any test saw: checked for the token at the end. */
const seen: unknown[] = [];

beforeAll(async () => {
  mock = new MockSapiServer({ tokens: [TOKEN], numSweeps: 200 });
  await mock.start();
});

afterAll(async () => {
  await mock.close();
});

afterEach(() => mock.clearFaults());

function client(o: Partial<SapiClientOptions> = {}): SapiClient {
  return new SapiClient({ endpoint: mock.url, token: TOKEN, pollWaitTime: 1, requestTimeoutMs: 5000, cancelTimeoutMs: 2000, ...o });
}

function sampler(o: Partial<SapiClientOptions> = {}): DWaveQpuSampler {
  return new DWaveQpuSampler({ client: client(o) });
}

const small = BinaryQuadraticModel.fromQubo([
  [0, 0, -1],
  [1, 1, -1],
  [0, 1, 2],
  [1, 2, -1],
  [2, 2, 0.5],
]);

/** Runs `fn`, expecting it to reject; records the error for the token audit. */
async function failure(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    seen.push(err);
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('retries and faults', () => {
  test('429 with Retry-After: 1 on GET waits about a second, then succeeds', async () => {
    mock.inject({ type: 'status', status: 429, method: 'GET', path: 'solvers/remote', retryAfter: 1 });
    const c = client();
    const t0 = Date.now();
    const solvers = await c.listSolvers();
    const ms = Date.now() - t0;
    expect(solvers.length).toBe(3);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(5000);
  });

  test('429 with an HTTP-date Retry-After is honoured too', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:02 GMT', now)).toBe(2000);
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  test('503 on GET (no Retry-After) is retried', async () => {
    mock.inject({ type: 'status', status: 503, method: 'GET', path: 'solvers/remote', times: 2 });
    const before = mock.countRequests('GET', 'solvers/remote');
    const solvers = await client({ backoffFactorMs: 5 }).listSolvers();
    expect(solvers.length).toBe(3);
    expect(mock.countRequests('GET', 'solvers/remote') - before).toBe(3);
  });

  test('500 on a status poll: the client polls again and completes', async () => {
    mock.inject({ type: 'pending', polls: 1 }, { type: 'status', status: 500, method: 'GET', path: '/problems', times: 2 });
    const ss = await sampler().sample(small, { numReads: 10 });
    expect(ss.first.energy).toBeCloseTo(-1.5, 9);
  });

  test('429 on POST problems/ is not retried: RateLimitError, one POST', async () => {
    mock.inject({ type: 'status', status: 429, method: 'POST', path: '/problems', retryAfter: 1 });
    const before = mock.countRequests('POST', '/problems');
    const err = await failure(() => sampler().sample(small, { numReads: 5 }));
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(1000);
    expect(mock.countRequests('POST', '/problems') - before).toBe(1);
  });

  test('a dropped connection on POST problems/ fails with ConnectionError and is not repeated', async () => {
    mock.inject({ type: 'drop', method: 'POST', path: '/problems' });
    const before = mock.countRequests('POST', '/problems');
    const t0 = Date.now();
    const err = await failure(() => sampler().sample(small, { numReads: 5 }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(mock.countRequests('POST', '/problems') - before).toBe(1);
  });

  test('a dropped connection on a GET is retried', async () => {
    mock.inject({ type: 'drop', method: 'GET', path: 'solvers/remote' });
    const solvers = await client().listSolvers();
    expect(solvers.length).toBe(3);
  });

  test('FAILED -> ProblemFailedError with the server message', async () => {
    mock.inject({ type: 'fail', message: 'Internal SAPI error occurred.' });
    const err = await failure(() => sampler().sample(small, { numReads: 5 }));
    expect(err).toBeInstanceOf(ProblemFailedError);
    expect(err.message).toBe('Internal SAPI error occurred.');
  });

  test('FAILED with "solver is offline" -> SolverOfflineError', async () => {
    mock.inject({ type: 'fail', message: 'Problem failed: solver is offline' });
    const err = await failure(() => sampler().sample(small, { numReads: 5 }));
    expect(err).toBeInstanceOf(SolverOfflineError);
  });

  test('slow PENDING for 3 polls still completes', async () => {
    mock.inject({ type: 'pending', polls: 3 });
    const t0 = Date.now();
    const ss = await sampler().sample(small, { numReads: 10 });
    expect(ss.first.energy).toBeCloseTo(-1.5, 9);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  test('pollingTimeoutMs bounds the wait: PollingTimeoutError', async () => {
    mock.inject({ type: 'pending', polls: 100 });
    const t0 = Date.now();
    const err = await failure(() => sampler({ pollingTimeoutMs: 1500 }).sample(small, { numReads: 5 }));
    expect(err).toBeInstanceOf(PollingTimeoutError);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('abort rejects quickly and the mock sees a cancel', async () => {
    mock.inject({ type: 'delay', ms: 20_000 });
    const cancelsBefore = mock.cancelled.length;
    const ac = new AbortController();
    // Abort 300 ms after the problem reached the mock (embedding time before the submit varies with load).
    const submittedBefore = mock.stats.submitted;
    let t0 = 0;
    const watch = setInterval(() => {
      if (mock.stats.submitted > submittedBefore && !t0) {
        t0 = Date.now();
        setTimeout(() => ac.abort(), 300);
      }
    }, 10);
    let err: Error;
    try {
      err = await failure(() => sampler().sample(small, { numReads: 5, signal: ac.signal }));
    } finally {
      clearInterval(watch);
    }
    expect(err.name).toBe('AbortError');
    expect(t0).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(mock.cancelled.length).toBe(cancelsBefore + 1);
    expect(mock.problemStatus(mock.cancelled[mock.cancelled.length - 1])).toBe('CANCELLED');
  });

  test('an aborted signal rejects before any request', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await failure(() => sampler().sample(small, { signal: ac.signal }));
    expect(err.name).toBe('AbortError');
  });

  test('a wrong token -> AuthenticationError without the token in it', async () => {
    const bad = new SapiClient({ endpoint: mock.url, token: 'WRONG-TOKEN-xyz987654321', requestTimeoutMs: 5000 });
    const err = await failure(() => bad.listSolvers());
    expect(err).toBeInstanceOf(AuthenticationError);
    const dump = `${err.message}\n${err.stack}\n${JSON.stringify(err)}\n${util.inspect(err, { depth: Infinity, showHidden: true })}`;
    expect(dump).not.toContain('WRONG-TOKEN-xyz987654321');
  });

  test('plain-text 404 -> NotFoundError carrying the text; unknown solver -> SolverNotFoundError', async () => {
    const err = await failure(() => client().pollProblems(['00000000-0000-4000-8000-000000000000']));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toContain('Problem does not exist or apitoken does not have access');
    const err2 = await failure(() => client().getSolver('No_Such_Solver'));
    expect(err2).toBeInstanceOf(SolverNotFoundError);
  });

  test('a 2xx with the wrong media type -> InvalidAPIResponseError', async () => {
    mock.inject({ type: 'status', status: 200, method: 'GET', path: 'solvers/remote', body: '<html>login</html>', contentType: 'text/html' });
    const err = await failure(() => client().listSolvers());
    expect(err).toBeInstanceOf(InvalidAPIResponseError);
  });

  test('connection refused is retried (bounded), then a ConnectionError', async () => {
    const dead = new SapiClient({ endpoint: 'http://127.0.0.1:9/sapi/v2/', token: TOKEN, requestTimeoutMs: 1000, retryTotal: 2, backoffFactorMs: 5 });
    const err = await failure(() => dead.listSolvers());
    expect(err).toBeInstanceOf(ConnectionError);
  });

  test('a server that accepts the connection and never answers: RequestTimeoutError, bounded', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const started = Date.now();
    try {
      const c = new SapiClient({ endpoint: `http://127.0.0.1:${port}/sapi/v2/`, token: TOKEN, requestTimeoutMs: 300, retryTotal: 1, backoffFactorMs: 5 });
      const err = await failure(() => c.listSolvers());
      expect(err).toBeInstanceOf(RequestTimeoutError);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('the token never appears in errors or in the client', () => {
    expect(seen.length).toBeGreaterThanOrEqual(10);
    for (const err of seen) {
      const e = err as Error;
      const dump = [e.message, e.stack, JSON.stringify(e), JSON.stringify(Object.assign({}, e)), util.inspect(e, { depth: Infinity, showHidden: true }), String(e)].join('\n');
      expect(dump).not.toContain(TOKEN);
    }
    const c = client();
    expect(util.inspect(c, { depth: Infinity, showHidden: true })).not.toContain(TOKEN);
    expect(JSON.stringify(c)).not.toContain(TOKEN);
    expect(util.inspect(c.http, { depth: Infinity, showHidden: true })).not.toContain(TOKEN);
    expect(util.inspect(sampler(), { depth: Infinity, showHidden: true })).not.toContain(TOKEN);
  });
});

describe('solver filters (client side)', () => {
  const solvers: SolverDescription[] = [
    {
      identity: { name: 'Adv4.1', version: { graph_id: 'g1' } },
      status: 'ONLINE',
      avg_load: 0.3,
      properties: { category: 'qpu', qubits: [1, 2, 3], num_qubits: 5760, topology: { type: 'pegasus', shape: [16] }, annealing_time_range: [0.5, 2000], supported_problem_types: ['ising', 'qubo'], tags: ['lower_noise'] },
    },
    {
      identity: { name: 'Adv2.1', version: { graph_id: 'g2' } },
      status: 'ONLINE',
      avg_load: 0.1,
      properties: { category: 'qpu', qubits: [1, 2, 3, 4], num_qubits: 4800, topology: { type: 'zephyr', shape: [12, 4] }, annealing_time_range: [1, 1000], supported_problem_types: ['ising', 'qubo'] },
    },
    { identity: { name: 'hybrid_bqm' }, status: 'ONLINE', avg_load: 0, properties: { category: 'hybrid', supported_problem_types: ['bqm'], version: '2.2' } },
    { identity: { name: 'old' }, status: 'OFFLINE', properties: { category: 'qpu', qubits: [1] } },
  ];
  const names = (f: Record<string, unknown>, order?: string) => selectSolvers(solvers, f, order ?? 'avg_load').map((s) => s.identity.name);

  test('operators and derived keys', () => {
    expect(names({ qpu: true })).toEqual(['Adv2.1', 'Adv4.1']);
    expect(names({ qpu: true }, '-num_active_qubits')).toEqual(['Adv2.1', 'Adv4.1']);
    expect(names({ num_qubits__gt: 5000 })).toEqual(['Adv4.1']);
    expect(names({ num_qubits__lte: 4800 })).toEqual(['Adv2.1']);
    expect(names({ num_active_qubits__gte: 4 })).toEqual(['Adv2.1']);
    expect(names({ topology__type: 'pegasus' })).toEqual(['Adv4.1']);
    expect(names({ topology__type__in: ['zephyr', 'chimera'] })).toEqual(['Adv2.1']);
    expect(names({ supported_problem_types__contains: 'bqm' })).toEqual(['hybrid_bqm']);
    expect(names({ annealing_time_range__covers: [1, 2000] })).toEqual(['Adv4.1']);
    expect(names({ annealing_time_range__within: [0.5, 1500] })).toEqual(['Adv2.1']);
    expect(names({ name__regex: 'Adv\\d' })).toEqual(['Adv2.1', 'Adv4.1']);
    expect(names({ graph_id__available: true })).toEqual(['Adv2.1', 'Adv4.1']);
    expect(names({ avg_load__lt: 0.2, qpu: true })).toEqual(['Adv2.1']);
    expect(names({ lower_noise: true })).toEqual(['Adv4.1']);
    expect(names({ identity__eq: { name: 'Adv4.1', version: { graph_id: 'g1' } } })).toEqual(['Adv4.1']);
    expect(names({ graph_id: 'g2' })).toEqual(['Adv2.1']);
    expect(names({ online: false })).toEqual(['old']);
    expect(names({ hybrid: true, order_by: '-properties.version' })).toEqual(['hybrid_bqm']);
    expect(matchesFilters(solvers[3], { qpu: true })).toBe(true);
  });
});
