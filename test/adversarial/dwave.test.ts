/**
 * Hostile Solver API servers (issue 8, items 5-8): trickling, gzip bombs, endless bodies, credentials
 * in the endpoint URL, a token echoed back in other encodings. Every server listens on 127.0.0.1; every
 * test is bounded in time (and, where it matters, in memory).
 */
import http from 'http';
import net from 'net';
import util from 'util';
import zlib from 'zlib';
import { BinaryQuadraticModel } from '../../src/model/bqm';
import {
  AuthenticationError,
  ConnectionError,
  DWaveQpuSampler,
  InternalServerError,
  MEDIA,
  MockSapiServer,
  NotFoundError,
  ProblemFailedError,
  RequestTimeoutError,
  ResponseTooLargeError,
  SapiClient,
  SapiError,
  SolverUnavailableError,
} from '../../src/dwave';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_RESPONSE_BYTES } from '../../src/dwave/client/http';
import { maskUrlCredentials, redactSecrets } from '../../src/dwave/redact';
import { encodeQp, ProblemStructureError as EncodingProblemStructureError } from '../../src/dwave/encoding';
import { MissingChainError as EmbedMissingChainError } from '../../src/dwave/embedding';
import { parseCommandArgs, UsageError as CliUsageError } from '../../src/cli/command';
import { ChecksumError as DownloadChecksumError } from '../../src/data/download';
import { DataFormatError as MnistDataFormatError } from '../../src/data/mnist';
import * as qahan from '../../src';

const TOKEN = 'DEV-7f3a9c21b4e8d05f6a1c3e9b7d2f4a8c0e6b1d3f';
const MiB = 1024 * 1024;

