/**
 * D-Wave support: configuration as the reference client resolves it, the Solver API client, the QPU and
 * hybrid samplers, and a local mock of the service. Loading this module registers the 'dwave-qpu' and
 * 'dwave-hybrid' samplers with createSampler.
 */
import { registerRemoteSamplerFactory } from '../samplers/create-sampler';
import { DWaveHybridSampler } from './samplers/hybrid';
import { DWaveQpuSampler } from './samplers/qpu';

export * from './config';
export * from './client';
export * from './samplers';
// Minor embedding: the heuristic embedder (native and TypeScript), the validity check, clique embeddings,
// and the hardware graphs to embed into.
export { findEmbedding, findEmbeddingAsync, findEmbeddingNative, hasNativeEmbedder, checkEmbedding, assertValidEmbedding, embeddingSummary, findCliqueEmbedding, largestCliqueSize, EmbeddingCache, EmbeddingError } from './embedding';
export type { FindEmbeddingOptions, ChainMap, EmbeddingCheck, EmbeddingSummary, Embedding, NativeEmbeddingStats } from './embedding';
export { chimeraGraph, pegasusGraph, zephyrGraph, graphFromSolverProperties, withDefects } from './topology';
export type { HardwareGraph, TopologyFamily, DefectOptions } from './topology';
export { MockSapiServer, defaultMockSolvers, qpuSolverDescription, hybridBqmSolverDescription, minimumTimeLimit } from './mock';
export type { MockSapiOptions, MockFault, MockRequestRecord } from './mock';

registerRemoteSamplerFactory((name, options, layers) => {
  const opts = layers ? { config: layers.argument, projectConfig: layers.file } : { config: options };
  return name === 'dwave-qpu' ? new DWaveQpuSampler(opts) : new DWaveHybridSampler(opts);
});
