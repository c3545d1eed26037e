/**
 * A local Solver API server for tests and offline development (SAPI_SPEC.md §9). Real HTTP on
 * 127.0.0.1, strict about what the real service is strict about (token, Accept versions, media types,
 * deflate bodies, problem validation with the real error shapes, multipart checksums), and it actually
 * solves: QPU problems are decoded from `qp` and annealed on the solver's working graph with the native
 * SimulatedAnnealingSampler; hybrid problems are read from the uploaded DIMODBQM file and annealed.
 *
 * Fault injection, by constructor option or `POST <root>/__mock/faults` (a JSON fault or array):
 *   {type: 'status', status: 429, retryAfter: 1, method?: 'GET', path?: 'problems', times?: 1, body?}
 *   {type: 'drop', method?: 'POST', path?: 'problems', times?: 1}          socket destroyed, no response
 *   {type: 'fail', message: 'solver is offline', times?: 1}                 next problems end FAILED
 *   {type: 'pending', polls: 3, times?: 1}                                  next problems report PENDING for N polls
 *   {type: 'delay', ms: 5000, times?: 1}                                    next problems wait before solving
 * `GET <root>/__mock/stats` returns counters and the request log; `POST <root>/__mock/reset` clears them.
 */
import crypto from 'crypto';
import { EventEmitter } from 'events';
import http from 'http';
import type { AddressInfo, Socket } from 'net';
import zlib from 'zlib';
import { BinaryQuadraticModel } from '../../model/bqm';
import { SampleSet } from '../../samplers/sample-set';
import { SimulatedAnnealingSampler } from '../../samplers/simulated-annealing';
import type { SolverDescription } from '../client/types';
import { encodeBqAnswer } from '../encoding/bq';
import { readDimodBqmFile } from '../encoding/dimodbqm';
import { decodeQp, encodeQpAnswer, ProblemStructureError } from '../encoding/qp';
import { defaultMockSolvers, DefaultSolversOptions, minimumTimeLimit } from './solvers';

export type MockFault =
  | { type: 'status'; status: number; method?: string; path?: string; times?: number; retryAfter?: number | string; body?: unknown; contentType?: string }
  | { type: 'drop'; method?: string; path?: string; times?: number }
  | { type: 'fail'; message?: string; times?: number }
  | { type: 'pending'; polls: number; times?: number }
  | { type: 'delay'; ms: number; times?: number };

export interface MockSapiOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Accepted tokens; default one random token (see `token`). */
  tokens?: string[];
  /** The SAPI base path; default /sapi/v2/. */
  basePath?: string;
  /** Solver descriptions; default defaultMockSolvers(). */
  solvers?: SolverDescription[];
  solverOptions?: DefaultSolversOptions;
  faults?: MockFault[];
  /** Sweeps of the native annealer per read. Default 1000. */
  numSweeps?: number;
  /** Reads the hybrid solver anneals internally. Default 32. */
  hybridReads?: number;
  /** Wait for the solve and answer the submit COMPLETED with the answer (the fast path). Default false. */
  completeOnSubmit?: boolean;
  /** Longest long-poll wait the server honours, ms (for tests). Default 30 000. */
  maxPollWaitMs?: number;
  /** Default block of a poll without `timeout`, ms. Default 1000. */
  defaultPollWaitMs?: number;
  /** Log one line per request. */
  log?: (line: string) => void;
}

interface Upload {
  id: string;
  size: number;
  parts: Map<number, { data: Buffer; md5: Buffer }>;
  combined?: Buffer;
}

interface Problem {
  id: string;
  solver: SolverDescription;
  type: string;
  label?: string;
  params: Record<string, unknown>;
  data: Record<string, unknown>;
  status: 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  submittedOn: string;
  solvedOn?: string;
  answer?: Record<string, unknown>;
  errorMessage?: string;
  holdPolls: number;
  abort: AbortController;
  done: Promise<void>;
}

export interface MockRequestRecord {
  method: string;
  path: string;
  query: string;
  status?: number;
  fault?: string;
  at: number;
}