interface RawServer {
  url: string;
  requests: http.IncomingMessage[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 running `handler`; close() destroys every socket it opened. */
async function rawServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sapi/v2/`,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const solverListType = `${MEDIA.solverList.type}; version=3.0.0`;

/** Runs `fn`, expecting a rejection; returns the error and the time it took. */
async function failure(fn: () => Promise<unknown>): Promise<{ err: Error; ms: number }> {
  const t0 = Date.now();
  try {
    await fn();
  } catch (err) {
    return { err: err as Error, ms: Date.now() - t0 };
  }
  throw new Error('expected a rejection');
}

/** Everything an error shows: message, stack, JSON, inspect. */
function dump(err: unknown): string {
  const e = err as Error;
  return [e.message, e.stack, JSON.stringify(e), JSON.stringify(Object.assign({}, e)), util.inspect(e, { depth: Infinity, showHidden: true }), String(e)].join('\n');
}

/**
 * Whether `text` reveals `secret` in any encoding a reader could undo: any letter case, URL-encoding,
 * hex, or base64/base64url anywhere inside a longer run (every alignment is tried).
 */
function reveals(text: string, secret: string): boolean {
  const lower = secret.toLowerCase();
  const has = (s: string) => s.toLowerCase().includes(lower);
  if (has(text)) return true;
  try {
    if (has(decodeURIComponent(text.replace(/\+/g, ' ')))) return true;
  } catch {
    /* not URL-encoded */
  }
  for (const run of text.match(/[0-9a-f]{8,}/gi) ?? []) {
    for (let at = 0; at < 2; at++) if (has(Buffer.from(run.slice(at), 'hex').toString('latin1'))) return true;
  }
  for (const run of text.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    const std = run.replace(/-/g, '+').replace(/_/g, '/');
    for (let at = 0; at < 4; at++) if (has(Buffer.from(std.slice(at), 'base64').toString('latin1'))) return true;
  }
  return false;
}

/**
 * Samples the process's memory while `fn` runs: the peak rise of the resident set and of Buffer
 * memory (arrayBuffers), in bytes.
 */
async function peakBufferGrowth<T>(fn: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; peak: number; peakRss: number }> {
  const base = process.memoryUsage();
  let peak = 0;
  let peakRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.arrayBuffers - base.arrayBuffers);
    peakRss = Math.max(peakRss, m.rss - base.rss);
  };
  const timer = setInterval(sample, 2);
  try {
    const result = await fn();
    sample();
    return { result, error: undefined, peak, peakRss };
  } catch (error) {
    sample();
    return { result: undefined, error, peak, peakRss };
  } finally {
    clearInterval(timer);
  }
}

const small = BinaryQuadraticModel.fromQubo([
  [0, 0, -1],
  [1, 1, -1],
  [0, 1, 2],
]);

// -------------------------------------------------------------------------------------------------
// Item 5: deadlines

describe('item 5: a server trickling one byte every 500 ms', () => {
  let trickleBody: RawServer;
  let trickleHead: net.Server;
  let headUrl: string;
  const headSockets = new Set<net.Socket>();
  let headConnections = 0;

  beforeAll(async () => {
    // Headers at once, then a 1 MB body one byte every 500 ms.
    trickleBody = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': solverListType, 'Content-Length': String(1_000_000) });
      res.write('[');
      const timer = setInterval(() => res.write(' '), 500);
      res.on('close', () => clearInterval(timer));
    });
    // The status line and headers themselves trickle in.
    trickleHead = net.createServer((socket) => {
      headConnections++;
      headSockets.add(socket);
      const text = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]';
      let at = 0;
      const timer = setInterval(() => {
        if (at < text.length && !socket.destroyed) socket.write(text[at++]);
      }, 500);
      socket.on('close', () => clearInterval(timer));
      socket.on('error', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => trickleHead.listen(0, '127.0.0.1', resolve));
    headUrl = `http://127.0.0.1:${(trickleHead.address() as net.AddressInfo).port}/sapi/v2/`;
  });

  afterAll(async () => {
    await trickleBody.close();
    for (const s of headSockets) s.destroy();
    await new Promise((resolve) => trickleHead.close(resolve));
  });

  test('a GET with a 1 s request timeout fails with RequestTimeoutError in under 10 s (at most 3 attempts)', async () => {
    const before = trickleBody.requests.length;
    // retryTotal stays at its default (10): the bound must come from the timeout policy itself.
    const c = new SapiClient({ endpoint: trickleBody.url, token: TOKEN, requestTimeoutMs: 1000 });
    const { err, ms } = await failure(() => c.listSolvers());
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(ms).toBeLessThan(10_000);
    expect(ms).toBeGreaterThanOrEqual(2900);
    expect(trickleBody.requests.length - before).toBe(3);
    console.log(`trickled body: failed after ${ms} ms, ${trickleBody.requests.length - before} attempts`);
  });

  test('trickled status line and headers: the same bound', async () => {
    const before = headConnections;
    const c = new SapiClient({ endpoint: headUrl, token: TOKEN, requestTimeoutMs: 1000 });
    const { err, ms } = await failure(() => c.listSolvers());
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(ms).toBeLessThan(10_000);
    expect(headConnections - before).toBe(3);
  });

  test('a sampler call on such a server fails in under 10 s too', async () => {
    const sampler = new DWaveQpuSampler({ client: new SapiClient({ endpoint: trickleBody.url, token: TOKEN, requestTimeoutMs: 1000 }) });
    const { err, ms } = await failure(() => sampler.sample(small, { numReads: 5 }));
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(ms).toBeLessThan(10_000);
  });

  test('the overall deadline bounds a call even when many timeout retries are allowed', async () => {
    const c = new SapiClient({ endpoint: trickleBody.url, token: TOKEN, requestTimeoutMs: 1000, timeoutRetries: 50, retryTotal: 50, deadlineMs: 2500 });
    const { err, ms } = await failure(() => c.listSolvers());
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(err.message).toMatch(/2500 ms deadline/);
    expect(ms).toBeGreaterThanOrEqual(2400);
    expect(ms).toBeLessThan(4000);
  });

  test('Retry-After waits count against the deadline: a server always asking for 1 s more is given up on', async () => {
    const busy = await rawServer((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      res.end(JSON.stringify({ error_code: 503, error_msg: 'busy' }));
    });
    try {
      const c = new SapiClient({ endpoint: busy.url, token: TOKEN, requestTimeoutMs: 1000, deadlineMs: 2500 });
      const { err, ms } = await failure(() => c.listSolvers());
      expect(err).toBeInstanceOf(SolverUnavailableError);
      // Two waits of 1 s fit in 2.5 s, a third does not: three requests, then the 503 at once.
      expect(busy.requests.length).toBe(3);
      expect(ms).toBeGreaterThanOrEqual(1900);
      expect(ms).toBeLessThan(2500);
    } finally {
      await busy.close();
    }
  });

  test('a call with its own longer timeout (a long poll) still gets one whole attempt under a short client deadline', async () => {
    const slow = await rawServer((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('[]');
      }, 800);
    });
    try {
      const c = new SapiClient({ endpoint: slow.url, token: TOKEN, requestTimeoutMs: 300, deadlineMs: 300 });
      const { err } = await failure(() => c.http.request({ method: 'GET', path: 'x' }));
      expect(err).toBeInstanceOf(RequestTimeoutError);
      const res = await c.http.request({ method: 'GET', path: 'x', timeoutMs: 2000 });
      expect(res.data).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  test('bad timeouts are RangeErrors naming the option, not "after NaN ms"', () => {
    expect(() => new SapiClient({ endpoint: trickleBody.url, token: TOKEN, requestTimeoutMs: NaN })).toThrow(RangeError);
    expect(() => new SapiClient({ endpoint: trickleBody.url, token: TOKEN, requestTimeoutMs: NaN })).toThrow(/requestTimeoutMs/);
    expect(() => new SapiClient({ endpoint: trickleBody.url, token: TOKEN, deadlineMs: -1 })).toThrow(/deadlineMs/);
  });
});

