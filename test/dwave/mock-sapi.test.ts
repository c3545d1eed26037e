/**
 * The mock SAPI server against the protocol (SAPI_SPEC.md §9), spoken raw over HTTP.
 */
import axios, { AxiosRequestConfig } from 'axios';
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import zlib from 'zlib';
import { defaultMockSolvers, MockSapiServer, SolverDescription } from '../../src/dwave';
import { decodeQpAnswer } from '../../src/dwave/encoding/qp';

const FIX = path.resolve(__dirname, '../../../shared/dwave/fixtures');
const readFixture = (rel: string) => (fs.existsSync(path.join(FIX, rel)) ? fs.readFileSync(path.join(FIX, rel)) : undefined);
const worked = readFixture('worked_example/solver.json');
const exchange = readFixture('worked_example/ising_exchange.json');
const xyBin = readFixture('bqm/bqm_xy_binary_v2.bin');
const xyJson = readFixture('bqm/bqm_xy_binary_v2.json');
if (!worked || !exchange || !xyBin || !xyJson) console.warn(`skipping fixture-based mock tests: ${FIX} is absent`);

const TOKEN = 'mock-test-token-abcdef';
const V3 = 'version=3.0.0';
const ACCEPT = {
  list: `application/vnd.dwave.sapi.solver-definition-list+json; ${V3}`,
  solver: `application/vnd.dwave.sapi.solver-definition+json; ${V3}`,
  problems: `application/vnd.dwave.sapi.problems+json; ${V3}`,
  problem: `application/vnd.dwave.sapi.problem+json; ${V3}`,
  answer: `application/vnd.dwave.sapi.problem-answer+json; ${V3}`,
};

let mock: MockSapiServer;
beforeAll(async () => {
  const solvers: SolverDescription[] = defaultMockSolvers();
  if (worked) {
    const w = JSON.parse(worked.toString('utf8'));
    solvers.push(w.identity ? w : (w.response ?? w.solver ?? w));
  }
  mock = new MockSapiServer({ tokens: [TOKEN], solvers, numSweeps: 200 });
  await mock.start();
});
afterAll(async () => {
  await mock.close();
});
afterEach(() => mock.clearFaults());

async function call(method: string, rel: string, o: { accept?: string; body?: unknown; deflate?: boolean; token?: string | null; headers?: Record<string, string>; raw?: Buffer } = {}) {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token !== null) headers['X-Auth-Token'] = o.token ?? TOKEN;
  if (o.accept) headers.Accept = o.accept;
  let data: Buffer | undefined = o.raw;
  if (o.body !== undefined) {
    data = Buffer.from(JSON.stringify(o.body));
    if (o.deflate) {
      data = zlib.deflateSync(data);
      headers['Content-Encoding'] = 'deflate';
    }
  }
  const cfg: AxiosRequestConfig = { method, url: new URL(rel, mock.url).toString(), headers, data, validateStatus: () => true, timeout: 10_000, responseType: 'text', transformResponse: [(d) => d] };
  const res = await axios.request<string>(cfg);
  let json: unknown;
  try {
    json = JSON.parse(res.data);
  } catch {
    json = undefined;
  }
  return { status: res.status, type: String(res.headers['content-type'] ?? ''), json: json as any, text: res.data };
}

const qpuName = 'Advantage_system_mock';
async function qpu(): Promise<SolverDescription> {
  return (await call('GET', `solvers/remote/${qpuName}`, { accept: ACCEPT.solver })).json;
}

/** A small valid ising job on the first coupler of the mock QPU. */
async function validJob(params: Record<string, unknown> = { num_reads: 10 }) {
  const s = await qpu();
  const { qubits, couplers } = s.properties;
  const [a, b] = couplers[0];
  const lin = Buffer.alloc(qubits.length * 8);
  qubits.forEach((q: number, i: number) => lin.writeDoubleLE(q === a ? -0.5 : q === b ? 0.5 : NaN, i * 8));
  const quad = Buffer.alloc(8);
  quad.writeDoubleLE(-1, 0);
  return { solver: s.identity, type: 'ising', data: { format: 'qp', lin: lin.toString('base64'), quad: quad.toString('base64'), offset: 0 }, params };
}

