import { BinaryQuadraticModel, Variable } from './bqm';
import { parseVartype } from './vartype';

/** dimod's serialisable BQM (bqm_schema 3.0.0), what `bqm.to_serializable()` writes in Python. */
export interface DimodBqmJSON {
  type: 'BinaryQuadraticModel';
  version: { bqm_schema: string };
  use_bytes: false;
  index_type: 'int32' | 'int64' | 'uint16' | 'uint32';
  bias_type: 'float64' | 'float32';
  num_variables: number;
  num_interactions: number;
  variable_labels: unknown[];
  variable_type: 'SPIN' | 'BINARY';
  offset: number;
  info: Record<string, unknown>;
  linear_biases: number[];
  quadratic_head: number[];
  quadratic_tail: number[];
  quadratic_biases: number[];
}

export function toDimodJSON(bqm: BinaryQuadraticModel): DimodBqmJSON {
  const head: number[] = [];
  const tail: number[] = [];
  const biases: number[] = [];
  for (const [i, j, b] of bqm.quadraticTerms()) {
    head.push(i);
    tail.push(j);
    biases.push(b);
  }
  return {
    type: 'BinaryQuadraticModel',
    version: { bqm_schema: '3.0.0' },
    use_bytes: false,
    index_type: 'int32',
    bias_type: 'float64',
    num_variables: bqm.numVariables,
    num_interactions: biases.length,
    variable_labels: bqm.variables,
    variable_type: bqm.vartype,
    offset: bqm.offset,
    info: {},
    linear_biases: Array.from(bqm.linear),
    quadratic_head: head,
    quadratic_tail: tail,
    quadratic_biases: biases,
  };
}

/**
 * Reads a BQM serialised by dimod (schema 3.x; `use_bytes: false`). The model keeps `variable_labels`
 * (strings and numbers as they are; a tuple such as ['x', 1] becomes its JSON text '["x",1]'), in order;
 * `labels` gives each index's original label as written.
 */
export function fromDimodJSON(input: unknown): { bqm: BinaryQuadraticModel; labels: unknown[] } {
  const j = (typeof input === 'string' ? JSON.parse(input) : input) as DimodBqmJSON;
  if (!j || j.type !== 'BinaryQuadraticModel') throw new TypeError('not a serialised dimod BinaryQuadraticModel (type must be "BinaryQuadraticModel")');
  const major = Number(String(j.version?.bqm_schema ?? '').split('.')[0]);
  if (major !== 3) throw new RangeError(`bqm_schema ${j.version?.bqm_schema} is not supported (3.x is)`);
  if (j.use_bytes) throw new RangeError('use_bytes serialisations are not supported; serialise with use_bytes=False');
  const n = j.num_variables;
  const vartype = parseVartype(j.variable_type, 'variable_type');
  const lengths: [string, unknown[]][] = [
    ['variable_labels', j.variable_labels],
    ['linear_biases', j.linear_biases],
  ];
  for (const [name, arr] of lengths) {
    if (!Array.isArray(arr) || arr.length !== n) throw new RangeError(`${name} must have num_variables (${n}) entries`);
  }
  const m = j.num_interactions;
  for (const name of ['quadratic_head', 'quadratic_tail', 'quadratic_biases'] as const) {
    if (!Array.isArray(j[name]) || j[name].length !== m) throw new RangeError(`${name} must have num_interactions (${m}) entries`);
  }
  const bqm = new BinaryQuadraticModel(vartype, n, j.offset ?? 0);
  j.linear_biases.forEach((b, i) => b !== 0 && bqm.addLinear(i, b));
  for (let t = 0; t < m; t++) {
    const u = j.quadratic_head[t];
    const v = j.quadratic_tail[t];
    if (!(u >= 0 && u < n && v >= 0 && v < n)) throw new RangeError(`interaction ${t} joins ${u} and ${v}, outside 0..${n - 1}`);
    bqm.addQuadratic(u, v, j.quadratic_biases[t]);
  }
  // Labels last: the biases above are placed by index.
  bqm.relabel((i) => labelFromJSON(j.variable_labels[i as number], i as number));
  return { bqm, labels: j.variable_labels };
}

function labelFromJSON(l: unknown, at: number): Variable {
  if (typeof l === 'string' || (typeof l === 'number' && Number.isFinite(l))) return l;
  if (Array.isArray(l)) return JSON.stringify(l);
  throw new TypeError(`variable_labels[${at}] is ${JSON.stringify(l)}: labels must be strings, numbers or tuples`);
}