// -------------------------------------------------------------------------------------------------
// Item 6: response size limits

describe('item 6: response size limits', () => {
  /** 16 MiB of zeros as one gzip member (16 KB); members concatenate into one gzip stream. */
  const member = zlib.gzipSync(Buffer.alloc(16 * MiB), { level: 9 });

  test('the defaults are 64 MiB on the wire and 256 MiB decompressed', () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(64 * MiB);
    expect(DEFAULT_MAX_DECOMPRESSED_BYTES).toBe(256 * MiB);
  });

  test('an endless body fails at the 64 MiB wire limit, the connection is dropped, memory bounded', async () => {
    let closedAt = 0;
    let sent = 0;
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': solverListType });
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) break;
        }
      };
      res.on('drain', pump);
      res.on('close', () => (closedAt = Date.now()));
      pump();
    });
    try {
      const c = new SapiClient({ endpoint: server.url, token: TOKEN, requestTimeoutMs: 30_000 });
      const t0 = Date.now();
      const { error, peak, peakRss } = await peakBufferGrowth(() => c.listSolvers());
      const failedAt = Date.now();
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect((error as ResponseTooLargeError).kind).toBe('compressed');
      expect((error as ResponseTooLargeError).limitBytes).toBe(64 * MiB);
      expect(server.requests.length).toBe(1);
      expect(peak).toBeLessThan(64 * MiB + 64 * MiB);
      expect(peakRss).toBeLessThan(64 * MiB + 200 * MiB);
      // The client hung up: the server sees the close within a second and stops sending.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(closedAt).toBeGreaterThan(0);
      expect(closedAt - failedAt).toBeLessThan(1000);
      const sentThen = sent;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sent).toBe(sentThen);
      // What the server got rid of is what the client read, plus socket buffers: the limit bounds it.
      expect(sent).toBeLessThan(64 * MiB + 32 * MiB);
      console.log(`endless body: stopped after ${failedAt - t0} ms, ${(sent / MiB).toFixed(0)} MiB sent, peak growth: Buffers ${(peak / MiB).toFixed(0)} MiB, RSS ${(peakRss / MiB).toFixed(0)} MiB`);
    } finally {
      await server.close();
    }
  });

  test('a gzip bomb (2 MB -> 2 GiB) fails at the default 256 MiB with bounded memory', async () => {
    const bomb = Buffer.concat(Array.from({ length: 128 }, () => member));
    expect(bomb.length).toBeLessThan(2.5 * MiB);
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': solverListType, 'Content-Encoding': 'gzip', 'Content-Length': String(bomb.length) });
      res.end(bomb);
    });
    try {
      const c = new SapiClient({ endpoint: server.url, token: TOKEN, requestTimeoutMs: 30_000 });
      const t0 = Date.now();
      const { error, peak, peakRss } = await peakBufferGrowth(() => c.listSolvers());
      const ms = Date.now() - t0;
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect((error as ResponseTooLargeError).kind).toBe('decompressed');
      expect((error as ResponseTooLargeError).limitBytes).toBe(256 * MiB);
      expect((error as Error).message).toMatch(/maxDecompressedBytes/);
      // Not retried: one request.
      expect(server.requests.length).toBe(1);
      // Memory: the limit and some slack, far from the 2 GiB the bomb expands to.
      expect(peak).toBeLessThan(256 * MiB + 64 * MiB);
      expect(peakRss).toBeLessThan(256 * MiB + 200 * MiB);
      console.log(`gzip bomb: stopped after ${ms} ms, peak growth: Buffers ${(peak / MiB).toFixed(0)} MiB, RSS ${(peakRss / MiB).toFixed(0)} MiB`);
    } finally {
      await server.close();
    }
  });

  test('a doubly gzipped bomb (a few KB -> 2 GiB, "Content-Encoding: gzip, gzip") is refused unread', async () => {
    const inner = Buffer.concat(Array.from({ length: 128 }, () => member));
    const outer = zlib.gzipSync(inner, { level: 9 });
    expect(outer.length).toBeLessThan(200 * 1024);
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': solverListType, 'Content-Encoding': 'gzip, gzip' });
      res.end(outer);
    });
    try {
      const c = new SapiClient({ endpoint: server.url, token: TOKEN });
      const { error, peak } = await peakBufferGrowth(() => c.listSolvers());
      expect((error as Error).name).toBe('InvalidAPIResponseError');
      expect((error as Error).message).toMatch(/unsupported Content-Encoding "gzip, gzip"/);
      expect(peak).toBeLessThan(16 * MiB);
    } finally {
      await server.close();
    }
  });

  test('a lower maxDecompressedBytes stops the bomb early: memory follows the limit', async () => {
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': solverListType, 'Content-Encoding': 'gzip' });
      res.end(bomb);
    });
    try {
      const c = new SapiClient({ endpoint: server.url, token: TOKEN, requestTimeoutMs: 30_000, maxDecompressedBytes: 4 * MiB });
      const { error, peak, peakRss } = await peakBufferGrowth(() => c.listSolvers());
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect((error as ResponseTooLargeError).limitBytes).toBe(4 * MiB);
      expect(peak).toBeLessThan(40 * MiB);
      expect(peakRss).toBeLessThan(100 * MiB);
    } finally {
      await server.close();
    }
  });

  test('a Content-Length over the limit fails before the body is read', async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': solverListType, 'Content-Length': String(1024 * MiB) });
      res.write('[');
    });
    try {
      const c = new SapiClient({ endpoint: server.url, token: TOKEN, requestTimeoutMs: 30_000 });
      const { err, ms } = await failure(() => c.listSolvers());
      expect(err).toBeInstanceOf(ResponseTooLargeError);
      expect(err.message).toMatch(/declares more than 67108864 bytes/);
      expect(ms).toBeLessThan(2000);
    } finally {
      await server.close();
    }
  });

  test('an endless error body is cut at 64 KiB: the status error comes at once', async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    });
    try {
      const c = new SapiClient({ endpoint: server.url, token: TOKEN, requestTimeoutMs: 30_000 });
      const { err, ms } = await failure(() => c.listSolvers());
      expect(err).toBeInstanceOf(InternalServerError);
      expect(err.message.length).toBeLessThan(3000);
      expect(ms).toBeLessThan(3000);
    } finally {
      await server.close();
    }
  });

  test.each(['gzip', 'deflate', 'br'])('real %s-encoded answers are still read', async (encoding) => {
    const list = [{ id: 'Adv', status: 'ONLINE', properties: { category: 'qpu', qubits: [0, 1], couplers: [[0, 1]] } }];
    const raw = Buffer.from(JSON.stringify(list));
    const body = encoding === 'gzip' ? zlib.gzipSync(raw) : encoding === 'deflate' ? zlib.deflateSync(raw) : zlib.brotliCompressSync(raw);
    const server = await rawServer((req, res) => {
      expect(String(req.headers['accept-encoding'])).toContain(encoding);
      res.writeHead(200, { 'Content-Type': solverListType, 'Content-Encoding': encoding });
      res.end(body);
    });
    try {
      const solvers = await new SapiClient({ endpoint: server.url, token: TOKEN }).listSolvers();
      expect(solvers.map((s) => s.identity.name)).toEqual(['Adv']);
    } finally {
      await server.close();
    }
  });

  test('a corrupt gzip body or an unknown encoding is an InvalidAPIResponseError, not a crash', async () => {
    let n = 0;
    const server = await rawServer((_req, res) => {
      n++;
      res.writeHead(200, { 'Content-Type': solverListType, 'Content-Encoding': n === 1 ? 'gzip' : 'zstd-ish' });
      res.end(Buffer.from('definitely not gzip data'));
    });
    try {
      const c = new SapiClient({ endpoint: server.url, token: TOKEN });
      const a = await failure(() => c.listSolvers({ refresh: true }));
      expect(a.err.name).toBe('InvalidAPIResponseError');
      expect(a.err.message).toMatch(/cannot be decompressed/);
      const b = await failure(() => c.listSolvers({ refresh: true }));
      expect(b.err.name).toBe('InvalidAPIResponseError');
      expect(b.err.message).toMatch(/unsupported Content-Encoding/);
    } finally {
      await server.close();
    }
  });
});

