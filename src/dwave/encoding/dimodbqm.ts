/**
 * dimod's DIMODBQM file format, version 2.0 (SAPI_SPEC.md §3.4.1): what `bqm.to_file()` writes and the
 * hybrid upload sends. Little-endian throughout:
 *
 *   "DIMODBQM" | major 2 | minor 0 | uint32 header length | JSON header + "\n" + spaces to a 64-byte boundary
 *   float64 offset
 *   per variable: int32 start of its neighbourhood, float64 linear bias
 *   per variable, neighbours ascending: int32 neighbour, float64 bias (each interaction twice)
 *   if "variables": "VARS" | uint32 length | JSON label list padded with spaces to a 64-byte boundary
 */
import { BinaryQuadraticModel } from '../../model/bqm';
import { parseVartype } from '../../model/vartype';

const MAGIC = Buffer.from('DIMODBQM', 'latin1');
const VARS = Buffer.from('VARS', 'latin1');

/** A variable label as dimod knows it: an int, a string, or a tuple (an array here). */
export type DimodLabel = number | string | DimodLabel[];

/** Python's json.dumps (default separators ", " / ": ", ensure_ascii) for the values a header holds. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => (c === '\u007f' ? c : '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')));
  }
  if (Array.isArray(value)) return '[' + value.map(pythonJson).join(', ') + ']';
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return '{' + entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ') + '}';
  }
  throw new TypeError(`cannot serialise a ${typeof value} as JSON`);
}

function isIndexLabels(labels: readonly DimodLabel[]): boolean {
  return labels.every((l, i) => l === i);
}

export interface WriteDimodBqmOptions {
  /**
   * Labels of variables 0..n-1 (label i names variable i). Omitted, or exactly 0..n-1, writes no VARS
   * section ("variables": false), as dimod does for index-labelled models.
   */
  labels?: readonly DimodLabel[];
}

/** Serialises a model to DIMODBQM v2 bytes, byte for byte what dimod 0.12 writes. */
export function writeDimodBqm(bqm: BinaryQuadraticModel, opts: WriteDimodBqmOptions = {}): Buffer {
  const n = bqm.numVariables;
  const labels = opts.labels;
  if (labels && labels.length !== n) throw new RangeError(`labels has ${labels.length} entries for ${n} variables`);
  const withLabels = !!labels && !isIndexLabels(labels);

  // Neighbourhoods, sorted ascending by neighbour index.
  const nbrs: [number, number][][] = Array.from({ length: n }, () => []);
  for (const [i, j, b] of bqm.quadraticTerms()) {
    nbrs[i].push([j, b]);
    nbrs[j].push([i, b]);
  }
  for (const list of nbrs) list.sort((x, y) => x[0] - y[0]);
  const m = bqm.numInteractions;

  const header = pythonJson({
    dtype: 'float64',
    itype: 'int32',
    ntype: 'int32',
    shape: [n, m],
    type: 'BinaryQuadraticModel',
    variables: withLabels,
    vartype: bqm.vartype,
  });
  let headerLen = header.length + 1;
  headerLen += (64 - ((14 + headerLen) % 64)) % 64;
  const headerBuf = Buffer.alloc(headerLen, 0x20);
  headerBuf.write(header, 0, 'latin1');
  headerBuf[header.length] = 0x0a;

  const prefix = Buffer.alloc(14);
  MAGIC.copy(prefix, 0);
  prefix[8] = 2;
  prefix[9] = 0;
  prefix.writeUInt32LE(headerLen, 10);

  const body = Buffer.alloc(8 + 12 * n + 12 * 2 * m);
  body.writeDoubleLE(bqm.offset, 0);
  const linear = bqm.linear;
  let at = 8;
  let start = 0;
  for (let i = 0; i < n; i++) {
    body.writeInt32LE(start, at);
    body.writeDoubleLE(linear[i], at + 4);
    at += 12;
    start += nbrs[i].length;
  }
  for (let i = 0; i < n; i++) {
    for (const [j, b] of nbrs[i]) {
      body.writeInt32LE(j, at);
      body.writeDoubleLE(b, at + 4);
      at += 12;
    }
  }
  const parts = [prefix, headerBuf, body];
  if (withLabels) {
    const json = Buffer.from(pythonJson(labels), 'utf8');
    let L = json.length;
    L += (64 - ((8 + L) % 64)) % 64;
    const section = Buffer.alloc(8 + L, 0x20);
    VARS.copy(section, 0);
    section.writeUInt32LE(L, 4);
    json.copy(section, 8);
    parts.push(section);
  }
  return Buffer.concat(parts);
}

