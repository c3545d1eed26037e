export { DWaveQpuSampler } from './qpu';
export type { DWaveQpuParams, EmbeddingMethod } from './qpu';
export { DWaveHybridSampler, defaultTimeLimit } from './hybrid';
export type { DWaveHybridParams } from './hybrid';
export { DWaveContext } from './common';
export type { DWaveSamplerOptions } from './common';