// -------------------------------------------------------------------------------------------------
// Item 7: user:password in the endpoint URL

describe('item 7: credentials in the endpoint URL are masked', () => {
  const PASSWORD = 'hunter2-Sup3rSecret';

  test('errors, the client and the sampler never show the password; the request still carries it', async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('no such thing');
    });
    try {
      const endpoint = server.url.replace('http://', `http://alice:${PASSWORD}@`);
      const c = new SapiClient({ endpoint, token: TOKEN });
      const { err } = await failure(() => c.getSolver('x'));
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as SapiError).url).toMatch(/^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/sapi\/v2\/solvers\/remote\/x$/);
      expect(dump(err)).not.toContain(PASSWORD);
      expect(dump(err)).not.toContain('alice');
      expect(c.endpoint).toBe(maskUrlCredentials(endpoint));
      for (const shown of [util.inspect(c, { depth: Infinity, showHidden: true }), JSON.stringify(c), util.inspect(new DWaveQpuSampler({ client: c }), { depth: Infinity, showHidden: true })]) {
        expect(shown).not.toContain(PASSWORD);
      }
      // Basic auth from the URL still reaches the server.
      const auth = String(server.requests[0].headers.authorization);
      expect(Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString()).toBe(`alice:${PASSWORD}`);
    } finally {
      await server.close();
    }
  });

  test('a refused connection to such an endpoint: the message masks it too', async () => {
    const c = new SapiClient({ endpoint: `http://bob:${PASSWORD}@127.0.0.1:9/sapi/v2/`, token: TOKEN, retryTotal: 1, backoffFactorMs: 1 });
    const { err } = await failure(() => c.listSolvers());
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toContain('http://***@127.0.0.1:9/');
    expect(dump(err)).not.toContain(PASSWORD);
  });

  test('an invalid endpoint is a TypeError naming the setting, without the password', () => {
    let err: Error | undefined;
    try {
      new SapiClient({ endpoint: `http://carol:${PASSWORD}@bad host/`, token: TOKEN });
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(TypeError);
    expect(err!.message).toMatch(/^endpoint /);
    expect(dump(err)).not.toContain(PASSWORD);
  });

  test('maskUrlCredentials: every URL in a text, passwords with @ in them', () => {
    expect(maskUrlCredentials('GET http://u:p@h/x and https://a:b@c@d:1/y?z=1')).toBe('GET http://***@h/x and https://***@d:1/y?z=1');
    expect(maskUrlCredentials('http://host/path@x')).toBe('http://host/path@x');
  });
});

