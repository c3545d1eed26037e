/**
 * Which solvers can give a trained network its masks at test time (`qahan masks --sampler`, the
 * cross-sampler table): the samplers, and the two classical ablations. A leaf module, so that planning a
 * sweep does not load the evaluation code.
 */
import { SAMPLER_NAMES, SamplerName } from '../config/qahan-config';

/** Solvers besides the samplers: the two classical ablations. */
export const CLASSICAL_SOLVERS = ['topk', 'qubo-ls'] as const;
export type MaskSolver = SamplerName | (typeof CLASSICAL_SOLVERS)[number];

/** The cross-sampler table's evaluation solvers: the two annealers and the two classical ablations. */
export const CROSS_SOLVERS: readonly MaskSolver[] = ['sa', 'sqa', 'topk', 'qubo-ls'];

export function isMaskSolver(name: string): name is MaskSolver {
  return (SAMPLER_NAMES as readonly string[]).includes(name) || (CLASSICAL_SOLVERS as readonly string[]).includes(name);
}
