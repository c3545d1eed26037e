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
 * Nothing a server does can hold a call forever or fill the memory:
 * - each attempt has its own timeout (`requestTimeoutMs`) covering the headers and the whole body, so a
 *   server trickling bytes is cut off; at most `timeoutRetries` (2) attempts follow a timeout;
 * - every call has an overall deadline (`deadlineMs`) over all its attempts, backoffs and Retry-After waits;
 * - bodies are streamed and counted: at most `maxResponseBytes` (64 MiB) on the wire and
 *   `maxDecompressedBytes` (256 MiB) after Content-Encoding, else ResponseTooLargeError as soon as the
 *   limit is passed (a gzip bomb is never expanded past it); error bodies are read up to 64 KiB only.
 *
 * The token lives in a closure, never on an object that can be logged or thrown; a server echoing it
 * back in any encoding gets it redacted, and user:password in the endpoint URL is masked in every
 * message. Errors are rebuilt as SapiError subclasses from the status and the server's message; axios
 * errors (which carry the request config and its headers) never escape.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import { pipeline, Readable, Transform, Writable } from 'stream';
import zlib from 'zlib';
import {
  ConnectionError,
  errorForStatus,
  InvalidAPIResponseError,
  RateLimitError,
  RequestTimeoutError,
  ResponseTooLargeError,
  SapiError,
} from './errors';
import { abortError } from '../../samplers/sampler';
import { maskUrlCredentials, redactSecrets, urlSecret } from '../redact';

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
  /** Retries after an attempt timed out (idempotent methods; within `retryTotal`). Default 2. */
  timeoutRetries?: number;
  /**
   * Overall deadline of one call: every attempt, backoff and Retry-After wait included. Default
   * (timeoutRetries + 1) x the call's request timeout + 30 s. A call with its own longer timeout (a
   * long poll) gets at least that timeout.
   */
  deadlineMs?: number;
  /** Most bytes of one response body read off the wire (still compressed). Default 64 MiB. */
  maxResponseBytes?: number;
  /** Most bytes of one response body after its Content-Encoding is undone. Default 256 MiB. */
  maxDecompressedBytes?: number;
  userAgent?: string;
  /** The setting the base URL came from, named when it is not a valid URL. Default 'baseUrl'. */
  urlName?: string;
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
  /** This call's per-attempt timeout (default `requestTimeoutMs`). */
  timeoutMs?: number;
  /** This call's overall deadline (default from the client's `deadlineMs`). */
  deadlineMs?: number;
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

/** Default body limits: far above any real SAPI answer, far below what hurts a process. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;
/** Error bodies only feed a message: the first 64 KiB are enough. */
const ERROR_BODY_BYTES = 64 * 1024;

/** A body over a limit, before it is turned into a ResponseTooLargeError naming the request. */
class BodyLimit extends Error {
  constructor(
    readonly kind: 'compressed' | 'decompressed',
    readonly limitBytes: number,
    readonly declared = false,
  ) {
    super(kind);
  }
}

/** A body whose Content-Encoding is unknown or whose compressed data is corrupt. */
class BodyDecodeError extends Error {}

interface BodyLimits {
  wire: number;
  decoded: number;
  /** Keep what fits instead of failing (error bodies). */
  truncate: boolean;
}

function decoderFor(encoding: string | undefined): Transform | undefined {
  const enc = (encoding ?? '').trim().toLowerCase();
  switch (enc) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
    case 'deflate':
      // Unzip reads gzip and zlib-wrapped deflate alike.
      return zlib.createUnzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      throw new BodyDecodeError(`unsupported Content-Encoding ${JSON.stringify(enc.slice(0, 40))}`);
  }
}

/**
 * Reads a response body as it streams in, counting the bytes on the wire and after decompression,
 * and stops (destroying the stream) as soon as either passes its limit: memory stays at most the
 * limit plus one chunk, whatever the server sends.
 */
