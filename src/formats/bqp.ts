import { BinaryQuadraticModel } from '../model/bqm';
import { MAX_VARIABLES } from '../model/limits';
import { integerIn, numericLines, PairLines, variableCount } from './tokens';

/**
 * OR-Library bqp files (Beasley 1998): the instance count, then per instance `n nnz` and nnz lines
 * `i j q` (1-indexed, each pair once). The file states a MAXIMISATION of
 *   f(x) = sum_i q_ii x_i + 2 sum_{i<j} q_ij x_i x_j.
 * The models returned are the MINIMISATION form E(x) = -f(x) (BINARY), so a sampler's lowest energy
 * is minus the best objective: `objective = -energy`.
 *
 * A pair given twice (as (i, j) twice, or as (i, j) and (j, i)) is a RangeError naming both lines, and
 * every size is checked against the native limit before anything is allocated: one instance, and all
 * of a file's instances together, hold at most MAX_VARIABLES (2^26) variables.
 */
export function readBqp(text: string): BinaryQuadraticModel[] {
  const rows = numericLines(text, 'bqp');
  if (rows.length === 0) throw new SyntaxError('bqp: empty file');
  const count = integerIn(rows[0].values[0], 1, 1e6, 'instance count', rows[0].line, 'bqp');
  if (rows[0].values.length !== 1) throw new SyntaxError(`bqp: line ${rows[0].line}: the first line must be the instance count alone`);
  // First pass: every instance's header, so that sizes are checked before any model is allocated.
  const heads: { n: number; nnz: number; at: number }[] = [];
  let at = 1;
  let declared = 0;
  for (let k = 0; k < count; k++) {
    const head = rows[at];
    if (!head || head.values.length !== 2) throw new SyntaxError(`bqp: instance ${k + 1}: missing its "n nnz" line${head ? ` (line ${head.line})` : ''}`);
    const n = variableCount(head.values[0], `instance ${k + 1}: n`, head.line, 'bqp');
    const nnz = integerIn(head.values[1], 0, 1e9, 'nnz', head.line, 'bqp');
    declared += n;
    if (declared > MAX_VARIABLES) {
      throw new RangeError(`bqp: line ${head.line}: the instances up to ${k + 1} declare ${declared} variables, more than the ${MAX_VARIABLES} one file may hold`);
    }
    if (rows.length - (at + 1) < nnz) {
      throw new SyntaxError(`bqp: instance ${k + 1}: file ends after ${rows.length - (at + 1)} of ${nnz} entries (announced on line ${head.line})`);
    }
    heads.push({ n, nnz, at: at + 1 });
    at += 1 + nnz;
  }
  if (at !== rows.length) throw new SyntaxError(`bqp: ${rows.length - at} unexpected lines after instance ${count} (line ${rows[at].line})`);

  return heads.map(({ n, nnz, at: first }) => {
    const bqm = new BinaryQuadraticModel('BINARY', n);
    const seen = new PairLines('bqp');
    for (let t = first; t < first + nnz; t++) {
      const row = rows[t];
      if (row.values.length !== 3) throw new SyntaxError(`bqp: line ${row.line}: expected "i j q"`);
      const i = integerIn(row.values[0], 1, n, 'i', row.line, 'bqp') - 1;
      const j = integerIn(row.values[1], 1, n, 'j', row.line, 'bqp') - 1;
      seen.add(i, j, row.line);
      const q = row.values[2];
      if (i === j) bqm.addLinear(i, -q);
      else bqm.addQuadratic(i, j, -2 * q);
    }
    return bqm;
  });
}

/** Writes minimisation-form BINARY models back in the bqp maximisation convention. */
export function writeBqp(models: readonly BinaryQuadraticModel[]): string {
  const out: string[] = [` ${models.length} `];
  for (const m of models) {
    if (m.vartype !== 'BINARY') throw new TypeError('writeBqp takes BINARY models');
    const entries: string[] = [];
    m.linear.forEach((b, i) => b !== 0 && entries.push(`${i + 1} ${i + 1} ${-b}`));
    for (const [i, j, b] of m.quadraticTerms()) entries.push(`${Math.min(i, j) + 1} ${Math.max(i, j) + 1} ${-b / 2}`);
    out.push(` ${m.numVariables} ${entries.length} `, ...entries.map((e) => ` ${e} `));
  }
  return out.join('\n') + '\n';
}
