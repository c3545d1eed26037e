/**
 * The HTTP layer of the Solver API client: one axios instance, versioned Accept headers, strict
 * response media types, deflated submit bodies, timeouts on every call, and the reference client's
 * retry policy (SAPI_SPEC.md §3.8):
 *
 * - connect errors (nothing was sent): retried for every method;
 * - read errors and timeouts: retried for idempotent methods only (GET, PUT, DELETE) - a POST is never
 *   repeated once it may have reached the server, so a job is never charged twice;
 * - 413/429/503 with Retry-After (seconds or an HTTP date): waited for and retried, idempotent methods;
 * - 429/503 on GET without Retry-After: jittered exponential backoff.
 *
 * The token lives in a closure, never on an object that can be logged or thrown. Errors are rebuilt as
 * SapiError subclasses from the status and the server's message; axios errors (which carry the request
 * config and its headers) never escape.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import zlib from 'zlib';
import { ConnectionError, errorForStatus, InvalidAPIResponseError, RateLimitError, RequestTimeoutError, SapiError } from './errors';
import { abortError } from '../../samplers/sampler';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpOptions {
  /** Base URL ending in '/'. */
  baseUrl: string;
  token?: string;
  headers?: Record<string, string>;
  /** e.g. http://user:pass@host:8080/ */
  proxy?: string;
  /** Per-request timeout (connect + response). Default 60 s. */
  requestTimeoutMs?: number;
  /** Retries after the first attempt. Default 10. */
  retryTotal?: number;
  /** Backoff between consecutive failures: 0, then min(max, factor * 2^(n-1)). Default 10 ms, 60 s. */
  backoffFactorMs?: number;
  backoffMaxMs?: number;
  /** Longest Retry-After the client will wait before giving up with the error. Default 60 s. */
  maxRetryAfterMs?: number;
  userAgent?: string;
  /** Receives one line per request and retry; never sees headers or the token. */
  log?: (line: string) => void;
}

export interface MediaExpectation {
  /** e.g. application/vnd.dwave.sapi.problems+json */
  type: string;
  /** Accepted major.minor range, inclusive low, exclusive high, e.g. [3.0, 4). */
  min?: number;
  max?: number;
  /** The version sent in Accept. */
  version?: string;
}

export interface HttpRequest {
  method: HttpMethod;
  /** Relative to the base URL (no leading '/'), or an absolute URL. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** A JSON body; Buffer bodies are sent as they are. */
  body?: unknown;
  /** zlib-deflate the body and send Content-Encoding: deflate. */
  deflate?: boolean;
  headers?: Record<string, string>;
  /** Expected 2xx media type; omitted = any JSON (or the raw bytes when `raw`). */
  expect?: MediaExpectation;
  raw?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** 404s name a solver (SolverNotFoundError). */
  solverResource?: boolean;
  /** No auth header (metadata API). */
  anonymous?: boolean;
  /** Override retry on status for this call (polls handle 5xx themselves). */
  retryStatuses?: boolean;
}

export interface HttpResponse<T = unknown> {
  status: number;
  data: T;
  headers: Record<string, string>;
}