function readBody(source: Readable, headers: Record<string, string>, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(headers['content-length']);
  if (!limits.truncate && Number.isFinite(declared) && declared > limits.wire) {
    source.destroy();
    return Promise.reject(new BodyLimit('compressed', limits.wire, true));
  }
  let decoder: Transform | undefined;
  try {
    decoder = decoderFor(headers['content-encoding']);
  } catch (err) {
    source.destroy();
    return Promise.reject(err);
  }
  const chunks: Buffer[] = [];
  let wire = 0;
  let decoded = 0;
  // The first limit passed; the pipeline may report the teardown it causes instead.
  let limitHit: BodyLimit | undefined;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      wire += chunk.length;
      if (wire > limits.wire) done((limitHit ??= new BodyLimit('compressed', limits.wire)));
      else done(null, chunk);
    },
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      decoded += chunk.length;
      if (decoded > limits.decoded) {
        if (limits.truncate) chunks.push(chunk.subarray(0, chunk.length - (decoded - limits.decoded)));
        done((limitHit ??= new BodyLimit('decompressed', limits.decoded)));
      } else {
        chunks.push(chunk);
        done();
      }
    },
  });
  return new Promise<Buffer>((resolve, reject) => {
    const done = (error?: Error | null) => {
      const err = limitHit ?? error;
      if (!err) return resolve(Buffer.concat(chunks));
      source.destroy();
      if (limits.truncate && (err instanceof BodyLimit || wire > 0)) return resolve(Buffer.concat(chunks));
      if (err instanceof BodyLimit) return reject(err);
      // Unzip on an empty body (204, HEAD) reports a buffer error: there was simply nothing.
      if (decoder && wire === 0) return resolve(Buffer.alloc(0));
      if (decoder && typeof (err as { errno?: unknown }).errno === 'number' && String((err as { code?: unknown }).code ?? '').startsWith('Z_')) {
        return reject(new BodyDecodeError(`the ${headers['content-encoding']} body cannot be decompressed (${(err as { code?: string }).code})`));
      }
      reject(err);
    };
    if (decoder) pipeline(source, counter, decoder, sink, done);
    else pipeline(source, counter, sink, done);
  });
}

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

/** Keeps each client's secrets out of every object: only this map, keyed by the HttpClient, holds them. */
const secrets = new WeakMap<object, { token?: string; baseUrl: string; hidden: string[] }>();

type Attempt = { res: { status: number; headers: Record<string, string>; body: Buffer } } | { failure: { error: SapiError; retry: boolean; timeout: boolean } };

function checkPositive(value: number | undefined, name: string, integer = false, min = 1): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value >= min) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`HttpClient: ${name} must be ${integer ? 'an integer' : 'a finite number'} >= ${min}, got ${String(value)}`);
  }
}

export class HttpClient {
  /** The base URL as shown: user:password masked (requests use the real one). */
  readonly baseUrl: string;
  private readonly axios: AxiosInstance;
  private readonly opts: Required<
    Pick<HttpOptions, 'requestTimeoutMs' | 'retryTotal' | 'backoffFactorMs' | 'backoffMaxMs' | 'maxRetryAfterMs' | 'timeoutRetries' | 'maxResponseBytes' | 'maxDecompressedBytes'>
  > & { deadlineMs?: number };
  private readonly extraHeaders: Record<string, string>;
  private readonly log?: (line: string) => void;
  /** Requests sent (attempts), for tests and diagnostics. */
  requestCount = 0;

  constructor(options: HttpOptions) {
    const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    let parsed: URL | undefined;
    try {
      parsed = new URL(base);
    } catch {
      /* reported below */
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw new TypeError(`${options.urlName ?? 'baseUrl'} ${JSON.stringify(maskUrlCredentials(String(options.baseUrl)))} is not a valid http(s) URL`);
    }
    this.baseUrl = maskUrlCredentials(base);
    secrets.set(this, { token: options.token || undefined, baseUrl: base, hidden: [urlSecret(base), urlSecret(options.proxy)].filter((x): x is string => !!x) });
    checkPositive(options.requestTimeoutMs, 'requestTimeoutMs');
    checkPositive(options.deadlineMs, 'deadlineMs');
    checkPositive(options.retryTotal, 'retryTotal', true, 0);
    checkPositive(options.timeoutRetries, 'timeoutRetries', true, 0);
    checkPositive(options.backoffFactorMs, 'backoffFactorMs', false, 0);
    checkPositive(options.backoffMaxMs, 'backoffMaxMs', false, 0);
    checkPositive(options.maxRetryAfterMs, 'maxRetryAfterMs', false, 0);
    checkPositive(options.maxResponseBytes, 'maxResponseBytes', true);
    checkPositive(options.maxDecompressedBytes, 'maxDecompressedBytes', true);
    this.opts = {
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      retryTotal: options.retryTotal ?? 10,
      backoffFactorMs: options.backoffFactorMs ?? 10,
      backoffMaxMs: options.backoffMaxMs ?? 60_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      timeoutRetries: options.timeoutRetries ?? 2,
      deadlineMs: options.deadlineMs,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      maxDecompressedBytes: options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
    };
    this.extraHeaders = { ...(options.headers ?? {}) };
    this.log = options.log;
    // axios is loaded on the first client, not when qahan is imported (it is most of the import time).
    const axios = (require('axios') as typeof import('axios')).default;
    this.axios = axios.create({
      proxy: proxyConfig(options.proxy) ?? undefined,
      headers: { 'User-Agent': options.userAgent ?? `qahan/${pkgVersion()} node/${process.versions.node}`, 'Accept-Encoding': 'gzip, deflate, br' },
      // Status, body and media type are checked here, not by axios; bodies are streamed, counted and
      // decompressed by readBody.
      validateStatus: () => true,
      responseType: 'stream',
      decompress: false,
      maxRedirects: 0,
      maxBodyLength: Infinity,
      maxContentLength: -1,
    });
  }

