/**
 * Typed Solver API errors. The classes live in the library's one hierarchy (src/errors.ts, all under
 * QahanError); this module re-exports them and maps HTTP statuses to them.
 */
import {
  AccessForbiddenError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  GoneError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  SapiError,
  SapiErrorDetails,
  SolverNotFoundError,
  SolverUnavailableError,
  UnsupportedMediaTypeError,
} from '../../errors';

export {
  AccessForbiddenError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  GoneError,
  InternalServerError,
  InvalidAPIResponseError,
  NotFoundError,
  PollingTimeoutError,
  ProblemCancelledError,
  ProblemFailedError,
  ProblemStructureError,
  ProblemUploadError,
  RateLimitError,
  RequestTimeoutError,
  ResponseTooLargeError,
  SapiError,
  SolverNotFoundError,
  SolverOfflineError,
  SolverUnavailableError,
  UnsupportedMediaTypeError,
} from '../../errors';
export type { SapiErrorDetails } from '../../errors';

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
