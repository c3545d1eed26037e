/**
 * The Solver API client (SAPI_SPEC.md §2-§4): regions, solvers with client-side filters, problem
 * submission (deflated, at most 20 jobs per POST), long-poll status, answers, cancellation and
 * multipart uploads for hybrid solvers. Every request has a timeout; errors are typed (errors.ts); the
 * token is never stored on this object in a readable form.
 */
import crypto from 'crypto';
import { loadDWaveConfig, LoadConfigOptions, Region, resolveEndpoint, TokenMissingError } from '../config';
import {
  InvalidAPIResponseError,
  PollingTimeoutError,
  ProblemCancelledError,
  ProblemFailedError,
  ProblemUploadError,
  RateLimitError,
  SapiError,
  SolverNotFoundError,
  SolverOfflineError,
} from './errors';
import { clientCategoryFilter, OrderBy, selectSolvers } from './filters';
import { abortReason, HttpClient, HttpOptions, HttpResponse, MediaExpectation, sleep } from './http';
import type { ItemError, ProblemJob, ProblemStatus, SolverDescription } from './types';

export const MEDIA = {
  solverList: { type: 'application/vnd.dwave.sapi.solver-definition-list+json', version: '3.0.0', min: 3, max: 4 },
  solver: { type: 'application/vnd.dwave.sapi.solver-definition+json', version: '3.0.0', min: 3, max: 4 },
  problems: { type: 'application/vnd.dwave.sapi.problems+json', version: '3.0.0', min: 3, max: 4 },
  problem: { type: 'application/vnd.dwave.sapi.problem+json', version: '3.0.0', min: 3, max: 4 },
  problemData: { type: 'application/vnd.dwave.sapi.problem-data+json', version: '3.0.0', min: 3, max: 4 },
  answer: { type: 'application/vnd.dwave.sapi.problem-answer+json', version: '3.0.0', min: 2.1, max: 4 },
  messages: { type: 'application/vnd.dwave.sapi.problem-message+json', version: '3.0.0', min: 2.1, max: 4 },
  regions: { type: 'application/vnd.dwave.metadata.regions+json', min: 1, max: 2 },
} satisfies Record<string, MediaExpectation>;

/** Jobs per `POST problems/` and ids per status poll, as the reference client. */
export const MAX_JOBS_PER_SUBMIT = 20;
export const MAX_IDS_PER_POLL = 100;
/** Multipart part size (5 MiB). */
export const UPLOAD_PART_SIZE = 5 * 1024 * 1024;

export interface SapiClientOptions extends Omit<HttpOptions, 'baseUrl'> {
  /** SAPI base URL (ends in '/'; appended if missing). */
  endpoint: string;
  /** The `client` category restriction: 'base' | 'qpu' | 'hybrid' | 'sw'. */
  client?: string;
  /** Long-poll wait, seconds (1..30). Default 30. */
  pollWaitTime?: number;
  /** Added to the long-poll wait for the request timeout. Default 30 s. */
  pollTimeoutSlackMs?: number;
  /** Give up polling a problem this long after it was submitted. Default none. */
  pollingTimeoutMs?: number;
  /** Compress `POST problems/` bodies. Default true. */
  compress?: boolean;
  /** How long an abort waits for its cancel request. Default 5 s. */
  cancelTimeoutMs?: number;
  /** Retries per multipart step and their base delay (2 and 2 s as the reference). */
  uploadRetries?: number;
  uploadRetryDelayMs?: number;
  uploadPartSize?: number;
  /** Consecutive transient (5xx/429) poll failures tolerated before giving up. Default 20. */
  maxPollErrors?: number;
}

export interface WaitOptions {
  signal?: AbortSignal;
  pollingTimeoutMs?: number;
}

/** A completed problem: its final status and its answer. */
export interface CompletedProblem {
  id: string;
  status: ProblemStatus;
  answer: Record<string, unknown>;
}

function normalizeSolver(raw: unknown): SolverDescription {
  const s = raw as SolverDescription & { id?: string };
  if (!s || typeof s !== 'object') throw new InvalidAPIResponseError('a solver description is not an object');
  const identity = s.identity ?? (typeof s.id === 'string' ? { name: s.id } : undefined);
  if (!identity || typeof identity.name !== 'string') throw new InvalidAPIResponseError('a solver description has no identity');
  return { ...s, identity, properties: s.properties ?? {} };
}

