/**
 * Typed Solver API errors. None of them carries request configuration, headers or the token: HTTP
 * failures are rebuilt from the method, the URL path, the status and the server's message only.
 */

export interface SapiErrorDetails {
  /** HTTP status, when there was a response. */
  status?: number;
  /** The server's error_code (may differ from status in per-item errors). */
  errorCode?: number;
  method?: string;
  /** The URL without query secrets (SAPI never puts the token in URLs; kept as sent). */
  url?: string;
  problemId?: string;
  /** A low-level code such as ECONNREFUSED, ECONNRESET, ETIMEDOUT. */
  code?: string;
}

export class SapiError extends Error {
  override name = 'SapiError';
  status?: number;
  errorCode?: number;
  method?: string;
  url?: string;
  problemId?: string;
  code?: string;
  constructor(message: string, details: SapiErrorDetails = {}) {
    super(message);
    Object.assign(this, stripUndefined(details));
  }
}

function stripUndefined(o: SapiErrorDetails): SapiErrorDetails {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as SapiErrorDetails;
}

/** 400: invalid request or parameters. */
export class BadRequestError extends SapiError {
  override name = 'BadRequestError';
}
/** 401: missing or invalid token. */
export class AuthenticationError extends SapiError {
  override name = 'AuthenticationError';
}
/** 403: the token may not use this resource. */
export class AccessForbiddenError extends SapiError {
  override name = 'AccessForbiddenError';
}
/** 404: unknown problem, solver or upload. */
export class NotFoundError extends SapiError {
  override name = 'NotFoundError';
}
/** 404 on a solver, or no solver matches the filter. */
export class SolverNotFoundError extends NotFoundError {
  override name = 'SolverNotFoundError';
}
/** 409: e.g. cancelling a finished problem. */
export class ConflictError extends SapiError {
  override name = 'ConflictError';
}
/** 410: the problem is no longer accessible. */
export class GoneError extends SapiError {
  override name = 'GoneError';
}
/** 415: unsupported media type / Accept version. */
export class UnsupportedMediaTypeError extends SapiError {
  override name = 'UnsupportedMediaTypeError';
}
/** 429: rate limited; `retryAfterMs` when the server said how long to wait. */
export class RateLimitError extends SapiError {
  override name = 'RateLimitError';
  retryAfterMs?: number;
}
/** 5xx. */
export class InternalServerError extends SapiError {
  override name = 'InternalServerError';
}
/** 503: the service is temporarily unavailable. */
export class SolverUnavailableError extends InternalServerError {
  override name = 'SolverUnavailableError';
}
/** A problem FAILED, or a submitted job came back as a per-item error; `message` is the server's. */
export class ProblemFailedError extends SapiError {
  override name = 'ProblemFailedError';
}
/** A problem FAILED because the solver is offline. */
export class SolverOfflineError extends ProblemFailedError {
  override name = 'SolverOfflineError';
}
/** The problem was cancelled. */
export class ProblemCancelledError extends SapiError {
  override name = 'ProblemCancelledError';
}
/** Polling exceeded `pollingTimeoutMs`. */
export class PollingTimeoutError extends SapiError {
  override name = 'PollingTimeoutError';
}
/** The request got no response in time (`requestTimeoutMs`). */
export class RequestTimeoutError extends SapiError {
  override name = 'RequestTimeoutError';
}
/** The connection failed or dropped (ECONNREFUSED, ECONNRESET, socket hang up, ...). */
export class ConnectionError extends SapiError {
  override name = 'ConnectionError';
}
/** A 2xx response with the wrong media type or an unreadable body. */
export class InvalidAPIResponseError extends SapiError {
  override name = 'InvalidAPIResponseError';
}
/** The problem does not fit the solver (bias on a missing qubit or coupler). */
export class ProblemStructureError extends SapiError {
  override name = 'ProblemStructureError';
}
/** A multipart upload step failed. */
export class ProblemUploadError extends SapiError {
  override name = 'ProblemUploadError';
}

/** The error class for an HTTP status (solver resources map 404 to SolverNotFoundError). */
export function errorForStatus(status: number, message: string, details: SapiErrorDetails, solverResource = false): SapiError {
  const d = { ...details, status };
  switch (status) {
    case 400:
      return new BadRequestError(message, d);
    case 401:
      return new AuthenticationError(message, d);
    case 403:
      return new AccessForbiddenError(message, d);
    case 404:
      return solverResource ? new SolverNotFoundError(message, d) : new NotFoundError(message, d);
    case 409:
      return new ConflictError(message, d);
    case 410:
      return new GoneError(message, d);
    case 415:
      return new UnsupportedMediaTypeError(message, d);
    case 429:
      return new RateLimitError(message, d);
    case 503:
      return new SolverUnavailableError(message, d);
    default:
      return status >= 500 ? new InternalServerError(message, d) : new SapiError(message, d);
  }
}
