/**
 * Chain strength heuristics (SAPI_SPEC.md §7.3), computed on the Ising form of the source model.
 */
import { BinaryQuadraticModel } from '../../model/bqm';

/**
 * dwave-system's default: prefactor * rms(J) * sqrt(average degree), on the SPIN form of `bqm`
 * (a BINARY model is converted first). 1 for a model without interactions, and also 1 when every J is 0
 * (where the reference returns 0, a known issue).
 */
export function uniformTorqueCompensation(bqm: BinaryQuadraticModel, prefactor = 1.414): number {
  const spin = bqm.vartype === 'SPIN' ? bqm : bqm.changeVartype('SPIN');
  const m = spin.numInteractions;
  if (m === 0) return 1;
  let sq = 0;
  for (const [, , j] of spin.quadraticTerms()) sq += j * j;
  const rms = Math.sqrt(sq / m);
  const avgDegree = (2 * m) / spin.numVariables;
  const strength = prefactor * rms * Math.sqrt(avgDegree);
  return strength > 0 ? strength : 1;
}

/** dwave-system's `scaled`: prefactor * the largest absolute bias (h and J) of the SPIN form. */
export function scaledChainStrength(bqm: BinaryQuadraticModel, prefactor = 1): number {
  const spin = bqm.vartype === 'SPIN' ? bqm : bqm.changeVartype('SPIN');
  const { linear, quadratic } = spin.maxAbsBiases();
  const strength = prefactor * Math.max(linear, quadratic);
  return strength > 0 ? strength : 1;
}