describe('auth, media types, paths', () => {
  test('401 without or with a wrong token, with the JSON error shape', async () => {
    for (const token of [null, 'nope']) {
      const r = await call('GET', 'solvers/remote/', { accept: ACCEPT.list, token });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error_code: 401, error_msg: expect.any(String) });
    }
  });

  test('415 without the versioned Accept; the v3 media type with it', async () => {
    expect((await call('GET', 'solvers/remote/')).status).toBe(415);
    expect((await call('GET', 'solvers/remote/', { accept: 'application/vnd.dwave.sapi.solver-definition-list+json; version=2.1.0' })).status).toBe(415);
    const ok = await call('GET', 'solvers/remote/', { accept: ACCEPT.list });
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^application\/vnd\.dwave\.sapi\.solver-definition-list\+json; version=3\.0\.0/);
  });

  test('every path with and without a trailing slash', async () => {
    expect((await call('GET', 'solvers/remote', { accept: ACCEPT.list })).status).toBe(200);
    expect((await call('GET', `solvers/remote/${qpuName}/`, { accept: ACCEPT.solver })).status).toBe(200);
    const sub = await call('POST', 'problems', { accept: ACCEPT.problems, body: [await validJob()] });
    expect(sub.status).toBe(200);
    const id = sub.json[0].id;
    expect((await call('GET', `problems/${id}`, { accept: ACCEPT.problem })).status).toBe(200);
    expect((await call('GET', `problems/${id}/`, { accept: ACCEPT.problem })).status).toBe(200);
  });

  test('solver list: QPUs built from the topology generators, with dead qubits; filter grammar', async () => {
    const list = (await call('GET', 'solvers/remote/', { accept: ACCEPT.list })).json as SolverDescription[];
    const byName = Object.fromEntries(list.map((s) => [s.identity.name, s]));
    const p16 = byName.Advantage_system_mock.properties;
    expect(p16.topology).toEqual({ type: 'pegasus', shape: [16] });
    expect(p16.num_qubits).toBe(5760);
    expect(p16.qubits.length).toBeLessThan(5640);
    const z12 = byName.Advantage2_system_mock.properties;
    expect(z12.topology).toEqual({ type: 'zephyr', shape: [12, 4] });
    expect(z12.num_qubits).toBe(4800);
    expect(z12.qubits.length).toBeLessThan(4800);
    expect(byName.hybrid_binary_quadratic_model_version2p_mock.properties.category).toBe('hybrid');
    const dyn = (await call('GET', 'solvers/remote/?filter=none,%2Bidentity,%2Bstatus,%2Bavg_load,%2Bproperties.category', { accept: ACCEPT.list })).json;
    expect(Object.keys(dyn[0]).sort()).toEqual(['avg_load', 'identity', 'properties', 'status']);
    expect(Object.keys(dyn[0].properties)).toEqual(['category']);
    const stat = (await call('GET', `solvers/remote/${qpuName}?filter=all,-status,-avg_load,-properties.couplers`, { accept: ACCEPT.solver })).json;
    expect(stat.status).toBeUndefined();
    expect(stat.properties.couplers).toBeUndefined();
    expect(stat.properties.qubits.length).toBeGreaterThan(5000);
  });

  test('metadata regions point back at the mock', async () => {
    const r = await axios.get(`${mock.metadataUrl}regions/`, { validateStatus: () => true });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/vnd\.dwave\.metadata\.regions\+json; version=1\.0\.0/);
    expect(r.data.map((x: { code: string }) => x.code)).toContain('eu-central-1');
    expect(r.data[0].endpoint).toBe(mock.url);
  });
});