  /** util.inspect / console.log show no secrets. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `HttpClient { baseUrl: ${JSON.stringify(this.baseUrl)} }`;
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl };
  }

  /** The URL of `path` as shown in messages (credentials masked). */
  url(path: string): string {
    return maskUrlCredentials(this.realUrl(path));
  }

  private realUrl(path: string): string {
    return /^https?:\/\//i.test(path) ? path : new URL(path, secrets.get(this)!.baseUrl).toString();
  }

  /** `text` with this client's token and URL passwords (in any encoding) and URL credentials removed. */
  redact(text: string): string {
    const s = secrets.get(this)!;
    return maskUrlCredentials(redactSecrets(text, [s.token, ...s.hidden]));
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const method = req.method;
    const url = this.realUrl(req.path);
    const shownUrl = maskUrlCredentials(url);
    const headers: Record<string, string> = { ...this.extraHeaders, ...(req.headers ?? {}) };
    if (req.expect) headers.Accept = `${req.expect.type}${req.expect.version ? `; version=${req.expect.version}` : ''}`;
    const token = secrets.get(this)!.token;
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
    checkPositive(timeoutMs, 'timeoutMs');
    // A call with its own longer timeout (a long poll) keeps at least one whole attempt under the client's deadline.
    const deadlineMs =
      req.deadlineMs ?? (this.opts.deadlineMs !== undefined ? Math.max(this.opts.deadlineMs, req.timeoutMs ?? 0) : (this.opts.timeoutRetries + 1) * timeoutMs + 30_000);
    checkPositive(deadlineMs, 'deadlineMs');
    const deadline = Date.now() + deadlineMs;
    const shown = `${method} ${shownUrl}`;
    const idempotent = IDEMPOTENT.has(method);
    const details = { method, url: shownUrl };
    const pastDeadline = (attempts: number, last?: SapiError) =>
      new RequestTimeoutError(`${shown}: no answer within the call's ${deadlineMs} ms deadline (${attempts} attempt${attempts === 1 ? '' : 's'}${last ? `; last: ${last.message}` : ''})`, {
        ...details,
        code: 'ETIMEDOUT',
      });
    let failures = 0;
    let timeouts = 0;
    let attempts = 0;
    for (;;) {
      if (req.signal?.aborted) throw abortReason(req.signal);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw pastDeadline(attempts);
      const attemptMs = Math.min(timeoutMs, remaining);
      attempts++;
      const outcome = await this.attempt(req, method, url, shown, headers, data, attemptMs);

      if ('res' in outcome) {
        const { status, headers: resHeaders, body } = outcome.res;
        if (status >= 200 && status < 300) {
          this.log?.(`${shown} -> ${status}`);
          return { status, headers: resHeaders, data: this.parseBody(body, resHeaders['content-type'], req, shown) as T };
        }
        const error = this.errorFrom(status, body, req, method, shownUrl, shown);
        const retryAfter = parseRetryAfter(resHeaders['retry-after']);
        if (error instanceof RateLimitError && retryAfter !== undefined) error.retryAfterMs = retryAfter;
        const retryable = req.retryStatuses !== false && idempotent && [413, 429, 503].includes(status);
        if (retryable && (retryAfter !== undefined || (method === 'GET' && status !== 413))) {
          if (failures >= this.opts.retryTotal || (retryAfter ?? 0) > this.opts.maxRetryAfterMs) throw error;
          failures++;
          const delay = retryAfter ?? this.backoff(failures, true);
          // A wait that would outlast the deadline is not worth starting: fail now with the server's error.
          if (Date.now() + delay >= deadline) throw error;
          this.log?.(`${shown} -> ${status}; retry ${failures} in ${delay} ms`);
          await sleep(delay, req.signal);
          continue;
        }
        this.log?.(`${shown} -> ${status}`);
        throw error;
      }
      const failure = outcome.failure;
      if (failure.timeout) timeouts++;
      const cutByDeadline = failure.timeout && attemptMs < timeoutMs;
      if (cutByDeadline) throw pastDeadline(attempts, failure.error);
      if (!failure.retry || failures >= this.opts.retryTotal || (failure.timeout && timeouts > this.opts.timeoutRetries)) {
        this.log?.(`${shown} failed: ${failure.error.code}`);
        if (failure.timeout && attempts > 1) failure.error.message += ` (${attempts} attempts)`;
        throw failure.error;
      }
      failures++;
      const delay = this.backoff(failures, false);
      if (Date.now() + delay >= deadline) throw pastDeadline(attempts, failure.error);
      this.log?.(`${shown} failed (${failure.error.code}); retry ${failures} in ${delay} ms`);
      await sleep(delay, req.signal);
    }
  }

