/**
 * qahan: QUBO/Ising models, native simulated (quantum) annealing, D-Wave routing, and annealed hard
 * attention for TensorFlow.js networks.
 */
export { BinaryQuadraticModel } from './model/bqm';
export type { QuadraticTerm, QuboInput, Variable, LabelledTerm, LinearInput } from './model/bqm';
export { Model, Expression, sum } from './model/modelling';
export type { Sense, Constraint, ConstraintOptions, CompileOptions, Compiled, Decoded, DecodedSample, ExpressionLike } from './model/modelling';
export type { Vartype } from './model/vartype';
export { SPIN, BINARY } from './model/vartype';
export { toDimodJSON, fromDimodJSON } from './model/dimod-json';
export type { DimodBqmJSON } from './model/dimod-json';

export * as formats from './formats';

export { SampleSet } from './samplers/sample-set';
export type { SampleRecord, SampleSetInfo, Timing } from './samplers/sample-set';
export type { Sampler, SampleParams, Progress } from './samplers/sampler';
export { SimulatedAnnealingSampler } from './samplers/simulated-annealing';
export type { SimulatedAnnealingParams } from './samplers/simulated-annealing';
export { PathIntegralAnnealingSampler } from './samplers/path-integral-annealing';
export type { PathIntegralAnnealingParams } from './samplers/path-integral-annealing';
export { ExactSolver } from './samplers/exact';
export { ParallelTemperingSampler } from './samplers/parallel-tempering';
export type { ParallelTemperingParams } from './samplers/parallel-tempering';
export { TabuSampler } from './samplers/tabu';
export type { TabuParams } from './samplers/tabu';
export { createSampler } from './samplers/create-sampler';
export { resolveSamplerConfig } from './config/qahan-config';
export type { SamplerConfig, SamplerName } from './config/qahan-config';

export { buildAttentionQubos, toBqms as attentionQuboModels } from './attention/qubo';
export type { AttentionQuboInput, AttentionQubos } from './attention/qubo';

export * as dwave from './dwave';
export { DWaveQpuSampler, DWaveHybridSampler, MockSapiServer } from './dwave';

export {
  QahanError,
  UsageError,
  ConfigFileError,
  RegionError,
  TokenMissingError,
  DataFormatError,
  ChecksumError,
  DownloadError,
  MissingEdgeError,
  MissingChainError,
  SapiError,
  BadRequestError,
  AuthenticationError,
  AccessForbiddenError,
  NotFoundError,
  SolverNotFoundError,
  ConflictError,
  GoneError,
  UnsupportedMediaTypeError,
  RateLimitError,
  InternalServerError,
  SolverUnavailableError,
  ProblemFailedError,
  SolverOfflineError,
  ProblemCancelledError,
  PollingTimeoutError,
  RequestTimeoutError,
  ConnectionError,
  InvalidAPIResponseError,
  ResponseTooLargeError,
  ProblemStructureError,
  ProblemUploadError,
} from './errors';
export type { SapiErrorDetails } from './errors';
export { NativeAddonError } from './native/addon';