const IDEMPOTENT = new Set<HttpMethod>(['GET', 'PUT', 'DELETE']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** Parses Retry-After: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Parses `type/subtype; version=3.0.0; charset=utf-8` into its type and parameters. */
export function parseMediaType(value: string | undefined): { type: string; params: Record<string, string> } | undefined {
  if (!value) return undefined;
  const [type, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const at = p.indexOf('=');
    if (at > 0) params[p.slice(0, at).trim().toLowerCase()] = p.slice(at + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), params };
}

/** major.minor of a version string as a number (3.0.0 -> 3, 2.1 -> 2.1). */
function versionNumber(v: string): number {
  const [maj, min = '0'] = v.split('.');
  return Number(maj) + Number(min) / (min.length >= 2 ? 100 : 10);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The signal's abort reason as an Error (shared with the samplers, so aborts look the same everywhere). */
export const abortReason = abortError;

function proxyConfig(proxy: string | undefined) {
  if (!proxy) return undefined;
  const u = new URL(proxy);
  return {
    protocol: u.protocol.replace(':', ''),
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    auth: u.username ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : undefined,
  };
}

/** Keeps each client's token out of every object: only this map, keyed by the HttpClient, holds it. */
const secrets = new WeakMap<object, string>();

export class HttpClient {
  readonly baseUrl: string;
  private readonly axios: AxiosInstance;
  private readonly opts: Required<Pick<HttpOptions, 'requestTimeoutMs' | 'retryTotal' | 'backoffFactorMs' | 'backoffMaxMs' | 'maxRetryAfterMs'>>;
  private readonly extraHeaders: Record<string, string>;
  private readonly log?: (line: string) => void;
  /** Requests sent (attempts), for tests and diagnostics. */
  requestCount = 0;

  constructor(options: HttpOptions) {
    this.baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    if (options.token) secrets.set(this, options.token);
    this.opts = {
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      retryTotal: options.retryTotal ?? 10,
      backoffFactorMs: options.backoffFactorMs ?? 10,
      backoffMaxMs: options.backoffMaxMs ?? 60_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    };
    this.extraHeaders = { ...(options.headers ?? {}) };
    this.log = options.log;
    // axios is loaded on the first client, not when qahan is imported (it is most of the import time).
    const axios = (require('axios') as typeof import('axios')).default;
    this.axios = axios.create({
      proxy: proxyConfig(options.proxy) ?? undefined,
      headers: { 'User-Agent': options.userAgent ?? `qahan/${pkgVersion()} node/${process.versions.node}` },
      // Status, body and media type are checked here, not by axios.
      validateStatus: () => true,
      responseType: 'arraybuffer',
      transformResponse: [(d) => d],
      maxRedirects: 0,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
    });
  }

  /** util.inspect / console.log show no secrets. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `HttpClient { baseUrl: ${JSON.stringify(this.baseUrl)} }`;
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl };
  }

  url(path: string): string {
    return /^https?:\/\//i.test(path) ? path : new URL(path, this.baseUrl).toString();
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = req.method;
    const url = this.url(req.path);
    const headers: Record<string, string> = { ...this.extraHeaders, ...(req.headers ?? {}) };
    if (req.expect) headers.Accept = `${req.expect.type}${req.expect.version ? `; version=${req.expect.version}` : ''}`;
    const token = secrets.get(this);
    if (token && !req.anonymous) headers['X-Auth-Token'] = token;
    let data: Buffer | undefined;
    if (req.body !== undefined) {
      data = Buffer.isBuffer(req.body) ? req.body : Buffer.from(JSON.stringify(req.body));
      if (!Buffer.isBuffer(req.body)) headers['Content-Type'] ??= 'application/json';
      if (req.deflate) {
        data = zlib.deflateSync(data);
        headers['Content-Encoding'] = 'deflate';
      }
    }
    const timeoutMs = req.timeoutMs ?? this.opts.requestTimeoutMs;
    const shown = `${method} ${url}`;
    const idempotent = IDEMPOTENT.has(method);
    let failures = 0;
    for (;;) {
      if (req.signal?.aborted) throw abortReason(req.signal);
      let res: AxiosResponse<ArrayBuffer> | undefined;
      let failure: { error: SapiError; retry: boolean } | undefined;
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      const onAbort = () => controller.abort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.requestCount++;
      try {
        res = await this.axios.request<ArrayBuffer>({
          method,
          url,
          params: req.query ? Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined)) : undefined,
          headers,
          data,
          signal: controller.signal,
        });
      } catch (err) {
        if (req.signal?.aborted) throw abortReason(req.signal);
        const code = String((err as { code?: unknown }).code ?? '');
        if (timedOut) {
          failure = { error: new RequestTimeoutError(`${shown} timed out after ${timeoutMs} ms`, { method, url, code: 'ETIMEDOUT' }), retry: idempotent };
        } else if (CONNECT_CODES.has(code)) {
          failure = { error: new ConnectionError(`${shown} failed: cannot connect (${code})`, { method, url, code }), retry: true };
        } else {
          const why = code || 'ERR_NETWORK';
          const msg = String((err as Error).message ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 200);
          failure = {
            error: new ConnectionError(`${shown} failed: connection error (${why}${msg && !msg.includes(why) ? `: ${msg}` : ''})`, { method, url, code: why }),
            retry: idempotent,
          };
        }
      } finally {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
      }

      if (res) {
        const resHeaders = lowerHeaders(res.headers as Record<string, unknown>);
        const body = Buffer.from(res.data ?? new ArrayBuffer(0));
        if (res.status >= 200 && res.status < 300) {
          this.log?.(`${shown} -> ${res.status}`);
          return { status: res.status, headers: resHeaders, data: this.parseBody(body, resHeaders['content-type'], req, shown) as T };
        }
        const error = this.errorFrom(res.status, body, resHeaders, req, method, url, shown);
        const retryAfter = parseRetryAfter(resHeaders['retry-after']);
        if (error instanceof RateLimitError && retryAfter !== undefined) error.retryAfterMs = retryAfter;
        const retryable = req.retryStatuses !== false && idempotent && [413, 429, 503].includes(res.status);
        if (retryable && (retryAfter !== undefined || (method === 'GET' && res.status !== 413))) {
          if (failures >= this.opts.retryTotal || (retryAfter ?? 0) > this.opts.maxRetryAfterMs) throw error;
          failures++;
          const delay = retryAfter ?? this.backoff(failures, true);
          this.log?.(`${shown} -> ${res.status}; retry ${failures} in ${delay} ms`);
          await sleep(delay, req.signal);
          continue;
        }
        this.log?.(`${shown} -> ${res.status}`);
        throw error;
      }
      if (!failure) throw new SapiError(`${shown} failed`);
      if (!failure.retry || failures >= this.opts.retryTotal) {
        this.log?.(`${shown} failed: ${failure.error.code}`);
        throw failure.error;
      }
      failures++;
      const delay = this.backoff(failures, false);
      this.log?.(`${shown} failed (${failure.error.code}); retry ${failures} in ${delay} ms`);
      await sleep(delay, req.signal);
    }
  }

  /** 0 for the first retry, then min(max, factor * 2^(n-1)); `jitter` spreads waits without Retry-After. */
  private backoff(n: number, jitter: boolean): number {
    if (n <= 1 && !jitter) return 0;
    const base = Math.min(this.opts.backoffMaxMs, this.opts.backoffFactorMs * 2 ** (n - 1));
    return Math.round(jitter ? base * (0.5 + Math.random()) : base);
  }

  private parseBody(body: Buffer, contentType: string | undefined, req: HttpRequest, shown: string): unknown {
    if (req.raw) return body;
    const media = parseMediaType(contentType);
    if (req.expect) {
      if (!media) throw new InvalidAPIResponseError(`${shown}: response has no Content-Type (expected ${req.expect.type})`);
      const plainJson = media.type === 'application/json';
      if (media.type !== req.expect.type && !plainJson) {
        throw new InvalidAPIResponseError(`${shown}: unexpected media type ${media.type} (expected ${req.expect.type})`);
      }
      if (!plainJson && (req.expect.min !== undefined || req.expect.max !== undefined)) {
        const v = media.params.version;
        if (v === undefined) throw new InvalidAPIResponseError(`${shown}: ${media.type} without a version parameter`);
        const num = versionNumber(v);
        if ((req.expect.min !== undefined && num < req.expect.min) || (req.expect.max !== undefined && num >= req.expect.max)) {
          throw new InvalidAPIResponseError(`${shown}: unsupported ${media.type} version ${v}`);
        }
      }
    }
    if (body.length === 0) return undefined;
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new InvalidAPIResponseError(`${shown}: the response body is not valid JSON`);
    }
  }

  private errorFrom(status: number, body: Buffer, headers: Record<string, string>, req: HttpRequest, method: string, url: string, shown: string): SapiError {
    let msg: string | undefined;
    let errorCode: number | undefined;
    const text = body.toString('utf8');
    try {
      const json = JSON.parse(text) as { error_msg?: unknown; error_code?: unknown; message?: unknown };
      if (json && typeof json === 'object') {
        msg = typeof json.error_msg === 'string' ? json.error_msg : typeof json.message === 'string' ? json.message : undefined;
        if (typeof json.error_code === 'number') errorCode = json.error_code;
      }
    } catch {
      msg = text.trim().slice(0, 500) || undefined;
    }
    const token = secrets.get(this);
    if (msg && token && msg.includes(token)) msg = msg.split(token).join('***');
    void headers;
    return errorForStatus(status, `${shown} -> ${status}: ${msg ?? httpReason(status)}`, { method, url, errorCode: errorCode ?? status }, req.solverResource);
  }
}

function lowerHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    410: 'Gone',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return reasons[status] ?? `HTTP ${status}`;
}

function pkgVersion(): string {
  try {
    return require('../../../package.json').version as string;
  } catch {
    return '0';
  }
}