function isItemError(x: unknown): x is ItemError {
  return !!x && typeof x === 'object' && 'error_code' in x && 'error_msg' in x;
}

/**
 * The state machine of §3.5 for one status item: an error to fail with, or undefined. `redact` clears
 * the server's messages of secrets (a hostile server may echo the token).
 */
function statusError(item: ProblemStatus | ItemError, redact: (text: string) => string = (t) => t): SapiError | undefined {
  if (isItemError(item)) return new ProblemFailedError(redact(String(item.error_msg)), { errorCode: typeof item.error_code === 'number' ? item.error_code : undefined });
  if (!item || typeof item !== 'object' || !('status' in item) || !('id' in item)) {
    return new InvalidAPIResponseError('a problem status lacks "id" or "status"');
  }
  switch (item.status) {
    case 'PENDING':
    case 'IN_PROGRESS':
    case 'COMPLETED':
      return undefined;
    case 'CANCELLED':
      return new ProblemCancelledError(redact(`problem ${item.id} was cancelled`), { problemId: redact(String(item.id)) });
    default: {
      const msg = redact(String(item.error_message ?? 'An unknown error has occurred.'));
      const problemId = redact(String(item.id));
      return /solver is offline/i.test(msg) ? new SolverOfflineError(msg, { problemId }) : new ProblemFailedError(msg, { problemId });
    }
  }
}

export class SapiClient {
  readonly endpoint: string;
  readonly http: HttpClient;
  private readonly o: SapiClientOptions;
  private solverCache: { at: number; solvers: SolverDescription[] } | undefined;
  /** Clears server messages of the token and URL credentials. */
  private readonly redactor = (text: string) => this.http.redact(text);

  constructor(options: SapiClientOptions) {
    if (!options.endpoint) throw new TypeError('SapiClient: endpoint is required');
    if (!options.token) throw new TokenMissingError();
    this.http = new HttpClient({ urlName: 'endpoint', ...options, baseUrl: options.endpoint });
    this.endpoint = this.http.baseUrl;
    // Keep every option but the token.
    const { token: _token, ...rest } = options;
    void _token;
    this.o = rest as SapiClientOptions;
  }

  /**
   * A client from the D-Wave configuration (explicit options > DWAVE_* env > dwave.conf), resolving
   * a region through the metadata API when no endpoint is given.
   */
  static async fromConfig(load: LoadConfigOptions = {}, overrides: Partial<SapiClientOptions> = {}): Promise<SapiClient> {
    const cfg = loadDWaveConfig(load);
    if (!cfg.token) throw new TokenMissingError();
    const endpoint = await resolveEndpoint(cfg, { fetchRegions: (m) => SapiClient.getRegions(m, { requestTimeoutMs: overrides.requestTimeoutMs ?? 10_000, retryTotal: 3, proxy: cfg.proxy }) });
    const num = (v: unknown) => (v === undefined || v === '' ? undefined : Number(v));
    return new SapiClient({
      endpoint,
      token: cfg.token,
      headers: cfg.headers,
      proxy: cfg.proxy,
      client: cfg.client,
      pollWaitTime: num(cfg.poll_wait_time),
      requestTimeoutMs: num(cfg.request_timeout) !== undefined ? num(cfg.request_timeout)! * 1000 : undefined,
      pollingTimeoutMs: num(cfg.polling_timeout) !== undefined ? num(cfg.polling_timeout)! * 1000 : undefined,
      compress: cfg.compress_qpu_problem_data === undefined ? undefined : !/^(false|off|0|no)$/i.test(String(cfg.compress_qpu_problem_data)),
      ...overrides,
    });
  }