// -------------------------------------------------------------------------------------------------
// Item 8: the token echoed back in other encodings

describe('item 8: a 401 body echoing the token in another encoding', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const variants: [string, string][] = [
    ['as sent', TOKEN],
    ['lowercased', TOKEN.toLowerCase()],
    ['uppercased', TOKEN.toUpperCase()],
    ['base64', b64(TOKEN)],
    ['base64url', Buffer.from(TOKEN).toString('base64url')],
    ['base64 of the lowercased token', b64(TOKEN.toLowerCase())],
    ['base64 inside a longer base64 string', b64(`X-Auth-Token: ${TOKEN}`)],
    ['base64 at offset 2', b64(`ab${TOKEN}cd`)],
    ['URL-encoded', encodeURIComponent(`token=${TOKEN}&x`)],
    ['percent-encoded every byte', [...TOKEN].map((ch) => `%${ch.charCodeAt(0).toString(16)}`).join('')],
    ['hex', Buffer.from(TOKEN).toString('hex')],
  ];
  let server: RawServer;
  let echo = '';

  beforeAll(async () => {
    server = await rawServer((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error_code: 401, error_msg: `Invalid token: ${echo}` }));
    });
  });
  afterAll(() => server.close());

  test('the oracle sees every variant (so the checks below can fail)', () => {
    for (const [, text] of variants) expect(reveals(`Invalid token: ${text}`, TOKEN)).toBe(true);
    expect(reveals('Invalid token: ***', TOKEN)).toBe(false);
  });

  test.each(variants)('%s: AuthenticationError without the token', async (_what, text) => {
    echo = text;
    const c = new SapiClient({ endpoint: server.url, token: TOKEN });
    const { err } = await failure(() => c.listSolvers());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toContain('Invalid token: ');
    expect(err.message).toContain('***');
    expect(reveals(dump(err), TOKEN)).toBe(false);
  });

  test('a FAILED problem whose error_message echoes the token is redacted too', async () => {
    const mock = new MockSapiServer({ tokens: [TOKEN], numSweeps: 50 });
    await mock.start();
    try {
      mock.inject({ type: 'fail', message: `token ${b64(TOKEN.toLowerCase())} / ${TOKEN.toUpperCase()} rejected` });
      const sampler = new DWaveQpuSampler({ client: new SapiClient({ endpoint: mock.url, token: TOKEN, pollWaitTime: 1 }) });
      const { err } = await failure(() => sampler.sample(small, { numReads: 5 }));
      expect(err).toBeInstanceOf(ProblemFailedError);
      expect(err.message).toMatch(/^token \*\*\* \/ \*\*\* rejected$/);
      expect(reveals(dump(err), TOKEN)).toBe(false);
    } finally {
      await mock.close();
    }
  });

  test('redactSecrets leaves ordinary text alone', () => {
    expect(redactSecrets('Problem does not exist or apitoken does not have access', [TOKEN])).toBe('Problem does not exist or apitoken does not have access');
    // The secret itself is removed whatever its length; its short encodings are not searched for.
    expect(redactSecrets('short ab, AB, %61b', ['ab'])).toBe('short ***, ***, ***');
    expect(redactSecrets('YWI=', ['ab'])).toBe('YWI=');
  });
});

