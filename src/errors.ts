/**
 * One error hierarchy for the whole library. Every error qahan defines derives from `QahanError`, so
 * `err instanceof QahanError` tells qahan's own failures apart from anything else; each class sets
 * `name` to its class name.
 *
 * Bad arguments keep JavaScript's own contract: a wrong type or an unknown parameter name is a
 * `TypeError`, a value out of range a `RangeError`, and an aborted call rejects with the signal's reason
 * (an `AbortError` by default). Those are not QahanErrors.
 *
 *   QahanError
 *   ├─ UsageError                      bad command-line input (exit code 2)
 *   ├─ ConfigFileError                 an unreadable or invalid configuration (dwave.conf, settings)
 *   ├─ RegionError                     a D-Wave region that cannot be resolved
 *   ├─ TokenMissingError               no D-Wave API token configured
 *   ├─ DataFormatError                 a dataset file that is not what it claims
 *   ├─ ChecksumError                   a downloaded file whose md5 does not match
 *   ├─ DownloadError                   a download that failed
 *   ├─ MissingEdgeError                an interaction with no coupler between its chains
 *   ├─ MissingChainError               a variable without a chain
 *   ├─ EmbeddingError                  no minor embedding found within the limits
 *   └─ SapiError                       the D-Wave Solver API (status, errorCode, method, url, ...)
 *      ├─ BadRequestError (400), AuthenticationError (401), AccessForbiddenError (403)
 *      ├─ NotFoundError (404) └─ SolverNotFoundError
 *      ├─ ConflictError (409), GoneError (410), UnsupportedMediaTypeError (415), RateLimitError (429)
 *      ├─ InternalServerError (5xx) └─ SolverUnavailableError (503)
 *      ├─ ProblemFailedError └─ SolverOfflineError
 *      ├─ ProblemCancelledError, PollingTimeoutError, ProblemStructureError, ProblemUploadError
 *      ├─ RequestTimeoutError, ConnectionError
 *      └─ InvalidAPIResponseError └─ ResponseTooLargeError
 */

export class QahanError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

// ---------------------------------------------------------------------------------------------
// Command line, configuration

/** Thrown for bad command-line input: printed without a stack trace, exit code 2. */
export class UsageError extends QahanError {}

/** A configuration file or setting that cannot be used: names the file or variable and the setting. */
export class ConfigFileError extends QahanError {}

/** A D-Wave region that is unknown, or cannot be resolved. */
export class RegionError extends QahanError {}

/** No D-Wave API token in any configuration layer. */
export class TokenMissingError extends QahanError {
  constructor(message = 'API token not defined (set DWAVE_API_TOKEN, or token = ... in dwave.conf)') {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Data

/** A dataset file whose contents are not in the expected format. */
export class DataFormatError extends QahanError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

export class ChecksumError extends QahanError {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`checksum mismatch for ${file}: md5 ${actual}, expected ${expected} (corrupt, partial or repacked file? delete it to re-download, or pass verify: false to accept it)`);
  }
}

export class DownloadError extends QahanError {}

// ---------------------------------------------------------------------------------------------
// Embedding

/** A source interaction with no coupler between its two chains. */
export class MissingEdgeError extends QahanError {}

/** A source variable without a chain. */
export class MissingChainError extends QahanError {}

/** No minor embedding of a problem's graph into the hardware graph was found within the given limits. */
export class EmbeddingError extends QahanError {}

// ---------------------------------------------------------------------------------------------
// The D-Wave Solver API. None of these carries request configuration, headers or the token: HTTP
// failures are rebuilt from the method, the URL (credentials masked), the status and the server's
// message (secrets redacted) only.

export interface SapiErrorDetails {
  /** HTTP status, when there was a response. */
  status?: number;
  /** The server's error_code (may differ from status in per-item errors). */
  errorCode?: number;
  method?: string;
  /** The request URL, with any user:password masked. */
  url?: string;
  problemId?: string;
  /** A low-level code such as ECONNREFUSED, ECONNRESET, ETIMEDOUT. */
  code?: string;
}

export class SapiError extends QahanError {
  status?: number;
  errorCode?: number;
  method?: string;
  url?: string;
  problemId?: string;
  code?: string;
  constructor(message: string, details: SapiErrorDetails = {}) {
    super(message);
    for (const [k, v] of Object.entries(details)) if (v !== undefined) (this as Record<string, unknown>)[k] = v;
  }
}

/** 400: invalid request or parameters. */
export class BadRequestError extends SapiError {}
/** 401: missing or invalid token. */
export class AuthenticationError extends SapiError {}
/** 403: the token may not use this resource. */
export class AccessForbiddenError extends SapiError {}
/** 404: unknown problem, solver or upload. */
export class NotFoundError extends SapiError {}
/** 404 on a solver, or no solver matches the filter. */
export class SolverNotFoundError extends NotFoundError {}
/** 409: e.g. cancelling a finished problem. */
export class ConflictError extends SapiError {}
/** 410: the problem is no longer accessible. */
export class GoneError extends SapiError {}
/** 415: unsupported media type / Accept version. */
export class UnsupportedMediaTypeError extends SapiError {}
/** 429: rate limited; `retryAfterMs` when the server said how long to wait. */
export class RateLimitError extends SapiError {
  retryAfterMs?: number;
}
/** 5xx. */
export class InternalServerError extends SapiError {}
/** 503: the service is temporarily unavailable. */
export class SolverUnavailableError extends InternalServerError {}
/** A problem FAILED, or a submitted job came back as a per-item error; `message` is the server's. */
export class ProblemFailedError extends SapiError {}
/** A problem FAILED because the solver is offline. */
export class SolverOfflineError extends ProblemFailedError {}
/** The problem was cancelled. */
export class ProblemCancelledError extends SapiError {}
/** Polling exceeded `pollingTimeoutMs`. */
export class PollingTimeoutError extends SapiError {}
/** The request got no complete response in time (`requestTimeoutMs`, or the call's `deadlineMs`). */
export class RequestTimeoutError extends SapiError {}
/** The connection failed or dropped (ECONNREFUSED, ECONNRESET, socket hang up, ...). */
export class ConnectionError extends SapiError {}
/** A 2xx response with the wrong media type or an unreadable body. */
export class InvalidAPIResponseError extends SapiError {}
/**
 * A response body over the client's limit: `limitBytes` of `kind` 'compressed' (bytes on the wire,
 * `maxResponseBytes`) or 'decompressed' (after Content-Encoding, `maxDecompressedBytes`).
 */
export class ResponseTooLargeError extends InvalidAPIResponseError {
  limitBytes?: number;
  kind?: 'compressed' | 'decompressed';
}
/** The problem does not fit the solver (a bias on a missing qubit or coupler), found before or by SAPI. */
export class ProblemStructureError extends SapiError {}
/** A multipart upload step failed. */
export class ProblemUploadError extends SapiError {}
