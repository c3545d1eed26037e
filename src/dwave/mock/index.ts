export { MockSapiServer, applyFieldFilter } from './server';
export type { MockSapiOptions, MockFault, MockRequestRecord } from './server';
export { defaultMockSolvers, qpuSolverDescription, hybridBqmSolverDescription, minimumTimeLimit } from './solvers';
export type { QpuMockOptions, DefaultSolversOptions } from './solvers';
