import { BinaryQuadraticModel } from '../model/bqm';
import { integerIn, numericLines, PairLines, variableCount } from './tokens';

/**
 * BiqMac's sparse QUBO format (the Biq Mac solver's input for "min x'Qx s.t. x in {0,1}^n", Rendl,
 * Rinaldi and Wiegele; the Biq Mac Library's instances): optional `#` comment lines, then `n m`, then m
 * lines `i j q` (1-indexed) giving the entries of a SYMMETRIC matrix Q, each unordered pair once: an
 * entry (i, j) also stands for (j, i), and i == j is a diagonal entry. The sense is MINIMISATION, as the
 * Biq Mac solver states it, so the model returned is the energy itself (BINARY):
 *   E(x) = x^T Q x = sum_i q_ii x_i + 2 sum_{i<j} q_ij x_i x_j,
 * and a sampler's lowest energy is the instance's objective value (no sign change, unlike readBqp).
 *
 * A pair given twice (as (i, j) twice, or as (i, j) and (j, i)) is a RangeError naming both lines; n is
 * checked against the native limit (2^26 variables) and m against the lines that follow, before anything
 * is allocated.
 */
export function readBiqMac(text: string): BinaryQuadraticModel {
  const rows = numericLines(text, 'biqmac');
  if (rows.length === 0 || rows[0].values.length !== 2) throw new SyntaxError('biqmac: the first line must be "n m"');
  const head = rows[0];
  const n = variableCount(head.values[0], 'the dimension n', head.line, 'biqmac');
  const m = integerIn(head.values[1], 0, 1e9, 'the entry count m', head.line, 'biqmac');
  if (rows.length - 1 !== m) throw new SyntaxError(`biqmac: line ${head.line} announces ${m} entries, the file has ${rows.length - 1}`);
  const bqm = new BinaryQuadraticModel('BINARY', n);
  const seen = new PairLines('biqmac');
  for (let t = 1; t <= m; t++) {
    const { values, line } = rows[t];
    if (values.length !== 3) throw new SyntaxError(`biqmac: line ${line}: expected "i j q"`);
    const i = integerIn(values[0], 1, n, 'i', line, 'biqmac') - 1;
    const j = integerIn(values[1], 1, n, 'j', line, 'biqmac') - 1;
    seen.add(i, j, line);
    if (i === j) bqm.addLinear(i, values[2]);
    else bqm.addQuadratic(i, j, 2 * values[2]);
  }
  return bqm;
}

/**
 * Writes a model as BiqMac's `n m` / `i j q` text (upper triangle, diagonal first), minimisation form.
 * A SPIN model is converted to BINARY first. The format has no constant term: a non-zero offset is
 * written as a leading `# offset` comment, which readBiqMac (like the Biq Mac solver) ignores.
 */
export function writeBiqMac(bqm: BinaryQuadraticModel): string {
  const b = bqm.vartype === 'BINARY' ? bqm : bqm.changeVartype('BINARY');
  const entries: string[] = [];
  b.linear.forEach((q, i) => q !== 0 && entries.push(`${i + 1} ${i + 1} ${q}`));
  for (const [i, j, q] of b.quadraticTerms()) entries.push(`${Math.min(i, j) + 1} ${Math.max(i, j) + 1} ${q / 2}`);
  const lines = b.offset !== 0 ? [`# offset ${b.offset} (E(x) = x'Qx + offset; not part of the format)`] : [];
  lines.push(`${b.numVariables} ${entries.length}`, ...entries);
  return lines.join('\n') + '\n';
}