const MEDIA = {
  solverList: 'application/vnd.dwave.sapi.solver-definition-list+json',
  solver: 'application/vnd.dwave.sapi.solver-definition+json',
  problems: 'application/vnd.dwave.sapi.problems+json',
  problem: 'application/vnd.dwave.sapi.problem+json',
  problemData: 'application/vnd.dwave.sapi.problem-data+json',
  answer: 'application/vnd.dwave.sapi.problem-answer+json',
  messages: 'application/vnd.dwave.sapi.problem-message+json',
  regions: 'application/vnd.dwave.metadata.regions+json',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** §6.2 parameters every QPU takes, even when a (mock) solver's `parameters` list omits them. */
const COMMON_QPU_PARAMS = new Set(['num_reads', 'annealing_time', 'answer_mode', 'max_answers', 'auto_scale']);

const nowIso = () => new Date().toISOString().replace(/(\.\d{3})Z$/, '$1000Z');

export class MockSapiServer {
  readonly tokens: string[];
  readonly basePath: string;
  readonly solvers: SolverDescription[];
  /** Every request, in arrival order. */
  readonly requests: MockRequestRecord[] = [];
  /** Problem ids a cancel was requested for. */
  readonly cancelled: string[] = [];
  readonly stats = { submitted: 0, solved: 0, failed: 0, cancelRequests: 0, uploads: 0 };
  private faults: MockFault[];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly problems = new Map<string, Problem>();
  private readonly uploads = new Map<string, Upload>();
  private readonly events = new EventEmitter();
  private readonly sampler = new SimulatedAnnealingSampler();
  private readonly o: MockSapiOptions;
  private closing = false;
  private baseUrl = '';

  constructor(options: MockSapiOptions = {}) {
    this.o = options;
    this.tokens = options.tokens?.length ? options.tokens.slice() : [`MOCK-${crypto.randomBytes(12).toString('hex')}`];
    let base = options.basePath ?? '/sapi/v2/';
    if (!base.startsWith('/')) base = `/${base}`;
    if (!base.endsWith('/')) base = `${base}/`;
    this.basePath = base;
    this.solvers = options.solvers ?? defaultMockSolvers(options.solverOptions);
    this.faults = (options.faults ?? []).map((f) => ({ ...f }));
    this.events.setMaxListeners(0);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        if (!res.headersSent && !res.destroyed) this.sendError(res, 500, `Internal mock error: ${(err as Error).message}`);
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** The first accepted token. */
  get token(): string {
    return this.tokens[0];
  }

  /** The SAPI base URL, e.g. http://127.0.0.1:40123/sapi/v2/ (the value for DWAVE_API_ENDPOINT). */
  get url(): string {
    return this.baseUrl;
  }

  /** The metadata API base URL served by the same server (its regions point back here). */
  get metadataUrl(): string {
    return this.baseUrl.replace(this.basePath, '/metadata/v1/');
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.baseUrl = `http://${host}:${addr.port}${this.basePath}`;
    return this.baseUrl;
  }

  /** Stops listening, ends open connections and long polls, and cancels running solves. */
  async close(): Promise<void> {
    this.closing = true;
    this.events.emit('change', '*');
    for (const p of this.problems.values()) p.abort.abort();
    await Promise.allSettled([...this.problems.values()].map((p) => p.done));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections?.();
      for (const s of this.sockets) s.destroy();
    });
  }

  /** Adds faults (consumed in order as they match). */
  inject(...faults: MockFault[]): void {
    this.faults.push(...faults.map((f) => ({ ...f })));
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Requests matching a method and a path fragment (for tests: "POST problems/ was sent once"). */
  countRequests(method: string, pathIncludes: string | RegExp): number {
    return this.requests.filter((r) => r.method === method && (typeof pathIncludes === 'string' ? r.path.includes(pathIncludes) : pathIncludes.test(r.path)))
      .length;
  }

  problemStatus(id: string): string | undefined {
    return this.problems.get(id)?.status;
  }

  // -------------------------------------------------------------------------------------------

  private takeFault(kind: 'status' | 'drop', method: string, path: string): MockFault | undefined;
  private takeFault(kind: 'fail' | 'pending' | 'delay'): MockFault | undefined;
  private takeFault(kind: MockFault['type'], method?: string, path?: string): MockFault | undefined {
    const at = this.faults.findIndex((f) => {
      if (f.type !== kind) return false;
      if (f.type === 'status' || f.type === 'drop') {
        if (f.method && f.method.toUpperCase() !== method) return false;
        if (f.path && !path!.includes(f.path)) return false;
      }
      return true;
    });
    if (at < 0) return undefined;
    const f = this.faults[at];
    const times = (f.times ?? 1) - 1;
    if (times <= 0) this.faults.splice(at, 1);
    else f.times = times;
    return f;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock');
    const method = (req.method ?? 'GET').toUpperCase();
    const record: MockRequestRecord = { method, path: url.pathname, query: url.search, at: Date.now() };
    this.requests.push(record);
    if (this.requests.length > 10_000) this.requests.splice(0, 5_000);
    res.on('finish', () => (record.status = res.statusCode));
    this.o.log?.(`${method} ${url.pathname}${url.search}`);

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      return this.sendError(res, 400, (err as Error).message);
    }

    // Control endpoints (no auth: the server only listens on loopback).
    const control = url.pathname.replace(/\/+$/, '');
    if (control.endsWith('/__mock/faults') && method === 'POST') {
      const json = parseJson(body);
      this.inject(...(Array.isArray(json) ? json : [json]));
      return this.sendJson(res, 200, { faults: this.faults.length }, 'application/json');
    }
    if (control.endsWith('/__mock/stats') && method === 'GET') {
      return this.sendJson(res, 200, { ...this.stats, cancelled: this.cancelled, requests: this.requests.slice(-500), faults: this.faults }, 'application/json');
    }
    if (control.endsWith('/__mock/reset') && method === 'POST') {
      this.faults = [];
      this.requests.length = 0;
      this.cancelled.length = 0;
      return this.sendJson(res, 200, {}, 'application/json');
    }

    const drop = this.takeFault('drop', method, url.pathname);
    if (drop) {
      record.fault = 'drop';
      req.socket.destroy();
      return;
    }
    const fault = this.takeFault('status', method, url.pathname) as Extract<MockFault, { type: 'status' }> | undefined;
    if (fault) {
      record.fault = `status ${fault.status}`;
      if (fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter));
      if (typeof fault.body === 'string') {
        res.writeHead(fault.status, { 'Content-Type': fault.contentType ?? 'text/plain; charset=utf-8' });
        res.end(fault.body);
        return;
      }
      return this.sendJson(res, fault.status, fault.body ?? { error_code: fault.status, error_msg: `Injected ${fault.status}` }, fault.contentType ?? 'application/json');
    }

    try {
      if (url.pathname.startsWith('/metadata/v1/')) return this.metadata(url, method, res);
      if (!url.pathname.startsWith(this.basePath) && `${url.pathname}/` !== this.basePath) throw new HttpError(404, 'Not found');
      const token = req.headers['x-auth-token'];
      if (typeof token !== 'string' || !this.tokens.includes(token)) throw new HttpError(401, 'Invalid token or access denied');
      const segs = url.pathname.slice(this.basePath.length).split('/').filter(Boolean).map(decodeURIComponent);
      await this.route(segs, method, url, req, body, res);
    } catch (err) {
      if (err instanceof HttpError) return this.sendError(res, err.status, err.message);
      throw err;
    }
  }

  private metadata(url: URL, method: string, res: http.ServerResponse): void {
    const segs = url.pathname.slice('/metadata/v1/'.length).split('/').filter(Boolean);
    if (method !== 'GET' || segs[0] !== 'regions') throw new HttpError(404, 'Not found');
    const regions = ['na-west-1', 'eu-central-1', 'na-east-1'].map((code) => ({
      code,
      name: code === 'eu-central-1' ? 'Europe' : code === 'na-east-1' ? 'North America (East)' : 'North America (West)',
      endpoint: this.baseUrl,
    }));
    if (segs[1]) {
      const one = regions.find((r) => r.code === segs[1]);
      if (!one) throw new HttpError(404, `Region ${segs[1]} not found`);
      return this.sendJson(res, 200, one, 'application/vnd.dwave.metadata.region+json; version=1.0.0');
    }
    return this.sendJson(res, 200, regions, `${MEDIA.regions}; version=1.0.0`);
  }

  /** Accept must name the resource's media type with a supported version. */
  private checkAccept(req: http.IncomingMessage, type: string, minMajor = 3): void {
    const accept = String(req.headers.accept ?? '');
    const entry = accept
      .split(',')
      .map((s) => s.trim())
      .find((s) => s.toLowerCase().startsWith(type));
    if (!entry) throw new HttpError(415, `Unsupported media type: Accept must be ${type}; version=3.0.0`);
    const v = /version\s*=\s*"?([\d.]+)/i.exec(entry)?.[1];
    const num = v ? Number(v.split('.')[0]) + Number(v.split('.')[1] ?? 0) / 10 : NaN;
    if (!(num >= minMajor && num < 4)) throw new HttpError(415, `Unsupported version ${v ?? '(none)'} of ${type}; use version=3.0.0`);
  }

  private async route(segs: string[], method: string, url: URL, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const [a, b, c, d, e] = segs;
    // solvers/remote[/<name>]
    if (a === 'solvers' && b === 'remote' && method === 'GET') {
      if (!c) {
        this.checkAccept(req, MEDIA.solverList);
        const filter = url.searchParams.get('filter');
        return this.sendJson(res, 200, this.solvers.map((s) => applyFieldFilter(s, filter)), `${MEDIA.solverList}; version=3.0.0`, true);
      }
      this.checkAccept(req, MEDIA.solver);
      const s = this.solvers.find((x) => x.identity.name === c);
      if (!s) throw new HttpError(404, 'Solver not found');
      return this.sendJson(res, 200, applyFieldFilter(s, url.searchParams.get('filter')), `${MEDIA.solver}; version=3.0.0`, true);
    }
    if (a === 'problems') {
      if (!b) {
        this.checkAccept(req, MEDIA.problems);
        if (method === 'POST') return this.submit(req, body, res);
        if (method === 'GET') return this.pollMany(url, res);
        if (method === 'DELETE') return this.cancelMany(body, res);
        throw new HttpError(405, 'Method not allowed');
      }
      const p = this.problems.get(b);
      if (!c) {
        this.checkAccept(req, MEDIA.problem);
        if (!p) throw new HttpError(404, 'Problem does not exist or apitoken does not have access');
        if (method === 'GET') return this.pollOne(p, url, res);
        if (method === 'DELETE') return this.cancelOne(p, res);
        throw new HttpError(405, 'Method not allowed');
      }
      if (!p) throw new HttpError(404, 'Problem does not exist or apitoken does not have access');
      if (c === 'answer' && method === 'GET') {
        this.checkAccept(req, MEDIA.answer, 2.1);
        if (p.status !== 'COMPLETED' || !p.answer) throw new HttpError(404, `Problem ${p.id} has no answer (status ${p.status})`);
        return this.sendJson(res, 200, { answer: p.answer }, `${MEDIA.answer}; version=3.0.0`);
      }
      if (c === 'info' && method === 'GET') {
        this.checkAccept(req, MEDIA.problemData);
        return this.sendJson(
          res,
          200,
          {
            id: p.id,
            data: p.data,
            params: p.params,
            metadata: { submitted_by: 'mock-user', solver: p.solver.identity, type: p.type, label: p.label, status: p.status, submitted_on: p.submittedOn, solved_on: p.solvedOn ?? null, messages: [] },
            ...(p.answer ? { answer: p.answer } : {}),
          },
          `${MEDIA.problemData}; version=3.0.0`,
        );
      }
      if (c === 'messages' && method === 'GET') {
        this.checkAccept(req, MEDIA.messages, 2.1);
        const msgs = p.errorMessage ? [{ timestamp: p.solvedOn, message: p.errorMessage, severity: 'ERROR' }] : [];
        return this.sendJson(res, 200, msgs, `${MEDIA.messages}; version=3.0.0`);
      }
      throw new HttpError(404, 'Not found');
    }
    if (a === 'bqm' && b === 'multipart') return this.multipart(method, c, d, e, segs[4], req, body, res);
    throw new HttpError(404, 'Not found');
  }

  // ------------------------------------------------------------------------------- problems

  private statusOf(p: Problem, withAnswer: boolean): Record<string, unknown> {
    const held = p.holdPolls > 0 && (p.status === 'COMPLETED' || p.status === 'FAILED');
    const status = held ? 'PENDING' : p.status;
    const out: Record<string, unknown> = {
      id: p.id,
      type: p.type,
      solver: p.solver.identity,
      label: p.label,
      status,
      submitted_on: p.submittedOn,
    };
    if (p.label === undefined) delete out.label;
    if (status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELLED') out.solved_on = p.solvedOn ?? nowIso();
    if (status === 'FAILED') out.error_message = p.errorMessage ?? 'An unknown error has occurred.';
    if (withAnswer && status === 'COMPLETED' && p.answer) out.answer = p.answer;
    return out;
  }

  private visibleTerminal(p: Problem): boolean {
    if (p.status === 'CANCELLED') return true;
    return p.holdPolls <= 0 && (p.status === 'COMPLETED' || p.status === 'FAILED');
  }

  private async submit(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const jobs = parseJson(body);
    if (!Array.isArray(jobs)) throw new HttpError(400, 'The request body must be a JSON array of problems');
    const out: Record<string, unknown>[] = [];
    const created: Problem[] = [];
    for (const job of jobs) {
      try {
        const p = this.createProblem(job);
        created.push(p);
        out.push({});
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        out.push({ error_code: err.status, error_msg: err.message });
      }
    }
    if (this.o.completeOnSubmit) await Promise.all(created.map((p) => p.done));
    let k = 0;
    for (let i = 0; i < out.length; i++) if (!('error_code' in out[i])) out[i] = this.statusOf(created[k++], true);
    void req;
    return this.sendJson(res, 200, out, `${MEDIA.problems}; version=3.0.0`);
  }

  private createProblem(job: unknown): Problem {
    if (!job || typeof job !== 'object') throw new HttpError(400, 'Each problem must be a JSON object');
    const j = job as { solver?: unknown; type?: unknown; data?: unknown; params?: unknown; label?: unknown };
    const ident = (typeof j.solver === 'string' ? { name: j.solver } : j.solver) as { name?: string; version?: { graph_id?: string } } | undefined;
    const solver = this.solvers.find((s) => s.identity.name === ident?.name);
    if (!solver || (ident?.version?.graph_id && solver.identity.version?.graph_id && ident.version.graph_id !== solver.identity.version.graph_id)) {
      throw new HttpError(400, 'Solver does not exist or apitoken does not have access');
    }
    if (String(solver.status ?? 'ONLINE').toUpperCase() !== 'ONLINE') throw new HttpError(400, 'Solver is offline');
    const props = solver.properties;
    const type = String(j.type);
    if (!Array.isArray(props.supported_problem_types) || !props.supported_problem_types.includes(type)) {
      throw new HttpError(400, `Problem type (${type}) is not supported by the solver.`);
    }
    const params = (j.params ?? {}) as Record<string, unknown>;
    if (typeof params !== 'object' || Array.isArray(params)) throw new HttpError(400, 'params must be an object');
    for (const key of Object.keys(params)) {
      const common = props.category === 'qpu' && COMMON_QPU_PARAMS.has(key);
      if (!(key in (props.parameters ?? {})) && !common && !key.startsWith('x_')) throw new HttpError(400, `Parameter ${key} is not supported by the solver ${solver.identity.name}.`);
    }
    const data = (j.data ?? {}) as Record<string, unknown>;
    let run: (signal: AbortSignal) => Promise<Record<string, unknown>>;
    if (props.category === 'qpu') run = this.prepareQpu(solver, type, data, params);
    else run = this.prepareHybrid(solver, data, params);

    const p: Problem = {
      id: crypto.randomUUID(),
      solver,
      type,
      label: typeof j.label === 'string' ? j.label : undefined,
      params,
      data,
      status: 'PENDING',
      submittedOn: nowIso(),
      holdPolls: 0,
      abort: new AbortController(),
      done: Promise.resolve(),
    };
    const fail = this.takeFault('fail') as Extract<MockFault, { type: 'fail' }> | undefined;
    const pending = this.takeFault('pending') as Extract<MockFault, { type: 'pending' }> | undefined;
    const delay = this.takeFault('delay') as Extract<MockFault, { type: 'delay' }> | undefined;
    if (pending) p.holdPolls = pending.polls;
    this.problems.set(p.id, p);
    this.stats.submitted++;
    p.done = (async () => {
      if (delay) await abortableDelay(delay.ms, p.abort.signal);
      if (p.status !== 'PENDING') return;
      p.status = 'IN_PROGRESS';
      this.changed(p);
      try {
        if (fail) throw new Error(fail.message ?? 'An unknown error has occurred.');
        const answer = await run(p.abort.signal);
        if (p.abort.signal.aborted) return;
        p.answer = answer;
        p.status = 'COMPLETED';
        this.stats.solved++;
      } catch (err) {
        if (p.abort.signal.aborted) return;
        p.status = 'FAILED';
        p.errorMessage = (err as Error).message;
        this.stats.failed++;
      }
      p.solvedOn = nowIso();
      this.changed(p);
    })().catch(() => undefined);
    return p;
  }

  private changed(p: Problem): void {
    this.events.emit('change', p.id);
  }

  /** Validates a qp problem now (errors go into the submit response) and returns its solve step. */
  private prepareQpu(solver: SolverDescription, type: string, data: Record<string, unknown>, params: Record<string, unknown>): (signal: AbortSignal) => Promise<Record<string, unknown>> {
    const props = solver.properties;
    if (data.format !== 'qp') throw new HttpError(400, `Unsupported problem data format ${JSON.stringify(data.format)} for a QPU solver; use "qp"`);
    if (typeof data.lin !== 'string' || typeof data.quad !== 'string') throw new HttpError(400, 'qp data needs base64 "lin" and "quad"');
    let problem;
    try {
      problem = decodeQp({ format: 'qp', lin: data.lin, quad: data.quad }, { qubits: props.qubits, couplers: props.couplers });
    } catch (err) {
      if (err instanceof ProblemStructureError || err instanceof RangeError) throw new HttpError(400, `Invalid problem data: ${err.message}`);
      throw err;
    }
    const numReads = params.num_reads === undefined ? 1 : Number(params.num_reads);
    const [rmin, rmax] = props.num_reads_range ?? [1, 10000];
    if (!Number.isInteger(numReads) || numReads < rmin || numReads > rmax) throw new HttpError(400, `num_reads ${params.num_reads} is out of range [${rmin}, ${rmax}]`);
    const annealingTime = params.annealing_time === undefined ? Number(props.default_annealing_time ?? 20) : Number(params.annealing_time);
    const [amin, amax] = props.annealing_time_range ?? [0.5, 2000];
    if (!(annealingTime >= amin && annealingTime <= amax)) throw new HttpError(400, `annealing_time ${params.annealing_time} is out of range [${amin}, ${amax}]`);
    if (params.answer_mode !== undefined && params.answer_mode !== 'raw' && params.answer_mode !== 'histogram') {
      throw new HttpError(400, `answer_mode must be "raw" or "histogram"`);
    }
    for (const v of problem.linear.values()) if (!Number.isFinite(v)) throw new HttpError(400, 'Invalid problem data: non-finite linear bias');
    if (params.auto_scale === false && type === 'ising') {
      const [hl, hh] = props.h_range;
      const [jl, jh] = props.extended_j_range ?? props.j_range;
      for (const [q, v] of problem.linear) if (v < hl - 1e-9 || v > hh + 1e-9) throw new HttpError(400, `h value ${v} on qubit ${q} is outside h_range [${hl}, ${hh}] with auto_scale off`);
      for (const [k, v] of problem.quadratic) if (v < jl - 1e-9 || v > jh + 1e-9) throw new HttpError(400, `J value ${v} on coupler (${k}) is outside extended_j_range [${jl}, ${jh}] with auto_scale off`);
    }
    return async (signal) => {
      // A compact model over the active qubits, ascending.
      const active = [...problem.linear.keys()].sort((x, y) => x - y);
      const index = new Map(active.map((q, i) => [q, i]));
      const bqm = new BinaryQuadraticModel(type === 'ising' ? 'SPIN' : 'BINARY', active.length);
      for (const [q, v] of problem.linear) if (v !== 0) bqm.addLinear(index.get(q)!, v);
      for (const [k, v] of problem.quadratic) {
        if (v === 0) continue;
        const [x, y] = k.split(',').map(Number);
        bqm.addQuadratic(index.get(x)!, index.get(y)!, v);
      }
      const started = performance.now();
      const ss = active.length === 0 ? undefined : await this.sampler.sample(bqm, { numReads, numSweeps: this.o.numSweeps ?? 1000, threads: 1, signal });
      const wall = (performance.now() - started) * 1000;
      const readout = 36.4;
      const delay = 20.54;
      const sampling = numReads * (annealingTime + readout + delay);
      const programming = 15062.36;
      const timing = {
        qpu_sampling_time: round2(sampling),
        qpu_anneal_time_per_sample: annealingTime,
        qpu_readout_time_per_sample: readout,
        qpu_access_time: round2(programming + sampling),
        qpu_access_overhead_time: 6535.24,
        qpu_programming_time: programming,
        qpu_delay_time_per_sample: delay,
        total_post_processing_time: round2(Math.max(1, wall)),
        post_processing_overhead_time: round2(Math.max(1, wall)),
      };
      return encodeQpAnswer({
        activeVariables: active,
        samples: ss ? ss.data : new Int8Array(0),
        energies: ss ? ss.energies : new Float64Array(numReads),
        numOccurrences: ss?.numOccurrences,
        numVariables: Number(props.num_qubits),
        timing,
        answerMode: (params.answer_mode as 'raw' | 'histogram' | undefined) ?? 'histogram',
      }) as unknown as Record<string, unknown>;
    };
  }

  private prepareHybrid(solver: SolverDescription, data: Record<string, unknown>, params: Record<string, unknown>): (signal: AbortSignal) => Promise<Record<string, unknown>> {
    const props = solver.properties;
    if (data.format !== 'ref') throw new HttpError(400, `Unsupported problem data format ${JSON.stringify(data.format)}; upload the problem and submit {"format": "ref"}`);
    const upload = this.uploads.get(String(data.data));
    if (!upload || !upload.combined) throw new HttpError(400, `Problem data ${JSON.stringify(data.data)} does not exist or its upload is not complete`);
    let file;
    try {
      file = readDimodBqmFile(upload.combined);
    } catch (err) {
      throw new HttpError(400, `Invalid problem data: ${(err as Error).message}`);
    }
    const n = file.bqm.numVariables;
    if (props.maximum_number_of_variables !== undefined && n > props.maximum_number_of_variables) {
      throw new HttpError(400, `The problem has ${n} variables; the solver accepts at most ${props.maximum_number_of_variables}`);
    }
    const minimum = minimumTimeLimit(props.minimum_time_limit, n) ?? 3;
    const timeLimit = params.time_limit === undefined ? minimum : Number(params.time_limit);
    if (!Number.isFinite(timeLimit) || timeLimit < minimum - 1e-9) {
      throw new HttpError(400, `Attempting to run a problem for less than the allowed minimum time_limit ${minimum.toFixed(1)} s`);
    }
    if (props.maximum_time_limit_hrs !== undefined && timeLimit > props.maximum_time_limit_hrs * 3600) {
      throw new HttpError(400, `time_limit ${timeLimit} s exceeds the maximum ${props.maximum_time_limit_hrs} h`);
    }
    const problemDataId = upload.id;
    return async (signal) => {
      const ss =
        n === 0
          ? new SampleSet({ vartype: file.bqm.vartype, numVariables: 0, samples: new Int8Array(0), energies: [file.bqm.offset] })
          : await this.sampler.sample(file.bqm, { numReads: this.o.hybridReads ?? 32, numSweeps: this.o.numSweeps ?? 1000, threads: 1, signal });
      // Like Leap's hybrid BQM solvers: the best sample found.
      const best = ss.select([ss.firstIndex]);
      return encodeBqAnswer(best, {
        labels: file.labels,
        info: { qpu_access_time: 15970, charge_time: Math.round(timeLimit * 1e6), run_time: Math.round(timeLimit * 1e6), problem_data_id: problemDataId },
      }) as unknown as Record<string, unknown>;
    };
  }

  private pollTimeout(url: URL): number {
    const raw = url.searchParams.get('timeout');
    if (raw === null || raw === '') return Math.min(this.o.defaultPollWaitMs ?? 1000, this.o.maxPollWaitMs ?? 30_000);
    const t = Number(raw);
    if (!Number.isInteger(t) || t < 0 || t > 30) throw new HttpError(400, `timeout must be an integer in 0..30, got ${raw}`);
    return Math.min(t * 1000, this.o.maxPollWaitMs ?? 30_000);
  }

  /** Waits until one of `ps` is visibly terminal, the timeout passes, the client goes away, or the server closes. */
  private async hold(ps: Problem[], ms: number, res: http.ServerResponse): Promise<void> {
    if (ms <= 0 || ps.length === 0 || ps.some((p) => this.visibleTerminal(p)) || this.closing) return;
    await new Promise<void>((resolve) => {
      const ids = new Set(ps.map((p) => p.id));
      const finish = () => {
        clearTimeout(timer);
        this.events.off('change', onChange);
        res.off('close', finish);
        resolve();
      };
      const onChange = (id: string) => {
        if (id === '*' || (ids.has(id) && ps.some((p) => this.visibleTerminal(p)))) finish();
      };
      const timer = setTimeout(finish, ms);
      this.events.on('change', onChange);
      res.on('close', finish);
    });
  }

  private async pollMany(url: URL, res: http.ServerResponse): Promise<void> {
    const idParam = url.searchParams.get('id');
    if (!idParam) {
      // Listing: label (substring), status, solver, max_results.
      const label = url.searchParams.get('label');
      const status = url.searchParams.get('status');
      const solver = url.searchParams.get('solver');
      const max = Math.min(1000, Number(url.searchParams.get('max_results') ?? 1000) || 1000);
      const list = [...this.problems.values()]
        .filter((p) => (!label || (p.label ?? '').includes(label)) && (!status || p.status === status) && (!solver || p.solver.identity.name === solver))
        .slice(-max)
        .map((p) => this.statusOf(p, false));
      return this.sendJson(res, 200, list, `${MEDIA.problems}; version=3.0.0`);
    }
    const ids = idParam.split(',').filter(Boolean);
    if (ids.length > 1000) throw new HttpError(400, 'At most 1000 ids per request');
    const ps = ids.map((id) => this.problems.get(id));
    if (ps.some((p) => !p)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Problem does not exist or apitoken does not have access');
      return;
    }
    const problems = ps as Problem[];
    await this.hold(problems, this.pollTimeout(url), res);
    if (res.destroyed) return;
    const out = problems.map((p) => this.statusOf(p, false));
    for (const p of problems) if (p.holdPolls > 0) p.holdPolls--;
    return this.sendJson(res, 200, out, `${MEDIA.problems}; version=3.0.0`);
  }

  private async pollOne(p: Problem, url: URL, res: http.ServerResponse): Promise<void> {
    await this.hold([p], url.searchParams.has('timeout') ? this.pollTimeout(url) : 0, res);
    if (res.destroyed) return;
    const out = this.statusOf(p, true);
    if (p.holdPolls > 0) p.holdPolls--;
    return this.sendJson(res, 200, out, `${MEDIA.problem}; version=3.0.0`);
  }

  /** Cancels one problem: PENDING -> CANCELLED (a status), IN_PROGRESS -> a 202 item, terminal -> a 409 item. */
  private cancel(p: Problem | undefined, id: string): { code: number; item: Record<string, unknown> } {
    this.cancelled.push(id);
    this.stats.cancelRequests++;
    if (!p) return { code: 404, item: { error_code: 404, error_msg: 'Problem does not exist or apitoken does not have access' } };
    if (p.status === 'PENDING') {
      p.status = 'CANCELLED';
      p.holdPolls = 0;
      p.solvedOn = nowIso();
      p.abort.abort();
      this.changed(p);
      return { code: 200, item: this.statusOf(p, false) };
    }
    if (p.status === 'IN_PROGRESS') {
      // The real service may still complete it; the mock stops the anneal and cancels.
      p.status = 'CANCELLED';
      p.solvedOn = nowIso();
      p.abort.abort();
      this.changed(p);
      return { code: 202, item: { error_code: 202, error_msg: 'Attempting to cancel problem in progress.' } };
    }
    if (p.holdPolls > 0 && (p.status === 'COMPLETED' || p.status === 'FAILED')) {
      // Reported PENDING so far: honour the cancel.
      p.status = 'CANCELLED';
      p.holdPolls = 0;
      this.changed(p);
      return { code: 200, item: this.statusOf(p, false) };
    }
    return { code: 409, item: { error_code: 409, error_msg: 'Problem has been finished.' } };
  }

  private cancelMany(body: Buffer, res: http.ServerResponse): void {
    const ids = body.length ? parseJson(body) : [];
    if (!Array.isArray(ids)) throw new HttpError(400, 'The request body must be a JSON array of problem ids');
    const out = ids.map((id) => {
      const r = this.cancel(this.problems.get(String(id)), String(id));
      return r.item;
    });
    return this.sendJson(res, 200, out, `${MEDIA.problems}; version=3.0.0`);
  }

  private cancelOne(p: Problem, res: http.ServerResponse): void {
    const r = this.cancel(p, p.id);
    if (r.code === 200) return this.sendJson(res, 200, r.item, `${MEDIA.problem}; version=3.0.0`);
    return this.sendJson(res, r.code, r.item, 'application/json');
  }

  // ------------------------------------------------------------------------------- multipart

  private multipart(
    method: string,
    id: string | undefined,
    action: string | undefined,
    partNo: string | undefined,
    extra: string | undefined,
    req: http.IncomingMessage,
    body: Buffer,
    res: http.ServerResponse,
  ): void {
    const json = 'application/vnd.dwave.sapi.multipart';
    if (!id) {
      if (method !== 'POST') throw new HttpError(405, 'Method not allowed');
      const b = parseJson(body) as { size?: unknown };
      const size = Number(b?.size);
      if (!Number.isInteger(size) || size <= 0) throw new HttpError(400, 'Failed to initiate the multipart upload: "size" must be a positive integer');
      if (size > 50 * 1024 ** 3) throw new HttpError(400, 'Failed to initiate the multipart upload: the problem is larger than 50 GB');
      const up: Upload = { id: crypto.randomUUID(), size, parts: new Map() };
      this.uploads.set(up.id, up);
      this.stats.uploads++;
      return this.sendJson(res, 200, { id: up.id }, `${json}-initiate+json; version=2`);
    }
    void extra;
    const up = this.uploads.get(id);
    if (!up) throw new HttpError(404, `Upload ${id} not found`);
    if (action === 'part' && method === 'PUT') {
      const n = Number(partNo);
      if (!Number.isInteger(n) || n < 1) throw new HttpError(400, `Invalid part number ${partNo}`);
      const ctype = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (ctype !== 'application/octet-stream') throw new HttpError(415, 'Parts must be sent as application/octet-stream');
      if (up.combined) throw new HttpError(400, 'The upload is already combined');
      const md5 = crypto.createHash('md5').update(body).digest();
      const given = req.headers['content-md5'];
      if (typeof given !== 'string' || given.trim() !== md5.toString('base64')) throw new HttpError(400, `Checksum mismatch for part ${n} (Content-MD5)`);
      up.parts.set(n, { data: Buffer.from(body), md5 });
      return this.sendJson(res, 200, {}, `${json}-upload+json; version=2`);
    }
    if (action === 'status' && method === 'GET') {
      if (up.combined) return this.sendJson(res, 200, { status: 'UPLOAD_COMPLETED', parts: [] }, `${json}-status+json; version=2`);
      const parts = [...up.parts.entries()].sort((x, y) => x[0] - y[0]).map(([n, p]) => ({ part_number: n, checksum: p.md5.toString('hex') }));
      return this.sendJson(res, 200, { status: 'UPLOAD_IN_PROGRESS', parts }, `${json}-status+json; version=2`);
    }
    if (action === 'combine' && method === 'POST') {
      const b = parseJson(body) as { checksum?: unknown };
      const nums = [...up.parts.keys()].sort((x, y) => x - y);
      if (nums.length === 0 || nums.some((n, i) => n !== i + 1)) throw new HttpError(400, 'Failed to combine the multipart upload: parts are missing');
      const data = Buffer.concat(nums.map((n) => up.parts.get(n)!.data));
      if (data.length !== up.size) throw new HttpError(400, `Failed to combine the multipart upload: got ${data.length} bytes, ${up.size} were declared`);
      const expected = crypto.createHash('md5').update(Buffer.concat(nums.map((n) => up.parts.get(n)!.md5))).digest('hex');
      if (String(b?.checksum) !== expected) throw new HttpError(400, 'Failed to combine the multipart upload: checksum mismatch');
      up.combined = data;
      up.parts.clear();
      return this.sendJson(res, 200, {}, `${json}-combine+json; version=2`);
    }
    throw new HttpError(404, 'Not found');
  }

  // ------------------------------------------------------------------------------- responses

  private sendJson(res: http.ServerResponse, status: number, body: unknown, contentType: string, cacheable = false): void {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    const headers: Record<string, string> = { 'Content-Type': contentType.includes('json') && !contentType.includes('charset') ? `${contentType}; charset=utf-8` : contentType };
    if (cacheable) headers['Cache-Control'] = 'private, max-age=60';
    res.writeHead(status, headers);
    res.end(text);
  }

  private sendError(res: http.ServerResponse, status: number, message: string): void {
    this.sendJson(res, status, { error_code: status, error_msg: message }, 'application/json');
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON');
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (!enc || enc === 'identity' || raw.length === 0) return raw;
  try {
    if (enc === 'deflate') return zlib.inflateSync(raw);
    if (enc === 'gzip') return zlib.gunzipSync(raw);
  } catch {
    throw new Error(`The request body is not valid ${enc} data`);
  }
  throw new Error(`Unsupported Content-Encoding ${enc}`);
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The `filter` query (§3.1): all|none, then +field / -field, fields dotted into `properties`. */
export function applyFieldFilter(solver: SolverDescription, filter: string | null): Record<string, unknown> {
  if (!filter) return solver as unknown as Record<string, unknown>;
  const parts = filter.split(',').map((s) => s.trim()).filter(Boolean);
  const src = solver as unknown as Record<string, unknown>;
  let out: Record<string, unknown> = {};
  let rest = parts;
  if (parts[0] === 'all') {
    out = JSON.parse(JSON.stringify(src));
    rest = parts.slice(1);
  } else if (parts[0] === 'none') rest = parts.slice(1);
  for (const f of rest) {
    const sign = f[0];
    const path = (sign === '+' || sign === '-' ? f.slice(1) : f).split('.');
    if (sign === '-') {
      let o: Record<string, unknown> | undefined = out;
      for (let i = 0; i < path.length - 1 && o; i++) o = o[path[i]] as Record<string, unknown> | undefined;
      if (o) delete o[path[path.length - 1]];
    } else {
      let v: unknown = src;
      for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
      if (v === undefined || v === null) continue;
      let o = out;
      for (let i = 0; i < path.length - 1; i++) {
        if (!o[path[i]] || typeof o[path[i]] !== 'object') o[path[i]] = {};
        o = o[path[i]] as Record<string, unknown>;
      }
      o[path[path.length - 1]] = JSON.parse(JSON.stringify(v));
    }
  }
  return out;
}