describe('problems', () => {
  (worked && exchange ? test : test.skip)('worked example §5.1: the fixture request, deflated, solves to E = -1', async () => {
    const ex = JSON.parse(exchange!.toString('utf8'));
    const body = ex['1_POST_/problems/'].request_body;
    const sub = await call('POST', 'problems/', { accept: ACCEPT.problems, body, deflate: true });
    expect(sub.status).toBe(200);
    expect(sub.json[0]).toMatchObject({ type: 'ising', label: 'worked example 1', solver: body[0].solver });
    expect(sub.json[0].submitted_on).toMatch(/Z$/);
    const id = sub.json[0].id;
    const poll = await call('GET', `problems/?id=${id}&timeout=5`, { accept: ACCEPT.problems });
    expect(poll.json[0]).toMatchObject({ id, status: 'COMPLETED' });
    expect(poll.json[0].answer).toBeUndefined();
    const full = await call('GET', `problems/${id}/`, { accept: ACCEPT.problem });
    const ans = decodeQpAnswer(full.json.answer, 'SPIN');
    expect(full.json.answer.num_variables).toBe(5);
    expect(ans.activeVariables).toEqual([0, 1]);
    // The mock anneals like a QPU (unseeded SA, 200 sweeps): about 0.4% of its reads end in the excited
    // state (E = 0), so a batch of 10 is not always all at -1. Every energy must be its sample's, the
    // lowest the ground state's.
    const h = [-0.5, 0.5];
    const energyOf = (r: number) => {
      const s0 = ans.samples[r * 2];
      const s1 = ans.samples[r * 2 + 1];
      return h[0] * s0 + h[1] * s1 - s0 * s1;
    };
    expect(Array.from(ans.energies, (e, r) => e - energyOf(r))).toEqual(Array.from(ans.energies, () => 0));
    expect(Math.min(...ans.energies)).toBe(-1);
    expect(Array.from(ans.numOccurrences).reduce((a, b) => a + b, 0)).toBe(10);
    const answer = await call('GET', `problems/${id}/answer/`, { accept: ACCEPT.answer });
    expect(answer.json.answer).toEqual(full.json.answer);
    const info = await call('GET', `problems/${id}/info`, { accept: 'application/vnd.dwave.sapi.problem-data+json; version=3.0.0' });
    expect(info.json.data).toEqual(body[0].data);
    expect(info.json.metadata.status).toBe('COMPLETED');
  });

  test('per-item errors in the 200 array, with the real messages', async () => {
    const good = await validJob();
    const nanQuad = Buffer.alloc(8);
    nanQuad.writeDoubleLE(NaN, 0);
    const jobs = [
      good,
      { ...good, solver: { name: 'No_Such_Solver' } },
      { ...good, type: 'cqm' },
      { ...good, params: { num_reads: 10, bogus: 1 } },
      { ...good, data: { ...good.data, lin: Buffer.alloc(16).toString('base64') } },
      { ...good, data: { ...good.data, quad: nanQuad.toString('base64') } },
      { ...good, params: { num_reads: 100_000 } },
      { ...good, data: { ...good.data, quad: Buffer.from(new Float64Array([-3]).buffer).toString('base64') }, params: { auto_scale: false } },
      { ...good, params: { x_experimental: 1 } },
    ];
    const r = await call('POST', 'problems/', { accept: ACCEPT.problems, body: jobs, deflate: true });
    expect(r.status).toBe(200);
    const items = r.json;
    expect(items).toHaveLength(jobs.length);
    expect(items[0].status).toMatch(/PENDING|IN_PROGRESS|COMPLETED/);
    expect(items[1]).toEqual({ error_code: 400, error_msg: 'Solver does not exist or apitoken does not have access' });
    expect(items[2]).toEqual({ error_code: 400, error_msg: 'Problem type (cqm) is not supported by the solver.' });
    expect(items[3].error_msg).toMatch(/bogus/);
    expect(items[4].error_msg).toMatch(/lin has 2 entries/);
    expect(items[5].error_msg).toMatch(/NaN/);
    expect(items[6].error_msg).toMatch(/num_reads/);
    expect(items[7].error_msg).toMatch(/extended_j_range/);
    expect(items[8].id).toBeDefined();
    const bad = await call('POST', 'problems/', { accept: ACCEPT.problems, raw: Buffer.from('not deflate'), headers: { 'Content-Encoding': 'deflate' } });
    expect(bad.status).toBe(400);
  });

  test('long polls hold up to `timeout` while nothing is done; bad timeouts are 400', async () => {
    mock.inject({ type: 'pending', polls: 1 });
    const sub = await call('POST', 'problems/', { accept: ACCEPT.problems, body: [await validJob()] });
    const id = sub.json[0].id;
    let t0 = Date.now();
    const first = await call('GET', `problems/?id=${id}&timeout=1`, { accept: ACCEPT.problems });
    expect(first.json[0].status).toBe('PENDING');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    t0 = Date.now();
    const second = await call('GET', `problems/?id=${id}&timeout=5`, { accept: ACCEPT.problems });
    expect(second.json[0].status).toBe('COMPLETED');
    expect(Date.now() - t0).toBeLessThan(900);
    expect((await call('GET', `problems/?id=${id}&timeout=31`, { accept: ACCEPT.problems })).status).toBe(400);
    const unknown = await call('GET', 'problems/?id=00000000-0000-4000-8000-000000000000', { accept: ACCEPT.problems });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('Problem does not exist or apitoken does not have access');
  });

  test('cancel: PENDING -> CANCELLED, then 409; batch cancel items', async () => {
    mock.inject({ type: 'delay', ms: 10_000, times: 2 });
    const sub = await call('POST', 'problems/', { accept: ACCEPT.problems, body: [await validJob(), await validJob()] });
    const [a, b] = sub.json.map((x: { id: string }) => x.id);
    const c1 = await call('DELETE', `problems/${a}/`, { accept: ACCEPT.problem });
    expect(c1.status).toBe(200);
    expect(c1.json.status).toBe('CANCELLED');
    const c2 = await call('DELETE', `problems/${a}/`, { accept: ACCEPT.problem });
    expect(c2.status).toBe(409);
    expect(c2.json).toEqual({ error_code: 409, error_msg: 'Problem has been finished.' });
    const batch = await call('DELETE', 'problems/', { accept: ACCEPT.problems, body: [b, a] });
    expect(batch.json[0].status).toBe('CANCELLED');
    expect(batch.json[1].error_code).toBe(409);
    const poll = await call('GET', `problems/?id=${a},${b}`, { accept: ACCEPT.problems });
    expect(poll.json.map((x: { status: string }) => x.status)).toEqual(['CANCELLED', 'CANCELLED']);
  });

  test('FAILED carries error_message; control endpoint injects faults', async () => {
    const ctl = await axios.post(`${mock.url}__mock/faults`, [{ type: 'fail', message: 'boom' }, { type: 'status', status: 503, method: 'GET', path: 'solvers/remote', retryAfter: 2 }]);
    expect(ctl.status).toBe(200);
    const r503 = await call('GET', 'solvers/remote/', { accept: ACCEPT.list });
    expect(r503.status).toBe(503);
    const sub = await call('POST', 'problems/', { accept: ACCEPT.problems, body: [await validJob()] });
    const poll = await call('GET', `problems/?id=${sub.json[0].id}&timeout=5`, { accept: ACCEPT.problems });
    expect(poll.json[0]).toMatchObject({ status: 'FAILED', error_message: 'boom' });
    const stats = await axios.get(`${mock.url}__mock/stats`);
    expect(stats.data.failed).toBeGreaterThanOrEqual(1);
  });
});

