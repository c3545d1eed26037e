/**
 * The interval model of Chimera, Pegasus and Zephyr (SAPI_SPEC.md §7.6, §8.4): every qubit is a segment of
 * a vertical (u = 0) or horizontal (u = 1) line in a square grid of cells. A vertical qubit sits in column
 * `pos` and covers rows [lo, hi); a horizontal one sits in row `pos` and covers columns [lo, hi). Two
 * qubits of different orientation can only be coupled when they share a cell.
 */
import {
  chimeraCoordinates,
  couplerSet,
  HardwareGraph,
  PEGASUS_OFFSETS,
  pegasusCoordinates,
  zephyrCoordinates,
} from '../topology';

export interface Segment {
  qubit: number;
  u: number;
  pos: number;
  /** Identifies the line (u, pos, subtrack) the qubit lies on. */
  line: number;
  /** Order along the line. */
  idx: number;
  lo: number;
  hi: number;
}

/** A maximal stretch of present qubits along one line, joined by present couplers. */
export interface Run {
  u: number;
  pos: number;
  line: number;
  /** Segments in order along the line. */
  segs: Segment[];
  lo: number;
  hi: number;
}

export interface IntervalModel {
  /** Number of positions (columns for vertical lines, rows for horizontal ones). */
  size: number;
  /** runs[u][pos]: the runs of orientation u at that position. */
  runs: Run[][][];
  couplers: Set<number>;
}

function segmentOf(g: HardwareGraph, q: number): Segment {
  switch (g.family) {
    case 'chimera': {
      const [i, j, u, k] = chimeraCoordinates(q, g.shape);
      const t = g.shape[2];
      return u === 0
        ? { qubit: q, u, pos: j, line: (0 * 1e6 + j) * t + k, idx: i, lo: i, hi: i + 1 }
        : { qubit: q, u, pos: i, line: (1 * 1e6 + i) * t + k, idx: j, lo: j, hi: j + 1 };
    }
    case 'pegasus': {
      const [u, w, k, z] = pegasusCoordinates(q, g.shape);
      const lo = 12 * z + PEGASUS_OFFSETS[u][k];
      return { qubit: q, u, pos: 12 * w + k, line: (u * 1e6 + w) * 12 + k, idx: z, lo, hi: lo + 12 };
    }
    case 'zephyr': {
      const [u, w, k, j, z] = zephyrCoordinates(q, g.shape);
      const t = g.shape[1];
      const lo = 2 * z + j;
      return { qubit: q, u, pos: w, line: ((u * 1e6 + w) * t + k) * 2 + j, idx: z, lo, hi: lo + 2 };
    }
    default:
      throw new RangeError(`no interval model for a ${g.family} graph`);
  }
}

function positionCount(g: HardwareGraph): number {
  switch (g.family) {
    case 'chimera':
      return Math.max(g.shape[0], g.shape[1]);
    case 'pegasus':
      return 12 * g.shape[0];
    case 'zephyr':
      return 2 * g.shape[0] + 1;
    default:
      return 0;
  }
}

export function hasIntervalModel(g: HardwareGraph): boolean {
  return g.family === 'chimera' || g.family === 'pegasus' || g.family === 'zephyr';
}

export function buildIntervalModel(g: HardwareGraph): IntervalModel {
  const size = positionCount(g);
  const couplers = couplerSet(g);
  const byLine = new Map<number, Segment[]>();
  for (const q of g.qubits) {
    const s = segmentOf(g, q);
    let list = byLine.get(s.line);
    if (!list) byLine.set(s.line, (list = []));
    list.push(s);
  }
  const runs: Run[][][] = [0, 1].map(() => Array.from({ length: size }, () => [] as Run[]));
  const linked = (a: Segment, b: Segment) => b.idx === a.idx + 1 && couplers.has(a.qubit < b.qubit ? a.qubit * 2 ** 24 + b.qubit : b.qubit * 2 ** 24 + a.qubit);
  for (const segs of byLine.values()) {
    segs.sort((a, b) => a.idx - b.idx);
    let start = 0;
    for (let i = 1; i <= segs.length; i++) {
      if (i === segs.length || !linked(segs[i - 1], segs[i])) {
        const part = segs.slice(start, i);
        const s0 = part[0];
        runs[s0.u][s0.pos].push({ u: s0.u, pos: s0.pos, line: s0.line, segs: part, lo: s0.lo, hi: part[part.length - 1].hi });
        start = i;
      }
    }
  }
  return { size, runs, couplers };
}

/** The qubits of a run whose span meets the cell range [from, to] (inclusive). */
export function runPart(run: Run, from: number, to: number): number[] {
  const out: number[] = [];
  for (const s of run.segs) if (s.hi > from && s.lo <= to) out.push(s.qubit);
  return out;
}
