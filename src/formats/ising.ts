import { BinaryQuadraticModel } from '../model/bqm';
import { MAX_VARIABLES } from '../model/limits';
import { integerIn, numericLines } from './tokens';

/**
 * Ising text: lines `i j J` for couplings and `i i h` for fields, `#` comments, 1-indexed by default
 * (the Chimera spin-glass instances). E(s) = sum_{i<j} J_ij s_i s_j + sum_i h_i s_i. The model has
 * every variable up to the largest label (at most 2^26, the native limit); a term given twice adds up.
 */
export function readIsing(text: string, options: { zeroBased?: boolean } = {}): BinaryQuadraticModel {
  const base = options.zeroBased ? 0 : 1;
  const rows = numericLines(text, 'ising');
  const bqm = new BinaryQuadraticModel('SPIN', 0);
  for (const { values, line } of rows) {
    if (values.length !== 3) throw new SyntaxError(`ising: line ${line}: expected "i j J"`);
    const i = label(values[0], base, 'i', line);
    const j = label(values[1], base, 'j', line);
    if (i === j) bqm.addLinear(i, values[2]);
    else bqm.addQuadratic(i, j, values[2]);
  }
  if (bqm.numVariables === 0) throw new SyntaxError('ising: no terms found');
  return bqm;
}

/** A spin label: the model gets every variable up to the largest label, so it must be below the native limit. */
function label(v: number, base: number, what: string, line: number): number {
  if (Number.isInteger(v) && v >= base + MAX_VARIABLES) {
    throw new RangeError(
      `ising: line ${line}: ${what} ${v} would make a model of ${v - base + 1} spins, more than the ${MAX_VARIABLES} variables qahan's native core supports`,
    );
  }
  return integerIn(v, base, base + MAX_VARIABLES - 1, what, line, 'ising') - base;
}

export function writeIsing(bqm: BinaryQuadraticModel, options: { zeroBased?: boolean } = {}): string {
  const spin = bqm.vartype === 'SPIN' ? bqm : bqm.changeVartype('SPIN');
  const base = options.zeroBased ? 0 : 1;
  const lines = [`# ${spin.numVariables} spins; offset ${spin.offset}`];
  spin.linear.forEach((h, i) => h !== 0 && lines.push(`${i + base} ${i + base} ${h}`));
  for (const [i, j, J] of spin.quadraticTerms()) lines.push(`${Math.min(i, j) + base} ${Math.max(i, j) + base} ${J}`);
  return lines.join('\n') + '\n';
}