  /** GET {metadata}regions/ (no token needed). */
  static async getRegions(metadataEndpoint: string, opts: Partial<HttpOptions> = {}): Promise<Region[]> {
    const http = new HttpClient({ urlName: 'metadata_api_endpoint', ...opts, baseUrl: metadataEndpoint, token: undefined });
    const res = await http.request<Region[]>({ method: 'GET', path: 'regions/', expect: MEDIA.regions, anonymous: true });
    if (!Array.isArray(res.data)) throw new InvalidAPIResponseError('the regions response is not a list');
    return res.data;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SapiClient { endpoint: ${JSON.stringify(this.endpoint)} }`;
  }

  toJSON(): Record<string, unknown> {
    return { endpoint: this.endpoint };
  }

  // -------------------------------------------------------------------------------------------
  // Solvers

  /** Every solver the token can see (cached for `maxAgeMs`, default 60 s). */
  async listSolvers(opts: { signal?: AbortSignal; maxAgeMs?: number; refresh?: boolean } = {}): Promise<SolverDescription[]> {
    const maxAge = opts.maxAgeMs ?? 60_000;
    if (!opts.refresh && this.solverCache && Date.now() - this.solverCache.at < maxAge) return this.solverCache.solvers;
    const res = await this.http.request<unknown[]>({ method: 'GET', path: 'solvers/remote/', expect: MEDIA.solverList, signal: opts.signal, solverResource: true });
    if (!Array.isArray(res.data)) throw new InvalidAPIResponseError('the solver list is not an array');
    const solvers = res.data.map(normalizeSolver);
    this.solverCache = { at: Date.now(), solvers };
    return solvers;
  }

  async getSolver(name: string, opts: { signal?: AbortSignal } = {}): Promise<SolverDescription> {
    const res = await this.http.request({
      method: 'GET',
      path: `solvers/remote/${encodeURIComponent(name)}`,
      expect: MEDIA.solver,
      signal: opts.signal,
      solverResource: true,
    });
    return normalizeSolver(res.data);
  }

  /** Solvers passing the filters (§1.4; `online: true` is implied), ordered (default avg_load). */
  async getSolvers(filters: Record<string, unknown> = {}, opts: { signal?: AbortSignal; orderBy?: OrderBy } = {}): Promise<SolverDescription[]> {
    const all = await this.listSolvers({ signal: opts.signal });
    return selectSolvers(all, { ...clientCategoryFilter(this.o.client), ...filters }, opts.orderBy ?? 'avg_load');
  }

  /** The first solver passing the filters, or SolverNotFoundError. */
  async selectSolver(filters: Record<string, unknown> = {}, opts: { signal?: AbortSignal; orderBy?: OrderBy } = {}): Promise<SolverDescription> {
    const found = await this.getSolvers(filters, opts);
    if (found.length === 0) throw new SolverNotFoundError(`Solver with the requested features not available (filters: ${JSON.stringify(filters)})`);
    return found[0];
  }

  // -------------------------------------------------------------------------------------------
  // Problems

  /**
   * POST problems/ in chunks of 20. Returns one entry per job, in order: its status, or the
   * ProblemFailedError of a per-item error. The POST is never repeated once sent.
   */
  async submitProblems(jobs: readonly ProblemJob[], opts: { signal?: AbortSignal } = {}): Promise<(ProblemStatus | SapiError)[]> {
    const out: (ProblemStatus | SapiError)[] = [];
    for (let at = 0; at < jobs.length; at += MAX_JOBS_PER_SUBMIT) {
      const chunk = jobs.slice(at, at + MAX_JOBS_PER_SUBMIT);
      const res = await this.http.request<unknown[]>({
        method: 'POST',
        path: 'problems/',
        body: chunk,
        deflate: this.o.compress !== false,
        expect: MEDIA.problems,
        signal: opts.signal,
      });
      if (!Array.isArray(res.data) || res.data.length !== chunk.length) {
        throw new InvalidAPIResponseError(`the submit response has ${Array.isArray(res.data) ? res.data.length : 'no'} items for ${chunk.length} jobs`);
      }
      for (const item of res.data as (ProblemStatus | ItemError)[]) {
        const err = isItemError(item) ? statusError(item, this.redactor) : undefined;
        out.push(err ?? (item as ProblemStatus));
      }
    }
    return out;
  }

  /** GET problems/?id=a,b&timeout=N: short statuses (no answers). */
  async pollProblems(ids: readonly string[], opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<ProblemStatus[]> {
    const timeout = opts.timeout ?? this.pollWait();
    const res = await this.http.request<ProblemStatus[]>({
      method: 'GET',
      path: 'problems/',
      query: { id: ids.join(','), timeout: timeout > 0 ? timeout : undefined },
      expect: MEDIA.problems,
      timeoutMs: timeout * 1000 + (this.o.pollTimeoutSlackMs ?? 30_000),
      signal: opts.signal,
      retryStatuses: false,
    });
    if (!Array.isArray(res.data)) throw new InvalidAPIResponseError('the status response is not an array');
    return res.data;
  }

  /** GET problems/<id>/: the status, with the answer when COMPLETED. */
  async getProblem(id: string, opts: { timeout?: number; signal?: AbortSignal } = {}): Promise<ProblemStatus> {
    const res = await this.http.request<ProblemStatus>({
      method: 'GET',
      path: `problems/${encodeURIComponent(id)}/`,
      query: { timeout: opts.timeout },
      expect: MEDIA.problem,
      timeoutMs: opts.timeout ? opts.timeout * 1000 + (this.o.pollTimeoutSlackMs ?? 30_000) : undefined,
      signal: opts.signal,
    });
    return res.data;
  }

  /** GET problems/<id>/answer/. */
  async getAnswer(id: string, opts: { signal?: AbortSignal } = {}): Promise<Record<string, unknown>> {
    const res = await this.http.request<{ answer?: Record<string, unknown> }>({
      method: 'GET',
      path: `problems/${encodeURIComponent(id)}/answer/`,
      expect: MEDIA.answer,
      signal: opts.signal,
    });
    if (!res.data || typeof res.data.answer !== 'object') throw new InvalidAPIResponseError(`problem ${id}: the answer response has no answer`);
    return res.data.answer;
  }

  async getProblemInfo(id: string, opts: { signal?: AbortSignal } = {}): Promise<Record<string, unknown>> {
    const res = await this.http.request<Record<string, unknown>>({ method: 'GET', path: `problems/${encodeURIComponent(id)}/info`, expect: MEDIA.problemData, signal: opts.signal });
    return res.data;
  }

  async getProblemMessages(id: string, opts: { signal?: AbortSignal } = {}): Promise<unknown[]> {
    const res = await this.http.request<unknown[]>({ method: 'GET', path: `problems/${encodeURIComponent(id)}/messages`, expect: MEDIA.messages, signal: opts.signal });
    return res.data;
  }

  /** DELETE problems/ with the ids: one status or item error per id. `deadlineMs` bounds every attempt together. */
  async cancelProblems(ids: readonly string[], opts: { signal?: AbortSignal; timeoutMs?: number; deadlineMs?: number } = {}): Promise<(ProblemStatus | ItemError)[]> {
    if (ids.length === 0) return [];
    const res = await this.http.request<(ProblemStatus | ItemError)[]>({
      method: 'DELETE',
      path: 'problems/',
      body: ids,
      expect: MEDIA.problems,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      deadlineMs: opts.deadlineMs,
    });
    return res.data;
  }

  /** DELETE problems/<id>/. */
  async cancelProblem(id: string, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<HttpResponse<ProblemStatus>> {
    return this.http.request<ProblemStatus>({ method: 'DELETE', path: `problems/${encodeURIComponent(id)}/`, expect: MEDIA.problem, signal: opts.signal, timeoutMs: opts.timeoutMs });
  }

  private pollWait(): number {
    const w = this.o.pollWaitTime ?? 30;
    return Math.max(0, Math.min(30, Math.round(w)));
  }

  /**
   * Drives problems to completion: long-polls the pending ones together (up to 100 ids per poll),
   * loads answers of COMPLETED problems, re-polls after 5xx, and fails on FAILED/CANCELLED or any other
   * poll error. On a failure the other problems still running are cancelled (best effort). On abort
   * the running problems are cancelled (the cancel is awaited briefly) and the promise rejects with the
   * signal's reason. Results come back in the order of `initial`.
   */
  async waitForProblems(initial: readonly ProblemStatus[], opts: WaitOptions = {}): Promise<CompletedProblem[]> {
    const pollingTimeoutMs = opts.pollingTimeoutMs ?? this.o.pollingTimeoutMs;
    const results = new Map<string, CompletedProblem>();
    const pending = new Map<string, ProblemStatus>();
    const started = Date.now();
    // An internal controller cancels in-flight polls when the caller aborts.
    const inner = new AbortController();
    const onAbort = () => inner.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const settle = async (item: ProblemStatus): Promise<void> => {
      const err = statusError(item, this.redactor);
      if (err) throw err;
      if (item.status !== 'COMPLETED') {
        pending.set(item.id, item);
        return;
      }
      pending.delete(item.id);
      let full = item;
      if (!full.answer) {
        full = await this.getProblem(item.id, { signal: inner.signal });
        const e2 = statusError(full, this.redactor);
        if (e2) throw e2;
        if (!full.answer) full = { ...full, answer: await this.getAnswer(item.id, { signal: inner.signal }) };
      }
      results.set(item.id, { id: item.id, status: full, answer: full.answer! });
    };

    try {
      for (const item of initial) await settle(item);
      let pause = 0;
      let pollErrors = 0;
      while (pending.size > 0) {
        if (inner.signal.aborted) throw abortReason(inner.signal);
        if (pollingTimeoutMs !== undefined && Date.now() - started > pollingTimeoutMs) {
          throw new PollingTimeoutError(`polling timed out after ${pollingTimeoutMs} ms; problem(s) ${[...pending.keys()].join(', ')} still running`, {
            problemId: [...pending.keys()][0],
          });
        }
        const ids = [...pending.keys()].slice(0, MAX_IDS_PER_POLL);
        let wait = this.pollWait();
        if (pollingTimeoutMs !== undefined) wait = Math.max(1, Math.min(wait, Math.ceil((pollingTimeoutMs - (Date.now() - started)) / 1000)));
        let statuses: ProblemStatus[];
        try {
          statuses = await this.pollProblems(ids, { timeout: wait, signal: inner.signal });
        } catch (err) {
          const transient = err instanceof SapiError && err.status !== undefined && (err.status >= 500 || err.status === 429);
          if (transient && ++pollErrors <= (this.o.maxPollErrors ?? 20)) {
            // 5xx (and 429) on a poll are transient, as the reference client treats them: poll again.
            pause = Math.min(2000, Math.max(50, pause * 2));
            await sleep(err instanceof RateLimitError && err.retryAfterMs !== undefined ? err.retryAfterMs : pause, inner.signal);
            continue;
          }
          throw err;
        }
        pollErrors = 0;
        let progressed = false;
        for (const s of statuses) {
          if (!s || !pending.has(s.id)) continue;
          if (s.status !== 'PENDING' && s.status !== 'IN_PROGRESS') progressed = true;
          await settle(s);
        }
        if (!progressed) {
          // A server that returns at once (no long polling) must not be hammered.
          pause = Math.min(1000, Math.max(25, pause * 1.5));
          await sleep(pause, inner.signal);
        } else pause = 0;
      }
      return initial.map((s) => results.get(s.id)!);
    } catch (err) {
      const running = [...pending.keys()];
      if (opts.signal?.aborted) {
        await this.cancelQuietly(running);
        throw abortReason(opts.signal);
      }
      // A polling timeout leaves the problems running (their ids are in the error); any other failure
      // cancels the rest of the batch.
      if (running.length && !(err instanceof PollingTimeoutError)) await this.cancelQuietly(running);
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Best-effort cancel, bounded by `cancelTimeoutMs`; never throws. */
  private async cancelQuietly(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      // One deadline for the cancel and its retries: an abort never waits longer than cancelTimeoutMs.
      const ms = this.o.cancelTimeoutMs ?? 5000;
      await this.cancelProblems(ids, { timeoutMs: ms, deadlineMs: ms });
    } catch {
      /* the problem may have finished; nothing more to do */
    }
  }

  /**
   * Submits jobs and waits for all of them: one POST per 20 jobs, then polling together. If a job is
   * rejected, the others are cancelled and the job's error is thrown.
   */
  async solve(jobs: readonly ProblemJob[], opts: WaitOptions = {}): Promise<CompletedProblem[]> {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    const submitted = await this.submitProblems(jobs, { signal: opts.signal });
    const failed = submitted.find((s): s is SapiError => s instanceof SapiError);
    const ok = submitted.filter((s): s is ProblemStatus => !(s instanceof SapiError));
    if (failed) {
      await this.cancelQuietly(ok.filter((s) => s.status === 'PENDING' || s.status === 'IN_PROGRESS').map((s) => s.id));
      throw failed;
    }
    if (opts.signal?.aborted) {
      await this.cancelQuietly(ok.map((s) => s.id));
      throw abortReason(opts.signal);
    }
    return this.waitForProblems(ok, opts);
  }

  // -------------------------------------------------------------------------------------------
  // Multipart upload (hybrid solvers, §3.4)

  /**
   * Uploads a serialized problem in 5 MiB parts (Content-MD5 per part), checks the server's part
   * checksums, and combines them. Returns the problem_data_id for a `ref` submission.
   */
  async uploadProblem(data: Buffer, opts: { signal?: AbortSignal } = {}): Promise<string> {
    const partSize = this.o.uploadPartSize ?? UPLOAD_PART_SIZE;
    const init = await this.uploadStep('initiate', () =>
      this.http.request<{ id?: string }>({ method: 'POST', path: 'bqm/multipart', body: { size: data.length }, signal: opts.signal }),
    );
    const id = init.data?.id;
    if (typeof id !== 'string') throw new ProblemUploadError('the upload was not initiated: no id in the response');
    const parts: Buffer[] = [];
    for (let at = 0; at < data.length || (at === 0 && parts.length === 0); at += partSize) parts.push(data.subarray(at, at + partSize));
    const digests = parts.map((p) => crypto.createHash('md5').update(p).digest());
    for (let n = 0; n < parts.length; n++) {
      await this.uploadStep(`part ${n + 1}`, () =>
        this.http.request({
          method: 'PUT',
          path: `bqm/multipart/${encodeURIComponent(id)}/part/${n + 1}`,
          body: parts[n],
          headers: { 'Content-Type': 'application/octet-stream', 'Content-MD5': digests[n].toString('base64') },
          signal: opts.signal,
        }),
      );
    }
    const status = await this.uploadStep('status', () =>
      this.http.request<{ status?: string; parts?: { part_number: number; checksum: string }[] }>({
        method: 'GET',
        path: `bqm/multipart/${encodeURIComponent(id)}/status`,
        signal: opts.signal,
      }),
    );
    const listed = new Map((status.data?.parts ?? []).map((p) => [p.part_number, String(p.checksum).replace(/"/g, '')]));
    if (status.data?.status !== 'UPLOAD_COMPLETED') {
      for (let n = 0; n < parts.length; n++) {
        if (listed.get(n + 1) !== digests[n].toString('hex')) throw new ProblemUploadError(`upload ${id}: part ${n + 1} checksum mismatch on the server`);
      }
    }
    const checksum = crypto.createHash('md5').update(Buffer.concat(digests)).digest('hex');
    await this.uploadStep('combine', () =>
      this.http.request({ method: 'POST', path: `bqm/multipart/${encodeURIComponent(id)}/combine`, body: { checksum }, signal: opts.signal }),
    );
    return id;
  }

  /** Each multipart step: 2 more attempts after 2 s and 4 s (client errors other than 429 are not retried). */
  private async uploadStep<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const retries = this.o.uploadRetries ?? 2;
    const base = this.o.uploadRetryDelayMs ?? 1000;
    for (let k = 0; ; k++) {
      try {
        return await fn();
      } catch (err) {
        const e = err as SapiError;
        const transient = !(e instanceof SapiError) ? false : e.status === undefined || e.status >= 500 || e.status === 429;
        if (e.name === 'AbortError' || !transient || k >= retries) {
          if (e instanceof SapiError && !(e instanceof ProblemUploadError) && e.status !== undefined && e.status < 500 && e.status !== 429 && e.status !== 401) {
            throw new ProblemUploadError(`multipart ${what}: ${e.message}`, { status: e.status, errorCode: e.errorCode, method: e.method, url: e.url });
          }
          throw err;
        }
        await sleep(base * 2 ** (k + 1));
      }
    }
  }
}
