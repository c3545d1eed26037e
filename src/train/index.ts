/**
 * `qahan/train`: the attention network, its training loop, data and backends. Kept apart from the root
 * entry so that solving QUBOs never loads TensorFlow.js.
 */
import { requireTrainingPackages } from './require-tfjs';

// Before anything loads TensorFlow.js: a missing optional peer gets a message naming what to install.
requireTrainingPackages();

export { initBackend, currentBackend, describeBackend } from './backend';
export type { BackendName, BackendInfo } from './backend';
export { registerWasmTrainingKernels } from './wasm-kernels';
export { train, evaluate, buildNetwork } from './trainer';
export type { TrainOptions, TrainResult, EpochMetrics } from './trainer';
export { writeRunCurves } from './run-curves';
export type { RunCurves } from './run-curves';
export { profileAttentionSteps, runAttentionBenchmark } from './step-profile';
export { AttentionNetwork, architecture } from '../attention/network';
export type { AttentionOptions, MethodName } from '../attention/options';
export { loadDataset, batches } from '../data/dataset';
export { applyNoise, gaussianNoise, saltPepperNoise } from '../data/noise';
export { CheckpointError } from './checkpoint';
export { evaluateMasks } from './mask-evaluation';
export type { MaskEvaluation, MaskEvaluationOptions } from './mask-evaluation';