describe('multipart upload and hybrid', () => {
  (xyBin && xyJson ? test : test.skip)('the docs example E = -xy: MD5 checks, status, combine checksum, ref submit, bq answer', async () => {
    const meta = JSON.parse(xyJson!.toString('utf8'));
    const data = xyBin!;
    const md5 = crypto.createHash('md5').update(data).digest();
    expect(md5.toString('base64')).toBe(meta['part_1_Content-MD5_base64']);
    const init = await call('POST', 'bqm/multipart', { body: { size: data.length }, headers: { 'Content-Type': 'application/json' } });
    expect(init.status).toBe(200);
    const id = init.json.id;
    const put = (headers: Record<string, string>) => call('PUT', `bqm/multipart/${id}/part/1`, { raw: data, headers });
    expect((await put({ 'Content-Type': 'application/json', 'Content-MD5': md5.toString('base64') })).status).toBe(415);
    expect((await put({ 'Content-Type': 'application/octet-stream', 'Content-MD5': 'AAAAAAAAAAAAAAAAAAAAAA==' })).status).toBe(400);
    expect((await put({ 'Content-Type': 'application/octet-stream', 'Content-MD5': md5.toString('base64') })).status).toBe(200);
    const status = await call('GET', `bqm/multipart/${id}/status`);
    expect(status.json).toEqual({ status: 'UPLOAD_IN_PROGRESS', parts: [{ part_number: 1, checksum: meta.part_1_md5_hex }] });
    expect((await call('POST', `bqm/multipart/${id}/combine`, { body: { checksum: '0'.repeat(32) } })).status).toBe(400);
    expect((await call('POST', `bqm/multipart/${id}/combine`, { body: { checksum: meta.combine_checksum_hex } })).status).toBe(200);
    expect((await call('GET', `bqm/multipart/${id}/status`)).json).toEqual({ status: 'UPLOAD_COMPLETED', parts: [] });
    const job = { solver: { name: 'hybrid_binary_quadratic_model_version2p_mock' }, type: 'bqm', data: { format: 'ref', data: id }, params: { time_limit: 3 } };
    const sub = await call('POST', 'problems/', { accept: ACCEPT.problems, body: [job, { ...job, data: { format: 'ref', data: 'nope' } }, { ...job, params: { time_limit: 1 } }] });
    expect(sub.json[1].error_code).toBe(400);
    expect(sub.json[2].error_msg).toBe('Attempting to run a problem for less than the allowed minimum time_limit 3.0 s');
    await call('GET', `problems/?id=${sub.json[0].id}&timeout=5`, { accept: ACCEPT.problems });
    const full = await call('GET', `problems/${sub.json[0].id}/`, { accept: ACCEPT.problem });
    const bq = full.json.answer;
    expect(bq.format).toBe('bq');
    expect(bq.data.variable_labels).toEqual(['x', 'y']);
    expect(bq.data.vectors.energy.data).toEqual([-1]);
    expect(bq.data.sample_data.data).toEqual([[3]]);
  });

  test('unknown upload id is 404', async () => {
    expect((await call('GET', 'bqm/multipart/00000000-0000-4000-8000-000000000000/status')).status).toBe(404);
  });
});