  /**
   * One attempt: the request and its whole body within `attemptMs`. Returns the response or a
   * classified failure; throws on abort and on failures that no retry can cure (too large, undecodable).
   */
  private async attempt(req: HttpRequest, method: HttpMethod, url: string, shown: string, headers: Record<string, string>, data: Buffer | undefined, attemptMs: number): Promise<Attempt> {
    const shownUrl = maskUrlCredentials(url);
    const controller = new AbortController();
    let body: Readable | undefined;
    let timedOut = false;
    const stop = () => {
      controller.abort();
      body?.destroy();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, attemptMs);
    req.signal?.addEventListener('abort', stop, { once: true });
    this.requestCount++;
    try {
      const res: AxiosResponse<Readable> = await this.axios.request<Readable>({
        method,
        url,
        params: req.query ? Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined)) : undefined,
        headers,
        data,
        signal: controller.signal,
      });
      body = res.data;
      if (controller.signal.aborted) body.destroy();
      const resHeaders = lowerHeaders(res.headers as Record<string, unknown>);
      const ok = res.status >= 200 && res.status < 300;
      const limits: BodyLimits = ok
        ? { wire: this.opts.maxResponseBytes, decoded: this.opts.maxDecompressedBytes, truncate: false }
        : { wire: Math.min(this.opts.maxResponseBytes, 16 * ERROR_BODY_BYTES), decoded: ERROR_BODY_BYTES, truncate: true };
      const buffer = await readBody(body, resHeaders, limits);
      return { res: { status: res.status, headers: resHeaders, body: buffer } };
    } catch (err) {
      if (req.signal?.aborted) throw abortReason(req.signal);
      if (err instanceof BodyLimit) {
        const what = err.kind === 'compressed' ? `${err.declared ? 'declares' : 'has'} more than ${err.limitBytes} bytes (maxResponseBytes)` : `decompresses to more than ${err.limitBytes} bytes (maxDecompressedBytes)`;
        const e = new ResponseTooLargeError(`${shown}: the response body ${what}; stopped reading`, { method, url: shownUrl });
        e.limitBytes = err.limitBytes;
        e.kind = err.kind;
        this.log?.(`${shown}: response too large`);
        throw e;
      }
      if (err instanceof BodyDecodeError) throw new InvalidAPIResponseError(`${shown}: ${err.message}`, { method, url: shownUrl });
      const code = String((err as { code?: unknown }).code ?? '');
      if (timedOut) {
        return { failure: { error: new RequestTimeoutError(`${shown} timed out after ${attemptMs} ms`, { method, url: shownUrl, code: 'ETIMEDOUT' }), retry: IDEMPOTENT.has(method), timeout: true } };
      }
      if (CONNECT_CODES.has(code)) {
        return { failure: { error: new ConnectionError(`${shown} failed: cannot connect (${code})`, { method, url: shownUrl, code }), retry: true, timeout: false } };
      }
      const why = code || 'ERR_NETWORK';
      const msg = this.redact(String((err as Error).message ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 200));
      return {
        failure: {
          error: new ConnectionError(`${shown} failed: connection error (${why}${msg && !msg.includes(why) ? `: ${msg}` : ''})`, { method, url: shownUrl, code: why }),
          retry: IDEMPOTENT.has(method),
          timeout: false,
        },
      };
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', stop);
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

  private errorFrom(status: number, body: Buffer, req: HttpRequest, method: string, url: string, shown: string): SapiError {
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
    // The server's words may echo the token (in any case, URL-encoded, base64...): never pass it on.
    if (msg) msg = this.redact(msg.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').slice(0, 2000));
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