// -------------------------------------------------------------------------------------------------
// Also: one error hierarchy

describe('errors: one hierarchy under QahanError', () => {
  test('every error class qahan exports derives from QahanError and is named after itself', () => {
    const classes = Object.entries(qahan).filter(([name, v]) => typeof v === 'function' && /Error$/.test(name)) as [string, new (...a: never[]) => Error][];
    expect(classes.length).toBeGreaterThanOrEqual(30);
    for (const [name, Cls] of classes) {
      expect(Cls === qahan.QahanError || Cls.prototype instanceof qahan.QahanError).toBe(true);
      const e = name === 'ChecksumError' ? new qahan.ChecksumError('f', 'a', 'b') : name === 'DataFormatError' ? new qahan.DataFormatError('f', 'bad') : new (Cls as unknown as new (m: string) => Error)('x');
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(name);
    }
    // The D-Wave namespace exports the same classes, not copies.
    for (const [name, v] of Object.entries(qahan.dwave)) {
      if (/Error$/.test(name) && typeof v === 'function' && name in qahan) expect(v).toBe((qahan as Record<string, unknown>)[name]);
    }
  });

  test('ProblemStructureError is one class: what the encoder throws is dwave.ProblemStructureError', () => {
    expect(EncodingProblemStructureError).toBe(qahan.dwave.ProblemStructureError);
    let err: unknown;
    try {
      encodeQp({ linear: new Map([[7, 1]]), quadratic: new Map() }, { qubits: [0, 1], couplers: [[0, 1]] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(qahan.dwave.ProblemStructureError);
    expect(err).toBeInstanceOf(qahan.ProblemStructureError);
    expect(err).toBeInstanceOf(SapiError);
    expect(err).toBeInstanceOf(qahan.QahanError);
    expect((err as Error).name).toBe('ProblemStructureError');
  });

  test('the modules that define errors hand out the hierarchy classes', () => {
    expect(CliUsageError).toBe(qahan.UsageError);
    expect(() => parseCommandArgs(['--nope'], {})).toThrow(qahan.QahanError);
    expect(DownloadChecksumError).toBe(qahan.ChecksumError);
    expect(MnistDataFormatError).toBe(qahan.DataFormatError);
    expect(EmbedMissingChainError).toBe(qahan.MissingChainError);
    expect(new qahan.TokenMissingError().message).toMatch(/DWAVE_API_TOKEN/);
  });

  test('bad arguments keep the built-in contract: TypeError / RangeError, and AbortError on abort', async () => {
    const sa = new qahan.SimulatedAnnealingSampler();
    await expect(sa.sample(small, { numReadz: 3 } as never)).rejects.toThrow(TypeError);
    await expect(sa.sample(small, { numReads: -3 })).rejects.toThrow(RangeError);
    const ac = new AbortController();
    ac.abort();
    const err = await sa.sample(small, { signal: ac.signal }).catch((e: Error) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(err).not.toBeInstanceOf(qahan.QahanError);
  });
});