const INT_TYPES: Record<string, [number, (b: Buffer, at: number) => number]> = {
  int8: [1, (b, at) => b.readInt8(at)],
  int16: [2, (b, at) => b.readInt16LE(at)],
  int32: [4, (b, at) => b.readInt32LE(at)],
  int64: [8, (b, at) => Number(b.readBigInt64LE(at))],
  uint8: [1, (b, at) => b.readUInt8(at)],
  uint16: [2, (b, at) => b.readUInt16LE(at)],
  uint32: [4, (b, at) => b.readUInt32LE(at)],
  uint64: [8, (b, at) => Number(b.readBigUInt64LE(at))],
};
const FLOAT_TYPES: Record<string, [number, (b: Buffer, at: number) => number]> = {
  float32: [4, (b, at) => b.readFloatLE(at)],
  float64: [8, (b, at) => b.readDoubleLE(at)],
};

export interface DimodBqmFile {
  bqm: BinaryQuadraticModel;
  /** The labels of variables 0..n-1 (0..n-1 themselves when the file has no VARS section). */
  labels: DimodLabel[];
  /** Whether the file had a VARS section. */
  hasLabels: boolean;
}

/** Parses DIMODBQM v2 bytes into a model over 0..n-1 plus the file's labels. */
export function readDimodBqmFile(buf: Buffer): DimodBqmFile {
  if (buf.length < 14 || !buf.subarray(0, 8).equals(MAGIC)) throw new TypeError('not a DIMODBQM file (bad magic)');
  const major = buf[8];
  if (major !== 2) throw new RangeError(`DIMODBQM version ${major}.${buf[9]} is not supported (only 2.x)`);
  const headerLen = buf.readUInt32LE(10);
  if (14 + headerLen > buf.length) throw new RangeError('DIMODBQM header runs past the end of the file');
  const header = JSON.parse(buf.subarray(14, 14 + headerLen).toString('utf8').trim()) as {
    dtype: string;
    itype: string;
    ntype: string;
    shape: [number, number];
    type: string;
    variables: boolean;
    vartype: string;
  };
  if (header.type !== 'BinaryQuadraticModel') throw new TypeError(`DIMODBQM holds a ${header.type}, not a BinaryQuadraticModel`);
  const vartype = parseVartype(header.vartype, 'DIMODBQM vartype');
  const [n, m] = header.shape;
  const dt = FLOAT_TYPES[header.dtype];
  const it = INT_TYPES[header.itype];
  const nt = INT_TYPES[header.ntype];
  if (!dt || !it || !nt) throw new TypeError(`unsupported DIMODBQM types ${header.dtype}/${header.itype}/${header.ntype}`);
  let at = 14 + headerLen;
  const need = dt[0] + n * (nt[0] + dt[0]) + 2 * m * (it[0] + dt[0]);
  if (at + need > buf.length) throw new RangeError(`DIMODBQM body is truncated: need ${need} bytes after the header`);
  const offset = dt[1](buf, at);
  at += dt[0];
  const bqm = new BinaryQuadraticModel(vartype, n, offset);
  const starts = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    starts[i] = nt[1](buf, at);
    const bias = dt[1](buf, at + nt[0]);
    if (bias !== 0) bqm.addLinear(i, bias);
    at += nt[0] + dt[0];
  }
  const entry = it[0] + dt[0];
  for (let i = 0; i < n; i++) {
    const end = i + 1 < n ? starts[i + 1] : 2 * m;
    for (let e = starts[i]; e < end; e++) {
      const j = it[1](buf, at + e * entry);
      const bias = dt[1](buf, at + e * entry + it[0]);
      if (j > i) bqm.addQuadratic(i, j, bias);
    }
  }
  at += 2 * m * entry;
  let labels: DimodLabel[] = Array.from({ length: n }, (_, i) => i);
  if (header.variables) {
    if (at + 8 > buf.length || !buf.subarray(at, at + 4).equals(VARS)) throw new TypeError('DIMODBQM says it has labels but has no VARS section');
    const L = buf.readUInt32LE(at + 4);
    labels = JSON.parse(buf.subarray(at + 8, at + 8 + L).toString('utf8').trim()) as DimodLabel[];
    if (!Array.isArray(labels) || labels.length !== n) throw new RangeError(`VARS section has ${labels?.length} labels for ${n} variables`);
  }
  return { bqm, labels, hasLabels: !!header.variables };
}

/** Parses DIMODBQM v2 bytes into a model over variables 0..n-1 (file order); see readDimodBqmFile for labels. */
export function readDimodBqm(buf: Buffer): BinaryQuadraticModel {
  return readDimodBqmFile(buf).bqm;
}
