import { BinaryQuadraticModel } from '../model/bqm';
import { integerIn, numericLines, variableCount } from './tokens';

/** A Max-Cut graph as a SPIN model: E(s) = sum_{edges} w_ij s_i s_j, so cut(s) = (W - E(s)) / 2. */
export interface MaxCutGraph {
  bqm: BinaryQuadraticModel;
  numNodes: number;
  numEdges: number;
  /** W, the sum of all edge weights. */
  totalWeight: number;
  /** The cut weight of a spin assignment's energy. */
  cutFromEnergy(energy: number): number;
}

/**
 * Helmberg-Rendl rudy graphs (Gset): `n m`, then m lines `i j w` (1-indexed). The header is checked first:
 * n against the native limit (2^26 variables) and m against the lines that follow, before the model is made.
 * An edge given twice adds up (a multigraph's cut counts both).
 */
export function readGset(text: string): MaxCutGraph {
  const rows = numericLines(text, 'gset');
  if (rows.length === 0 || rows[0].values.length !== 2) throw new SyntaxError('gset: the first line must be "n m"');
  const n = variableCount(rows[0].values[0], 'the node count n', rows[0].line, 'gset');
  const m = integerIn(rows[0].values[1], 0, 1e9, 'm', rows[0].line, 'gset');
  if (rows.length - 1 !== m) throw new SyntaxError(`gset: header says ${m} edges, found ${rows.length - 1}`);
  const bqm = new BinaryQuadraticModel('SPIN', n);
  let total = 0;
  for (let t = 1; t <= m; t++) {
    const { values, line } = rows[t];
    if (values.length !== 3) throw new SyntaxError(`gset: line ${line}: expected "i j w"`);
    const i = integerIn(values[0], 1, n, 'i', line, 'gset') - 1;
    const j = integerIn(values[1], 1, n, 'j', line, 'gset') - 1;
    if (i === j) throw new RangeError(`gset: line ${line}: self-loop on node ${i + 1}`);
    bqm.addQuadratic(i, j, values[2]);
    total += values[2];
  }
  return { bqm, numNodes: n, numEdges: m, totalWeight: total, cutFromEnergy: (e) => (total - e) / 2 };
}

export function writeGset(bqm: BinaryQuadraticModel): string {
  const terms = [...bqm.quadraticTerms()];
  return [`${bqm.numVariables} ${terms.length}`, ...terms.map(([i, j, w]) => `${i + 1} ${j + 1} ${w}`)].join('\n') + '\n';
}
