import { BinaryQuadraticModel } from '../model/bqm';
import { integerIn, numericLines } from './tokens';

/**
 * Ising text: lines `i j J` for couplings and `i i h` for fields, `#` comments, 1-indexed by default
 * (the Chimera spin-glass instances). E(s) = sum_{i<j} J_ij s_i s_j + sum_i h_i s_i.
 */
export function readIsing(text: string, options: { zeroBased?: boolean } = {}): BinaryQuadraticModel {
  const base = options.zeroBased ? 0 : 1;
  const rows = numericLines(text, 'ising');
  const bqm = new BinaryQuadraticModel('SPIN', 0);
  for (const { values, line } of rows) {
    if (values.length !== 3) throw new SyntaxError(`ising: line ${line}: expected "i j J"`);
    const i = integerIn(values[0], base, 2 ** 26, 'i', line, 'ising') - base;
    const j = integerIn(values[1], base, 2 ** 26, 'j', line, 'ising') - base;
    if (i === j) bqm.addLinear(i, values[2]);
    else bqm.addQuadratic(i, j, values[2]);
  }
  if (bqm.numVariables === 0) throw new SyntaxError('ising: no terms found');
  return bqm;
}

export function writeIsing(bqm: BinaryQuadraticModel, options: { zeroBased?: boolean } = {}): string {
  const spin = bqm.vartype === 'SPIN' ? bqm : bqm.changeVartype('SPIN');
  const base = options.zeroBased ? 0 : 1;
  const lines = [`# ${spin.numVariables} spins; offset ${spin.offset}`];
  spin.linear.forEach((h, i) => h !== 0 && lines.push(`${i + base} ${i + base} ${h}`));
  for (const [i, j, J] of spin.quadraticTerms()) lines.push(`${Math.min(i, j) + base} ${Math.max(i, j) + base} ${J}`);
  return lines.join('\n') + '\n';
}
